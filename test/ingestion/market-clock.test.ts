import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { marketNow } from '../../src/core/market-clock';
import { replayTick } from '../../src/ingestion/replay';
import { call, callJson } from '../helpers/api';
import { seedMarket, setMarketClock } from '../helpers/market';
import { portfolioWithTrades } from '../helpers/portfolios';
import { signUp, signUpAdmin, type TestUser } from '../helpers/users';

/**
 * One market clock: the database holds only what the clock has reached, so nothing any GET
 * route serves is dated after it; and when the clock passes a close, that day's candle
 * appears on every surface that serves candles.
 */

type Op = { parameters?: { name: string; in: string }[] };
type Doc = { paths: Record<string, Record<string, Op>> };

/** Fields that hold wall time (when something happened in our system), not market time. */
const WALL_TIME_FIELDS = new Set([
  'created_at',
  'createdAt',
  'updated_at',
  'updatedAt',
  'last_login_at',
  'lastLoginAt',
  'last_accessed_at',
  'last_used_at',
  'expires_at',
  'expiresAt',
  'issued_at',
  'read_at',
  'dismissed_at',
  'revoked_at',
  'joined_at',
  'member_since',
  'added_at',
  'generated_at',
  'reset_at',
  'since',
  'last_updated',
]);

/**
 * Operational reports whose every date is wall time (when our jobs ran), in the field names
 * their seed gives (004's batch job summary: period.start_date, daily_job_counts[].date).
 */
const WALL_TIME_PATHS = ['/api/v1/admin/batch/jobs/'];

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Every date-valued string in a JSON body with its path, skipping wall-time fields and envelopes' meta. */
function marketDates(value: unknown, path = '$'): { path: string; at: number }[] {
  if (typeof value === 'string') {
    if (!ISO.test(value)) return [];
    const at = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
    return Number.isFinite(at) ? [{ path, at }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => marketDates(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      if (WALL_TIME_FIELDS.has(k)) return [];
      // The response's own time (001's and 002's envelopes, the error shape, health) is wall time.
      if (k === 'meta' || (path === '$' && k === 'timestamp' && ('success' in value || 'status' in value)))
        return [];
      return marketDates(v, `${path}.${k}`);
    });
  }
  return [];
}

let user: TestUser;
let admin: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH', 'SPY', 'GOLD', 'DXY']);
  await setMarketClock('2024-01-01T06:00:00Z');
  await replayTick(env);
  user = await signUp();
  admin = await signUpAdmin();
  const portfolio = await portfolioWithTrades(user, { name: 'Clock', is_public: true }, [
    { trade_type: 'buy', symbol: 'BTC', quantity: 0.5, price: 1000, trade_date: '2023-06-01' },
    { trade_type: 'buy', symbol: 'ETH', quantity: 3, price: 1000, trade_date: '2023-09-01' },
  ]);
  ids.portfolio_id = portfolio.id;
  ids.trade_id = portfolio.tradeIds[0] ?? '';
  const pos = await callJson<{ positions?: { id?: string; position_id?: string }[] }>(
    `/api/v1/data/positions/details?portfolio_id=${ids.portfolio_id}`,
    { as: user.as },
  );
  ids.position_id = pos.body.positions?.[0]?.position_id ?? pos.body.positions?.[0]?.id ?? 'pos_none';
  const wl = await callJson<{ data: { id: string } }>('/api/v1/watchlists', {
    method: 'POST',
    as: user.as,
    body: { name: 'Clock', assets: ['BTC', 'ETH'] },
  });
  expect(wl.res.status, JSON.stringify(wl.body)).toBe(201);
  ids.watchlist_id = wl.body.data.id;
  const alert = await callJson<{ data: { id: string } }>('/api/v1/alerts', {
    method: 'POST',
    as: user.as,
    body: { asset_id: 'BTC', alert_type: 'price_above', params: { threshold: 1_000_000 } },
  });
  expect(alert.res.status, JSON.stringify(alert.body)).toBe(201);
  ids.alert_id = alert.body.data.id;
  ids.user_id = user.id;
}, 120_000);

/** A value for each path parameter, by name: the objects made above, or BTC. */
function fill(path: string): string {
  return path.replaceAll(/\{([^}]+)\}/g, (_m, name: string) => {
    if (name === 'pair') return 'BTC-USD';
    if (name === 'mode') return 'paper';
    if (name === 'id') return ids.portfolio_id ?? '';
    if (name in ids) return ids[name] ?? '';
    return 'BTC';
  });
}

describe('the market clock', () => {
  it('no GET route serves a market date later than the clock', async () => {
    const doc = (await (await call('/openapi.json')).json()) as Doc;
    const gets = Object.entries(doc.paths)
      .filter(([, ops]) => ops.get)
      .map(([path]) => path)
      .filter((p) => !p.startsWith('/ws') && !p.includes('/export'))
      .filter((p) => !WALL_TIME_PATHS.some((w) => p.startsWith(w)));
    expect(gets.length).toBeGreaterThan(80);
    const offenders: string[] = [];
    let withDates = 0;
    for (const path of gets) {
      const as = path.includes('/admin') ? admin.as : user.as;
      const res = await call(fill(path), { as });
      if (!res.headers.get('Content-Type')?.includes('json')) continue;
      const dates = marketDates(await res.json());
      if (dates.length) withDates++;
      const now = await marketNow(env);
      for (const d of dates)
        if (d.at > now) offenders.push(`${path} ${d.path} ${new Date(d.at).toISOString()}`);
    }
    expect(offenders).toEqual([]);
    expect(withDates).toBeGreaterThanOrEqual(25);
  }, 600_000);

  it('when the clock passes a close, that day appears on every surface that serves candles', async () => {
    const day = '2024-01-01';
    const lastDay = async () => {
      const get = async <T>(path: string, init: { method?: string; body?: unknown } = {}) =>
        (await callJson<T>(path, { as: user.as, headers: { 'Cache-Control': 'no-cache' }, ...init })).body;
      type Dated = { data: { as_of: string | null } };
      const v1 = await get<{ data: { candles: { timestamp: string }[] } }>(
        '/api/v1/assets/BTC/price-history?timeframe=1d&start_date=2023-12-20&end_date=2024-01-05',
      );
      const candles = await get<{ data: { candles: { timestamp: string }[] } }>(
        '/api/v1/price-data/BTC?limit=3',
      );
      const ohlcv = await get<{ timestamp: string }[]>('/api/markets/BTC-USD/ohlcv?timeframe=1d&limit=3');
      const tracker = await get<Record<string, { time: string }[]>>('/api/historical-data', {
        method: 'POST',
        body: { symbols: ['BTC'], range: '1M' },
      });
      const hist004 = await get<{ prices: { date: string }[] }>('/api/v1/data/prices/historical/BTC?days=30');
      const indicators = await get<Dated>('/api/v1/price-data/BTC/technical-indicators?points=5');
      const statistics = await get<Dated>('/api/v1/assets/BTC/statistics');
      return {
        v1: v1.data.candles.at(-1)?.timestamp.slice(0, 10),
        candles: candles.data.candles.at(-1)?.timestamp.slice(0, 10),
        ohlcv: ohlcv.at(-1)?.timestamp.slice(0, 10),
        tracker: tracker.BTC?.at(-1)?.time,
        hist004: hist004.prices[0]?.date,
        indicators: indicators.data.as_of?.slice(0, 10),
        statistics: statistics.data.as_of?.slice(0, 10),
      };
    };
    const everywhere = (d: string) => ({
      v1: d,
      candles: d,
      ohlcv: d,
      tracker: d,
      hist004: d,
      indicators: d,
      statistics: d,
    });
    expect(await lastDay()).toEqual(everywhere('2023-12-31'));
    await setMarketClock('2024-01-02T01:00:00Z');
    const tick = await replayTick(env);
    expect(tick?.days).toBeGreaterThan(0);
    expect(await lastDay()).toEqual(everywhere(day));
  }, 120_000);
});
