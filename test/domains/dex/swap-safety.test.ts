import { env } from 'cloudflare:workers';
import { type Hex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogAssetId } from '../../../src/domains/assets/catalog';
import { D1AggregatorHealth } from '../../../src/domains/dex/health';
import { priceQuote, submitSignedSwap, swap, tradeStatus } from '../../../src/domains/dex/service';
import { pricesFor } from '../../../src/domains/portfolios/services/valuation';
import { ZEROX_ALLOWANCE_HOLDER } from '../../../src/providers/dex/routers';
import { call, callJson } from '../../helpers/api';
import { balanceOf, fund, rpcCall } from '../../helpers/chain';
import {
  aggregatorFetch,
  ETH,
  FACTS,
  liveEnv,
  principalOf,
  rubicBody,
  WBTC,
  zeroExBody,
} from '../../helpers/dex';
import { liveEnvAllowing, registerExternal, resetDexHealth, sendFrom } from '../../helpers/dex-live';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

/** What 0.01 ETH buys in WBTC satoshis at market prices, less 0.2 % (an impact well under 1 %). */
let fair = 0n;
beforeAll(async () => {
  await seedMarket(['ETH', 'BTC']);
  const p = await pricesFor(env, [catalogAssetId('ETH'), catalogAssetId('BTC')]);
  const eth = p.get(catalogAssetId('ETH'))?.price ?? 0;
  const btc = p.get(catalogAssetId('BTC'))?.price ?? 1;
  fair = BigInt(Math.floor(((0.01 * eth) / btc) * 1e8 * 0.998));
});
beforeEach(resetDexHealth);

const SELL = parseEther('0.01');
const input = () => ({
  sell_token: ETH,
  buy_token: WBTC,
  sell_amount: SELL.toString(),
  chain_id: 1,
  slippage_percentage: 0.5,
});
const newAddress = () => privateKeyToAccount(generatePrivateKey()).address;

async function custodialWallet(user: TestUser) {
  const created = await callJson<{ id: string; address: string }>('/api/wallets', {
    method: 'POST',
    as: user.as,
    body: { chain_id: 1 },
  });
  await fund(created.body.address, parseEther('1'));
  return created.body;
}

/** 0x answers with a transaction to `to`; the others fail. */
const onlyZeroEx = (to: string, data: Hex = '0x', value = SELL) =>
  aggregatorFetch({ '0x': zeroExBody(fair, { to, data, value, gas: 90_000n }), okx: 500, rubic: 500 });

describe('router allow-list', () => {
  it('refuses a custodial swap whose router is not allowed for the chain: nothing signed, audited', async () => {
    const user = await signUp();
    const w = await custodialWallet(user);
    const unknownRouter = newAddress();
    const { fetch } = onlyZeroEx(unknownRouter);
    await expect(
      swap(liveEnv(), principalOf(user), { ...input(), custodial: true }, FACTS, { fetch }),
    ).rejects.toMatchObject({
      code: 'ORDER_EXECUTION_FAILED',
      message: expect.stringMatching(/not a known 0x router on chain 1; refused/),
    });
    expect(await balanceOf(unknownRouter)).toBe(0n);
    expect(await balanceOf(w.address)).toBe(parseEther('1'));
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM dex_trades WHERE user_id = ?')
      .bind(user.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
    const audit = await env.DB.prepare(
      "SELECT details FROM user_activities WHERE user_id = ? AND action = 'dex_swap_refused'",
    )
      .bind(user.id)
      .first<{ details: string }>();
    expect(audit?.details).toContain('router_not_allowed');
  });

  it('refuses an ERC-20 approval to a spender that is not on the allow-list, before signing anything', async () => {
    const user = await signUp();
    const w = await custodialWallet(user);
    const router = newAddress();
    const spender = newAddress();
    // Sell 0.0005 WBTC (under $100 at these prices, so no 2FA) for ETH at the market rate.
    const p = await pricesFor(env, [catalogAssetId('ETH'), catalogAssetId('BTC')]);
    const wei = BigInt(
      Math.floor(
        ((0.0005 * (p.get(catalogAssetId('BTC'))?.price ?? 0)) / (p.get(catalogAssetId('ETH'))?.price ?? 1)) *
          0.998 *
          1e18,
      ),
    );
    const body = {
      ...zeroExBody(wei, { to: router, data: '0x', value: 0n, gas: 90_000n }),
      issues: { allowance: { actual: '0', spender }, balance: null, simulationIncomplete: false },
    };
    const nonceBefore = await rpcCall<string>('eth_getTransactionCount', [w.address, 'latest']);
    await expect(
      swap(
        liveEnvAllowing({ '0x': [router] }),
        principalOf(user),
        { ...input(), sell_token: WBTC, buy_token: ETH, sell_amount: '50000', custodial: true },
        FACTS,
        { fetch: aggregatorFetch({ '0x': body, okx: 500, rubic: 500 }).fetch },
      ),
    ).rejects.toMatchObject({ code: 'ORDER_EXECUTION_FAILED', message: expect.stringMatching(/approve/) });
    expect(await rpcCall<string>('eth_getTransactionCount', [w.address, 'latest'])).toBe(nonceBefore);
  });

  it('refuses to hand a non-custodial wallet a transaction to an unknown router', async () => {
    const user = await signUp();
    const ext = await registerExternal(user);
    const { fetch } = onlyZeroEx(newAddress());
    await expect(
      swap(
        liveEnv(),
        principalOf(user),
        { ...input(), custodial: false, user_wallet_address: ext.account.address },
        FACTS,
        { fetch },
      ),
    ).rejects.toMatchObject({ code: 'ORDER_EXECUTION_FAILED' });
  });

  it("allows 0x's AllowanceHolder by default, and a configured entry replaces the default", async () => {
    const user = await signUp();
    const ext = await registerExternal(user);
    const body = { ...input(), custodial: false, user_wallet_address: ext.account.address };
    const ok = await swap(liveEnv(), principalOf(user), body, FACTS, {
      fetch: onlyZeroEx(ZEROX_ALLOWANCE_HOLDER).fetch,
    });
    expect(ok.transaction?.to).toBe(ZEROX_ALLOWANCE_HOLDER);
    const other = newAddress();
    await expect(
      swap(liveEnvAllowing({ '0x': [other] }), principalOf(user), body, FACTS, {
        fetch: onlyZeroEx(ZEROX_ALLOWANCE_HOLDER).fetch,
      }),
    ).rejects.toMatchObject({ code: 'ORDER_EXECUTION_FAILED' });
    // An aggregator with no entry at all (Rubic by default) is refused whatever it proposes.
    const rubicOnly = aggregatorFetch({
      '0x': 500,
      okx: 500,
      rubic: {
        ...rubicBody('0.0004', fair),
        transaction: { to: ZEROX_ALLOWANCE_HOLDER, data: '0x', value: SELL.toString() },
      },
    });
    await expect(
      swap(liveEnv({ ZEROX_API_KEY: '', OKX_API_KEY: '' }), principalOf(user), body, FACTS, {
        fetch: rubicOnly.fetch,
      }),
    ).rejects.toMatchObject({ code: 'ORDER_EXECUTION_FAILED', message: expect.stringMatching(/rubic/) });
  });
});

describe('non-custodial swaps: the signed transaction is reported and tracked', () => {
  async function prepared(
    user: TestUser,
    router: string,
    existing?: Awaited<ReturnType<typeof registerExternal>>,
  ) {
    const data: Hex = '0xabcdef';
    const ext = existing ?? (await registerExternal(user));
    const result = await swap(
      liveEnvAllowing({ '0x': [router] }),
      principalOf(user),
      { ...input(), custodial: false, user_wallet_address: ext.account.address },
      FACTS,
      { fetch: onlyZeroEx(router, data).fetch },
    );
    expect(result.status).toBe('awaiting_signature');
    return { ext, result };
  }

  it('accepts the quoted transaction from the wallet and tracks it to confirmed', async () => {
    const user = await signUp();
    const router = newAddress();
    const { ext, result } = await prepared(user, router);
    const tx = result.transaction;
    if (!tx) throw new Error('no transaction');
    const hash = await sendFrom(ext.account, {
      to: tx.to as Hex,
      data: tx.data as Hex,
      value: BigInt(tx.value),
    });
    const { res, body } = await callJson<{ status: string; transaction_hash: string; confirmations: number }>(
      `/api/dex/trades/${result.trade_id}/submit`,
      { method: 'POST', as: user.as, body: { transaction_hash: hash } },
    );
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('confirmed');
    expect(body.transaction_hash).toBe(hash);
    expect(body.confirmations).toBeGreaterThanOrEqual(1);
    expect(await balanceOf(router)).toBe(SELL);
    // Reported again: the same answer, nothing new recorded.
    const again = await callJson<{ status: string }>(`/api/dex/trades/${result.trade_id}/submit`, {
      method: 'POST',
      as: user.as,
      body: { transaction_hash: hash },
    });
    expect(again.res.status).toBe(200);
    expect(again.body.status).toBe('confirmed');
    const rows = await env.DB.prepare('SELECT type, status FROM wallet_transactions WHERE wallet_id = ?')
      .bind(ext.walletId)
      .all<{ type: string; status: string }>();
    expect(rows.results).toEqual([{ type: 'swap', status: 'confirmed' }]);
    // The same hash cannot settle a second trade of the same wallet with the same quoted transaction.
    const second = await prepared(user, router, ext);
    const reuse = await callJson<{ error: { code: string } }>(
      `/api/dex/trades/${second.result.trade_id}/submit`,
      {
        method: 'POST',
        as: user.as,
        body: { transaction_hash: hash },
      },
    );
    expect(reuse.res.status).toBe(409);
    expect(reuse.body.error.code).toBe('INTEGRITY_ERROR');
  });

  it('refuses a transaction from another sender, to another contract, or with other calldata, changing nothing', async () => {
    const user = await signUp();
    const router = newAddress();
    const { ext, result } = await prepared(user, router);
    const stranger = privateKeyToAccount(generatePrivateKey());
    const cases: [string, () => Promise<Hex>][] = [
      ['from', () => sendFrom(stranger, { to: router, data: '0xabcdef', value: SELL })],
      ['to', () => sendFrom(ext.account, { to: newAddress(), data: '0xabcdef', value: SELL })],
      ['data', () => sendFrom(ext.account, { to: router, data: '0xabcdee', value: SELL })],
      ['value', () => sendFrom(ext.account, { to: router, data: '0xabcdef', value: SELL + 1n })],
    ];
    for (const [field, send] of cases) {
      const hash = await send();
      const { res, body } = await callJson<{ error: { code: string; details: { mismatches: string[] } } }>(
        `/api/dex/trades/${result.trade_id}/submit`,
        { method: 'POST', as: user.as, body: { transaction_hash: hash } },
      );
      expect(res.status, field).toBe(400);
      expect(
        body.error.details.mismatches.map((m) => m.split(' ')[0]),
        field,
      ).toEqual([field]);
    }
    const status = await tradeStatus(env, user.id, result.trade_id);
    expect(status.status).toBe('awaiting_signature');
    expect(status.transaction_hash).toBeNull();
    // An unknown hash and a malformed one are 400 too.
    const unknown = `0x${'ab'.repeat(32)}`;
    expect(
      (
        await call(`/api/dex/trades/${result.trade_id}/submit`, {
          method: 'POST',
          as: user.as,
          body: { transaction_hash: unknown },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(`/api/dex/trades/${result.trade_id}/submit`, {
          method: 'POST',
          as: user.as,
          body: { transaction_hash: '0x12' },
        })
      ).status,
    ).toBe(400);
  });

  it("another user's trade is a 404", async () => {
    const user = await signUp();
    const { ext, result } = await prepared(user, newAddress());
    const hash = await sendFrom(ext.account, { to: newAddress(), value: 1n });
    const other = await signUp();
    const res = await call(`/api/dex/trades/${result.trade_id}/submit`, {
      method: 'POST',
      as: other.as,
      body: { transaction_hash: hash },
    });
    expect(res.status).toBe(404);
    await expect(
      submitSignedSwap(env, principalOf(other), result.trade_id, { transaction_hash: hash }, FACTS),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('tracks a reverted one as reverted', async () => {
    const user = await signUp();
    const reverter = newAddress();
    await rpcCall('hardhat_setCode', [reverter, '0x60006000fd']);
    const { ext, result } = await prepared(user, reverter);
    const tx = result.transaction;
    if (!tx) throw new Error('no transaction');
    const hash = await sendFrom(ext.account, { to: reverter, data: tx.data as Hex, value: BigInt(tx.value) });
    const status = await submitSignedSwap(
      env,
      principalOf(user),
      result.trade_id,
      { transaction_hash: hash },
      FACTS,
    );
    expect(status.status).toBe('reverted');
  });
});

describe('aggregator health is shared by every isolate', () => {
  const quoteIn = { ...input(), slippage_percentage: 0.5 };

  it('a circuit opened by failures in one isolate is open in another, and the endpoint reports it', async () => {
    // Two stores over the same D1 stand for two isolates.
    const a = new D1AggregatorHealth(env);
    const b = new D1AggregatorHealth(env);
    await a.recordFailure('okx', 'okx: HTTP 500');
    await b.recordFailure('okx', 'okx: HTTP 502');
    expect(await a.allowRequest('okx')).toBe(true);
    await a.recordFailure('okx', 'okx: no answer within 2500 ms');
    expect(await b.allowRequest('okx')).toBe(false);
    // A quote in this isolate skips OKX without calling it.
    const spy = aggregatorFetch({ '0x': zeroExBody(fair), okx: 500, rubic: rubicBody('0.0004', fair - 1n) });
    const q = await priceQuote(liveEnv(), quoteIn, { fetch: spy.fetch });
    expect(q.outcomes.find((o) => o.aggregator === 'okx')?.status).toBe('circuit_open');
    expect(spy.calls.some((u) => u.includes('okx.com'))).toBe(false);
    const user = await signUp();
    const { body } = await callJson<{
      aggregators: Record<
        string,
        { circuit: string; failures: number; successes: number; last_error: string | null }
      >;
      scope: string;
    }>('/api/dex/aggregators/health', { as: user.as });
    expect(body.scope).toMatch(/all isolates/);
    expect(body.aggregators.okx).toMatchObject({
      circuit: 'open',
      failures: 3,
      last_error: 'okx: no answer within 2500 ms',
    });
    // Rubic needs no key, so it is configured in the test env and its success shows.
    expect(body.aggregators.rubic?.successes).toBe(1);
  });

  it('counts concurrent outcomes from many isolates without losing any', async () => {
    const stores = Array.from({ length: 8 }, () => new D1AggregatorHealth(env));
    await Promise.all(
      stores.map((s, i) => (i % 2 ? s.recordFailure('rubic', 'x') : s.recordSuccess('rubic', 10))),
    );
    const snap = (await new D1AggregatorHealth(env).snapshots(['rubic'])).get('rubic');
    expect(snap?.successes).toBe(4);
    expect(snap?.failures).toBe(4);
  });

  it('after the cool-down one isolate probes (half-open) and a success closes the circuit for all', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const a = new D1AggregatorHealth(env, undefined, clock);
    const b = new D1AggregatorHealth(env, undefined, clock);
    for (let i = 0; i < 3; i++) await a.recordFailure('0x', 'down');
    expect(await b.allowRequest('0x')).toBe(false);
    now += 30_001;
    expect(await a.allowRequest('0x')).toBe(true); // the probe
    expect(await b.allowRequest('0x')).toBe(true); // half-open lets calls through until an outcome
    await a.recordSuccess('0x', 50);
    const snap = (await b.snapshots(['0x'])).get('0x');
    expect(snap?.circuit.state).toBe('closed');
    expect(snap?.circuit.consecutiveFailures).toBe(0);
  });
});
