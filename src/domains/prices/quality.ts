import { and, eq } from 'drizzle-orm';
import { db } from '../../db/client';
import { assets, type Timeframe } from '../../db/schema';
import { isShared } from '../assets/service';
import { TIMEFRAME_MS } from './timeframes';

const DAY = 86_400_000;

export interface SeriesQuality {
  asset_id: string;
  symbol: string;
  asset_type: string;
  timeframe: Timeframe;
  candles: number;
  first: string | null;
  last: string | null;
  /** Runs of missing periods: calendar days for crypto, more than 3 days (a long weekend) for the rest. */
  gaps: number;
  largest_gap_days: number;
  /** Candles not aligned to the timeframe's boundaries, two of which could describe one period. */
  misaligned: number;
  /** high below open/close, low above them, high below low, or a non-positive price. */
  ohlc_inconsistent: number;
  /** Days from the last candle to the reference time. */
  staleness_days: number | null;
  stale: boolean;
  /** 100 minus penalties for each problem found, floored at 0. */
  score: number;
}

interface Row {
  asset_id: string;
  n: number;
  first: number | null;
  last: number | null;
  gaps: number;
  largest: number | null;
  misaligned: number;
  bad: number;
}

/**
 * Quality of every series of a timeframe (or one asset's), computed in D1 with window
 * functions over the candles themselves, so it is one query however many rows there are.
 * Shared series only: users' own assets (`owner_id` set) are private to them, and this
 * report is public.
 * `referenceTime` is "now" for staleness: wall clock for live data, the virtual clock under replay.
 */
export async function qualityReport(
  env: Env,
  options: { timeframe: Timeframe; assetId?: string; referenceTime?: number },
): Promise<SeriesQuality[]> {
  const size = TIMEFRAME_MS[options.timeframe];
  const reference = options.referenceTime ?? Date.now();
  const sql = `
    WITH s AS (
      SELECT p.asset_id, p.open_time, p.open, p.high, p.low, p.close,
        p.open_time - LAG(p.open_time) OVER (PARTITION BY p.asset_id ORDER BY p.open_time) AS delta,
        a.asset_type
      FROM price_data p JOIN assets a ON a.id = p.asset_id
      WHERE p.timeframe = ?1 AND a.owner_id = '' ${options.assetId ? 'AND p.asset_id = ?3' : ''}
    )
    SELECT asset_id, COUNT(*) AS n, MIN(open_time) AS first, MAX(open_time) AS last,
      SUM(CASE WHEN delta > ?2 * (CASE WHEN asset_type IN ('crypto', 'stablecoin') OR ?2 < 86400000 THEN 1 ELSE 4 END) THEN 1 ELSE 0 END) AS gaps,
      MAX(delta) AS largest,
      SUM(CASE WHEN ?2 <= 86400000 AND open_time % ?2 <> 0 THEN 1 ELSE 0 END) AS misaligned,
      SUM(CASE WHEN high < MAX(open, close) OR low > MIN(open, close) OR high < low OR low <= 0 THEN 1 ELSE 0 END) AS bad
    FROM s GROUP BY asset_id`;
  const stmt = options.assetId
    ? env.DB.prepare(sql).bind(options.timeframe, size, options.assetId)
    : env.DB.prepare(sql).bind(options.timeframe, size);
  const [rows, meta] = await Promise.all([
    stmt.all<Row>(),
    db(env)
      .select({ id: assets.id, symbol: assets.symbol, type: assets.assetType })
      .from(assets)
      .where(options.assetId ? and(isShared, eq(assets.id, options.assetId)) : isShared),
  ]);
  const byId = new Map(meta.map((m) => [m.id, m]));
  return rows.results
    .map((r): SeriesQuality => {
      const m = byId.get(r.asset_id);
      const type = m?.type ?? 'unknown';
      const staleness = r.last === null ? null : Math.max(0, (reference - r.last) / DAY);
      const allowance = Math.max(size / DAY, 1) * (type === 'crypto' || type === 'stablecoin' ? 2 : 5);
      const stale = staleness !== null && staleness > allowance;
      const penalty =
        Math.min(40, r.gaps * 2) +
        Math.min(30, r.bad * 0.5) +
        Math.min(20, r.misaligned * 2) +
        (stale ? 10 : 0);
      return {
        asset_id: r.asset_id,
        symbol: m?.symbol ?? r.asset_id,
        asset_type: type,
        timeframe: options.timeframe,
        candles: r.n,
        first: r.first === null ? null : new Date(r.first).toISOString(),
        last: r.last === null ? null : new Date(r.last).toISOString(),
        gaps: r.gaps,
        largest_gap_days: r.largest === null ? 0 : Math.round((r.largest / DAY) * 100) / 100,
        misaligned: r.misaligned,
        ohlc_inconsistent: r.bad,
        staleness_days: staleness === null ? null : Math.round(staleness * 10) / 10,
        stale,
        score: Math.max(0, Math.round((100 - penalty) * 10) / 10),
      };
    })
    .sort((a, b) => a.score - b.score || a.symbol.localeCompare(b.symbol));
}
