import { QuantInputError } from './errors';
import { ols } from './regression';

/** Blocks between Bitcoin subsidy halvings (consensus rule). */
export const HALVING_INTERVAL = 210_000;

export interface HalvingCountdown {
  height: number;
  lastHalvingHeight: number;
  nextHalvingHeight: number;
  blocksRemaining: number;
  /** Current epoch (0 = before the first halving). */
  epoch: number;
  /** Block subsidy in BTC at this height. */
  subsidy: number;
}

/** Halving arithmetic from a block height: every 210,000 blocks the subsidy (50 BTC at genesis) halves. */
export function halvingCountdown(height: number): HalvingCountdown {
  if (!(height >= 0) || !Number.isFinite(height))
    throw new QuantInputError('INVALID_PARAMETER', 'height', 'must be a non-negative number');
  const epoch = Math.floor(height / HALVING_INTERVAL);
  return {
    height,
    lastHalvingHeight: epoch * HALVING_INTERVAL,
    nextHalvingHeight: (epoch + 1) * HALVING_INTERVAL,
    blocksRemaining: (epoch + 1) * HALVING_INTERVAL - height,
    epoch,
    subsidy: 50 / 2 ** epoch,
  };
}

export interface DrawdownCycle {
  peakIndex: number;
  troughIndex: number;
  /** Index where the price first closed above the peak again; null while not recovered. */
  recoveryIndex: number | null;
  /** Fractional decline peak → trough (0.8 = -80 %). */
  drawdown: number;
}

/**
 * Historic cycles by a peak/trough rule: a peak is a running all-time high from which the price
 * later falls by at least `threshold` (fraction) before making a new high; the trough is the
 * lowest close between that peak and the recovery above it (or the last bar if none). Cycles
 * do not overlap; a still-open decline counts once it passes the threshold.
 */
export function drawdownCycles(prices: ArrayLike<number>, threshold = 0.5): DrawdownCycle[] {
  if (!(threshold > 0 && threshold < 1))
    throw new QuantInputError('INVALID_PARAMETER', 'threshold', 'must be in (0, 1)');
  const n = prices.length;
  const out: DrawdownCycle[] = [];
  let peak = 0;
  let i = 1;
  while (i < n) {
    const p = prices[i] as number;
    if (p >= (prices[peak] as number)) {
      peak = i;
      i++;
      continue;
    }
    // In a decline from `peak`: walk to the recovery (or the end), tracking the trough.
    let trough = i;
    let j = i;
    while (j < n && (prices[j] as number) < (prices[peak] as number)) {
      if ((prices[j] as number) < (prices[trough] as number)) trough = j;
      j++;
    }
    const drawdown = 1 - (prices[trough] as number) / (prices[peak] as number);
    if (drawdown >= threshold)
      out.push({ peakIndex: peak, troughIndex: trough, recoveryIndex: j < n ? j : null, drawdown });
    if (j >= n) break;
    peak = j;
    i = j + 1;
  }
  return out;
}

export interface LogRegressionBands {
  /** ln(price) = intercept + slope·ln(days since origin). */
  intercept: number;
  slope: number;
  rSquared: number;
  /** Residual of the last point, ln(price / fair value). */
  lastResidual: number;
  fairValue: number;
  /** Share of historical residuals at or below the last one: 0 = cheapest ever, 1 = dearest. */
  risk: number;
  /** Prices at residual quantiles 0.1..0.9 (risk levels) at the last day. */
  bands: { risk: number; price: number }[];
  observations: number;
}

/**
 * Log-log regression fair value with empirical risk bands (the "logarithmic regression" risk
 * model of crypto dashboards): OLS of ln(price) on ln(day index since `origin`); risk = the
 * empirical CDF of residuals at the last residual; band at risk q = fair · exp(quantile_q(residuals)).
 * `days[i]` is the day count since the origin (> 0) of `prices[i]`.
 */
export function logRegressionBands(days: ArrayLike<number>, prices: ArrayLike<number>): LogRegressionBands {
  const n = prices.length;
  if (n < 30 || days.length !== n)
    throw new QuantInputError('INSUFFICIENT_DATA', 'prices', 'needs at least 30 points with matching days');
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = days[i] as number;
    const p = prices[i] as number;
    if (!(d > 0) || !(p > 0))
      throw new QuantInputError('NON_POSITIVE_PRICE', 'prices', 'days and prices must be > 0', i);
    x.push(Math.log(d));
    y.push(Math.log(p));
  }
  const fit = ols(y, [x]);
  const intercept = fit.coefficients[0] as number;
  const slope = fit.coefficients[1] as number;
  const residuals = y.map((v, i) => v - intercept - slope * (x[i] as number));
  const last = residuals[n - 1] as number;
  const sorted = residuals.slice().sort((a, b) => a - b);
  let below = 0;
  for (const r of sorted) if (r <= last) below++;
  const fair = Math.exp(intercept + slope * (x[n - 1] as number));
  const q = (p: number) => {
    const pos = p * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
  };
  return {
    intercept,
    slope,
    rSquared: fit.rSquared,
    lastResidual: last,
    fairValue: fair,
    risk: below / n,
    bands: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((r) => ({
      risk: r,
      price: fair * Math.exp(q(r)),
    })),
    observations: n,
  };
}

/**
 * Inverse-volatility ("naive risk parity") weights: w_i ∝ 1/σ_i, normalised to 1. Exact risk
 * parity when correlations are equal; assets with zero or undefined volatility are left out (0).
 */
export function inverseVolatilityWeights(vols: readonly (number | null)[]): number[] {
  const inv = vols.map((v) => (v != null && v > 0 ? 1 / v : 0));
  const s = inv.reduce((a, b) => a + b, 0);
  if (!(s > 0)) throw new QuantInputError('INSUFFICIENT_DATA', 'vols', 'no positive volatility');
  return inv.map((v) => v / s);
}
