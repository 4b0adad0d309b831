import { assertFinite, assertPeriod, nanArray, type Series } from './validate';

/**
 * Simple moving average (TA-Lib SMA): out[i] = (x[i-n+1] + ... + x[i]) / n.
 * First value at index n-1 (NaN before). Running sum (TA-Lib's), re-anchored once per window
 * to stop rounding drift. n >= 1 (TA-Lib needs 2; n = 1 is the identity).
 */
export function sma(values: Series, period: number): Float64Array {
  assertPeriod('period', period);
  assertFinite('values', values);
  return smaUnchecked(values, period, 0);
}

/** SMA over values[from..], written at the same indices (warm-up NaN elsewhere). */
export function smaUnchecked(values: Series, period: number, from: number): Float64Array {
  const n = values.length;
  const out = nanArray(n);
  const first = from + period - 1;
  if (first >= n) return out;
  let sum = 0;
  for (let i = from; i < first; i++) sum += values[i] as number;
  let trailing = from;
  // Same order of operations as TA-Lib: add, emit, then subtract the trailing value. Unlike
  // TA-Lib, the sum is recomputed once per window, so rounding made while prices were high
  // cannot accumulate into the average after they fall (amortized one extra add per bar).
  for (let i = first; i < n; i++) {
    if (i > first && (i - first) % period === 0) {
      sum = 0;
      for (let j = i - period + 1; j < i; j++) sum += values[j] as number;
    }
    sum += values[i] as number;
    out[i] = sum / period;
    sum -= values[trailing++] as number;
  }
  return out;
}

/**
 * Exponential moving average (TA-Lib EMA, default compatibility): k = 2/(n+1),
 * seeded with the SMA of the first n values, then ema[i] = (x[i] - ema[i-1])·k + ema[i-1].
 * First value at index n-1. n >= 1 (n = 1 is the identity).
 */
export function ema(values: Series, period: number): Float64Array {
  assertPeriod('period', period);
  assertFinite('values', values);
  return emaUnchecked(values, period, 2 / (period + 1), 0);
}

/** EMA with smoothing factor k over values[from..], seeded with the SMA of its first n values. */
export function emaUnchecked(values: Series, period: number, k: number, from: number): Float64Array {
  const n = values.length;
  const out = nanArray(n);
  const first = from + period - 1;
  if (first >= n) return out;
  let sum = 0;
  for (let i = from; i <= first; i++) sum += values[i] as number;
  let prev = sum / period;
  out[first] = prev;
  for (let i = first + 1; i < n; i++) {
    prev = ((values[i] as number) - prev) * k + prev;
    out[i] = prev;
  }
  return out;
}

/**
 * Weighted moving average (TA-Lib WMA): linear weights 1..n, the newest weighted n:
 * out[i] = Σ_{j=0}^{n-1} (n-j)·x[i-j] / (n(n+1)/2). First value at index n-1.
 * O(1) per step with TA-Lib's running weighted sum and plain sum, re-anchored once per window.
 * n >= 1.
 */
export function wma(values: Series, period: number): Float64Array {
  assertPeriod('period', period);
  assertFinite('values', values);
  const n = values.length;
  const out = nanArray(n);
  if (period > n) return out;
  const divider = (period * (period + 1)) / 2;
  let periodSum = 0; // Σ weight·x over the window
  let periodSub = 0; // Σ x over the window
  for (let i = 0; i < period - 1; i++) {
    const v = values[i] as number;
    periodSub += v;
    periodSum += v * (i + 1);
  }
  let trailingValue = 0;
  let trailing = 0;
  for (let i = period - 1; i < n; i++) {
    if (i >= period && (i - period + 1) % period === 0) {
      // Re-anchor the running sums once per window (see sma).
      periodSum = 0;
      periodSub = 0;
      for (let j = 1; j < period; j++) {
        const w = values[i - period + j] as number;
        periodSum += w * j;
        periodSub += w;
      }
      periodSub += trailingValue;
    }
    const v = values[i] as number;
    periodSub += v;
    periodSub -= trailingValue;
    periodSum += v * period;
    trailingValue = values[trailing++] as number;
    out[i] = periodSum / divider;
    periodSum -= periodSub;
  }
  return out;
}
