import { spawnSync } from 'node:child_process';
import { ensureChromium } from './lib/chromium';
import { ensurePython } from './lib/python';

// `npm test`: the workerd suite, then the browser suite, then the SDKs' suites (TypeScript
// and Python against `wrangler dev`); each runs even when an earlier one failed, and the run
// fails if any did. Chromium and Debian's python3 packages are checked (and installed as
// root) first, so a machine without them learns so before the long suite, not after.
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;

const chromium = ensureChromium();
const python = ensurePython();
const workerd = run('vitest', ['run']);
const browser = chromium ? run('vitest', ['run', '--config', 'vitest.browser.config.ts']) : 1;
const sdk = run('tsx', ['scripts/sdk-test.ts']);

const outcome = (code: number) => (code === 0 ? 'passed' : 'FAILED');
console.log(
  `\nnpm test: workerd suite ${outcome(workerd)}; browser suite ${chromium ? outcome(browser) : 'not run (no Chromium)'}; SDK suites ${python ? outcome(sdk) : 'FAILED (no python3 packages)'}`,
);
process.exit(workerd === 0 && browser === 0 && sdk === 0 && python ? 0 : 1);
