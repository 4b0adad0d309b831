import { spawnSync } from 'node:child_process';
import { aptGet } from './chromium';

/**
 * The Python SDK's tests run on Debian's own Python 3.11 with Debian's packages: httpx,
 * pydantic, pytest and websockets (PyPI is not needed). `python3-venv` is not either.
 */
export const PYTHON = '/usr/bin/python3';
export const PYTHON_PACKAGES = ['python3-httpx', 'python3-pydantic', 'python3-pytest', 'python3-websockets'];
const IMPORTS = 'import httpx, pydantic, pytest, websockets';

const ready = () => spawnSync(PYTHON, ['-c', IMPORTS], { stdio: 'ignore' }).status === 0;

/**
 * Makes sure Debian's python3 has the SDK's packages: installs them with apt-get when they
 * are missing and this runs as root; otherwise prints the one command. Returns the
 * interpreter, or null when it cannot run the Python tests.
 */
export function ensurePython(): string | null {
  if (ready()) return PYTHON;
  const install = `apt-get install -y python3 ${PYTHON_PACKAGES.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(
      `python: the Python SDK's tests need Debian's ${PYTHON_PACKAGES.join(', ')}: run \`sudo ${install}\``,
    );
    return null;
  }
  console.log(`python: installing ${PYTHON_PACKAGES.join(', ')} from Debian`);
  if (!aptGet(['install', '-y', 'python3', ...PYTHON_PACKAGES])) {
    for (let attempt = 1; attempt <= 3 && !aptGet(['update']); attempt++)
      spawnSync('sleep', [String(10 * attempt)]);
    aptGet(['install', '-y', 'python3', ...PYTHON_PACKAGES]);
  }
  if (ready()) return PYTHON;
  console.error(`python: installing failed; run \`${install}\` as root and run the tests again`);
  return null;
}
