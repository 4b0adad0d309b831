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

export interface ServerOptions {
  /** Local state directory, wiped first (default `.wrangler/bench`); give each concurrent user its own. */
  persistTo?: string;
  /** Enable `GET /__scheduled?cron=...`, so a caller can fire the crons (the replay tick) itself. */
  testScheduled?: boolean;
  /** Load the shipped history (default true); pages that read no market data start faster without it. */
  seed?: boolean;
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
  const port = await freePort();
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
      ...(options.testScheduled ? ['--test-scheduled'] : []),
    ],
    { env: wranglerEnv, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${origin}/health`)).ok) break;
    } catch {
      // not listening yet
    }
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
  return {
    origin,
    token,
    seeding: { rows: seeded.rows, ms: seeded.ms },
    stop: async () => {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
