import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// vitest globalSetup: a real EVM JSON-RPC node (Hardhat Network, EDR, from the npm registry)
// for the wallet and DEX tests, started before the suite and stopped after. Chain id 1, so
// the tests sign exactly what Ethereum mainnet would accept. Port: EVM_RPC_PORT (vitest.config.ts).

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function rpcUp(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const port = process.env.EVM_RPC_PORT ?? '8807';
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  if (!(await rpcUp(url))) {
    child = spawn(
      resolve(root, 'node_modules/.bin/hardhat'),
      ['--config', 'scripts/lib/hardhat.config.cjs', 'node', '--hostname', '127.0.0.1', '--port', port],
      { cwd: root, stdio: 'ignore', env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' } },
    );
    const deadline = Date.now() + 60_000;
    while (!(await rpcUp(url))) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`EVM node did not start on ${url}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
    }
  };
}
