import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMarket } from '../helpers/market';
import { signUp, signUpAdmin } from '../helpers/users';

type Envelope<T> = { data: T };

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
});

/** Made-up symbols, none in the catalog, to push a batch past D1's 100 bound parameters. */
const unknownSymbols = (n: number) => Array.from({ length: n }, (_, i) => `ZZ${i}`);

describe('inputs that used to answer a plain 500 (issue 12, Low)', () => {
  it('a pair that decodes to "%_%" is an unknown symbol, not a URIError', async () => {
    const { res, body } = await callJson('/api/markets/%25_%25/price');
    expect(res.status).toBeLessThan(500);
    expect(res.status).toBe(400);
    expect((body as { error: { code: string } }).error.code).toBe('INVALID_SYMBOL');
  });

  it('PUT of a watchlist asset with {} says what to send and changes nothing', async () => {
    const user = await signUp();
    const { body: wl } = await callJson<Envelope<{ id: string }>>('/api/v1/watchlists', {
      method: 'POST',
      as: user.as,
      body: { name: 'Majors', assets: ['BTC'] },
    });
    const { res, body } = await callJson(`/api/v1/watchlists/${wl.data.id}/assets/BTC`, {
      method: 'PUT',
      as: user.as,
      body: {},
    });
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect(JSON.stringify(body)).toMatch(/at least one of notes/);
  });

  it('batch prices for 60 symbols answer every one (chunked under D1’s parameter limit)', async () => {
    const tokens = [{ symbol: 'BTC' }, ...unknownSymbols(59).map((symbol) => ({ symbol }))];
    const { res, body } = await callJson<{ results: Record<string, { price: number | null }> }>(
      '/api/prices/batch',
      { method: 'POST', body: { tokens } },
    );
    expect(res.status).toBe(200);
    expect(Object.keys(body.results)).toHaveLength(60);
    expect(body.results['AUTO:BTC']?.price).toEqual(expect.any(Number));
    expect(body.results['AUTO:ZZ0']?.price).toBeNull();
  });

  it('quotes for 60 symbols answer; more than 100 answer 422 on 004’s namespace', async () => {
    const user = await signUp();
    const sixty = ['BTC', ...unknownSymbols(59)].join(',');
    const { res, body } = await callJson<{ quotes: { symbol: string }[]; missing: string[] }>(
      `/api/v1/data/prices/quotes?symbols=${sixty}`,
      { as: user.as },
    );
    expect(res.status).toBe(200);
    expect(body.quotes.map((q) => q.symbol)).toEqual(['BTC']);
    expect(body.missing).toHaveLength(59);
    const many = await callJson(`/api/v1/data/prices/quotes?symbols=${unknownSymbols(101).join(',')}`, {
      as: user.as,
    });
    expectError(many.res, many.body, 422, 'VALIDATION_ERROR');
  });
});

describe('numbers bounded to what the domain allows', () => {
  it.each([
    ['fees', 1e308],
    ['fees', '1'.repeat(400)],
    ['price', 1e300],
    ['quantity', '0.0000000000000000000001'],
  ])('a trade with %s %s answers 400 and records nothing', async (field, value) => {
    const user = await signUp();
    const { body: pf } = await callJson<Envelope<{ id: string }>>('/api/v1/portfolios', {
      method: 'POST',
      as: user.as,
      body: { name: 'Bounds' },
    });
    const trades = `/api/v1/portfolios/${pf.data.id}/trades`;
    const trade = {
      trade_type: 'buy',
      asset_type: 'crypto',
      symbol: 'BTC',
      quantity: 0.1,
      price: 40000,
      fees: 1,
      trade_date: '2023-12-01',
      [field]: value,
    };
    const { res, body } = await callJson(trades, { method: 'POST', as: user.as, body: trade });
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect((body as { error: { message: string } }).error.message).toContain(field);
    const after = await callJson<Envelope<{ trades: unknown[] }>>(trades, { as: user.as });
    expect(after.body.data.trades).toHaveLength(0);
  });

  it('a sane fee is kept, and every figure of the portfolio stays a number', async () => {
    const user = await signUp();
    const { body: pf } = await callJson<Envelope<{ id: string }>>('/api/v1/portfolios', {
      method: 'POST',
      as: user.as,
      body: { name: 'Big fee' },
    });
    const recorded = await call(`/api/v1/portfolios/${pf.data.id}/trades`, {
      method: 'POST',
      as: user.as,
      body: {
        trade_type: 'buy',
        asset_type: 'crypto',
        symbol: 'BTC',
        quantity: 0.1,
        price: 40000,
        fees: 5000,
        trade_date: '2023-12-01',
      },
    });
    expect(recorded.status, await recorded.clone().text()).toBe(201);
    const { body } = await callJson<Envelope<{ pnl: Record<string, number | null> }>>(
      `/api/v1/portfolios/${pf.data.id}`,
      { as: user.as },
    );
    for (const key of ['unrealized_pnl', 'realized_pnl', 'fees', 'total_pnl', 'net_flows'] as const) {
      expect(Number.isFinite(body.data.pnl[key]), key).toBe(true);
    }
    expect(body.data.pnl.fees).toBe(5000);
  });

  it('an alert threshold of 1e308 is refused', async () => {
    const user = await signUp();
    const { res, body } = await callJson('/api/v1/alerts', {
      method: 'POST',
      as: user.as,
      body: { asset_id: 'BTC', alert_type: 'price_above', params: { threshold: 1e308 } },
    });
    expectError(res, body, 400, 'VALIDATION_ERROR');
  });

  it.each(['-INFINITY', '1E308', 'Infinity', 'NaN', '.5'])(
    'an admin asset symbol %s is refused as a number',
    async (symbol) => {
      const admin = await signUpAdmin();
      const { res, body } = await callJson('/api/v1/admin/assets', {
        method: 'POST',
        as: admin.as,
        body: { symbol, name: 'Not a symbol', asset_type: 'crypto' },
      });
      expectError(res, body, 400, 'VALIDATION_ERROR');
    },
  );
});
