import { env } from 'cloudflare:workers';
import { Secret, TOTP } from 'otpauth';
import { callJson } from './api';
import type { TestUser } from './users';

/** The local EVM node the suite starts (scripts/lib/evm-node.ts), chain id 1. */
export const RPC_URL = (JSON.parse(env.CHAIN_RPC_URLS) as Record<string, string>)['1'] as string;

let id = 0;
/** A raw JSON-RPC call to the local node. */
export async function rpcCall<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(RPC_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Sets an address's native balance on the local node (Hardhat's `hardhat_setBalance`). */
export async function fund(address: string, wei: bigint): Promise<void> {
  await rpcCall('hardhat_setBalance', [address, `0x${wei.toString(16)}`]);
}

export async function balanceOf(address: string): Promise<bigint> {
  return BigInt(await rpcCall<string>('eth_getBalance', [address, 'latest']));
}

/**
 * Puts a contract at `token` that answers every call with `value` (32 bytes): enough for
 * `balanceOf` by `eth_call` without a compiler. Runtime: PUSH32 v, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN.
 */
export async function constantToken(token: string, value: bigint): Promise<void> {
  const code = `0x7f${value.toString(16).padStart(64, '0')}60005260206000f3`;
  await rpcCall('hardhat_setCode', [token, code]);
}

/** Enables two-factor for the user and returns a function giving a fresh valid code. */
export async function enableTwoFactor(user: TestUser): Promise<() => Promise<string>> {
  const { body } = await callJson<{ data: { secret: string } }>('/api/v1/auth/2fa/enroll', {
    method: 'POST',
    as: user.as,
    body: {},
  });
  const totp = new TOTP({
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(body.data.secret),
  });
  const verified = await callJson('/api/v1/auth/2fa/verify', {
    method: 'POST',
    as: user.as,
    body: { code: totp.generate() },
  });
  if (verified.res.status !== 200) throw new Error(`2fa verify failed: ${JSON.stringify(verified.body)}`);
  // Each code's time step may be used once; tests making several withdrawals inside one 30 s
  // step forget the last step first (the replay protection itself is tested on its own).
  return async () => {
    await env.DB.prepare('UPDATE users SET mfa_last_step = NULL WHERE id = ?').bind(user.id).run();
    return totp.generate();
  };
}
