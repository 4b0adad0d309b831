import { annualizedReturn } from './returns';
import { covarianceUnchecked, isZeroSpread, meanUnchecked, varianceUnchecked } from './stats';
import {
  assertFinite,
  assertFiniteNumber,
  assertPositive,
  assertPositivePrices,
  assertSameLength,
  type Series,
} from './validate';

export interface AnnualizationOptions {
  /** Observations per year used to annualize: 365 for crypto daily bars, 252 for equities. */
  periodsPerYear: number;
}

export interface SharpeOptions extends AnnualizationOptions {
  /** Risk-free return per period (same frequency as the returns), default 0. */
  riskFreePerPeriod?: number;
}

/**
 * Annualized Sharpe ratio: mean(r - rf)/sd(r - rf)·√periodsPerYear, sd the sample standard
 * deviation (n-1), rf per period. null when fewer than 2 returns or zero variance.
 */
export function sharpeRatio(returns: Series, options: SharpeOptions): number | null {
  assertPositive('periodsPerYear', options.periodsPerYear);
  const rf = options.riskFreePerPeriod ?? 0;
  assertFiniteNumber('riskFreePerPeriod', rf);
  assertFinite('returns', returns);
  if (returns.length < 2) return null;
  // Subtracting a constant leaves the deviation unchanged: sd(r - rf) = sd(r).
  const sd = Math.sqrt(varianceUnchecked(returns));
  if (isZeroSpread(sd, returns)) return null;
  return ((meanUnchecked(returns) - rf) / sd) * Math.sqrt(options.periodsPerYear);
}

export interface SortinoOptions extends AnnualizationOptions {
  /** Minimum acceptable return per period, default 0. */
  target?: number;
}

/**
 * Annualized Sortino ratio: (mean(r) - T)/DD·√periodsPerYear, with the downside deviation
 * DD = √(Σ min(0, r - T)²/n) over ALL n observations (Sortino & Price; PerformanceAnalytics'
 * DownsideDeviation "full"), T the target per period. null when empty or DD = 0.
 */
export function sortinoRatio(returns: Series, options: SortinoOptions): number | null {
  assertPositive('periodsPerYear', options.periodsPerYear);
  const target = options.target ?? 0;
  assertFiniteNumber('target', target);
  assertFinite('returns', returns);
  const dd = downsideDeviationUnchecked(returns, target);
  if (dd === null || !(dd > 0)) return null;
  return ((meanUnchecked(returns) - target) / dd) * Math.sqrt(options.periodsPerYear);
}

/** Per-period downside deviation √(Σ min(0, r - target)²/n); null when empty. */
export function downsideDeviation(returns: Series, target = 0): number | null {
  assertFinite('returns', returns);
  assertFiniteNumber('target', target);
  return downsideDeviationUnchecked(returns, target);
}

function downsideDeviationUnchecked(returns: Series, target: number): number | null {
  const n = returns.length;
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = (returns[i] as number) - target;
    if (d < 0) s += d * d;
  }
  return Math.sqrt(s / n);
}

export interface MaxDrawdownResult {
  /** Largest peak-to-trough fall as a positive fraction: 1 - trough/peak (0 if none). */
  maxDrawdown: number;
  peakIndex: number;
  troughIndex: number;
  /** First index after the trough back at or above the peak value; null if not recovered. */
  recoveryIndex: number | null;
  /** Periods from peak to trough. */
  declinePeriods: number;
  /** Periods from trough to recovery; null if not recovered. */
  recoveryPeriods: number | null;
  /** Periods from peak to recovery, or to the last observation if not recovered. */
  durationPeriods: number;
  /** Timestamps of the same points when timestamps were given (same unit as given). */
  peakTime?: number;
  troughTime?: number;
  recoveryTime?: number | null;
  /** Time from peak to recovery (or to the last timestamp), in the timestamps' unit. */
  duration?: number;
}

/**
 * Maximum drawdown of a value series (prices or an equity curve, all > 0): the largest
 * 1 - V[t]/max(V[0..t]), with its peak, trough and recovery (first t > trough with
 * V[t] >= peak value). Ties keep the earliest drawdown. One pass for peak/trough, one scan
 * for recovery. Timestamps (e.g. epoch ms), if given, label the points. null when empty.
 */
export function maxDrawdown(values: Series, timestamps?: Series): MaxDrawdownResult | null {
  assertFinite('values', values);
  assertPositivePrices('values', values);
  if (timestamps) {
    assertSameLength({ values, timestamps });
    assertFinite('timestamps', timestamps);
  }
  const n = values.length;
  if (n === 0) return null;
  let peakIdx = 0;
  let peak = values[0] as number;
  let best = 0;
  let bestPeak = 0;
  let bestTrough = 0;
  for (let i = 1; i < n; i++) {
    const v = values[i] as number;
    if (v > peak) {
      peak = v;
      peakIdx = i;
    } else {
      const dd = 1 - v / peak;
      if (dd > best) {
        best = dd;
        bestPeak = peakIdx;
        bestTrough = i;
      }
    }
  }
  let recovery: number | null = null;
  if (best > 0) {
    const peakValue = values[bestPeak] as number;
    for (let i = bestTrough + 1; i < n; i++) {
      if ((values[i] as number) >= peakValue) {
        recovery = i;
        break;
      }
    }
  }
  const end = recovery ?? n - 1;
  const result: MaxDrawdownResult = {
    maxDrawdown: best,
    peakIndex: bestPeak,
    troughIndex: bestTrough,
    recoveryIndex: recovery,
    declinePeriods: bestTrough - bestPeak,
    recoveryPeriods: recovery === null ? null : recovery - bestTrough,
    durationPeriods: best > 0 ? end - bestPeak : 0,
  };
  if (timestamps) {
    const at = (i: number) => timestamps[i] as number;
    result.peakTime = at(bestPeak);
    result.troughTime = at(bestTrough);
    result.recoveryTime = recovery === null ? null : at(recovery);
    result.duration = best > 0 ? at(end) - at(bestPeak) : 0;
  }
  return result;
}

/** Drawdown at every point as a positive fraction: 1 - V[t]/max(V[0..t]). Values > 0. */
export function drawdownSeries(values: Series): Float64Array {
  assertFinite('values', values);
  assertPositivePrices('values', values);
  const n = values.length;
  const out = new Float64Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v > peak) peak = v;
    out[i] = 1 - v / peak;
  }
  return out;
}

/** Wealth index W[0] = 1, W[t] = Π_{s<t}(1 + r[s]); length n+1. */
export function wealthIndex(returns: Series): Float64Array {
  assertFinite('returns', returns);
  const n = returns.length;
  const out = new Float64Array(n + 1);
  let w = 1;
  out[0] = 1;
  for (let i = 0; i < n; i++) {
    w *= 1 + (returns[i] as number);
    out[i + 1] = w;
  }
  return out;
}

/**
 * Calmar ratio: annualized geometric return / maximum drawdown of the wealth index built
 * from the same simple returns (starting at 1). null when empty, when the wealth hits 0,
 * or when there was no drawdown.
 */
export function calmarRatio(returns: Series, options: AnnualizationOptions): number | null {
  assertPositive('periodsPerYear', options.periodsPerYear);
  const wealth = wealthIndex(returns);
  if (returns.length === 0) return null;
  for (let i = 0; i < wealth.length; i++) if (!((wealth[i] as number) > 0)) return null;
  const dd = maxDrawdown(wealth);
  const ret = annualizedReturn(returns, options.periodsPerYear);
  if (!dd || !(dd.maxDrawdown > 0) || ret === null) return null;
  return ret / dd.maxDrawdown;
}

export interface BetaAlphaResult {
  /** cov(r_a, r_b)/var(r_b), sample moments (the n-1 cancels). */
  beta: number;
  /** Jensen's alpha per period: mean(r_a - rf) - β·mean(r_b - rf). */
  alpha: number;
  /** alpha × periodsPerYear (arithmetic annualization), when periodsPerYear was given. */
  alphaAnnualized: number | null;
  /** Pearson correlation of the two series. */
  correlation: number;
  /** Share of the asset's variance explained by the benchmark: correlation². */
  rSquared: number;
  observations: number;
}

/**
 * Beta and alpha of an asset's returns against a benchmark's (same periods, aligned).
 * null when fewer than 2 observations or the benchmark (or asset) has zero variance.
 */
export function betaAlpha(
  asset: Series,
  benchmark: Series,
  options: { periodsPerYear?: number; riskFreePerPeriod?: number } = {},
): BetaAlphaResult | null {
  assertSameLength({ asset, benchmark });
  assertFinite('asset', asset);
  assertFinite('benchmark', benchmark);
  const rf = options.riskFreePerPeriod ?? 0;
  assertFiniteNumber('riskFreePerPeriod', rf);
  if (options.periodsPerYear !== undefined) assertPositive('periodsPerYear', options.periodsPerYear);
  const n = asset.length;
  if (n < 2) return null;
  const ma = meanUnchecked(asset);
  const mb = meanUnchecked(benchmark);
  const cov = covarianceUnchecked(asset, benchmark, ma, mb);
  const varB = covarianceUnchecked(benchmark, benchmark, mb, mb);
  const varA = covarianceUnchecked(asset, asset, ma, ma);
  if (isZeroSpread(Math.sqrt(varB), benchmark) || isZeroSpread(Math.sqrt(varA), asset)) return null;
  const beta = cov / varB;
  const alpha = ma - rf - beta * (mb - rf);
  const corr = Math.max(-1, Math.min(1, cov / Math.sqrt(varA * varB)));
  return {
    beta,
    alpha,
    alphaAnnualized: options.periodsPerYear === undefined ? null : alpha * options.periodsPerYear,
    correlation: corr,
    rSquared: corr * corr,
    observations: n,
  };
}

function activeReturns(portfolio: Series, benchmark: Series): Float64Array {
  assertSameLength({ portfolio, benchmark });
  assertFinite('portfolio', portfolio);
  assertFinite('benchmark', benchmark);
  const n = portfolio.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (portfolio[i] as number) - (benchmark[i] as number);
  return out;
}

/**
 * Annualized tracking error: sample sd (n-1) of active returns (r_p - r_b) × √periodsPerYear.
 * null when fewer than 2 observations.
 */
export function trackingError(
  portfolio: Series,
  benchmark: Series,
  options: AnnualizationOptions,
): number | null {
  assertPositive('periodsPerYear', options.periodsPerYear);
  const active = activeReturns(portfolio, benchmark);
  if (active.length < 2) return null;
  return Math.sqrt(varianceUnchecked(active) * options.periodsPerYear);
}

export interface InformationRatioOptions extends AnnualizationOptions {
  /**
   * 'arithmetic' (default): mean active return × periodsPerYear. 'geometric': the
   * difference of the annualized (compounded) returns, CAGR(r_p) - CAGR(r_b), as
   * PerformanceAnalytics' `InformationRatio` (its `ActivePremium`).
   */
  premium?: 'arithmetic' | 'geometric';
}

/**
 * Information ratio: annualized active premium / tracking error. Arithmetic (default):
 * mean(r_p - r_b)/sd(r_p - r_b)·√periodsPerYear. Geometric (PerformanceAnalytics):
 * (CAGR(r_p) - CAGR(r_b)) / (sd(r_p - r_b)·√periodsPerYear). null when < 2 observations or
 * TE = 0.
 */
export function informationRatio(
  portfolio: Series,
  benchmark: Series,
  options: InformationRatioOptions,
): number | null {
  assertPositive('periodsPerYear', options.periodsPerYear);
  const active = activeReturns(portfolio, benchmark);
  if (active.length < 2) return null;
  const sd = Math.sqrt(varianceUnchecked(active));
  if (isZeroSpread(sd, active)) return null;
  if (options.premium === 'geometric') {
    const premium =
      (annualizedReturn(portfolio, options.periodsPerYear) ?? 0) -
      (annualizedReturn(benchmark, options.periodsPerYear) ?? 0);
    return premium / (sd * Math.sqrt(options.periodsPerYear));
  }
  return (meanUnchecked(active) / sd) * Math.sqrt(options.periodsPerYear);
}
