import { env } from 'cloudflare:workers';
import { type Hex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { callJson } from './api';
import { fund, rpcCall } from './chain';
import { liveEnv } from './dex';
import type { TestUser } from './users';

/** Forgets every aggregator's stored health and circuit (D1 rows shared by isolates). */
export async function resetDexHealth(): Promise<void> {
  await env.DB.prepare('DELETE FROM dex_aggregator_health').run();
}

/** liveEnv with `routers` allowed for 0x (and optionally others) on chain 1. */
export function liveEnvAllowing(routers: Partial<Record<'0x' | 'okx' | 'rubic', string[]>>): Env {
  return { ...liveEnv(), DEX_ROUTER_ALLOWLIST: JSON.stringify({ '1': routers }) } as Env;
}

/** Registers a fresh external wallet (SIWE) for the user on chain 1 and returns its key. */
export async function registerExternal(user: TestUser) {
  const owner = privateKeyToAccount(generatePrivateKey());
  const n = await callJson<{ nonce: string; message: string }>('/api/wallets/external/nonce', {
    method: 'POST',
    as: user.as,
    body: { address: owner.address, chain_id: 1 },
  });
  const reg = await callJson<{ id: string }>('/api/wallets/external/register', {
    method: 'POST',
    as: user.as,
    body: {
      address: owner.address,
      chain_id: 1,
      nonce: n.body.nonce,
      signature: await owner.signMessage({ message: n.body.message }),
    },
  });
  if (reg.res.status !== 201) throw new Error(`register failed: ${JSON.stringify(reg.body)}`);
  return { account: owner, walletId: reg.body.id };
}

/** Signs `tx` with `account` (funded first) and broadcasts it to the local node; returns the hash. */
export async function sendFrom(
  account: ReturnType<typeof privateKeyToAccount>,
  tx: { to: Hex; data?: Hex; value?: bigint; gas?: bigint },
): Promise<Hex> {
  if (BigInt(await rpcCall<string>('eth_getBalance', [account.address, 'latest'])) < parseEther('0.5'))
    await fund(account.address, parseEther('10'));
  const nonce = Number(
    BigInt(await rpcCall<string>('eth_getTransactionCount', [account.address, 'pending'])),
  );
  const signed = await account.signTransaction({
    type: 'eip1559',
    chainId: 1,
    nonce,
    to: tx.to,
    data: tx.data ?? '0x',
    value: tx.value ?? 0n,
    gas: tx.gas ?? 200_000n,
    maxFeePerGas: 100_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  });
  return rpcCall<Hex>('eth_sendRawTransaction', [signed]);
}

/**
 * Puts at `token` a contract that, called with (to, amount) as two 32-byte words, emits
 * `Transfer(msg.sender, to, amount)`: enough to produce real ERC-20 Transfer logs without a
 * compiler. Runtime: CALLDATALOAD(32) MSTORE(0); LOG3(0, 32, sig, CALLER, CALLDATALOAD(0)); STOP.
 */
export async function transferLogToken(token: string): Promise<void> {
  const sig = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
  const code = `0x602035600052600035337f${sig}60206000a300`;
  await rpcCall('hardhat_setCode', [token, code]);
}

/** Calldata for the transferLogToken contract: (to, amount). */
export function transferCalldata(to: string, amount: bigint): Hex {
  return `0x${to.slice(2).toLowerCase().padStart(64, '0')}${amount.toString(16).padStart(64, '0')}`;
}

/** Mines `n` empty blocks (deposits are recorded 12 blocks deep). */
export async function mine(n: number): Promise<void> {
  await rpcCall('hardhat_mine', [`0x${n.toString(16)}`]);
}
