import { marketNow } from '../../../core/market-clock';
import { catalogAssetId } from '../../assets/catalog';

export const DAY = 86_400_000;
export const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Daily closes of one asset, ascending, only days that closed before the market clock. */
export interface CloseSeries {
  times: number[];
  closes: number[];
}

/**
 * Served daily closes (price_data, 1d) of assets from `from` (epoch ms) up to the last day that
 * closed before `now` (the market clock): nothing later is ever read.
 */
export async function closesOf(
  env: Env,
  assetIds: string[],
  from: number,
  now: number,
): Promise<Map<string, CloseSeries>> {
  const out = new Map<string, CloseSeries>();
  const ids = [...new Set(assetIds)];
  if (ids.length === 0) return out;
  const { results } = await env.DB.prepare(
    `SELECT asset_id, open_time, close FROM price_data
     WHERE timeframe = '1d' AND asset_id IN (SELECT value FROM json_each(?1))
       AND open_time >= ?2 AND open_time + ${DAY} <= ?3
     ORDER BY asset_id, open_time`,
  )
    .bind(JSON.stringify(ids), from, now)
    .all<{ asset_id: string; open_time: number; close: number }>();
  for (const r of results) {
    let s = out.get(r.asset_id);
    if (!s) {
      s = { times: [], closes: [] };
      out.set(r.asset_id, s);
    }
    if (r.close > 0) {
      s.times.push(r.open_time);
      s.closes.push(r.close);
    }
  }
  return out;
}

export interface FrenchRow {
  time: number;
  mkt_rf: number;
  smb: number;
  hml: number;
  rmw: number | null;
  cma: number | null;
  mom: number | null;
  rf: number;
}

/** The newest vintage of French factors holding rows up to `now`, and its rows from `from` to the clock's day. */
export async function frenchFactors(
  env: Env,
  from: number,
  now: number,
): Promise<{ vintage: string; rows: FrenchRow[] } | null> {
  const v = await env.DB.prepare(
    `SELECT vintage, max(time) AS last FROM factor_returns GROUP BY vintage ORDER BY vintage DESC`,
  ).all<{ vintage: string; last: number }>();
  // The newest vintage; an older one only if it reaches further (never mixed).
  const best = v.results.reduce<{ vintage: string; last: number } | null>((b, r) => {
    const reach = Math.min(r.last, now);
    if (!b) return r;
    return reach > Math.min(b.last, now) ? r : b;
  }, null);
  if (!best) return null;
  const { results } = await env.DB.prepare(
    `SELECT time, mkt_rf, smb, hml, rmw, cma, mom, rf FROM factor_returns
     WHERE vintage = ?1 AND time >= ?2 AND time + ${DAY} <= ?3 ORDER BY time`,
  )
    .bind(best.vintage, from, now)
    .all<FrenchRow>();
  return { vintage: best.vintage, rows: results };
}

/**
 * Simple returns of several close series on their common days: a return is from one common
 * day's close to the next common day's close (so a missing day in one series never misaligns
 * another). Returns the day of each return (the later close) and one array per series.
 */
export function alignedReturns(series: CloseSeries[]): { times: number[]; returns: number[][] } {
  if (series.length === 0) return { times: [], returns: [] };
  const maps = series.map((s) => new Map(s.times.map((t, i) => [t, s.closes[i] as number])));
  const first = series[0] as CloseSeries;
  const common = first.times.filter((t) => maps.every((m) => m.has(t)));
  const times: number[] = [];
  const returns: number[][] = series.map(() => []);
  for (let i = 1; i < common.length; i++) {
    const t0 = common[i - 1] as number;
    const t1 = common[i] as number;
    times.push(t1);
    maps.forEach((m, k) => {
      (returns[k] as number[]).push((m.get(t1) as number) / (m.get(t0) as number) - 1);
    });
  }
  return { times, returns };
}

export const SPY_ID = catalogAssetId('SPY');

export const clockNow = (env: Env) => marketNow(env);
