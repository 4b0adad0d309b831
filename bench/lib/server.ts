import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureDevVars } from '../../scripts/lib/dev-secrets';
import { copyDocsAssets } from '../../scripts/lib/docs-assets';
import { wrangler, wranglerEnv } from '../../scripts/lib/wrangler';
import { seed } from '../../scripts/seed';

/** Persisted separately from `npm start`'s data, so benchmarks never touch a developer's state. */
const PERSIST = '.wrangler/bench';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A migrated and seeded database, copied for each seeded server instead of seeding it again. */
const TEMPLATE = '.wrangler/seeded-template';

/** Every file under `dir`, for the template's key (skipping what is not source). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path);
    return [path];
  });
}

/**
 * What a seeded database is made from: the migrations, the seeders and every module they may
 * import, the vars, and the shipped data's files (by size and time). A change to any of them
 * makes a new template; the same inputs reuse it.
 */
function templateKey(): string {
  const hash = createHash('sha256');
  for (const file of [
    'wrangler.toml',
    ...filesUnder('migrations'),
    ...filesUnder('scripts'),
    ...filesUnder('src'),
  ].sort())
    hash.update(file).update(readFileSync(file));
  for (const file of filesUnder('../shared/data').sort()) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${file}:${size}:${mtimeMs}`);
  }
  return hash.digest('hex');
}

/**
 * Migrates and seeds `persist` (timed), or copies the template made from the same inputs;
 * a fresh seed becomes the template for the next server (the browser and SDK suites each
 * start one).
 */
function seededDatabase(persist: string): { rows: number; ms: number; copied: boolean } {
  const key = templateKey();
  const keyFile = join(TEMPLATE, '.key');
  if (existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) {
    const started = performance.now();
    cpSync(TEMPLATE, persist, { recursive: true });
    return { rows: 0, ms: Math.round(performance.now() - started), copied: true };
  }
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { quiet: true });
  const seeded = seed('--local', false, persist);
  rmSync(TEMPLATE, { recursive: true, force: true });
  cpSync(persist, TEMPLATE, { recursive: true });
  writeFileSync(keyFile, key);
  return { rows: seeded.rows, ms: seeded.ms, copied: false };
}

/** Dev servers this process started and has not seen exit (each leads its own process group). */
const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // the group is already gone
  }
}

// A test runner that gives up on a set-up (a hook timeout) never gets a `Server` to stop:
// the process's exit still ends what it started.
process.once('exit', () => {
  for (const child of running) killGroup(child);
});

/** Ends a dev server and waits for its exit; at once if it already exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    killGroup(child);
    await exited;
  }
  running.delete(child);
}

/**
 * Stops every dev server this process started, including one whose `startServer` has not
 * returned (a set-up that timed out): call it in `afterAll`, where `server` may be unset.
 */
export async function stopServers(): Promise<void> {
  await Promise.all([...running].map(stopChild));
}

export interface ServerOptions {
  /** Local state directory, wiped first (default `.wrangler/bench`); give each concurrent user its own. */
  persistTo?: string;
  /** Enable `GET /__scheduled?cron=...`, so a caller can fire the crons (the replay tick) itself. */
  testScheduled?: boolean;
  /** Load the shipped history (default true); pages that read no market data start faster without it. */
  seed?: boolean;
  /**
   * Seed this server's database itself (timed), never from the template: the benchmarks'
   * seeding figure. Otherwise a seeded database made from the same inputs is copied.
   */
  fresh?: boolean;
  /** Extra `--var NAME:value` overrides (e.g. TELEMETRY_DISABLED:true). */
  vars?: Record<string, string>;
  /** A fixed port instead of a free one. */
  port?: number;
  /** Rows to write into the fresh database before the server starts (e.g. an admin). */
  sql?: string;
}

export interface Server {
  origin: string;
  /** An access token of a user registered for the run. */
  token: string;
  /** Seeding the fresh bench database with the shipped history: rows and milliseconds. */
  seeding: { rows: number; ms: number };
  /** The wrangler process, leader of the dev server's process group (workerd runs in it). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * A fresh bench database (migrated and seeded with the real history, timed), then
 * `wrangler dev` on a free loopback port with rate limits scaled up 1000x so the load
 * measures the limiter's work rather than its 429s, and a registered user's token.
 */
export async function startServer(options: ServerOptions = {}): Promise<Server> {
  const persist = options.persistTo ?? PERSIST;
  rmSync(persist, { recursive: true, force: true });
  ensureDevVars();
  copyDocsAssets();
  let seeded: { rows: number; ms: number };
  if (options.seed === false) {
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { quiet: true });
    seeded = { rows: 0, ms: 0 };
  } else if (options.fresh) {
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { quiet: true });
    seeded = seed('--local', false, persist);
  } else {
    seeded = seededDatabase(persist);
  }
  if (options.sql)
    wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--command', options.sql], {
      quiet: true,
    });
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(
    'wrangler',
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      persist,
      '--log-level',
      'error',
      '--var',
      'RATE_LIMIT_SCALE:1000',
      ...Object.entries(options.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ...(options.testScheduled ? ['--test-scheduled'] : []),
    ],
    { env: wranglerEnv, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  const origin = `http://127.0.0.1:${port}`;
  try {
    const token = await ready(origin, child);
    return {
      origin,
      token,
      seeding: { rows: seeded.rows, ms: seeded.ms },
      pid: child.pid,
      stop: () => stopChild(child),
    };
  } catch (err) {
    // A server that never became ready is not left running.
    await stopChild(child);
    throw err;
  }
}

/** Waits for `/health` (60 s at most, less if wrangler exits), then registers the run's user. */
async function ready(origin: string, child: ChildProcess): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${origin}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it served /health`);
    if (Date.now() > deadline) throw new Error('wrangler dev did not start within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const res = await fetch(`${origin}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, password: 'bench-password-1' }),
  });
  if (res.status !== 201)
    throw new Error(`bench user registration failed: ${res.status} ${await res.text()}`);
  const { access_token: token } = (await res.json()) as { access_token: string };
  return token;
}

/**
 * The bare Hono Worker (bench/bare/) under its own `wrangler dev` on the same machine and
 * wrangler/workerd: the platform's floor every HTTP scenario is compared with. `bare` names
 * another bare Worker under bench/ (the WebSocket bench's `bare-hub`).
 */
export async function startBareServer(
  port?: number,
  bare = 'bare',
): Promise<{ origin: string; pid: number | undefined; stop(): Promise<void> }> {
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn(
    'wrangler',
    [
      'dev',
      '-c',
      `bench/${bare}/wrangler.toml`,
      '--ip',
      '127.0.0.1',
      '--port',
      String(chosen),
      '--persist-to',
      `.wrangler/bench-${bare}`,
      '--log-level',
      'error',
    ],
    { env: wranglerEnv, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  const origin = `http://127.0.0.1:${chosen}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${origin}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error('the bare bench Worker did not start');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { origin, pid: child.pid, stop: () => stopChild(child) };
}
