import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { wrangler, wranglerEnv } from '../../scripts/lib/wrangler';

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

export interface Server {
  origin: string;
  stop(): Promise<void>;
}

/** Migrates a bench database and starts `wrangler dev` on a free loopback port. */
export async function startServer(): Promise<Server> {
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', PERSIST], { quiet: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    'wrangler',
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', PERSIST, '--log-level', 'error'],
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
  return {
    origin,
    stop: async () => {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
