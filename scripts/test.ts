import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { ensureChromium } from './lib/chromium';
import { ensurePython } from './lib/python';

// `npm test`: the workerd suite and, beside it, the browser suite followed by the SDKs' suites
// (TypeScript and Python against `wrangler dev`); each runs even when another failed, and the
// run fails if any did. Chromium and Debian's python3 packages are checked (and installed as
// root) first, so a machine without them learns so before the long suite, not after.
//
// Why side by side: the workerd suite is bound by vitest's one main thread serving modules to
// the test runtimes (about 1.3 of the 2 cores busy), while the browser and SDK suites mostly
// wait on servers and a browser; one after the other the three took 647 + 177 + 35 s, side by
// side about as long as the workerd suite alone. Their output goes to test-results/ and is
// printed after the workerd suite's, so neither interleaves.
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

function run(cmd: string, args: string[], logFile?: string): Promise<number> {
  const out = logFile ? openSync(logFile, 'w') : 'inherit';
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', out, out], env });
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const chromium = ensureChromium();
const python = ensurePython();
mkdirSync('test-results', { recursive: true });
const logs = { browser: 'test-results/browser-suite.log', sdk: 'test-results/sdk-suites.log' };

const besides = (async () => {
  const browser = chromium
    ? await run('vitest', ['run', '--config', 'vitest.browser.config.ts'], logs.browser)
    : 1;
  const sdk = await run('tsx', ['scripts/sdk-test.ts'], logs.sdk);
  return { browser, sdk };
})();
const workerd = await run('vitest', ['run']);
console.log('\nnpm test: the workerd suite is done; waiting for the browser and SDK suites...');
const { browser, sdk } = await besides;
for (const [name, file] of [
  ['browser suite', logs.browser],
  ['SDK suites', logs.sdk],
] as const) {
  console.log(`\n===== ${name} (${file}) =====\n`);
  try {
    process.stdout.write(readFileSync(file, 'utf8'));
  } catch {
    console.log('(no output)');
  }
}

const outcome = (code: number) => (code === 0 ? 'passed' : 'FAILED');
console.log(
  `\nnpm test: workerd suite ${outcome(workerd)}; browser suite ${chromium ? outcome(browser) : 'not run (no Chromium)'}; SDK suites ${python ? outcome(sdk) : 'FAILED (no python3 packages)'}`,
);
process.exit(workerd === 0 && browser === 0 && sdk === 0 && python ? 0 : 1);
