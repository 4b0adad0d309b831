import { QuantInputError } from './errors';
import { assertPeriod, assertPositive } from './validate';

/**
 * Default residual weight a recursive indicator may keep from before its window. The
 * difference between two starts decays by (1-k) a bar; it begins at most as large as the
 * price's move over the warm-up, so 1e-12 keeps the served value within 1e-9 relative of
 * the one computed from the full history even after a thousand-fold move.
 */
export const WARMUP_RESIDUAL = 1e-12;

/** Smallest m with (1-k)^m <= residual: bars for a recursion with smoothing k to forget its seed. */
export function convergenceBars(k: number, residual = WARMUP_RESIDUAL): number {
  if (!(k > 0 && k <= 1)) throw new QuantInputError('INVALID_PARAMETER', 'k', `must be in (0, 1], got ${k}`);
  assertPositive('residual', residual);
  if (k === 1 || residual >= 1) return 0;
  return Math.ceil(Math.log(residual) / Math.log1p(-k));
}

/**
 * Bars an EMA(n) (k = 2/(n+1), SMA seed) needs before a bar for its value there to equal the
 * full-history value to `residual`: n-1 bars to seed, then `convergenceBars(2/(n+1))`.
 */
export function emaWarmup(period: number, residual = WARMUP_RESIDUAL): number {
  assertPeriod('period', period);
  return period - 1 + convergenceBars(2 / (period + 1), residual);
}

/** Wilder smoothing (k = 1/n) seeded with the mean of the first n changes: RSI and ATR. */
export function wilderWarmup(period: number, residual = WARMUP_RESIDUAL): number {
  assertPeriod('period', period);
  return period + convergenceBars(1 / period, residual);
}

/**
 * MACD: the slow EMA's seed and convergence, then the signal EMA's over the MACD line (the
 * fast EMA forgets faster than the slow one). Conservative: the two decays are added.
 */
export function macdWarmup(slow: number, signal: number, residual = WARMUP_RESIDUAL): number {
  return emaWarmup(slow, residual) + emaWarmup(signal, residual);
}

/** ADX: Wilder-smoothed DM/TR sums (from bar n), then the Wilder-smoothed DX (from 2n-1). */
export function adxWarmup(period: number, residual = WARMUP_RESIDUAL): number {
  return 2 * wilderWarmup(period, residual);
}
