import { rollingExtreme } from './series';
import { assertCandles, assertPeriod, nanArray, type Series } from './validate';

export interface AdxResult {
  adx: Float64Array;
  plusDI: Float64Array;
  minusDI: Float64Array;
}

/**
 * ADX with +DI and -DI, Wilder, exactly as TA-Lib's ADX / PLUS_DI / MINUS_DI:
 * +DM1 = H - H[-1] if that exceeds both 0 and L[-1] - L, else 0 (and symmetrically -DM1);
 * TR1 the true range. The first smoothed DMn/TRn is the sum of the first n-1 one-bar values
 * (bars 1..n-1); from bar n on, S = S - S/n + today. ±DI = 100·DMn/TRn (0 when TRn = 0),
 * first value at index n. DX = 100·|+DI - -DI|/(+DI + -DI); the first ADX is the mean of the
 * n DX values at bars n..2n-1 (a bar with TRn = 0 or +DI + -DI = 0 adds 0), at index 2n-1;
 * then ADX = (ADX·(n-1) + DX)/n (unchanged on such bars). n >= 2.
 */
export function adx(high: Series, low: Series, close: Series, period = 14): AdxResult {
  assertPeriod('period', period, 2);
  const n = assertCandles({ high, low, close });
  const adxOut = nanArray(n);
  const plusOut = nanArray(n);
  const minusOut = nanArray(n);
  if (n <= period) return { adx: adxOut, plusDI: plusOut, minusDI: minusOut };

  let prevHigh = high[0] as number;
  let prevLow = low[0] as number;
  let prevClose = close[0] as number;
  let plusDM = 0;
  let minusDM = 0;
  let tr = 0;
  let sumDX = 0;
  let prevADX = 0;
  const adxStart = 2 * period - 1;
  for (let i = 1; i < n; i++) {
    const h = high[i] as number;
    const l = low[i] as number;
    const diffP = h - prevHigh;
    const diffM = prevLow - l;
    prevHigh = h;
    prevLow = l;
    let range = h - l;
    const a = Math.abs(h - prevClose);
    if (a > range) range = a;
    const b = Math.abs(l - prevClose);
    if (b > range) range = b;
    prevClose = close[i] as number;
    if (i < period) {
      if (diffM > 0 && diffP < diffM) minusDM += diffM;
      else if (diffP > 0 && diffP > diffM) plusDM += diffP;
      tr += range;
      continue;
    }
    minusDM -= minusDM / period;
    plusDM -= plusDM / period;
    if (diffM > 0 && diffP < diffM) minusDM += diffM;
    else if (diffP > 0 && diffP > diffM) plusDM += diffP;
    tr = tr - tr / period + range;
    let plusDI = 0;
    let minusDI = 0;
    let dx = Number.NaN;
    if (tr !== 0) {
      minusDI = 100 * (minusDM / tr);
      plusDI = 100 * (plusDM / tr);
      const sum = minusDI + plusDI;
      if (sum !== 0) dx = 100 * (Math.abs(minusDI - plusDI) / sum);
    }
    plusOut[i] = plusDI;
    minusOut[i] = minusDI;
    if (i < adxStart) {
      if (!Number.isNaN(dx)) sumDX += dx;
    } else if (i === adxStart) {
      if (!Number.isNaN(dx)) sumDX += dx;
      prevADX = sumDX / period;
      adxOut[i] = prevADX;
    } else {
      if (!Number.isNaN(dx)) prevADX = (prevADX * (period - 1) + dx) / period;
      adxOut[i] = prevADX;
    }
  }
  return { adx: adxOut, plusDI: plusOut, minusDI: minusOut };
}

export interface IchimokuOptions {
  /** Tenkan-sen (conversion line) window, default 9. */
  conversion?: number;
  /** Kijun-sen (base line) window, default 26. */
  base?: number;
  /** Senkou span B window, default 52. */
  spanB?: number;
  /** Bars the spans are shifted forward and the lagging span back, default 26. */
  displacement?: number;
}

export interface IchimokuResult {
  /** (HH + LL)/2 over `conversion` bars; from index conversion-1. */
  tenkan: Float64Array;
  /** (HH + LL)/2 over `base` bars; from index base-1. */
  kijun: Float64Array;
  /** Span A as plotted at bar i: (tenkan + kijun)/2 computed at bar i - displacement. */
  senkouA: Float64Array;
  /** Span B as plotted at bar i: (HH + LL)/2 over `spanB` bars ending at i - displacement. */
  senkouB: Float64Array;
  /** Lagging span as plotted at bar i: close[i + displacement] (NaN for the last bars). */
  chikou: Float64Array;
  /** The cloud ahead of the last bar: span A for bars n .. n+displacement-1. */
  projectedSenkouA: Float64Array;
  /** The cloud ahead of the last bar: span B for bars n .. n+displacement-1. */
  projectedSenkouB: Float64Array;
}

/**
 * Ichimoku Kinko Hyo (Hosoda; not in TA-Lib), aligned to the input bars: every line is
 * given as plotted, the spans shifted forward by `displacement` bars (value computed at bar
 * t is shown at t + displacement) and the lagging span shifted back. Defaults 9/26/52/26.
 */
export function ichimoku(
  high: Series,
  low: Series,
  close: Series,
  options: IchimokuOptions = {},
): IchimokuResult {
  const conversion = options.conversion ?? 9;
  const base = options.base ?? 26;
  const spanB = options.spanB ?? 52;
  const displacement = options.displacement ?? 26;
  assertPeriod('conversion', conversion);
  assertPeriod('base', base);
  assertPeriod('spanB', spanB);
  assertPeriod('displacement', displacement, 0);
  const n = assertCandles({ high, low, close });
  const mid = (period: number): Float64Array => {
    const hh = rollingExtreme(high, period, true);
    const ll = rollingExtreme(low, period, false);
    for (let i = 0; i < n; i++) hh[i] = ((hh[i] as number) + (ll[i] as number)) / 2;
    return hh;
  };
  const tenkan = mid(conversion);
  const kijun = mid(base);
  const spanBRaw = mid(spanB);
  const senkouA = nanArray(n);
  const senkouB = nanArray(n);
  const chikou = nanArray(n);
  const projectedSenkouA = nanArray(displacement);
  const projectedSenkouB = nanArray(displacement);
  for (let t = 0; t < n; t++) {
    const a = ((tenkan[t] as number) + (kijun[t] as number)) / 2;
    const target = t + displacement;
    if (target < n) {
      senkouA[target] = a;
      senkouB[target] = spanBRaw[t] as number;
    } else {
      projectedSenkouA[target - n] = a;
      projectedSenkouB[target - n] = spanBRaw[t] as number;
    }
    if (t >= displacement) chikou[t - displacement] = close[t] as number;
  }
  return { tenkan, kijun, senkouA, senkouB, chikou, projectedSenkouA, projectedSenkouB };
}
