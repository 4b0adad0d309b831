import { env } from 'cloudflare:workers';
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogAssetId } from '../../../src/domains/assets/catalog';
import { D1AggregatorHealth } from '../../../src/domains/dex/health';
import { priceQuote, SIM_DEPTH_USD, SIM_FEE, swap, tradeStatus } from '../../../src/domains/dex/service';
import { pricesFor } from '../../../src/domains/portfolios/services/valuation';
import { AGGREGATORS, aggregatorHealth } from '../../../src/providers/dex/aggregators';
import { call, callJson } from '../../helpers/api';
import { balanceOf, enableTwoFactor, fund, rpcCall } from '../../helpers/chain';
import {
  aggregatorFetch,
  ETH,
  FACTS,
  liveEnv,
  okxBody,
  principalOf,
  rubicBody,
  USDT,
  WBTC,
  zeroExBody,
} from '../../helpers/dex';
import { liveEnvAllowing, resetDexHealth } from '../../helpers/dex-live';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

interface Quote {
  aggregator: string;
  buy_amount: string;
  min_buy_amount: string;
  price_impact: number;
  price_impact_warning: boolean;
  warnings: string[];
  simulated: boolean;
  value_usd: string;
  sources: { dex: string; percentage: number }[];
}
interface ApiErr {
  error: { code: string; message: string };
}

let ethUsd = 0;
let btcUsd = 0;
beforeAll(async () => {
  await seedMarket(['ETH', 'BTC']);
  const p = await pricesFor(env, [catalogAssetId('ETH'), catalogAssetId('BTC')]);
  ethUsd = p.get(catalogAssetId('ETH'))?.price ?? 0;
  btcUsd = p.get(catalogAssetId('BTC'))?.price ?? 0;
});

const quoteBody = (eth: string, extra: Record<string, unknown> = {}) => ({
  sell_token: ETH,
  buy_token: WBTC,
  sell_amount: parseEther(eth).toString(),
  chain_id: 1,
  slippage_percentage: 0.5,
  ...extra,
});

describe('paper/replay quotes (simulated from market prices)', () => {
  it('prices a swap with the stated constant-product model, labelled simulated', async () => {
    const user = await signUp();
    const { res, body } = await callJson<Quote>('/api/dex/quote', {
      method: 'POST',
      as: user.as,
      body: quoteBody('1'),
    });
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.simulated).toBe(true);
    expect(body.aggregator).toBe('simulated');
    const v = ethUsd;
    const impact = v / (v + SIM_DEPTH_USD);
    const expected = ((v * (1 - SIM_FEE) * (1 - impact)) / btcUsd) * 1e8;
    expect(Number(body.buy_amount)).toBeCloseTo(Math.floor(expected), -1);
    expect(body.price_impact).toBeCloseTo(impact, 6);
    expect(BigInt(body.min_buy_amount)).toBe((BigInt(body.buy_amount) * 9950n) / 10000n);
    expect(Number(body.value_usd)).toBeCloseTo(v, 2);
    expect(body.price_impact_warning).toBe(false);
  });

  it('warns above 1% impact and refuses above 5%', async () => {
    const user = await signUp();
    // ~1.5-4% impact: a sell worth 150k-400k USD into 10M depth.
    const warnEth = String(Math.ceil(200_000 / ethUsd));
    const warn = await callJson<Quote>('/api/dex/quote', {
      method: 'POST',
      as: user.as,
      body: quoteBody(warnEth),
    });
    expect(warn.res.status).toBe(200);
    expect(warn.body.price_impact).toBeGreaterThan(0.01);
    expect(warn.body.price_impact_warning).toBe(true);
    expect(warn.body.warnings[0]).toMatch(/PRICE_IMPACT_HIGH/);
    const refuseEth = String(Math.ceil(1_000_000 / ethUsd));
    const refused = await callJson<ApiErr>('/api/dex/quote', {
      method: 'POST',
      as: user.as,
      body: quoteBody(refuseEth),
    });
    expect(refused.res.status).toBe(400);
    expect(refused.body.error.code).toBe('PRICE_IMPACT_TOO_HIGH');
  });

  it('rejects bad input with a clear 400', async () => {
    const user = await signUp();
    const cases = [
      quoteBody('1', { buy_token: ETH }),
      quoteBody('1', { sell_amount: '1.5' }),
      quoteBody('1', { sell_amount: '0' }),
      quoteBody('1', { chain_id: 5 }),
      quoteBody('1', { slippage_percentage: 50 }),
      quoteBody('1', { buy_token: '0x0000000000000000000000000000000000000001' }),
      quoteBody('1', { buy_token: WBTC.toLowerCase().replace('a', 'A') }),
      quoteBody('1', { cross_chain: true }),
    ];
    for (const body of cases) {
      const res = await call('/api/dex/quote', { method: 'POST', as: user.as, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    // USDT holds no market series in this test: a simulated quote says so instead of inventing one.
    const noPrice = await callJson<ApiErr>('/api/dex/quote', {
      method: 'POST',
      as: user.as,
      body: quoteBody('1', { buy_token: USDT }),
    });
    expect(noPrice.res.status).toBe(400);
    expect(noPrice.body.error.message).toMatch(/market prices/);
  });
});

describe('paper swaps settle into the paper portfolio ledger', () => {
  it('records a sell and a buy, needs 2FA over $100, and reports confirmed', async () => {
    const user = await signUp();
    const code = await enableTwoFactor(user);
    // Hold paper ETH first.
    const buy = await call('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'ETH/USD', side: 'buy', amount: '2', price: String(ethUsd), mode: 'paper' },
    });
    expect(buy.status).toBe(201);
    const big = quoteBody('0.5', { custodial: true });
    const no2fa = await callJson<ApiErr>('/api/dex/swap', { method: 'POST', as: user.as, body: big });
    expect(no2fa.res.status).toBe(400);
    expect(no2fa.body.error.code).toBe('INVALID_MFA_TOKEN');
    const { res, body } = await callJson<{
      trade_id: string;
      status: string;
      simulated: boolean;
      portfolio_trade_ids: string[];
      buy_amount: string;
    }>('/api/dex/swap', { method: 'POST', as: user.as, body: { ...big, two_factor_token: await code() } });
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('confirmed');
    expect(body.simulated).toBe(true);
    expect(body.portfolio_trade_ids).toHaveLength(2);
    const rows = await env.DB.prepare(
      `SELECT trade_type, symbol, quantity FROM trades WHERE id IN (?, ?) ORDER BY trade_type`,
    )
      .bind(...body.portfolio_trade_ids)
      .all<{ trade_type: string; symbol: string; quantity: string }>();
    expect(rows.results).toEqual([
      { trade_type: 'buy', symbol: 'BTC', quantity: String(Number(body.buy_amount) / 1e8) },
      { trade_type: 'sell', symbol: 'ETH', quantity: '0.5' },
    ]);
    const status = await callJson<{ status: string; confirmations: number }>(
      `/api/dex/trades/${body.trade_id}/status`,
      { as: user.as },
    );
    expect(status.body.status).toBe('confirmed');
    // Another user's trade id is a 404.
    const other = await signUp();
    expect((await call(`/api/dex/trades/${body.trade_id}/status`, { as: other.as })).status).toBe(404);
  });

  it('refuses to sell what the paper portfolio does not hold, and records nothing', async () => {
    const user = await signUp();
    const { res } = await callJson<ApiErr>('/api/dex/swap', {
      method: 'POST',
      as: user.as,
      body: quoteBody('0.01', { custodial: true }),
    });
    expect(res.status).toBe(400);
    const n = await env.DB.prepare('SELECT count(*) AS n FROM dex_trades WHERE user_id = ?')
      .bind(user.id)
      .first<{ n: number }>();
    expect(n?.n).toBe(0);
  });
});

describe('live quotes: 0x, OKX and Rubic with fallback', () => {
  const input = { ...quoteBody('0.01'), sell_token: ETH, buy_token: WBTC };

  it('asks all three and picks the largest buy_amount, with the reasons', async () => {
    await resetDexHealth();
    const { fetch, calls } = aggregatorFetch({
      '0x': zeroExBody(50_000n),
      okx: okxBody(51_000n),
      rubic: rubicBody('0.00049', 49_000n),
    });
    const q = await priceQuote(liveEnv(), input, { fetch });
    expect(q.quote.aggregator).toBe('okx');
    expect(q.quote.buyAmount).toBe(51_000n);
    expect(q.selectionReason).toMatch(/okx offered the largest buy_amount/);
    expect(q.outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'ok']);
    expect(q.priceImpact).toBeCloseTo(0.0012, 6); // OKX reports -0.12 %
    expect(calls.some((u) => u.includes('/swap/allowance-holder/price'))).toBe(true);
    expect(calls.some((u) => u.includes('/api/v5/dex/aggregator/quote'))).toBe(true);
  });

  it('falls back when one times out and another errors', async () => {
    const { fetch } = aggregatorFetch({ '0x': 'hang', okx: 502, rubic: rubicBody('0.00049', 49_000n) });
    const started = Date.now();
    const q = await priceQuote(liveEnv(), input, { fetch, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(q.quote.aggregator).toBe('rubic');
    expect(q.outcomes.find((o) => o.aggregator === '0x')?.status).toBe('timeout');
    expect(q.outcomes.find((o) => o.aggregator === 'okx')?.status).toBe('error');
  });

  it('answers 503 DEX_AGGREGATOR_UNAVAILABLE when none answers, and opens the circuit of a failing one', async () => {
    const { fetch } = aggregatorFetch({ '0x': 500, okx: 500, rubic: 500 });
    await expect(priceQuote(liveEnv(), input, { fetch })).rejects.toMatchObject({
      code: 'DEX_AGGREGATOR_UNAVAILABLE',
      status: 503,
    });
    await expect(priceQuote(liveEnv(), input, { fetch })).rejects.toMatchObject({
      code: 'DEX_AGGREGATOR_UNAVAILABLE',
    });
    await expect(priceQuote(liveEnv(), input, { fetch })).rejects.toMatchObject({
      code: 'DEX_AGGREGATOR_UNAVAILABLE',
    });
    const health = aggregatorHealth(
      liveEnv(),
      await new D1AggregatorHealth(env).snapshots(AGGREGATORS.map((a) => a.id)),
    );
    expect(health.aggregators['0x']?.status).toBe('down');
    expect(health.aggregators['0x']?.circuit).toBe('open');
    expect(health.aggregators['0x']?.last_error).toMatch(/HTTP 500/);
    expect(health.overall_status).toBe('down');
    // With the circuits open nothing is sent at all.
    const spy = aggregatorFetch({ '0x': zeroExBody(1n), okx: okxBody(1n), rubic: rubicBody('0.1', 1n) });
    await expect(priceQuote(liveEnv(), input, { fetch: spy.fetch })).rejects.toMatchObject({
      code: 'DEX_AGGREGATOR_UNAVAILABLE',
    });
    expect(spy.calls).toEqual([]);
    // Recovery: a success closes a circuit again.
    await resetDexHealth();
  });

  it('skips aggregators without keys', async () => {
    const { fetch, calls } = aggregatorFetch({ rubic: rubicBody('0.00049', 49_000n) });
    const q = await priceQuote(liveEnv({ ZEROX_API_KEY: '', OKX_API_KEY: '' }), input, { fetch });
    expect(q.quote.aggregator).toBe('rubic');
    expect(q.outcomes.filter((o) => o.status === 'not_configured').map((o) => o.aggregator)).toEqual([
      '0x',
      'okx',
    ]);
    expect(calls.every((u) => u.includes('rubic'))).toBe(true);
  });

  it('the health endpoint reports each adapter', async () => {
    const user = await signUp();
    const { res, body } = await callJson<{
      aggregators: Record<string, { status: string; circuit: string }>;
      fallback_order: string[];
    }>('/api/dex/aggregators/health', { as: user.as });
    expect(res.status).toBe(200);
    expect(Object.keys(body.aggregators)).toEqual(['0x', 'okx', 'rubic']);
    expect(body.fallback_order).toEqual(['0x', 'okx', 'rubic']);
    // Test env has no aggregator keys: 0x and OKX say so.
    expect(body.aggregators['0x']?.status).toBe('not_configured');
  });
});

describe('live custodial swaps on the local chain', () => {
  it('signs and submits the aggregator transaction, then tracks it to confirmed', async () => {
    const user = await signUp();
    const created = await callJson<{ id: string; address: string }>('/api/wallets', {
      method: 'POST',
      as: user.as,
      body: { chain_id: 1 },
    });
    await fund(created.body.address, parseEther('1'));
    const router = privateKeyToAccount(generatePrivateKey()).address;
    const sell = parseEther('0.01');
    const { fetch } = aggregatorFetch({
      '0x': zeroExBody(fairSats(), { to: router, data: '0x', value: sell, gas: 30_000n }),
      okx: 500,
      rubic: 500,
    });
    const result = await swap(
      liveEnvAllowing({ '0x': [router] }),
      principalOf(user),
      { ...input(), custodial: true },
      FACTS,
      { fetch },
    );
    expect(result.status).toBe('pending');
    expect(result.aggregator).toBe('0x');
    expect(result.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await balanceOf(router)).toBe(sell);
    const status = await tradeStatus(env, user.id, result.trade_id);
    expect(status.status).toBe('confirmed');
    expect(status.confirmations).toBeGreaterThanOrEqual(1);
    expect(status.gas_used).toBe('21000');
    const txs = await callJson<{ transactions: { type: string; status: string }[] }>(
      `/api/wallets/${created.body.id}/transactions`,
      { as: user.as },
    );
    expect(txs.body.transactions[0]).toMatchObject({ type: 'swap', status: 'confirmed' });
    await resetDexHealth();
  });

  it('non-custodial: returns the transaction for a registered external wallet to sign', async () => {
    const user = await signUp();
    const owner = privateKeyToAccount(generatePrivateKey());
    const n = await callJson<{ nonce: string; message: string }>('/api/wallets/external/nonce', {
      method: 'POST',
      as: user.as,
      body: { address: owner.address, chain_id: 1 },
    });
    await call('/api/wallets/external/register', {
      method: 'POST',
      as: user.as,
      body: {
        address: owner.address,
        chain_id: 1,
        nonce: n.body.nonce,
        signature: await owner.signMessage({ message: n.body.message }),
      },
    });
    const router = privateKeyToAccount(generatePrivateKey()).address;
    const sell = parseEther('0.01');
    const { fetch, calls } = aggregatorFetch({
      '0x': zeroExBody(fairSats(), { to: router, data: '0xabcdef', value: sell, gas: 90_000n }),
      okx: 500,
      rubic: 500,
    });
    const result = await swap(
      liveEnvAllowing({ '0x': [router] }),
      principalOf(user),
      { ...input(), custodial: false, user_wallet_address: owner.address },
      FACTS,
      { fetch },
    );
    expect(result.status).toBe('awaiting_signature');
    expect(result.transaction_hash).toBeNull();
    expect(result.transaction).toEqual({
      to: router,
      data: '0xabcdef',
      value: sell.toString(),
      gas: '90000',
      chain_id: 1,
    });
    expect(calls[0]).toContain(`taker=${owner.address}`);
    // An address that is not the user's registered wallet is refused.
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    await expect(
      swap(
        liveEnvAllowing({ '0x': [router] }),
        principalOf(user),
        { ...input(), custodial: false, user_wallet_address: stranger },
        FACTS,
        { fetch },
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await resetDexHealth();
  });

  it('tracks a reverted swap as reverted', async () => {
    const user = await signUp();
    const created = await callJson<{ id: string; address: string }>('/api/wallets', {
      method: 'POST',
      as: user.as,
      body: { chain_id: 1 },
    });
    await fund(created.body.address, parseEther('1'));
    const reverter = privateKeyToAccount(generatePrivateKey()).address;
    await rpcCall('hardhat_setCode', [reverter, '0x60006000fd']);
    const { fetch } = aggregatorFetch({
      '0x': zeroExBody(fairSats(), { to: reverter, data: '0x', value: parseEther('0.01'), gas: 60_000n }),
      okx: 500,
      rubic: 500,
    });
    const result = await swap(
      liveEnvAllowing({ '0x': [reverter] }),
      principalOf(user),
      { ...input(), custodial: true },
      FACTS,
      { fetch },
    );
    expect((await tradeStatus(env, user.id, result.trade_id)).status).toBe('reverted');
    await resetDexHealth();
  });

  it('refuses an aggregator transaction whose value differs from the swap', async () => {
    const user = await signUp();
    const created = await callJson<{ address: string }>('/api/wallets', {
      method: 'POST',
      as: user.as,
      body: { chain_id: 1 },
    });
    await fund(created.body.address, parseEther('1'));
    const thief = privateKeyToAccount(generatePrivateKey()).address;
    const { fetch } = aggregatorFetch({
      '0x': zeroExBody(fairSats(), { to: thief, data: '0x', value: parseEther('0.9'), gas: 30_000n }),
      okx: 500,
      rubic: 500,
    });
    await expect(
      swap(liveEnvAllowing({ '0x': [thief] }), principalOf(user), { ...input(), custodial: true }, FACTS, {
        fetch,
      }),
    ).rejects.toMatchObject({
      code: 'ORDER_EXECUTION_FAILED',
      message: expect.stringMatching(/different value/),
    });
    expect(await balanceOf(thief)).toBe(0n);
    await resetDexHealth();
  });

  /** What 0.01 ETH buys in WBTC satoshis at market prices, less 0.2 %. */
  function fairSats() {
    return BigInt(Math.floor(((0.01 * ethUsd) / btcUsd) * 1e8 * 0.998));
  }

  function input() {
    return {
      sell_token: ETH,
      buy_token: WBTC,
      sell_amount: parseEther('0.01').toString(),
      chain_id: 1,
      slippage_percentage: 0.5,
    };
  }
});
