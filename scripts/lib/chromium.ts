import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, which the browser suite drives through playwright-core (no browser download). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_INSTALL = 'apt-get update && apt-get install -y chromium';

/** apt-get, waiting for another apt run's lock rather than failing on it. */
export function aptGet(args: string[]): boolean {
  const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', '-q', ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/**
 * Makes sure the browser suite's Chromium is there: installs Debian's `chromium` when it is
 * missing and this runs as root on a machine with apt-get; otherwise prints the one command
 * that installs it. Returns whether Chromium is available.
 */
export function ensureChromium(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const root = process.getuid?.() === 0;
  const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!root || !apt) {
    console.error(
      `chromium: ${CHROMIUM_PATH} is missing; the browser suite needs it: run \`sudo sh -c '${CHROMIUM_INSTALL}'\` (Debian/Ubuntu) and run the tests again`,
    );
    return false;
  }
  console.log(`chromium: ${CHROMIUM_PATH} is missing; installing Debian's chromium (${CHROMIUM_INSTALL})`);
  // Another apt run may hold the lists lock (update has no lock timeout): try a few times.
  for (let attempt = 1; attempt <= 3 && !aptGet(['update']); attempt++)
    spawnSync('sleep', [String(10 * attempt)]);
  aptGet(['install', '-y', 'chromium']);
  if (existsSync(CHROMIUM_PATH)) return true;
  console.error(`chromium: installing failed; run \`${CHROMIUM_INSTALL}\` as root and run the tests again`);
  return false;
}
