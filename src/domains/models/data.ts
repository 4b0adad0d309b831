import { and, asc, eq, lte } from 'drizzle-orm';
import { DAY_MS } from '../../core/dates';
import { db } from '../../db/client';
import { marketIndicators } from '../../db/schema';
import {
  type Bar,
  FEATURE_WARMUP,
  MARKET_SERIES_FEATURES,
  type MarketFeature,
  type MarketInputs,
  REGIME_FEATURE_WARMUP,
} from '../../quant/learn';
import { macdWarmup, wilderWarmup } from '../../quant/warmup';
import type { AssetRow } from '../assets/service';
import { adjustForSplits, candles } from '../prices/service';

/**
 * The stored market-wide series the given features read (Fear & Greed, BTC funding), every
 * value stamped at or before market time `asOf` (the market clock), oldest first. Features
 * not over a market series need nothing: an empty object.
 */
export async function marketInputsFor(
  env: Env,
  features: readonly string[],
  asOf: number,
): Promise<MarketInputs> {
  const out: MarketInputs = {};
  for (const f of Object.keys(MARKET_SERIES_FEATURES) as MarketFeature[]) {
    if (!features.includes(f)) continue;
    const rows = await db(env)
      .select({ time: marketIndicators.time, value: marketIndicators.value })
      .from(marketIndicators)
      .where(and(eq(marketIndicators.series, MARKET_SERIES_FEATURES[f]), lte(marketIndicators.time, asOf)))
      .orderBy(asc(marketIndicators.time));
    out[f] = { time: rows.map((r) => r.time), value: rows.map((r) => r.value) };
  }
  return out;
}

/**
 * The closed daily bars of an asset as of market time `asOf`: only days whose close
 * (open + 24h) is at or before `asOf`, split-adjusted, each bar timed at its close, the
 * moment its data became known. Nothing later than `asOf` is ever read.
 */
export async function closedDailyBars(
  env: Env,
  asset: AssetRow,
  asOf: number,
  from?: number,
): Promise<Bar[]> {
  const rows = await candles(env, asset, {
    timeframe: '1d',
    end: asOf - DAY_MS,
    ...(from !== undefined ? { start: from } : {}),
  });
  const adjusted = await adjustForSplits(env, asset.id, rows);
  return adjusted
    .filter((c) => c.openTime + DAY_MS <= asOf && c.close > 0 && c.high > 0 && c.low > 0)
    .map((c) => ({
      time: c.openTime + DAY_MS,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
    }));
}

/**
 * Bars an inference reads before its decision: enough for MACD's and Wilder's recursions to
 * forget their seeds (src/quant/warmup.ts, residual 1e-12), so features served from the window
 * equal those computed from the full history the model was trained on.
 */
export const INFERENCE_LOOKBACK_DAYS = Math.max(macdWarmup(26, 9), wilderWarmup(14), FEATURE_WARMUP) + 30;

/**
 * The lookback of a model's features: `regime_prob` reads the 500 returns before its refit block
 * (REGIME_FEATURE_WARMUP bars), which for a 5-day-a-week market span 7/5 as many calendar days;
 * a value depends on nothing older, so the window gives the number training computed.
 */
export function inferenceLookbackDays(features: readonly string[]): number {
  return features.includes('regime_prob')
    ? Math.max(INFERENCE_LOOKBACK_DAYS, Math.ceil((REGIME_FEATURE_WARMUP * 7) / 5) + 30)
    : INFERENCE_LOOKBACK_DAYS;
}
