import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { refreshSnapshots } from '../../src/domains/macro/service';
import { callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMacroIntel } from '../helpers/macro';
import { seedMarket } from '../helpers/market';
import { freshIp, signUp, signUpAdmin, type TestUser } from '../helpers/users';
import { expectPlain, expectStatus, expectV2, isoDay, type Json } from './plain-helpers';

// Seed 003 (Risk Metric Dashboard): every path our /openapi.json serves from it, called as its
// table shows (base /api, camelCase trade input, plain bodies).

const num = expect.any(Number);

describe('003 auth', () => {
  it('register takes name and answers { user: { id, email, name }, token }; login { user, token }; me { user }', async () => {
    const email = `c003-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const reg = await expectStatus('/api/auth/register', 201, {
      method: 'POST',
      body: { email, password: 'tracker-pass-7', name: 'Ayesha Khan' },
      headers: { 'CF-Connecting-IP': freshIp() },
    });
    expect(reg).toMatchObject({
      user: { id: expect.any(String), email, name: 'Ayesha Khan' },
      token: expect.any(String),
    });
    const login = await expectStatus('/api/auth/login', 200, {
      method: 'POST',
      body: { email, password: 'tracker-pass-7' },
      headers: { 'CF-Connecting-IP': freshIp() },
    });
    expect(login).toMatchObject({ user: { id: reg.user.id, email }, token: expect.any(String) });
    const me = await expectStatus('/api/auth/me', 200, { as: { token: login.token } });
    expect(me.user).toMatchObject({ id: reg.user.id, email, name: 'Ayesha Khan' });
    const guest = await callJson<Json>('/api/auth/me');
    expectError(guest.res, guest.body, 401, 'AUTHENTICATION_ERROR');
  });
});

describe('003 portfolio tracker', () => {
  let user: TestUser;
  let trade: Json;

  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
    user = await signUp();
    trade = (
      await expectStatus('/api/user/trades', 201, {
        method: 'POST',
        as: user.as,
        body: {
          assetType: 'crypto',
          symbol: 'BTC',
          tradeType: 'buy',
          quantity: 0.2,
          price: 38000,
          fees: 4,
          tradeDate: '2023-12-01',
        },
      })
    ).trade;
  });

  it('POST /api/user/trades answers { success, trade } with 003’s trade fields', async () => {
    expect(trade).toMatchObject({
      id: expect.any(String),
      trade_type: 'buy',
      asset_type: 'crypto',
      symbol: 'BTC',
      quantity: 0.2,
      price: 38000,
      total_amount: num,
      trade_date: expect.stringMatching(/^2023-12-01/),
    });
    const sale = await expectStatus('/api/user/trades', 201, {
      method: 'POST',
      as: user.as,
      body: {
        assetType: 'crypto',
        symbol: 'BTC',
        tradeType: 'sell',
        quantity: 0.1,
        price: 43000,
        tradeDate: '2023-12-10',
      },
    });
    expect(sale).toMatchObject({ success: true, trade: { trade_type: 'sell', symbol: 'BTC' } });
  });

  it('GET /api/user/trades?limit&offset answers { success, trades }', async () => {
    const page = await expectStatus('/api/user/trades?limit=1&offset=0', 200, { as: user.as });
    expectPlain(page);
    expect(page.success).toBe(true);
    expect(page.trades).toHaveLength(1);
    const all = await expectStatus('/api/user/trades?limit=10&offset=0', 200, { as: user.as });
    expect(all.trades.map((t: Json) => t.id)).toContain(trade.id);
    const v2 = await callJson<Json>('/api/v2/user/trades?limit=10', { as: user.as });
    expectV2(v2.body, v2.res.headers.get('X-Request-Id'));
    expect(v2.body.data.trades).toHaveLength(all.trades.length);
  });

  it('GET /api/user/holdings answers holdings with the weighted-average cost', async () => {
    const body = await expectStatus('/api/user/holdings', 200, { as: user.as });
    const btc = body.holdings.find((h: Json) => h.symbol === 'BTC');
    // 0.2 @ 38,000 + 4 fees = 7,604 for 0.2 → 38,020 a unit; the sale of 0.1 keeps the average.
    expect(btc).toMatchObject({
      symbol: 'BTC',
      quantity: 0.1,
      avg_purchase_price: 38020,
      current_price: num,
    });
  });

  it('GET /api/user/realized-pnl answers realizedPnl per sale', async () => {
    const body = await expectStatus('/api/user/realized-pnl', 200, { as: user.as });
    expect(Array.isArray(body.realizedPnl)).toBe(true);
    expect(body.realizedPnl).toHaveLength(1);
    // Proceeds 0.1 × 43,000 = 4,300 less cost 0.1 × 38,020 = 3,802: 498.
    expect(body.realizedPnl[0]).toMatchObject({ symbol: 'BTC' });
    expect(body.realizedPnl[0].realized_pnl).toBeCloseTo(498, 8);
  });

  it('GET /api/user/portfolio/history?range= answers history points with date and totalValue', async () => {
    for (const range of ['1M', '1Y', 'ALL']) {
      const body = await expectStatus(`/api/user/portfolio/history?range=${range}`, 200, { as: user.as });
      expect(body.history.length).toBeGreaterThan(0);
      expect(body.history[0]).toMatchObject({ date: isoDay, totalValue: num });
    }
    const bad = await callJson<Json>('/api/user/portfolio/history?range=2W', { as: user.as });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });

  it('trades take 003’s names only: 000’s asset_id is refused, and nothing is recorded', async () => {
    const before = await expectStatus('/api/user/trades?limit=100', 200, { as: user.as });
    const wrong = await callJson<Json>('/api/user/trades', {
      method: 'POST',
      as: user.as,
      body: { assetType: 'crypto', asset_id: 'BTC', tradeType: 'buy', quantity: 1, price: 1 },
    });
    expectError(wrong.res, wrong.body, 400, 'VALIDATION_ERROR');
    const oversell = await callJson<Json>('/api/user/trades', {
      method: 'POST',
      as: user.as,
      body: {
        assetType: 'crypto',
        symbol: 'BTC',
        tradeType: 'sell',
        quantity: 5,
        price: 40000,
        tradeDate: '2023-12-11',
      },
    });
    expectError(oversell.res, oversell.body, 400, 'INSUFFICIENT_BALANCE');
    const after = await expectStatus('/api/user/trades?limit=100', 200, { as: user.as });
    expect(after.trades).toHaveLength(before.trades.length);
    const guest = await callJson<Json>('/api/user/holdings');
    expectError(guest.res, guest.body, 401, 'AUTHENTICATION_ERROR');
  });
});

describe('003 market data', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH', 'SPY', 'GOLD', 'DXY']);
  }, 120_000); // five assets' real history is slow to load on a shared machine

  it('POST /api/prices/batch answers results keyed "TYPE:SYMBOL" with price and date', async () => {
    const body = await expectStatus('/api/prices/batch', 200, {
      method: 'POST',
      body: {
        tokens: [
          { symbol: 'BTC', type: 'crypto' },
          { symbol: 'GOLD', type: 'metal' },
        ],
      },
    });
    expect(body.results['CRYPTO:BTC']).toMatchObject({ price: num, date: expect.any(String) });
    expect(body.results['METAL:GOLD']).toMatchObject({ price: num, date: expect.any(String) });
  });

  it('POST /api/historical-data answers { SYMBOL: [{ time, close }] } ending at the latest candle', async () => {
    const body = await expectStatus('/api/historical-data', 200, {
      method: 'POST',
      body: { symbols: ['BTC', 'ETH'], range: '1M' },
    });
    for (const symbol of ['BTC', 'ETH']) {
      expect(body[symbol].length).toBeGreaterThan(20);
      expect(body[symbol][0]).toMatchObject({ time: expect.anything(), close: num });
    }
    const unknown = await callJson<Json>('/api/historical-data', {
      method: 'POST',
      body: { symbols: ['NOPE'], range: '1M' },
    });
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');
  });

  it('GET /api/indices/price and /api/commodities/price answer price, change and unit', async () => {
    const index = await expectStatus('/api/indices/price?symbol=DXY', 200);
    expect(index).toMatchObject({ symbol: 'DXY', price: num, change: expect.anything() });
    const gold = await expectStatus('/api/commodities/price?symbol=GOLD', 200);
    expect(gold).toMatchObject({ symbol: 'GOLD', price: num, unit: expect.any(String) });
    const missing = await callJson<Json>('/api/commodities/price');
    expectError(missing.res, missing.body, 400, 'VALIDATION_ERROR');
  });
});

describe('003 admin', () => {
  it('GET /api/admin/users answers { users }; PUT /api/admin/users/[id] { user }; non-admins 403', async () => {
    const admin = await signUpAdmin();
    const target = await signUp();
    const list = await expectStatus('/api/admin/users', 200, { as: admin.as });
    expect(list.users.map((u: Json) => u.id)).toContain(target.id);
    const put = await expectStatus(`/api/admin/users/${target.id}`, 200, {
      method: 'PUT',
      as: admin.as,
      body: { role: 'admin' },
    });
    expect(put.user).toMatchObject({ id: target.id, role: 'admin' });
    const denied = await callJson<Json>('/api/admin/users', { as: (await signUp()).as });
    expectError(denied.res, denied.body, 403, 'ADMIN_ACCESS_REQUIRED');
  });
});

describe('003 risk metrics, market cycles, screener and flows (intel)', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH', 'SPY', 'GOLD', 'DXY']);
    await seedMacroIntel();
    await refreshSnapshots(env);
  }, 300_000);

  it('GET /api/risk-metrics answers { metrics, bands } for ETH by default', async () => {
    const body = await expectStatus('/api/risk-metrics', 200);
    expect(body.symbol).toBe('ETH');
    expect(body.metrics).toMatchObject({ risk: num, fair_value: num, price: num });
    expect(body.bands.length).toBe(9);
  });

  it('GET /api/market-cycles answers { cycles } with dates, drawdowns and durations', async () => {
    const body = await expectStatus('/api/market-cycles', 200);
    expect(body.cycles.length).toBeGreaterThanOrEqual(3);
    expect(body.cycles[0]).toMatchObject({
      peak_date: expect.any(String),
      trough_date: expect.any(String),
      drawdown_pct: num,
    });
  });

  it('GET /api/screener/metrics answers { data: [...] }', async () => {
    const body = await expectStatus('/api/screener/metrics', 200);
    expect(body.data.length).toBeGreaterThan(5);
    expect(body.data[0]).toMatchObject({ symbol: expect.any(String), pe_ratio: null });
  });

  it('GET /api/market-flows/lipi answers an array (empty: the series is absent, X-Data-Absent says why)', async () => {
    const r = await callJson<Json>('/api/market-flows/lipi?startDate=2023-12-01&endDate=2023-12-31');
    expect(r.res.status).toBe(200);
    expect(r.body).toEqual([]);
    expect(r.res.headers.get('X-Data-Absent')).toBeTruthy();
    const bad = await callJson<Json>('/api/market-flows/lipi?startDate=2023-12-31&endDate=2023-12-01');
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });
});
