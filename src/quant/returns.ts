import { varianceUnchecked } from './stats';
import {
  assertFinite,
  assertPeriod,
  assertPositive,
  assertPositivePrices,
  nanArray,
  type Series,
} from './validate';

/**
 * Simple returns r[i] = p[i+1]/p[i] - 1. The output has length n-1 (r[i] is the return
 * INTO bar i+1), empty for n < 2. Prices must be finite and > 0.
 */
export function simpleReturns(prices: Series): Float64Array {
  assertFinite('prices', prices);
  assertPositivePrices('prices', prices);
  const n = prices.length;
  const out = new Float64Array(Math.max(n - 1, 0));
  for (let i = 1; i < n; i++) out[i - 1] = (prices[i] as number) / (prices[i - 1] as number) - 1;
  return out;
}

/** Log returns r[i] = ln(p[i+1]/p[i]), length n-1. Prices must be finite and > 0. */
export function logReturns(prices: Series): Float64Array {
  assertFinite('prices', prices);
  assertPositivePrices('prices', prices);
  const n = prices.length;
  const out = new Float64Array(Math.max(n - 1, 0));
  for (let i = 1; i < n; i++) out[i - 1] = Math.log((prices[i] as number) / (prices[i - 1] as number));
  return out;
}

/** Compounded return Π(1 + r) - 1 of simple returns; 0 for an empty series. */
export function cumulativeReturn(returns: Series): number {
  assertFinite('returns', returns);
  let w = 1;
  for (let i = 0; i < returns.length; i++) w *= 1 + (returns[i] as number);
  return w - 1;
}

/**
 * Annualized (geometric, CAGR) return of simple per-period returns:
 * (Π(1 + r))^(periodsPerYear/n) - 1; -1 if the wealth reached 0; null when empty.
 * periodsPerYear is the caller's: 365 for crypto daily bars, 252 for equities.
 */
export function annualizedReturn(returns: Series, periodsPerYear: number): number | null {
  assertPositive('periodsPerYear', periodsPerYear);
  const n = returns.length;
  if (n === 0) return null;
  const w = cumulativeReturn(returns) + 1;
  if (w <= 0) return -1;
  return w ** (periodsPerYear / n) - 1;
}

/**
 * Annualized volatility: sample standard deviation (n-1) of per-period returns × √periodsPerYear.
 * null when fewer than 2 returns.
 */
export function annualizedVolatility(returns: Series, periodsPerYear: number): number | null {
  assertPositive('periodsPerYear', periodsPerYear);
  assertFinite('returns', returns);
  if (returns.length < 2) return null;
  return Math.sqrt(varianceUnchecked(returns) * periodsPerYear);
}

export interface RollingVolatilityOptions {
  /** Multiply by √periodsPerYear to annualize; omit for per-period volatility. */
  periodsPerYear?: number;
}

/**
 * Rolling sample standard deviation (n-1) of returns over `window` observations, aligned to
 * the returns: out[i] covers returns[i-window+1..i], NaN for i < window-1. Optionally
 * annualized by √periodsPerYear. O(n): the window's sum of squared deviations is updated with
 * M2' = M2 + (x_new - x_old)(x_new - mean' + x_old - mean) and recomputed two-pass once per
 * window, so rounding never accumulates. window >= 2.
 */
export function rollingVolatility(
  returns: Series,
  window: number,
  options: RollingVolatilityOptions = {},
): Float64Array {
  assertPeriod('window', window, 2);
  assertFinite('returns', returns);
  if (options.periodsPerYear !== undefined) assertPositive('periodsPerYear', options.periodsPerYear);
  const scale = Math.sqrt(options.periodsPerYear ?? 1);
  const n = returns.length;
  const out = nanArray(n);
  if (window > n) return out;
  let sum = 0;
  for (let i = 0; i < window; i++) sum += returns[i] as number;
  let m = sum / window;
  let m2 = 0;
  for (let i = 0; i < window; i++) {
    const d = (returns[i] as number) - m;
    m2 += d * d;
  }
  out[window - 1] = Math.sqrt(Math.max(m2, 0) / (window - 1)) * scale;
  for (let i = window; i < n; i++) {
    const xNew = returns[i] as number;
    const xOld = returns[i - window] as number;
    if ((i - window + 1) % window === 0) {
      // Re-anchor once per window (two-pass), so rounding never accumulates across windows.
      sum = 0;
      for (let j = i - window + 1; j <= i; j++) sum += returns[j] as number;
      m = sum / window;
      m2 = 0;
      for (let j = i - window + 1; j <= i; j++) {
        const d = (returns[j] as number) - m;
        m2 += d * d;
      }
    } else {
      const newMean = m + (xNew - xOld) / window;
      m2 += (xNew - xOld) * (xNew - newMean + xOld - m);
      m = newMean;
    }
    out[i] = Math.sqrt(Math.max(m2, 0) / (window - 1)) * scale;
  }
  return out;
}
