import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
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
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { quiet: true });
  const seeded = options.seed === false ? { rows: 0, ms: 0 } : seed('--local', false, persist);
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
