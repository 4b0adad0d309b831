import { spawnSync } from 'node:child_process';
import { ensureChromium } from './lib/chromium';

// `npm test`: the workerd suite, then the browser suite, which runs even when the first
// failed; exits non-zero if either failed. Chromium is checked (and installed as root) first,
// so a machine without it learns so before the long suite, not after.
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const vitest = (args: string[]) =>
  spawnSync('vitest', ['run', ...args], { stdio: 'inherit', env }).status ?? 1;

const chromium = ensureChromium();
const workerd = vitest([]);
const browser = chromium ? vitest(['--config', 'vitest.browser.config.ts']) : 1;

const outcome = (code: number) => (code === 0 ? 'passed' : 'FAILED');
console.log(
  `\nnpm test: workerd suite ${outcome(workerd)}; browser suite ${chromium ? outcome(browser) : 'not run (no Chromium)'}`,
);
process.exit(workerd === 0 && browser === 0 ? 0 : 1);
