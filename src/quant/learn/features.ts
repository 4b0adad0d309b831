import { QuantInputError } from '../errors';
import { macd, rsi } from '../momentum';
import { fitMarkovSwitching, hamiltonFilter } from '../regime';
import { atr, bollinger } from '../volatility';
import type { Dataset } from './walk-forward';

/** One daily bar; `time` is the bar's close time (epoch ms): the moment its data is known. */
export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * The feature catalogue. Every feature at bar i uses bars 0..i only (closes up to and including
 * bar i's close), so a decision at bar i's close could have computed it.
 */
export const FEATURES = {
  ret_1d: 'simple return over the last day',
  ret_5d: 'simple return over the last 5 days',
  ret_20d: 'simple return over the last 20 days',
  rsi_14: 'RSI(14), Wilder, scaled to [0, 1]',
  macd_hist: 'MACD(12,26,9) histogram divided by the close',
  bb_pctb: 'Bollinger %b (20, 2 population sd)',
  atr_pct: 'ATR(14), Wilder, divided by the close',
  vol_20d: 'sample sd of the last 20 daily simple returns',
  volume_z: 'z-score of the day volume against the previous 20 days (sample sd)',
  fear_greed:
    'Crypto Fear & Greed Index (alternative.me, 0-100) scaled to [0, 1]: the latest value published at or before the bar’s close, at most 2 days old (rows without one are left out)',
  funding_rate:
    'Binance BTC perpetual funding rate (market-wide leverage gauge, the same for every asset): the latest stored value at or before the bar’s close, at most 2 days old, in percent (rows without one are left out)',
  regime_prob:
    'FILTERED probability of the high-volatility regime of a 2-state Markov-switching model (switching mean and variance) of daily log returns: fitted by EM (quantile starts, at most 100 iterations, stop below a 1e-4 log-likelihood gain) on the 500 returns up to the first bar of the current 30-day block (refit every 30 calendar days), then Hamilton-filtered forward to this bar; never smoothed, no data after the bar',
} as const;

export type FeatureName = keyof typeof FEATURES;
export const FEATURE_NAMES = Object.keys(FEATURES) as FeatureName[];

/**
 * The default feature set: everything computed from the asset's own bars with a short warm-up.
 * `regime_prob` is opt-in (it needs REGIME_FEATURE_WARMUP bars and a model fit per 30-day block),
 * and so are the market series (`fear_greed`, `funding_rate`: only where the stored series
 * covers the date).
 */
export const PRICE_FEATURE_NAMES = FEATURE_NAMES.filter(
  (n) => n !== 'regime_prob' && n !== 'fear_greed' && n !== 'funding_rate',
);

/**
 * Features the issue names that this library cannot compute yet, with the reason. They are
 * listed in every model so a client sees the slot, never a made-up value.
 */
export const ABSENT_FEATURES: Record<string, string> = {
  social_sentiment:
    'no social-media sentiment history is shipped (a deployment configures LunarCrush or Santiment as a source)',
  search_trends: 'no search-trend history is shipped (a deployment configures Google Trends as a source)',
};

/**
 * A stored market-wide series (time ascending, epoch ms), as read through the market clock.
 * Features over it take the latest value at or before a bar's close, if recent enough.
 */
export interface MarketSeries {
  time: readonly number[];
  value: readonly number[];
}

/** The market-series features and the `market_indicators` series each reads. */
export const MARKET_SERIES_FEATURES = { fear_greed: 'fear_greed', funding_rate: 'btc_funding_rate' } as const;
export type MarketFeature = keyof typeof MARKET_SERIES_FEATURES;
export type MarketInputs = Partial<Record<MarketFeature, MarketSeries>>;

/** A market value is used for at most this long after it was stamped. */
export const MARKET_SERIES_MAX_AGE_MS = 2 * 86_400_000;

/** The latest value stamped at or before `t` and not older than the max age, or NaN. */
function valueAsOf(s: MarketSeries | undefined, t: number): number {
  if (!s || s.time.length === 0) return Number.NaN;
  let lo = 0;
  let hi = s.time.length - 1;
  if ((s.time[0] as number) > t) return Number.NaN;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((s.time[mid] as number) <= t) lo = mid;
    else hi = mid - 1;
  }
  return t - (s.time[lo] as number) <= MARKET_SERIES_MAX_AGE_MS ? (s.value[lo] as number) : Number.NaN;
}

/** First bar every feature is defined at (MACD's signal warm-up is the longest: 33). */
export const FEATURE_WARMUP = 33;

/** The regime feature's model: returns per fit, days per refit block, states. */
export const REGIME_FEATURE = {
  window: 500,
  refitDays: 30,
  regimes: 2,
  maxIterations: 100,
  tolerance: 1e-4,
} as const;

/**
 * First bar `regime_prob` is defined at: a block's fit needs `window` returns before the
 * block's first bar, which can be up to `refitDays` bars before the bar itself.
 */
export const REGIME_FEATURE_WARMUP = REGIME_FEATURE.window + REGIME_FEATURE.refitDays + 1;

/** First feature row for a set of features. */
export function featureWarmup(names: readonly string[]): number {
  return names.includes('regime_prob') ? REGIME_FEATURE_WARMUP : FEATURE_WARMUP;
}

const DAY_MS = 86_400_000;

/**
 * `regime_prob` for every bar (NaN where undefined). Bars are grouped in blocks of
 * `refitDays` calendar days (by the UTC day of their time, anchored at the epoch, so a series
 * cut at any start gets the same blocks). For a block whose first bar is j, the model is
 * fitted on the log returns (percent) of bars j-window+1..j, all known at bar j's close, and
 * filtered forward from bar j-window+1; bar i of the block gets P(S_i = high-volatility | returns
 * up to i). Nothing after bar i enters bar i's value, and a value depends only on the last
 * window + refitDays bars, so training and inference compute the same number.
 */
export function regimeProbabilities(bars: readonly Bar[]): Float64Array {
  const n = bars.length;
  const out = new Float64Array(n).fill(Number.NaN);
  const { window, refitDays, regimes } = REGIME_FEATURE;
  // r[i] = log return into bar i (i >= 1), percent.
  const r = new Float64Array(n);
  for (let i = 1; i < n; i++) r[i] = 100 * Math.log((bars[i] as Bar).close / (bars[i - 1] as Bar).close);
  const block = (i: number) => Math.floor(Math.floor((bars[i] as Bar).time / DAY_MS) / refitDays);
  let j = 0;
  while (j < n) {
    let end = j;
    while (end + 1 < n && block(end + 1) === block(j)) end++;
    const from = j - window + 1;
    if (from >= 1) {
      const fit = fitMarkovSwitching(r.subarray(from, j + 1), {
        regimes,
        switchingVariance: true,
        maxIterations: REGIME_FEATURE.maxIterations,
        tolerance: REGIME_FEATURE.tolerance,
        polish: false,
      });
      const hi = (fit.params.variances[1] as number) > (fit.params.variances[0] as number) ? 1 : 0;
      const f = hamiltonFilter(r.subarray(from, end + 1), fit.params);
      for (let i = j; i <= end; i++) out[i] = (f.filtered[i - from] as number[])[hi] as number;
    }
    j = end + 1;
  }
  return out;
}

export function assertFeatureNames(names: readonly string[]): FeatureName[] {
  if (names.length === 0) throw new QuantInputError('INVALID_PARAMETER', 'features', 'at least one feature');
  const seen = new Set<string>();
  for (const n of names) {
    if (!(n in FEATURES))
      throw new QuantInputError(
        'INVALID_PARAMETER',
        'features',
        `unknown feature '${n}'${n in ABSENT_FEATURES ? ` (${ABSENT_FEATURES[n]})` : ''}`,
      );
    if (seen.has(n)) throw new QuantInputError('INVALID_PARAMETER', 'features', `duplicate feature '${n}'`);
    seen.add(n);
  }
  return names as FeatureName[];
}

/**
 * The feature matrix of a daily series: one row per bar from `FEATURE_WARMUP`, each column one
 * named feature. Returns the bar index of each row too. Causal: row i depends on bars <= i.
 */
export function featureMatrix(
  bars: readonly Bar[],
  names: readonly FeatureName[],
  market: MarketInputs = {},
): { rows: number[][]; index: number[] } {
  const n = bars.length;
  const close = bars.map((b) => b.close);
  const high = bars.map((b) => b.high);
  const low = bars.map((b) => b.low);
  const vol = bars.map((b) => b.volume);
  for (let i = 0; i < n; i++)
    if (!((close[i] as number) > 0))
      throw new QuantInputError('NON_POSITIVE_PRICE', 'close', 'must be > 0', i);
  const r = rsi(close, 14);
  const m = macd(close);
  const bb = bollinger(close, { period: 20, multiplier: 2 });
  const a = atr(high, low, close, 14);
  const ret1 = close.map((c, i) => (i > 0 ? c / (close[i - 1] as number) - 1 : Number.NaN));
  const regime = names.includes('regime_prob') ? regimeProbabilities(bars) : null;
  const rows: number[][] = [];
  const index: number[] = [];
  for (let i = featureWarmup(names); i < n; i++) {
    const c = close[i] as number;
    const row = names.map((name): number => {
      switch (name) {
        case 'ret_1d':
          return ret1[i] as number;
        case 'ret_5d':
          return c / (close[i - 5] as number) - 1;
        case 'ret_20d':
          return c / (close[i - 20] as number) - 1;
        case 'rsi_14':
          return (r[i] as number) / 100;
        case 'macd_hist':
          return (m.histogram[i] as number) / c;
        case 'bb_pctb': {
          const width = (bb.upper[i] as number) - (bb.lower[i] as number);
          return width > 0 ? (c - (bb.lower[i] as number)) / width : 0.5;
        }
        case 'atr_pct':
          return (a[i] as number) / c;
        case 'vol_20d': {
          let s = 0;
          for (let j = i - 19; j <= i; j++) s += ret1[j] as number;
          const mu = s / 20;
          let v = 0;
          for (let j = i - 19; j <= i; j++) v += ((ret1[j] as number) - mu) ** 2;
          return Math.sqrt(v / 19);
        }
        case 'volume_z': {
          let s = 0;
          for (let j = i - 20; j < i; j++) s += vol[j] as number;
          const mu = s / 20;
          let v = 0;
          for (let j = i - 20; j < i; j++) v += ((vol[j] as number) - mu) ** 2;
          const sd = Math.sqrt(v / 19);
          return sd > 0 ? ((vol[i] as number) - mu) / sd : 0;
        }
        case 'regime_prob':
          return (regime as Float64Array)[i] as number;
        case 'fear_greed':
          return valueAsOf(market.fear_greed, (bars[i] as Bar).time) / 100;
        case 'funding_rate':
          return valueAsOf(market.funding_rate, (bars[i] as Bar).time);
        default:
          throw new QuantInputError('INVALID_PARAMETER', 'features', `unknown feature '${String(name)}'`);
      }
    });
    // A market series that does not cover this bar leaves the row out (never a made-up value).
    if (row.some((v) => Number.isNaN(v))) continue;
    rows.push(row);
    index.push(i);
  }
  return { rows, index };
}

/**
 * A supervised dataset: label y = 1 when the close `horizon` bars later is above today's
 * close. Only bars whose label is known (i + horizon < bars.length) are included; the label
 * ends at bar i + horizon's time, which the walk-forward split purges on.
 */
export function buildDataset(
  bars: readonly Bar[],
  names: readonly FeatureName[],
  horizon: number,
  market: MarketInputs = {},
): Dataset & { barIndex: number[] } {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 60)
    throw new QuantInputError('INVALID_PARAMETER', 'horizon', 'must be an integer in 1..60');
  const { rows, index } = featureMatrix(bars, names, market);
  const x: number[][] = [];
  const y: (0 | 1)[] = [];
  const decisionTimes: number[] = [];
  const labelEnds: number[] = [];
  const nextReturns: number[] = [];
  const barIndex: number[] = [];
  rows.forEach((row, k) => {
    const i = index[k] as number;
    if (i + horizon >= bars.length) return;
    const c = (bars[i] as Bar).close;
    x.push(row);
    y.push((bars[i + horizon] as Bar).close > c ? 1 : 0);
    decisionTimes.push((bars[i] as Bar).time);
    labelEnds.push((bars[i + horizon] as Bar).time);
    nextReturns.push((bars[i + 1] as Bar).close / c - 1);
    barIndex.push(i);
  });
  return { x, y, decisionTimes, labelEnds, nextReturns, barIndex };
}
