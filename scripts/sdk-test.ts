import { spawnSync } from 'node:child_process';
import { startServer, stopServers } from '../bench/lib/server';
import { ensurePython } from './lib/python';

// `npm run test:sdk`: the SDKs against a real `wrangler dev` (seeded, crons on demand):
// first the staleness check (the committed SDK must match /openapi.json), then the
// TypeScript SDK's tests (vitest in Node) and the Python SDK's (pytest on Debian's python3).
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const run = (cmd: string, args: string[], extra: Record<string, string> = {}) =>
  spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, ...extra } }).status ?? 1;

const stale = run('tsx', ['scripts/sdk/generate.ts', '--check']);
const python = ensurePython();
const server = await startServer({ persistTo: '.wrangler/sdk-test', testScheduled: true });
const vars = { SDK_ORIGIN: server.origin };
let typescript = 1;
let pytest = 1;
try {
  typescript = run('vitest', ['run', '--config', 'vitest.sdk.config.ts'], vars);
  pytest = python
    ? run(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'sdk/python/tests'], vars)
    : 1;
} finally {
  await stopServers();
}
const outcome = (code: number) => (code === 0 ? 'passed' : 'FAILED');
console.log(
  `\nsdk: generated code ${stale === 0 ? 'current' : 'STALE'}; TypeScript ${outcome(typescript)}; Python ${python ? outcome(pytest) : 'not run (no python3 packages)'}`,
);
process.exit(stale === 0 && typescript === 0 && pytest === 0 ? 0 : 1);
