import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Returns that reconcile, on hand-made assets whose closes this file controls (2021, long
 * before the market clock): flows in the middle of the window, a fee paid in EUR, a 2:1 split
 * and a crypto-to-crypto trade (sell one coin, buy another the same day).
 */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = Record<string, any>;

async function asset(id: string, symbol: string, type: string) {
  await env.DB.prepare('INSERT INTO assets (id, symbol, name, asset_type) VALUES (?, ?, ?, ?)')
    .bind(id, symbol, `${symbol} Test`, type)
    .run();
}

async function closes(assetId: string, rows: [string, number][]) {
  for (const [day, close] of rows) {
    await env.DB.prepare(
      `INSERT INTO price_data (asset_id, timeframe, open_time, open, high, low, close, volume, source, updated_at)
       VALUES (?, '1d', ?, ?, ?, ?, ?, 0, 'test', 0)`,
    )
      .bind(assetId, Date.parse(`${day}T00:00:00Z`), close, close, close, close)
      .run();
  }
}

async function api(user: TestUser, path: string, method = 'GET', body?: unknown) {
  return callJson<{ data: Json }>(path, { method, as: user.as, ...(body !== undefined ? { body } : {}) });
}

beforeAll(async () => {
  await asset('ast_t_rxa', 'RXA', 'crypto');
  await asset('ast_t_rxb', 'RXB', 'crypto');
  await asset('ast_t_rxs', 'RXS', 'us-equity');
  await asset('ast_eurusd', 'EURUSD', 'forex');
  await closes('ast_t_rxa', [
    ['2021-01-01', 1000],
    ['2021-01-31', 1100],
    ['2021-02-15', 1200],
    ['2021-03-31', 1300],
  ]);
  await closes('ast_t_rxb', [
    ['2021-02-15', 50],
    ['2021-03-31', 40],
  ]);
  // RXS splits 2:1 on 2021-03-01: the close that day is per new share.
  await closes('ast_t_rxs', [
    ['2021-01-01', 40],
    ['2021-01-31', 42],
    ['2021-03-01', 22],
    ['2021-03-31', 25],
  ]);
  await closes('ast_eurusd', [
    ['2021-02-10', 1.2],
    ['2021-02-16', 1.3],
  ]);
});

/** XIRR by bisection, independent of the library: Σ a·(1+r)^(−days/365) = 0. */
function bisectXirr(flows: [string, number][]): number {
  const t0 = Date.parse(`${flows[0]?.[0]}T00:00:00Z`);
  const npv = (r: number) =>
    flows.reduce(
      (s, [d, a]) => s + a * (1 + r) ** (-(Date.parse(`${d}T00:00:00Z`) - t0) / 86_400_000 / 365),
      0,
    );
  let lo = -0.99;
  let hi = 100;
  for (let i = 0; i < 300; i++) {
    const mid = (lo + hi) / 2;
    if (npv(lo) * npv(mid) <= 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

describe('000 performance: returns that reconcile (worked example)', () => {
  it('gives TWR, MWR, Modified Dietz, simple return and net profit side by side, reconciled to the cent, with contributions', async () => {
    const user = await signUp();
    const created = await api(user, '/api/v1/portfolios', 'POST', { name: 'Reconcile' });
    expect(created.res.status).toBe(201);
    const id = created.body.data.id as string;
    const post = async (t: Record<string, unknown>) => {
      const r = await api(user, `/api/v1/portfolios/${id}/trades`, 'POST', t);
      expect(r.res.status, JSON.stringify(r.body)).toBe(201);
      return r.body.data;
    };
    await post({ trade_type: 'add', quantity: 10000, trade_date: '2021-01-01' });
    await post({ trade_type: 'buy', symbol: 'RXA', quantity: 2, price: 1000, trade_date: '2021-01-01' });
    await post({ trade_type: 'buy', symbol: 'RXS', quantity: 100, price: 40, trade_date: '2021-01-01' });
    // Inside the window 2021-01-31..2021-03-31:
    await post({ trade_type: 'add', quantity: 2000, trade_date: '2021-02-10' }); // deposit
    // Crypto to crypto: 1 RXA for 24 RXB, the fee paid in EUR (10 EUR at 1.2 = 12 USD, the close of 02-10; 02-16's 1.3 is later).
    await post({ trade_type: 'sell', symbol: 'RXA', quantity: 1, price: 1200, trade_date: '2021-02-15' });
    await post({
      trade_type: 'buy',
      symbol: 'RXB',
      quantity: 24,
      price: 50,
      fees: 10,
      fee_currency: 'EUR',
      trade_date: '2021-02-15',
    });
    await post({ trade_type: 'split', symbol: 'RXS', quantity: 2, trade_date: '2021-03-01' });
    await post({ trade_type: 'remove', quantity: 1000, trade_date: '2021-03-20' }); // withdrawal

    const trades = await api(user, `/api/v1/portfolios/${id}/trades?limit=100`);
    const feeTrade = (trades.body.data.trades as Json[]).find((t) => Number(t.fees) > 0);
    expect(Number(feeTrade?.fees)).toBe(12);
    expect(feeTrade?.notes).toContain('10 EUR at 1.2 USD/EUR');

    const { res, body } = await api(
      user,
      `/api/v1/portfolios/${id}/performance?from=2021-01-31&to=2021-03-31&standard_periods=true`,
    );
    expect(res.status, JSON.stringify(body)).toBe(200);
    const r = body.data.returns;
    const w = r.window;
    // Start 2021-01-31: 2 RXA × 1,100 + 100 RXS × 42 + 4,000 cash = 10,400.
    // End 2021-03-31: 1 RXA × 1,300 + 24 RXB × 40 + 200 RXS × 25 + cash (4,000 + 2,000 + 1,200 − 1,212 − 1,000 = 4,988) = 12,248.
    expect(w).toMatchObject({ from: '2021-01-31', to: '2021-03-31', days: 59, data_points: 60 });
    expect(w.reconciliation).toMatchObject({
      start_value: 10400,
      deposits: 2000,
      withdrawals: 1000,
      net_flows: 1000,
      pnl: 848,
      end_value: 12248,
      difference: 0,
      reconciles: true,
      pnl_from_positions: 848,
      pnl_from_cash: 0,
      line: '10400.00 + 1000.00 + 848.00 = 12248.00',
    });
    expect(w.methods.net_profit.amount).toBe(848);
    // Daily values: 10,400 flat to 02-09; 02-10 +2,000 at the day's start (r = 0); 02-15 12,588
    // (+200 on RXA, −12 fee); 03-01 12,788 (the split: 200 × 22 against 100 × 42); 03-20 the 1,000
    // leaves at the day's end (r = 0); 03-31 12,248.
    const twr = (12588 / 12400) * (12788 / 12588) * ((11788 + 1000) / 12788) * (12248 / 11788) - 1;
    expect(w.methods.time_weighted.return_pct).toBeCloseTo(twr * 100, 5);
    expect(w.methods.time_weighted.annualized_pct).toBeNull(); // under a year: not annualized
    const xirr = bisectXirr([
      ['2021-01-31', -10400],
      ['2021-02-10', -2000],
      ['2021-03-20', 1000],
      ['2021-03-31', 12248],
    ]);
    expect(w.methods.money_weighted.annualized_pct).toBeCloseTo(xirr * 100, 4);
    expect(w.methods.money_weighted.return_pct).toBeCloseTo(((1 + xirr) ** (59 / 365) - 1) * 100, 4);
    // Modified Dietz: 848 / (10,400 + 2,000 × 49/59 − 1,000 × 11/59).
    const denom = 10400 + (2000 * 49) / 59 - (1000 * 11) / 59;
    expect(w.methods.modified_dietz.return_pct).toBeCloseTo((848 / denom) * 100, 5);
    expect(w.methods.simple_on_invested).toMatchObject({ invested_capital: 12400 });
    expect(w.methods.simple_on_invested.return_pct).toBeCloseTo((848 / 12400) * 100, 5);
    for (const m of Object.values(w.methods) as Json[]) expect(m.method.length).toBeGreaterThan(20);

    // Contribution: RXA 1,300 − 2,200 + 1,200 = +300; RXB 960 − 1,212 = −252; RXS 5,000 − 4,200 = +800.
    const pos = (s: string): Json => (w.contribution.by_position as Json[]).find((x) => x.symbol === s) ?? {};
    expect(pos('RXA')).toMatchObject({ pnl: 300, start_value: 2200, end_value: 1300, net_cash: 1200 });
    expect(pos('RXB')).toMatchObject({ pnl: -252, start_value: 0, end_value: 960, net_cash: -1212 });
    expect(pos('RXS')).toMatchObject({ pnl: 800, start_value: 4200, end_value: 5000, net_cash: 0 });
    expect(pos('RXA').average_capital).toBeCloseTo(2200 - (1200 * 44) / 59, 2);
    expect(pos('RXB').average_capital).toBeCloseTo((1212 * 44) / 59, 2);
    // Modified Dietz contributions (P&L ÷ its capital) still sum to the Modified Dietz return.
    expect(pos('RXS').modified_dietz_contribution_pct).toBeCloseTo((800 / denom) * 100, 5);
    const mdSum = (w.contribution.by_position as Json[]).reduce(
      (s, x) => s + (x.modified_dietz_contribution_pct ?? 0),
      0,
    );
    expect(mdSum).toBeCloseTo(w.methods.modified_dietz.return_pct, 5);
    expect(w.contribution.modified_dietz_total_pct).toBe(w.methods.modified_dietz.return_pct);

    // Linked contributions, by hand: the days that moved are 02-15 (RXA +200 on 2,200, RXB −12 on
    // its 1,212 cost: +188 on 12,400), 03-01 (the split's RXS +200 on 12,588) and 03-31 (RXA +100,
    // RXB −240, RXS +600: +460 on 11,788). Each day's contribution is P&L ÷ that day's capital,
    // scaled by Carino's k_t = ln(1+r_t)/r_t ÷ K, K = ln(1+R)/R.
    const days = [
      { capital: 12400, RXA: 200, RXB: -12, RXS: 0 },
      { capital: 12588, RXA: 0, RXB: 0, RXS: 200 },
      { capital: 11788, RXA: 100, RXB: -240, RXS: 600 },
    ];
    const rs = days.map((x) => (x.RXA + x.RXB + x.RXS) / x.capital);
    const R = rs.reduce((g, r) => g * (1 + r), 1) - 1;
    expect(R * 100).toBeCloseTo(twr * 100, 9);
    const carino = (r: number) => Math.log1p(r) / r;
    const linkedOf = (s: 'RXA' | 'RXB' | 'RXS') =>
      days.reduce((sum, x, i) => sum + (x[s] / x.capital) * carino(rs[i] as number), 0) / carino(R);
    for (const s of ['RXA', 'RXB', 'RXS'] as const)
      expect(pos(s).contribution_pct).toBeCloseTo(linkedOf(s) * 100, 6);
    // Each sleeve's own return, chain-linked on its capital at work.
    expect(pos('RXS').return_pct).toBeCloseTo((5000 / 4200 - 1) * 100, 6);
    expect(pos('RXA').return_pct).toBeCloseTo(((2400 / 2200) * (1300 / 1200) - 1) * 100, 6);
    expect(pos('RXB').return_pct).toBeCloseTo((960 / 1212 - 1) * 100, 6);
    // Positions plus the cash sleeve sum to the reported TWR within 1e-9 (as fractions; served in
    // percent to 1e-10).
    expect(w.contribution.total_pct).toBeCloseTo(w.methods.time_weighted.return_pct, 6);
    expect(Math.abs(w.contribution.total_pct / 100 - twr)).toBeLessThan(1e-9);
    const sum = (w.contribution.by_position as Json[]).reduce((s, x) => s + (x.contribution_pct ?? 0), 0);
    expect(Math.abs(sum / 100 - w.contribution.total_pct / 100)).toBeLessThan(1e-9);
    expect(Math.abs(linkedOf('RXA') + linkedOf('RXB') + linkedOf('RXS') - twr)).toBeLessThan(1e-12);
    const cls = (c: string): Json =>
      (w.contribution.by_asset_class as Json[]).find((x) => x.asset_class === c) ?? {};
    expect(cls('crypto').pnl).toBe(48);
    expect(cls('us-equity').pnl).toBe(800);
    expect(cls('crypto').contribution_pct).toBeCloseTo((linkedOf('RXA') + linkedOf('RXB')) * 100, 6);
    const classSum = (w.contribution.by_asset_class as Json[]).reduce(
      (s, x) => s + (x.contribution_pct ?? 0),
      0,
    );
    expect(Math.abs(classSum / 100 - twr)).toBeLessThan(1e-9);
    expect(w.contribution.best.map((x: Json) => x.symbol)).toEqual(['RXS', 'RXA']);
    expect(w.contribution.worst.map((x: Json) => x.symbol)).toEqual(['RXB']);

    // Standard periods ending 2021-03-31: MTD from the close of 02-28 (12,588).
    const period = (p: string): Json => (r.periods as Json[]).find((x) => x.period === p) ?? {};
    expect(period('MTD')).toMatchObject({ from: '2021-02-28', to: '2021-03-31', partial: false });
    expect(period('MTD').time_weighted_pct).toBeCloseTo(
      ((12788 / 12588) * (12788 / 12788) * (12248 / 11788) - 1) * 100,
      5,
    );
    expect(period('MTD').net_profit).toBe(12248 - 12588 + 1000);
    // The portfolio began 2021-01-01: QTD, YTD and 1Y/3Y/5Y run since inception, flagged partial.
    expect(period('QTD')).toMatchObject({ from: '2021-01-01', partial: true });
    expect(period('5Y')).toMatchObject({
      from: '2021-01-01',
      partial: true,
      time_weighted_annualized_pct: null,
    });
    expect(period('ITD')).toMatchObject({
      from: '2021-01-01',
      partial: false,
      net_profit: 12248 - 10000 - 1000,
    });
    expect(r.inception).toBe('2021-01-01');

    // The same figures through period=MTD.
    const mtd = await api(user, `/api/v1/portfolios/${id}/performance?period=MTD&to=2021-03-31`);
    expect(mtd.res.status).toBe(200);
    expect(mtd.body.data).toMatchObject({ period: 'MTD', from: '2021-02-28', to: '2021-03-31' });
    expect(mtd.body.data.returns.window.reconciliation.reconciles).toBe(true);
  });

  it('refuses a fee currency it cannot price, and a window that ends before it starts; 404 for another user', async () => {
    const user = await signUp();
    const created = await api(user, '/api/v1/portfolios', 'POST', { name: 'Bad' });
    const id = created.body.data.id as string;
    const bad = await api(user, `/api/v1/portfolios/${id}/trades`, 'POST', {
      trade_type: 'add',
      quantity: 100,
      fees: 1,
      fee_currency: 'NOSUCHCOIN',
      trade_date: '2021-01-01',
    });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    const early = await api(user, `/api/v1/portfolios/${id}/trades`, 'POST', {
      trade_type: 'add',
      quantity: 100,
      fees: 1,
      fee_currency: 'EUR',
      trade_date: '2020-01-01',
    });
    expectError(early.res, early.body, 400, 'VALIDATION_ERROR');
    const trades = await api(user, `/api/v1/portfolios/${id}/trades`);
    expect(trades.body.data.trades).toEqual([]);
    const range = await api(user, `/api/v1/portfolios/${id}/performance?from=2021-03-01&to=2021-02-01`);
    expectError(range.res, range.body, 400, 'VALIDATION_ERROR');
    const empty = await api(user, `/api/v1/portfolios/${id}/performance?period=YTD`);
    expect(empty.res.status).toBe(200);
    expect(empty.body.data.returns.window).toBeNull();
    const other = await signUp();
    const foreign = await api(other, `/api/v1/portfolios/${id}/performance?period=QTD`);
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
  });
});
