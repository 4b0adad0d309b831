import { QuantInputError } from './errors';
import { assertCandles, assertPeriod, nanArray, type Series } from './validate';

function assertNonNegativeVolume(volume: Series): void {
  for (let i = 0; i < volume.length; i++) {
    if ((volume[i] as number) < 0) {
      throw new QuantInputError('INVALID_PARAMETER', 'volume', `volume at index ${i} is negative`, i);
    }
  }
}

/**
 * On-balance volume (TA-Lib OBV): obv[0] = volume[0]; then obv[i] = obv[i-1] + volume[i]
 * if close rises, - volume[i] if it falls, unchanged if equal. No warm-up. TA-Lib starts
 * from the first bar's volume (not 0), and so do we; only differences of OBV are meaningful.
 */
export function obv(close: Series, volume: Series): Float64Array {
  const n = assertCandles({ close, volume });
  const out = new Float64Array(n);
  if (n === 0) return out;
  let prev = volume[0] as number;
  let prevClose = close[0] as number;
  out[0] = prev;
  for (let i = 1; i < n; i++) {
    const c = close[i] as number;
    if (c > prevClose) prev += volume[i] as number;
    else if (c < prevClose) prev -= volume[i] as number;
    prevClose = c;
    out[i] = prev;
  }
  return out;
}

export interface VwapOptions {
  /** Rolling window in bars; omit for the cumulative VWAP from the first bar. */
  window?: number;
}

/**
 * Volume-weighted average price of the typical price TP = (H+L+C)/3:
 * VWAP = Σ TP·V / Σ V, cumulative from bar 0 or over a rolling `window` (first value at
 * index window-1). Where no volume has traded (Σ V = 0) the value is NaN (null in series),
 * tracked with a count of non-zero-volume bars so rounding residue never divides. Volumes
 * must be >= 0. Not in TA-Lib; sessions (daily resets) are the caller's slicing.
 */
export function vwap(
  high: Series,
  low: Series,
  close: Series,
  volume: Series,
  options: VwapOptions = {},
): Float64Array {
  const n = assertCandles({ high, low, close, volume });
  assertNonNegativeVolume(volume);
  const window = options.window;
  if (window !== undefined) assertPeriod('window', window);
  const out = nanArray(n);
  let pv = 0;
  let vol = 0;
  let traded = 0;
  for (let i = 0; i < n; i++) {
    const v = volume[i] as number;
    const tp = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3;
    pv += tp * v;
    vol += v;
    if (v > 0) traded++;
    if (window !== undefined && i >= window) {
      const j = i - window;
      const vOld = volume[j] as number;
      pv -= (((high[j] as number) + (low[j] as number) + (close[j] as number)) / 3) * vOld;
      vol -= vOld;
      if (vOld > 0) traded--;
    }
    if (traded === 0) {
      pv = 0;
      vol = 0;
      continue;
    }
    if (window === undefined || i >= window - 1) out[i] = pv / vol;
  }
  return out;
}
