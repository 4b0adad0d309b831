import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { marketDate, marketNow } from '../../src/core/market-clock';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMarket } from '../helpers/market';
import { portfolioWithTrades } from '../helpers/portfolios';
import { signUp, type TestUser } from '../helpers/users';

/** The largest body any date or range query may answer with (the longest real series is ~1 MB). */
const MAX_BODY = 4_000_000;

let owner: TestUser;
let portfolioId: string;

beforeAll(async () => {
  await seedMarket(['BTC']);
  owner = await signUp();
  ({ id: portfolioId } = await portfolioWithTrades(owner, { name: 'Shared', is_public: true }, [
    {
      trade_type: 'buy',
      asset_type: 'crypto',
      symbol: 'BTC',
      quantity: 0.1,
      price: 40000,
      trade_date: '2023-12-01',
    },
  ]));
});

async function timed(path: string, as?: TestUser) {
  const started = performance.now();
  const res = await call(path, as ? { as: as.as } : {});
  const text = await res.text();
  return { res, text, ms: performance.now() - started, body: JSON.parse(text) as Record<string, unknown> };
}

describe('portfolio performance over a date range (issue 12, High)', () => {
  const perf = () => `/api/v1/portfolios/${portfolioId}/performance`;

  it('refuses to=9999-12-31 at once instead of walking days until memory runs out', async () => {
    const { res, body, ms } = await timed(`${perf()}?to=9999-12-31`);
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect(JSON.stringify(body)).toMatch(/to/);
    expect(ms).toBeLessThan(2000);
  });

  it('refuses from=2024-01-01&to=2324-01-01 with a small body, not 14.8 MB', async () => {
    const { res, body, text } = await timed(`${perf()}?from=2024-01-01&to=2324-01-01`);
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect(text.length).toBeLessThan(5_000);
  });

  it('clamps a future end inside the calendar to the market clock', async () => {
    const { res, body } = await timed(`${perf()}?from=2023-12-01&to=2099-12-31`);
    expect(res.status).toBe(200);
    const data = body.data as { to: string; from: string; points: { date: string }[] };
    const marketDay = marketDate(await marketNow(env));
    expect(data.to).toBe(marketDay);
    expect(data.points.at(-1)?.date).toBe(marketDay);
    expect(data.points[0]?.date).toBe('2023-12-01');
  });

  it('refuses a span longer than the endpoint serves, naming the fields', async () => {
    const { res, body } = await timed(`${perf()}?from=1970-01-01&to=2023-12-31`);
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect((body.error as { message: string }).message).toMatch(/from\.\.to spans \d+ days; .* at most 3660/);
  });

  it('refuses a reversed range, naming from and to', async () => {
    const { res, body } = await timed(`${perf()}?from=2023-12-20&to=2023-12-10`);
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect((body.error as { message: string }).message).toMatch(
      /from \(2023-12-20\) must be on or before to/,
    );
  });
});

describe('impossible dates', () => {
  it.each([
    ['/api/v1/portfolios/{pf}/performance?from=2023-02-30', 400],
    ['/api/v1/portfolios/{pf}/trades?to=2023-02-29', 400],
    ['/api/v1/assets/BTC/price-history?start_date=2023-02-30', 400],
    ['/api/v1/price-data/BTC?end_date=2023-13-01', 400],
    ['/api/markets/BTC-USDT/ohlcv?startTime=2023-04-31T00:00:00Z', 400],
    ['/api/v1/data/prices/historical/BTC?start_date=2023-02-30', 422],
    ['/api/v1/data/portfolio/{pf}/complete?as_of_date=2023-02-30', 422],
  ])('%s answers %i', async (template, status) => {
    const { res, body } = await timed(template.replace('{pf}', portfolioId), owner);
    expectError(res, body, status, 'VALIDATION_ERROR');
  });

  it('are refused in a trade too, and nothing is recorded', async () => {
    const before = await callJson<{ data: { trades: unknown[] } }>(
      `/api/v1/portfolios/${portfolioId}/trades`,
      {
        as: owner.as,
      },
    );
    const { res, body } = await callJson(`/api/v1/portfolios/${portfolioId}/trades`, {
      method: 'POST',
      as: owner.as,
      body: {
        trade_type: 'buy',
        asset_type: 'crypto',
        symbol: 'BTC',
        quantity: 0.1,
        price: 40000,
        trade_date: '2023-02-30',
      },
    });
    expectError(res, body, 400, 'VALIDATION_ERROR');
    const after = await callJson<{ data: { trades: unknown[] } }>(
      `/api/v1/portfolios/${portfolioId}/trades`,
      {
        as: owner.as,
      },
    );
    expect(after.body.data.trades.length).toBe(before.body.data.trades.length);
  });
});

type Param = { name: string; in: string; schema?: { type?: string | string[] } };
type Doc = { paths: Record<string, Record<string, { parameters?: Param[] }>> };

const DATE_LIKE = /date|^from$|^to$|time|as_of|^range$|^period$|^days$|lookback|^points$|^hours$/i;

/**
 * Every GET operation of /openapi.json with a date-like query parameter, sent far-future,
 * far-past, reversed, impossible and huge values, as a guest and as a signed-in owner: no
 * 5xx, and every body bounded. Read from the document, so new routes are covered unchanged.
 */
describe('every GET with a date-like query parameter', async () => {
  const doc = (await (await call('/openapi.json')).json()) as Doc;
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => {
    const params = (methods.get?.parameters ?? []).filter((p) => p.in === 'query' && DATE_LIKE.test(p.name));
    return methods.get && params.length ? [{ path, params }] : [];
  });

  it('finds the range endpoints in the document', () => {
    expect(ops.length).toBeGreaterThan(10);
  });

  const fill = (path: string) =>
    path.replaceAll(/\{([^}]+)\}/g, (_m, name: string) => {
      if (/portfolio/.test(name)) return portfolioId;
      if (/pair/.test(name)) return 'BTC-USDT';
      if (/asset|symbol/.test(name)) return 'BTC';
      return 'x_00000000000000000000000000';
    });

  const isNumeric = (p: Param) => {
    const t = p.schema?.type;
    return t === 'integer' || t === 'number' || (Array.isArray(t) && t.includes('integer'));
  };

  /** Query strings to try: each date param alone with hostile values, and the pairs together. */
  const variants = (params: Param[]): string[] => {
    const out: string[] = [];
    const dates = params.filter((p) => !isNumeric(p));
    for (const p of params) {
      const values = isNumeric(p)
        ? ['1000000000', '-1', '0', '1e308']
        : ['9999-12-31', '0001-01-01', '2023-02-30', '+010000-01-01', '2324-01-01', 'ALL', 'x'];
      for (const v of values) out.push(`${p.name}=${encodeURIComponent(v)}`);
    }
    if (dates.length >= 2) {
      const [a, b] = dates as [Param, Param];
      out.push(`${a.name}=2023-12-31&${b.name}=2023-01-01`);
      out.push(`${a.name}=2024-01-01&${b.name}=2324-01-01`);
      out.push(`${a.name}=1970-01-01&${b.name}=2100-12-31`);
    }
    return out;
  };

  it.each(ops.map((o) => [o.path, o] as const))('%s: no 5xx, bounded bodies', async (_n, o) => {
    const base = fill(o.path);
    for (const q of variants(o.params)) {
      for (const who of [undefined, owner]) {
        const { res, text } = await timed(`${base}?${q}`, who);
        const label = `${base}?${q} as ${who ? 'owner' : 'guest'}`;
        expect(res.status, label).toBeLessThan(500);
        expect(text.length, label).toBeLessThan(MAX_BODY);
      }
    }
  });
});
