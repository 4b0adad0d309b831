import { QuantInputError } from './errors';
import { smaUnchecked } from './moving-averages';
import { rollingExtreme } from './series';
import { assertCandles, assertFinite, assertPeriod, nanArray, type Series } from './validate';

/**
 * Relative Strength Index, Wilder (TA-Lib RSI, default compatibility).
 * Changes d[i] = x[i] - x[i-1]; the first average gain/loss is the plain mean of the first n
 * gains/losses (d[1..n]); then avg = (avg·(n-1) + today) / n. RSI = 100·avgGain/(avgGain+avgLoss).
 * First value at index n (NaN before). When avgGain + avgLoss = 0 (a flat window) the value
 * is 0, as TA-Lib returns. n >= 2.
 */
export function rsi(values: Series, period = 14): Float64Array {
  assertPeriod('period', period, 2);
  assertFinite('values', values);
  const n = values.length;
  const out = nanArray(n);
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  let prev = values[0] as number;
  for (let i = 1; i <= period; i++) {
    const v = values[i] as number;
    const d = v - prev;
    prev = v;
    if (d < 0) loss -= d;
    else gain += d;
  }
  loss /= period;
  gain /= period;
  let total = gain + loss;
  out[period] = total !== 0 ? 100 * (gain / total) : 0;
  const m = period - 1;
  for (let i = period + 1; i < n; i++) {
    const v = values[i] as number;
    const d = v - prev;
    prev = v;
    loss *= m;
    gain *= m;
    if (d < 0) loss -= d;
    else gain += d;
    loss /= period;
    gain /= period;
    total = gain + loss;
    out[i] = total !== 0 ? 100 * (gain / total) : 0;
  }
  return out;
}

export interface MacdOptions {
  /** Fast EMA period, default 12 (>= 2). */
  fast?: number;
  /** Slow EMA period, default 26 (>= fast). */
  slow?: number;
  /** Signal EMA period, default 9 (>= 1). */
  signal?: number;
}

export interface MacdResult {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

/**
 * MACD exactly as TA-Lib's TA_MACD (default compatibility):
 * - slow EMA seeded with the SMA of x[0..slow-1]; the fast EMA seeded with the SMA of the
 *   `fast` values ending on the same bar, x[slow-fast..slow-1], so both start at index slow-1;
 * - macd = fastEMA - slowEMA; signal = EMA(macd, signal) seeded with the SMA of its first
 *   `signal` values; histogram = macd - signal;
 * - all three outputs start at index (slow-1) + (signal-1) (33 for 12/26/9), NaN before —
 *   TA-Lib does not output the MACD line during the signal's warm-up, and neither do we.
 * k = 2/(n+1) for all three. Deviation: TA-Lib silently swaps fast > slow; we throw.
 */
export function macd(values: Series, options: MacdOptions = {}): MacdResult {
  const fast = options.fast ?? 12;
  const slow = options.slow ?? 26;
  const signalPeriod = options.signal ?? 9;
  assertPeriod('fast', fast, 2);
  assertPeriod('slow', slow, 2);
  assertPeriod('signal', signalPeriod, 1);
  if (fast > slow) {
    throw new QuantInputError('INVALID_PARAMETER', 'fast', `must be <= slow (${fast} > ${slow})`);
  }
  assertFinite('values', values);
  const n = values.length;
  const macdOut = nanArray(n);
  const signalOut = nanArray(n);
  const histOut = nanArray(n);
  const start = slow - 1 + (signalPeriod - 1);
  if (start >= n) return { macd: macdOut, signal: signalOut, histogram: histOut };

  const fastK = 2 / (fast + 1);
  const slowK = 2 / (slow + 1);
  const signalK = 2 / (signalPeriod + 1);
  let slowSum = 0;
  let i = 0;
  for (; i < slow - fast; i++) slowSum += values[i] as number;
  let fastSum = 0;
  for (; i < slow; i++) {
    const v = values[i] as number;
    fastSum += v;
    slowSum += v;
  }
  let prevSlow = slowSum / slow;
  let prevFast = fastSum / fast;
  let m = prevFast - prevSlow;
  // Seed the signal EMA with the mean of the first `signalPeriod` MACD values.
  let sig = m;
  for (; i <= start; i++) {
    const v = values[i] as number;
    prevFast = (v - prevFast) * fastK + prevFast;
    prevSlow = (v - prevSlow) * slowK + prevSlow;
    m = prevFast - prevSlow;
    sig += m;
  }
  sig /= signalPeriod;
  macdOut[start] = m;
  signalOut[start] = sig;
  histOut[start] = m - sig;
  for (; i < n; i++) {
    const v = values[i] as number;
    prevFast = (v - prevFast) * fastK + prevFast;
    prevSlow = (v - prevSlow) * slowK + prevSlow;
    m = prevFast - prevSlow;
    sig = (m - sig) * signalK + sig;
    macdOut[i] = m;
    signalOut[i] = sig;
    histOut[i] = m - sig;
  }
  return { macd: macdOut, signal: signalOut, histogram: histOut };
}

export interface StochasticOptions {
  /** %K look-back (highest high / lowest low window), default 5 as TA-Lib. */
  fastK?: number;
  /** SMA period smoothing fast %K into slow %K, default 3. */
  slowK?: number;
  /** SMA period of slow %K giving %D, default 3. */
  slowD?: number;
}

/**
 * Stochastic oscillator, TA-Lib STOCH with SMA smoothing (its defaults 5, 3, 3):
 * fastK[i] = 100·(C[i] - LL)/(HH - LL) over the last fastK bars (0 when HH = LL, as TA-Lib);
 * k = SMA(fastK, slowK) ("slow %K"); d = SMA(k, slowD).
 * Both k and d start at index (fastK-1)+(slowK-1)+(slowD-1), as TA-Lib outputs them.
 */
export function stochastic(
  high: Series,
  low: Series,
  close: Series,
  options: StochasticOptions = {},
): { k: Float64Array; d: Float64Array } {
  const fastK = options.fastK ?? 5;
  const slowK = options.slowK ?? 3;
  const slowD = options.slowD ?? 3;
  assertPeriod('fastK', fastK);
  assertPeriod('slowK', slowK);
  assertPeriod('slowD', slowD);
  const n = assertCandles({ high, low, close });
  const start = fastK - 1 + slowK - 1 + slowD - 1;
  if (start >= n) return { k: nanArray(n), d: nanArray(n) };
  const hh = rollingExtreme(high, fastK, true);
  const ll = rollingExtreme(low, fastK, false);
  const raw = nanArray(n);
  for (let i = fastK - 1; i < n; i++) {
    const lowest = ll[i] as number;
    // TA-Lib divides by (HH-LL)/100 rather than multiplying by 100: kept for bit-parity.
    const diff = ((hh[i] as number) - lowest) / 100;
    raw[i] = diff !== 0 ? ((close[i] as number) - lowest) / diff : 0;
  }
  const k = smaUnchecked(raw, slowK, fastK - 1);
  const d = smaUnchecked(k, slowD, fastK - 1 + slowK - 1);
  // TA-Lib emits slow %K only from the first bar that also has a %D.
  for (let i = 0; i < start; i++) k[i] = Number.NaN;
  return { k, d };
}

/**
 * Rate of change (TA-Lib ROC): 100·(x[i]/x[i-n] - 1). First value at index n.
 * When x[i-n] = 0 the value is 0, as TA-Lib. n >= 1.
 */
export function roc(values: Series, period = 10): Float64Array {
  assertPeriod('period', period);
  assertFinite('values', values);
  const n = values.length;
  const out = nanArray(n);
  for (let i = period; i < n; i++) {
    const prev = values[i - period] as number;
    out[i] = prev !== 0 ? ((values[i] as number) / prev - 1) * 100 : 0;
  }
  return out;
}

/**
 * Commodity Channel Index (TA-Lib CCI): TP = (H+L+C)/3, SMA and mean absolute deviation of
 * TP over n bars, CCI = (TP - SMA)/(0.015·MAD). First value at index n-1. 0 when the
 * numerator or MAD is zero relative to the average's magnitude (|v| <= 1e-14·|SMA|, TA-Lib's
 * scale-aware test, so a flat window gives 0 at any price scale). n >= 2. O(n·period).
 */
export function cci(high: Series, low: Series, close: Series, period = 14): Float64Array {
  assertPeriod('period', period, 2);
  const n = assertCandles({ high, low, close });
  const out = nanArray(n);
  if (period > n) return out;
  const tp = new Float64Array(n);
  for (let i = 0; i < n; i++) tp[i] = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3;
  for (let i = period - 1; i < n; i++) {
    const from = i - period + 1;
    let sum = 0;
    for (let j = from; j <= i; j++) sum += tp[j] as number;
    const avg = sum / period;
    let dev = 0;
    for (let j = from; j <= i; j++) dev += Math.abs((tp[j] as number) - avg);
    dev /= period;
    const num = (tp[i] as number) - avg;
    const eps = 1e-14 * Math.abs(avg);
    out[i] = Math.abs(num) > eps && dev > eps ? num / (0.015 * dev) : 0;
  }
  return out;
}
