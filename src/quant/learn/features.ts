import { QuantInputError } from '../errors';
import { macd, rsi } from '../momentum';
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
} as const;

export type FeatureName = keyof typeof FEATURES;
export const FEATURE_NAMES = Object.keys(FEATURES) as FeatureName[];

/**
 * Features the issue names that this library cannot compute yet, with the reason. They are
 * listed in every model so a client sees the slot, never a made-up value.
 */
export const ABSENT_FEATURES: Record<string, string> = {
  regime_prob:
    'Markov-switching regime probabilities: the regime model (src/quant/regime.ts) is not available in this build',
  funding_rate: 'perpetual funding history is not part of the shipped daily dataset for these assets',
  fear_greed: 'Fear & Greed history is not joined to the per-asset daily features yet',
};

/** First bar every feature is defined at (MACD's signal warm-up is the longest: 33). */
export const FEATURE_WARMUP = 33;

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
  const rows: number[][] = [];
  const index: number[] = [];
  for (let i = FEATURE_WARMUP; i < n; i++) {
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
        default:
          throw new QuantInputError('INVALID_PARAMETER', 'features', `unknown feature '${String(name)}'`);
      }
    });
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
): Dataset & { barIndex: number[] } {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 60)
    throw new QuantInputError('INVALID_PARAMETER', 'horizon', 'must be an integer in 1..60');
  const { rows, index } = featureMatrix(bars, names);
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
