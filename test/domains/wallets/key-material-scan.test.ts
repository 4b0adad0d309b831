import { env } from 'cloudflare:workers';
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { base64ToBytes, decryptString } from '../../../src/core/crypto';
import { catalogAssetId } from '../../../src/domains/assets/catalog';
import { swap } from '../../../src/domains/dex/service';
import { pricesFor } from '../../../src/domains/portfolios/services/valuation';
import { call } from '../../helpers/api';
import { enableTwoFactor, fund } from '../../helpers/chain';
import { aggregatorFetch, ETH, FACTS, principalOf, WBTC, zeroExBody } from '../../helpers/dex';
import { liveEnvAllowing, resetDexHealth } from '../../helpers/dex-live';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

let fair = 0n;
beforeAll(async () => {
  await seedMarket(['ETH', 'BTC']);
  const p = await pricesFor(env, [catalogAssetId('ETH'), catalogAssetId('BTC')]);
  fair = BigInt(
    Math.floor(
      ((0.01 * (p.get(catalogAssetId('ETH'))?.price ?? 0)) / (p.get(catalogAssetId('BTC'))?.price ?? 1)) *
        1e8 *
        0.998,
    ),
  );
  await resetDexHealth();
});

/** The private key, recovered the only way there is: unwrap the data key, then open the sealed key. */
async function privateKeyOf(walletId: string) {
  const row = await env.DB.prepare('SELECT sealed_key, wrapped_data_key FROM wallets WHERE id = ?')
    .bind(walletId)
    .first<{ sealed_key: string; wrapped_data_key: string }>();
  if (!row) throw new Error('no wallet');
  const dataKeyText = await decryptString(env.DATA_ENCRYPTION_KEY, row.wrapped_data_key);
  const [, iv, body] = row.sealed_key.split('.');
  const key = await crypto.subtle.importKey('raw', base64ToBytes(dataKeyText), 'AES-GCM', false, ['decrypt']);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: base64ToBytes(iv ?? '') },
    key,
    base64ToBytes(body ?? ''),
  );
  const privateKey = new TextDecoder().decode(plain);
  return { privateKey, dataKeyText, sealed: row.sealed_key, wrapped: row.wrapped_data_key };
}

describe('key material never leaves the service layer', () => {
  it('is in no response, error, log line or audit record of withdrawals and swaps that sign with it', async () => {
    const logs: string[] = [];
    const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      }),
    );
    const out: string[] = [];
    const record = async (path: string, init: Parameters<typeof call>[1]) => {
      const res = await call(path, init);
      out.push(`${res.status} ${[...res.headers].join(';')}\n${await res.text()}`);
      return res;
    };
    try {
      const user = await signUp();
      const code = await enableTwoFactor(user);
      const created = await call('/api/wallets', { method: 'POST', as: user.as, body: { chain_id: 1 } });
      const w = (await created.json()) as { id: string; address: string };
      await fund(w.address, parseEther('1'));
      const to = privateKeyToAccount(generatePrivateKey()).address;
      await env.DB.prepare(
        'INSERT INTO withdrawal_destinations (user_id, chain_id, address, active_at) VALUES (?, 1, ?, 0)',
      )
        .bind(user.id, to)
        .run();
      // A withdrawal that signs and sends, one refused for its balance, one with a bad code.
      const sent = await record(`/api/wallets/${w.id}/withdraw`, {
        method: 'POST',
        as: user.as,
        body: { to_address: to, amount: '0.1', two_factor_token: await code() },
      });
      expect(sent.status).toBe(200);
      await record(`/api/wallets/${w.id}/withdraw`, {
        method: 'POST',
        as: user.as,
        body: { to_address: to, amount: '5', two_factor_token: await code() },
      });
      await record(`/api/wallets/${w.id}/withdraw`, {
        method: 'POST',
        as: user.as,
        body: { to_address: to, amount: '0.1', two_factor_token: '000000' },
      });
      await record(`/api/wallets/${w.id}/transactions`, { as: user.as });
      await record(`/api/wallets/${w.id}/refresh-balance`, { method: 'POST', as: user.as });
      // A custodial swap that signs and sends, and one refused for its router.
      const router = privateKeyToAccount(generatePrivateKey()).address;
      const input = {
        sell_token: ETH,
        buy_token: WBTC,
        sell_amount: parseEther('0.01').toString(),
        chain_id: 1,
        slippage_percentage: 0.5,
        custodial: true,
      };
      const body = zeroExBody(fair, { to: router, data: '0x', value: parseEther('0.01'), gas: 30_000n });
      const swapped = await swap(liveEnvAllowing({ '0x': [router] }), principalOf(user), input, FACTS, {
        fetch: aggregatorFetch({ '0x': body, okx: 500, rubic: 500 }).fetch,
      });
      out.push(JSON.stringify(swapped));
      const refused = await swap(liveEnvAllowing({ '0x': [] }), principalOf(user), input, FACTS, {
        fetch: aggregatorFetch({ '0x': body, okx: 500, rubic: 500 }).fetch,
      }).catch((e: unknown) => e);
      out.push(JSON.stringify(refused), String(refused), (refused as Error).stack ?? '');
      const audit = await env.DB.prepare('SELECT action, details FROM user_activities WHERE user_id = ?')
        .bind(user.id)
        .all<{ action: string; details: string }>();
      expect(audit.results.map((a) => a.action)).toEqual(
        expect.arrayContaining(['withdrawal_signed', 'dex_swap_signed', 'dex_swap_refused']),
      );
      out.push(...audit.results.map((a) => `${a.action} ${a.details}`));

      const k = await privateKeyOf(w.id);
      expect(privateKeyToAccount(k.privateKey as `0x${string}`).address).toBe(w.address);
      const secrets = [
        k.privateKey,
        k.privateKey.slice(2),
        k.privateKey.slice(2).toUpperCase(),
        k.dataKeyText,
        k.sealed,
        k.wrapped,
        env.DATA_ENCRYPTION_KEY,
      ];
      const haystack = [...out, ...logs].join('\n');
      expect(haystack.length).toBeGreaterThan(1_000);
      for (const s of secrets) expect(haystack.includes(s), `found ${s.slice(0, 6)}…`).toBe(false);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  }, 60_000);
});
