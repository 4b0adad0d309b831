import type { AssetType } from '../../db/schema/market';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How often a series is expected to print a new observation:
 * - `continuous`: trades around the clock (crypto). Our coarsest ingested bar is daily, so an
 *   observation older than two days has missed a whole daily bar.
 * - `daily`: one observation every calendar day (FRED's DFF, DefiLlama totals, CoinGecko caps).
 * - `trading_days`: one per weekday (equities, ETFs, FX, DXY, yields, WTI, LBMA gold, FRED
 *   index levels); one missed weekday is tolerated as a holiday.
 * - `weekly`, `monthly`: FRED-style releases and CMC's monthly snapshots, with one period of
 *   publication lag tolerated.
 */
export type Cadence = 'continuous' | 'daily' | 'trading_days' | 'weekly' | 'monthly';

export const CADENCES = ['continuous', 'daily', 'trading_days', 'weekly', 'monthly'] as const;

const TYPE_CADENCE: Record<AssetType, Cadence> = {
  crypto: 'continuous',
  stablecoin: 'continuous',
  'us-equity': 'trading_days',
  etf: 'trading_days',
  'pk-equity': 'trading_days',
  index: 'trading_days',
  commodity: 'trading_days',
  metal: 'trading_days',
  fx: 'trading_days',
  rate: 'trading_days',
};

/** Series whose cadence differs from their asset type's (FRED publishes DFF for every calendar day). */
const SYMBOL_CADENCE: Record<string, Cadence> = { FEDFUNDS: 'daily' };

/** The cadence an asset's quotes and candles are expected at. */
export function assetCadence(asset: { symbol: string; assetType: string }): Cadence {
  return (
    SYMBOL_CADENCE[asset.symbol.toUpperCase()] ?? TYPE_CADENCE[asset.assetType as AssetType] ?? 'trading_days'
  );
}

export interface Freshness {
  /** When the served observation was made (ISO 8601 UTC). */
  as_of: string;
  /** True when the series has missed observations its cadence promised by the market clock. */
  stale: boolean;
  /** Why it is stale (what is missing since when), or null when fresh. */
  stale_reason: string | null;
  cadence: Cadence;
  /** Hours from the observation to the market clock (0 when the observation is at or after it). */
  age_hours: number;
}

const dayStart = (t: number) => Math.floor(t / DAY) * DAY;
const isWeekday = (t: number) => {
  const d = new Date(t).getUTCDay();
  return d !== 0 && d !== 6;
};

/** Weekdays strictly between the days of `from` and `to`: trading sessions that should have printed. */
function weekdaysBetween(from: number, to: number): number {
  let n = 0;
  for (let d = dayStart(from) + DAY; d < dayStart(to); d += DAY) if (isWeekday(d)) n++;
  return n;
}

/** Calendar days from `from` to `to` past which the cadence has clearly missed observations. */
const MAX_AGE_DAYS: Record<Exclude<Cadence, 'trading_days'>, number> = {
  continuous: 2,
  daily: 3,
  weekly: 14,
  monthly: 62,
};

/** Trading sessions that may pass without a print (a holiday) before the series is stale. */
const MISSED_SESSIONS_TOLERATED = 1;

/**
 * The one freshness rule: a series is stale when the market clock has passed the point where
 * its cadence promised a newer observation than the one served. Judged against market time
 * (`marketNow`), never the wall clock, so a replayed market reads as a live one would have.
 */
export function judgeFreshness(cadence: Cadence, asOf: number, now: number): Freshness {
  const ageMs = Math.max(0, now - asOf);
  const ageDays = ageMs / DAY;
  let stale: boolean;
  let missing: string;
  if (cadence === 'trading_days') {
    const missed = Math.max(0, weekdaysBetween(asOf, now));
    stale = missed > MISSED_SESSIONS_TOLERATED;
    missing = `${missed} trading sessions`;
  } else {
    stale = ageDays > MAX_AGE_DAYS[cadence];
    missing = `${Math.floor(ageDays)} days`;
  }
  const asOfIso = new Date(asOf).toISOString();
  return {
    as_of: asOfIso,
    stale,
    stale_reason: stale
      ? `Latest observation is from ${asOfIso.slice(0, 10)}, ${missing} before the market clock (${new Date(now).toISOString()}); a ${cadence.replace('_', ' ')} series should have printed since. Served as the last known value, not live.`
      : null,
    cadence,
    age_hours: Math.round((ageMs / HOUR) * 100) / 100,
  };
}

/** `judgeFreshness` for an asset's quote or latest close. */
export function assetFreshness(
  asset: { symbol: string; assetType: string },
  asOf: number,
  now: number,
): Freshness {
  return judgeFreshness(assetCadence(asset), asOf, now);
}
