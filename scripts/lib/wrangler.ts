import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment for every wrangler we start: no telemetry, no interactive prompts. */
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? 'true' };

export type Target = '--local' | '--remote';

/** Runs wrangler to completion, failing loudly with its output. */
export function wrangler(args: string[], options: { quiet?: boolean } = {}): string {
  const result = spawnSync('wrangler', args, {
    env: wranglerEnv,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed with exit code ${result.status}`);
  }
  if (!options.quiet) process.stdout.write(result.stdout);
  return result.stdout;
}

/** Where local D1 state lives; undefined for wrangler's default (.wrangler/state). */
export type PersistTo = string | undefined;

const persistArgs = (target: Target, persistTo: PersistTo) =>
  target === '--local' && persistTo ? ['--persist-to', persistTo] : [];

/** Runs one SQL query against D1 and returns its rows. */
export function d1Query<T>(sql: string, target: Target = '--local', persistTo?: PersistTo): T[] {
  const out = wrangler(
    ['d1', 'execute', 'DB', target, ...persistArgs(target, persistTo), '--json', '--command', sql],
    {
      quiet: true,
    },
  );
  const parsed = JSON.parse(out) as { results: T[] }[];
  return parsed.flatMap((r) => r.results);
}

/** Runs a SQL file's statements against D1 (wrangler splits and batches them). */
export function d1ExecuteSql(sql: string, target: Target = '--local', persistTo?: PersistTo): void {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-seed-'));
  const file = join(dir, 'seed.sql');
  try {
    writeFileSync(file, sql);
    wrangler(['d1', 'execute', 'DB', target, ...persistArgs(target, persistTo), '--yes', '--file', file], {
      quiet: true,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a long-running wrangler (dev) attached to this terminal; resolves with its exit code. */
export function wranglerForeground(args: string[]): Promise<number> {
  const child = spawn('wrangler', args, { env: wranglerEnv, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
}
