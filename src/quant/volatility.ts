import { smaUnchecked } from './moving-averages';
import { rollingExtreme } from './series';
import {
  assertCandles,
  assertFinite,
  assertFiniteNumber,
  assertPeriod,
  nanArray,
  type Series,
} from './validate';

export interface BollingerOptions {
  /** SMA window, default 20 (>= 2). */
  period?: number;
  /** Band width in standard deviations, default 2 (TA-Lib nbDevUp = nbDevDn). */
  multiplier?: number;
}

export interface BandsResult {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

/**
 * Bollinger Bands (TA-Lib BBANDS with MA type SMA): middle = SMA(n);
 * upper/lower = middle ± k·σ, σ the POPULATION standard deviation (divide by n) of the same
 * window. First value at index n-1. A constant window has σ = 0: the three bands coincide.
 * Numerics: σ² is updated per step with the exact add/remove identity
 * M2' = M2 + (x_new - x_old)(x_new - mean' + x_old - mean), recomputed two-pass once per
 * window so rounding never accumulates, instead of TA-Lib's E[x²] - mean², which cancels
 * catastrophically; variances below (1e-14·|mean|)² are
 * treated as 0 (scale-aware, unlike TA-Lib 0.4's absolute 1e-8 that flattened the bands
 * of any asset priced below about 0.01).
 */
export function bollinger(values: Series, options: BollingerOptions = {}): BandsResult {
  const period = options.period ?? 20;
  const k = options.multiplier ?? 2;
  assertPeriod('period', period, 2);
  assertFiniteNumber('multiplier', k);
  assertFinite('values', values);
  const n = values.length;
  const middle = smaUnchecked(values, period, 0);
  const upper = nanArray(n);
  const lower = nanArray(n);
  if (period > n) return { upper, middle, lower };
  // σ² has its own running mean (Welford-style), kept separate from the SMA so the update
  // identity below holds exactly; both are re-anchored two-pass once per window.
  let mean = 0;
  let m2 = 0;
  for (let i = period - 1; i < n; i++) {
    if ((i - period + 1) % period === 0) {
      let sum = 0;
      for (let j = i - period + 1; j <= i; j++) sum += values[j] as number;
      mean = sum / period;
      m2 = 0;
      for (let j = i - period + 1; j <= i; j++) {
        const d = (values[j] as number) - mean;
        m2 += d * d;
      }
    } else {
      const xNew = values[i] as number;
      const xOld = values[i - period] as number;
      const newMean = mean + (xNew - xOld) / period;
      m2 += (xNew - xOld) * (xNew - newMean + xOld - mean);
      mean = newMean;
    }
    const variance = m2 / period;
    const floor = 1e-14 * mean;
    const sd = variance > floor * floor ? Math.sqrt(variance) : 0;
    const mid = middle[i] as number;
    upper[i] = mid + k * sd;
    lower[i] = mid - k * sd;
  }
  return { upper, middle, lower };
}

/**
 * True range (TA-Lib TRANGE): max(H - L, |H - C[i-1]|, |L - C[i-1]|). First value at
 * index 1 (it needs the previous close).
 */
export function trueRange(high: Series, low: Series, close: Series): Float64Array {
  const n = assertCandles({ high, low, close });
  return trueRangeUnchecked(high, low, close, n);
}

function trueRangeUnchecked(high: Series, low: Series, close: Series, n: number): Float64Array {
  const out = nanArray(n);
  for (let i = 1; i < n; i++) {
    const h = high[i] as number;
    const l = low[i] as number;
    const pc = close[i - 1] as number;
    let tr = h - l;
    const a = Math.abs(pc - h);
    if (a > tr) tr = a;
    const b = Math.abs(pc - l);
    if (b > tr) tr = b;
    out[i] = tr;
  }
  return out;
}

/**
 * Average true range, Wilder (TA-Lib ATR): the first value is the mean of TR[1..n], at
 * index n; then atr = (atr·(n-1) + TR)/n. NaN before index n. n >= 1.
 */
export function atr(high: Series, low: Series, close: Series, period = 14): Float64Array {
  assertPeriod('period', period);
  const n = assertCandles({ high, low, close });
  const out = nanArray(n);
  if (n <= period) return out;
  const tr = trueRangeUnchecked(high, low, close, n);
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += tr[i] as number;
  let prev = sum / period;
  out[period] = prev;
  const m = period - 1;
  for (let i = period + 1; i < n; i++) {
    prev *= m;
    prev += tr[i] as number;
    prev /= period;
    out[i] = prev;
  }
  return out;
}

/**
 * Donchian channels (not in TA-Lib; Donchian's definition, current bar included):
 * upper = highest high of the last n bars, lower = lowest low, middle = (upper+lower)/2.
 * First value at index n-1. O(n) with monotonic deques. n >= 1.
 */
export function donchian(high: Series, low: Series, period = 20): BandsResult {
  assertPeriod('period', period);
  const n = assertCandles({ high, low });
  const upper = rollingExtreme(high, period, true);
  const lower = rollingExtreme(low, period, false);
  const middle = nanArray(n);
  for (let i = period - 1; i < n; i++) middle[i] = ((upper[i] as number) + (lower[i] as number)) / 2;
  return { upper, middle, lower };
}
