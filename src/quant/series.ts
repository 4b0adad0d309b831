import { assertFinite, assertPeriod, nanArray, type Series } from './validate';

/**
 * Turns an indicator output into JSON-ready values: warm-up `NaN` becomes `null`, every
 * other value is copied as is. Indicators never produce NaN after their warm-up, so `null`
 * always means "not enough data yet".
 */
export function toSeries(values: ArrayLike<number>): (number | null)[] {
  const n = values.length;
  const out = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    out[i] = Number.isNaN(v) ? null : v;
  }
  return out;
}

/** The last value that is not warm-up NaN, or null if there is none. */
export function lastValue(values: ArrayLike<number>): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) return v;
  }
  return null;
}

/**
 * Rolling maximum over the last `period` values including the current one (TA-Lib MAX):
 * out[i] = max(x[i-period+1..i]); NaN for i < period-1. O(n) with a monotonic deque.
 */
export function rollingMax(values: Series, period: number): Float64Array {
  assertPeriod('period', period);
  assertFinite('values', values);
  return rollingExtreme(values, period, true);
}

/**
 * Rolling minimum over the last `period` values including the current one (TA-Lib MIN):
 * out[i] = min(x[i-period+1..i]); NaN for i < period-1. O(n) with a monotonic deque.
 */
export function rollingMin(values: Series, period: number): Float64Array {
  assertPeriod('period', period);
  assertFinite('values', values);
  return rollingExtreme(values, period, false);
}

/** Unchecked rolling max/min (inputs already validated by the caller). */
export function rollingExtreme(values: Series, period: number, isMax: boolean): Float64Array {
  const n = values.length;
  const out = nanArray(n);
  // The deque holds indices whose values are strictly monotonic (decreasing for max), so
  // the head is always the extreme of the window; each index enters and leaves once.
  const deque = new Int32Array(Math.max(n, 1));
  let head = 0;
  let tail = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (isMax) {
      while (tail > head && (values[deque[tail - 1] as number] as number) <= v) tail--;
    } else {
      while (tail > head && (values[deque[tail - 1] as number] as number) >= v) tail--;
    }
    deque[tail++] = i;
    if ((deque[head] as number) <= i - period) head++;
    if (i >= period - 1) out[i] = values[deque[head] as number] as number;
  }
  return out;
}
