import { and, desc, eq, lte } from 'drizzle-orm';
import { DAY_MS } from '../../core/dates';
import { db } from '../../db/client';
import { marketIndicators } from '../../db/schema';
import { sma } from '../../quant';
import type { Bar } from '../../quant/learn';
import { resolveAsset } from '../assets/service';
import { storedRegime } from '../macro/service';
import { closedDailyBars } from '../models/data';

/** Why the Markov-switching regime can be absent: no macro snapshot stored yet. */
export const MARKOV_REGIME_ABSENT =
  'No macro snapshot is stored at or before the market clock yet (the hourly macro.snapshot job computes the Markov-switching regime; /api/v1/macro/market-regime serves it).';

/** The Markov-switching regime of BTC from the stored macro snapshot (filtered probabilities only), or absent. */
export async function markovRegime(env: Env, now: number) {
  const r = await storedRegime(env, now);
  if (!r) return { available: false as const, reason: MARKOV_REGIME_ABSENT };
  return {
    available: true as const,
    asset: 'BTC',
    current_regime: r.current_regime,
    confidence: r.confidence,
    probabilities: r.probabilities,
    transition_probability: r.transition_probability,
    regime_duration_days: r.regime_duration_days,
    method: r.meta.method,
    window: r.meta.window,
    data_points: r.meta.data_points,
    as_of: r.meta.as_of,
    snapshot_time: r.snapshot_time,
  };
}

export const TREND_RULE_METHOD =
  'rule, not a fitted model: trend = close vs SMA(200) and the sign of SMA(50)’s 20-day change (uptrend: above and rising; downtrend: below and falling; otherwise range); volatility = 30-day sample sd of daily simple returns ×√365 against the median of that figure over the last 365 days (high when above 1.25× the median, low when below 0.75×)';

export interface TrendState {
  trend: 'uptrend' | 'downtrend' | 'range';
  volatility: 'high' | 'normal' | 'low';
  close: number;
  sma_50: number;
  sma_200: number;
  realized_vol_30d: number;
  median_vol_365d: number;
  as_of: string;
  data_points: number;
}

function vol30(bars: readonly Bar[], end: number): number {
  const r: number[] = [];
  for (let i = end - 29; i <= end; i++) r.push((bars[i] as Bar).close / (bars[i - 1] as Bar).close - 1);
  const m = r.reduce((s, v) => s + v, 0) / r.length;
  return Math.sqrt(r.reduce((s, v) => s + (v - m) ** 2, 0) / (r.length - 1)) * Math.sqrt(365);
}

/** The rule's reading at the last bar; null with fewer than 400 bars. */
export function trendState(bars: readonly Bar[]): TrendState | null {
  const n = bars.length;
  if (n < 400) return null;
  const closes = bars.map((b) => b.close);
  const s50 = sma(closes, 50);
  const s200 = sma(closes, 200);
  const last = n - 1;
  const close = closes[last] as number;
  const a = s200[last] as number;
  const f = s50[last] as number;
  const rising = f > (s50[last - 20] as number);
  const trend = close > a && rising ? 'uptrend' : close < a && !rising ? 'downtrend' : 'range';
  const vols: number[] = [];
  for (let i = last - 364; i <= last; i++) vols.push(vol30(bars, i));
  const sorted = [...vols].sort((x, y) => x - y);
  const median = ((sorted[182] as number) + (sorted[182] as number)) / 2;
  const v = vols.at(-1) as number;
  return {
    trend,
    volatility: v > 1.25 * median ? 'high' : v < 0.75 * median ? 'low' : 'normal',
    close,
    sma_50: f,
    sma_200: a,
    realized_vol_30d: v,
    median_vol_365d: median,
    as_of: new Date((bars[last] as Bar).time).toISOString(),
    data_points: n,
  };
}

/** Fear & Greed at or before `now`, or absent with the reason. */
export async function sentimentAt(env: Env, now: number) {
  const row = await db(env)
    .select()
    .from(marketIndicators)
    .where(and(eq(marketIndicators.series, 'fear_greed'), lte(marketIndicators.time, now)))
    .orderBy(desc(marketIndicators.time))
    .limit(1)
    .get();
  if (!row)
    return { available: false as const, reason: 'no Fear & Greed reading at or before the market clock' };
  return {
    available: true as const,
    fear_greed: row.value,
    label: row.label,
    as_of: new Date(row.time).toISOString(),
    source: row.source,
  };
}

/** The market context signals carry: BTC's trend/volatility rule, the absent regime model, sentiment. */
export async function marketContext(env: Env, now: number) {
  const btc = await resolveAsset(env, 'BTC').catch(() => null);
  const bars = btc ? await closedDailyBars(env, btc, now, now - 800 * DAY_MS) : [];
  const state = trendState(bars);
  return {
    regime: {
      markov_switching: await markovRegime(env, now),
      trend_rule: state
        ? { available: true as const, asset: 'BTC', method: TREND_RULE_METHOD, ...state }
        : {
            available: false as const,
            reason: btc ? 'fewer than 400 closed daily BTC bars' : 'BTC is not in the catalog',
          },
    },
    sentiment: await sentimentAt(env, now),
    as_of: new Date(now).toISOString(),
  };
}

export type MarketContext = Awaited<ReturnType<typeof marketContext>>;
