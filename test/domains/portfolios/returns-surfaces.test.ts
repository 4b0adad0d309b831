import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp, type TestUser } from '../../helpers/users';

/** A call that must fail with DESIGN.md's error shape. */
async function refused(path: string, user: TestUser, status: number, code: string) {
  const { res, body } = await callJson(path, { as: user.as });
  expectError(res, body, status, code);
}

/**
 * Issue 23's returns, benchmark and tax lots on 003's and 004's paths (query parameters and
 * added fields), on assets whose closes this file controls (January 2021, long before the
 * market clock): 10,000 deposited; 10 SFA @ 100 on 01-01, 10 more @ 110 on 01-10, 5 sold @ 120
 * on 01-20; SFA closes 100, 110, 120, then 90 on 01-31. The benchmark SFB goes 50 → 55.
 */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = Record<string, any>;

beforeAll(async () => {
  for (const [id, symbol] of [
    ['ast_sfa', 'SFA'],
    ['ast_sfb', 'SFB'],
  ] as const) {
    await env.DB.prepare('INSERT INTO assets (id, symbol, name, asset_type) VALUES (?, ?, ?, ?)')
      .bind(id, symbol, `${symbol} Test`, 'crypto')
      .run();
  }
  const rows: [string, string, number][] = [
    ['ast_sfa', '2021-01-01', 100],
    ['ast_sfa', '2021-01-10', 110],
    ['ast_sfa', '2021-01-20', 120],
    ['ast_sfa', '2021-01-31', 90],
    ['ast_sfb', '2021-01-01', 50],
    ['ast_sfb', '2021-01-31', 55],
  ];
  for (const [id, day, close] of rows) {
    await env.DB.prepare(
      `INSERT INTO price_data (asset_id, timeframe, open_time, open, high, low, close, volume, source, updated_at)
       VALUES (?, '1d', ?, ?, ?, ?, ?, 0, 'test', 0)`,
    )
      .bind(id, Date.parse(`${day}T00:00:00Z`), close, close, close, close)
      .run();
  }
});

async function ledger(user: TestUser) {
  const post = async (body: Record<string, unknown>) => {
    const { res, body: out } = await callJson<Json>('/api/user/trades', {
      method: 'POST',
      as: user.as,
      body,
    });
    expect(res.status, JSON.stringify(out)).toBe(201);
  };
  await post({ assetType: 'cash', tradeType: 'deposit', quantity: 10000, tradeDate: '2021-01-01' });
  const buy = { assetType: 'crypto', symbol: 'SFA', tradeType: 'buy', quantity: 10 };
  await post({ ...buy, price: 100, tradeDate: '2021-01-01' });
  await post({ ...buy, price: 110, tradeDate: '2021-01-10' });
  await post({
    assetType: 'crypto',
    symbol: 'SFA',
    tradeType: 'sell',
    quantity: 5,
    price: 120,
    tradeDate: '2021-01-20',
  });
  const list = await callJson<Json>('/api/v1/data/portfolios', { as: user.as });
  return list.body.data[0].id as string;
}

describe('003 and 004 carry the returns, benchmark and tax lots (issue 23)', () => {
  it("003 history: a from/to window's returns reconcile, contributions sum to the TWR, and the benchmark is compared", async () => {
    const user = await signUp();
    await ledger(user);
    const { res, body } = await callJson<Json>(
      '/api/user/portfolio/history?from=2021-01-01&to=2021-01-31&benchmark=SFB',
      { as: user.as },
    );
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.history).toHaveLength(31);
    const w = body.returns.window;
    // 10,000 on 01-01; 10,100 on 01-10 (+100); 10,300 on 01-20 (+200); 8,500 cash + 15 × 90 = 9,850 on 01-31.
    expect(w.reconciliation).toMatchObject({
      start_value: 10000,
      net_flows: 0,
      pnl: -150,
      end_value: 9850,
      reconciles: true,
      line: '10000.00 + 0.00 + -150.00 = 9850.00',
    });
    const twr = (10100 / 10000) * (10300 / 10100) * (9850 / 10300) - 1;
    expect(w.methods.time_weighted.return_pct).toBeCloseTo(twr * 100, 6);
    expect(body.performance.time_weighted_return).toBeCloseTo(twr, 9);
    const sum = (w.contribution.by_position as Json[]).reduce((s, x) => s + (x.contribution_pct ?? 0), 0);
    expect(Math.abs(sum / 100 - twr)).toBeLessThan(1e-9);
    expect(w.contribution.best).toEqual([]);
    expect(w.contribution.worst.map((x: Json) => x.symbol)).toEqual(['SFA']);
    const b = body.benchmark_comparison;
    expect(b).toMatchObject({ benchmark: 'SFB', source: 'query', data_points: 31 });
    expect(b.benchmark_return).toBeCloseTo(0.1, 12);
    expect(b.portfolio_return).toBeCloseTo(twr, 12);
    expect(b.excess_return).toBeCloseTo(twr - 0.1, 12);

    // The default window (range=1M before the market day) has no trades in it: still a returns block.
    const plainHistory = await callJson<Json>('/api/user/portfolio/history', { as: user.as });
    expect(plainHistory.res.status).toBe(200);
    expect(plainHistory.body.benchmark_comparison ?? null).toBeNull();

    await refused('/api/user/portfolio/history?from=2021-02-01&to=2021-01-01', user, 400, 'VALIDATION_ERROR');
    await refused(
      '/api/user/portfolio/history?from=2021-01-01&to=2021-01-31&benchmark=SPY:x',
      user,
      400,
      'VALIDATION_ERROR',
    );
  });

  it('003 realized P&L: lot methods differ where they should and agree on proceeds', async () => {
    const user = await signUp();
    await ledger(user);
    const report = async (lotMethod: string) => {
      const { res, body } = await callJson<Json>(`/api/user/realized-pnl?lot_method=${lotMethod}`, {
        as: user.as,
      });
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body.tax_lots;
    };
    const fifo = await report('fifo');
    const lifo = await report('lifo');
    const hifo = await report('hifo');
    const average = await report('average');
    // FIFO sells the 100 lot (5 × 20 = 100), LIFO and HIFO the 110 lot (5 × 10 = 50), average 5 × (120 − 105) = 75.
    expect(fifo.totals).toMatchObject({
      count: 1,
      proceeds: 600,
      cost_basis: 500,
      gain: 100,
      short_term_gain: 100,
    });
    expect(lifo.totals).toMatchObject({ proceeds: 600, cost_basis: 550, gain: 50 });
    expect(hifo.totals).toMatchObject({ proceeds: 600, gain: 50 });
    expect(average.totals).toMatchObject({ proceeds: 600, cost_basis: 525, gain: 75 });
    expect(fifo.realizations[0]).toMatchObject({
      date_acquired: '2021-01-01',
      date_sold: '2021-01-20',
      term: 'short',
    });
    expect(lifo.realizations[0]).toMatchObject({ date_acquired: '2021-01-10' });
    // Without lot_method the body is 003's as before.
    const before = await callJson<Json>('/api/user/realized-pnl', { as: user.as });
    expect(before.body.tax_lots).toBeUndefined();
    expect(before.body.total_realized_pnl).toBe(75);
    await refused('/api/user/realized-pnl?lot_method=newest', user, 400, 'VALIDATION_ERROR');
  });

  it('004 aggregations and analytics overview: returns and benchmark on request, 422 for a bad range, 404 for another user', async () => {
    const user = await signUp();
    const id = await ledger(user);
    const bare = await callJson<Json>(`/api/v1/data/portfolios/${id}/aggregations`, { as: user.as });
    expect(bare.res.status).toBe(200);
    expect(bare.body.returns).toBeUndefined();
    const { res, body } = await callJson<Json>(
      `/api/v1/data/portfolios/${id}/aggregations?from=2021-01-01&to=2021-01-31&benchmark=SFB&standard_periods=true`,
      { as: user.as },
    );
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.returns.window.reconciliation.end_value).toBe(9850);
    expect(body.returns.periods.map((p: Json) => p.period)).toEqual([
      'MTD',
      'QTD',
      'YTD',
      '1Y',
      '3Y',
      '5Y',
      'ITD',
    ]);
    expect(body.benchmark_comparison.benchmark_return).toBeCloseTo(0.1, 12);

    const overview = await callJson<Json>(`/api/v1/analytics/portfolio/${id}/overview?include_returns=true`, {
      as: user.as,
    });
    expect(overview.res.status).toBe(200);
    // Since the first trade, to the market day: the same ledger, so the same net profit to the cent.
    const o = overview.body.returns.window;
    expect(o.from).toBe('2021-01-01');
    expect(o.reconciliation.reconciles).toBe(true);
    expect(o.methods.net_profit.amount).toBe(-150);

    await refused(
      `/api/v1/data/portfolios/${id}/aggregations?from=2021-02-01&to=2021-01-01`,
      user,
      422,
      'VALIDATION_ERROR',
    );
    const other = await signUp();
    await refused(`/api/v1/analytics/portfolio/${id}/overview?include_returns=true`, other, 404, 'NOT_FOUND');
  });
});
