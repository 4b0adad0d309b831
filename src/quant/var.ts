import { normCdf, normInv, normPdf } from './distributions';
import { QuantInputError } from './errors';
import {
  assertMatrix,
  covarianceMatrixFlat,
  isZeroSpread,
  maxAbs,
  meanUnchecked,
  quantileSorted,
  varianceUnchecked,
} from './stats';
import { assertConfidence, assertFinite, assertPeriod, assertPositive, type Series } from './validate';

// Value at risk and expected shortfall are reported as POSITIVE LOSSES, as fractions of
// the portfolio value (× portfolioValue where offered): VaR 0.05 means "lose 5% or more
// with probability 1 - confidence over the horizon". A negative figure means even the tail
// outcome is a gain. Inputs are simple per-period returns; horizon is in periods.

export interface VarOptions {
  /** Confidence level c in (0, 1), default 0.95 (the 5% left tail). */
  confidence?: number;
  /** Horizon in periods of the returns, default 1. */
  horizon?: number;
}

export interface VarEs {
  /** Value at risk, a positive loss. */
  var: number;
  /** Expected shortfall (CVaR): the mean loss beyond VaR, a positive loss. */
  es: number;
}

export interface HistoricalVarResult {
  method: 'historical';
  confidence: number;
  horizon: number;
  /**
   * Empirical quantile of the overlapping compounded horizon returns
   * R_t = Π_{j<h}(1 + r_{t+j}) - 1 for every start t (n-h+1 windows).
   */
  overlapping: VarEs & { observations: number };
  /** One-period empirical VaR and ES scaled by √horizon (square-root-of-time rule). */
  sqrtTime: VarEs & { observations: number };
}

function readOptions(options: VarOptions): { confidence: number; horizon: number } {
  const confidence = options.confidence ?? 0.95;
  const horizon = options.horizon ?? 1;
  assertConfidence(confidence);
  assertPeriod('horizon', horizon);
  return { confidence, horizon };
}

/**
 * Empirical VaR/ES of a sorted sample: q = type-7 quantile at 1 - c (linear interpolation,
 * as numpy/Excel PERCENTILE.INC); VaR = -q; ES = -mean of the observations <= q.
 */
function empiricalVarEs(sorted: Float64Array, confidence: number): VarEs {
  const q = quantileSorted(sorted, 1 - confidence);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as number;
    if (v > q) break;
    sum += v;
    count++;
  }
  return { var: -q, es: -(sum / count) };
}

/**
 * Historical VaR and ES, both ways, labelled: `overlapping` from the empirical distribution
 * of overlapping compounded horizon returns, and `sqrtTime` from one-period returns × √h.
 * For horizon 1 they coincide. null when there are fewer returns than the horizon.
 */
export function historicalVar(returns: Series, options: VarOptions = {}): HistoricalVarResult | null {
  const { confidence, horizon } = readOptions(options);
  assertFinite('returns', returns);
  const n = returns.length;
  if (n === 0 || n < horizon) return null;
  const one = Float64Array.from(returns).sort();
  const base = empiricalVarEs(one, confidence);
  const scale = Math.sqrt(horizon);
  let overlapping: VarEs & { observations: number };
  if (horizon === 1) {
    overlapping = { ...base, observations: n };
  } else {
    const windows = n - horizon + 1;
    const agg = new Float64Array(windows);
    for (let t = 0; t < windows; t++) {
      let w = 1;
      for (let j = 0; j < horizon; j++) w *= 1 + (returns[t + j] as number);
      agg[t] = w - 1;
    }
    agg.sort();
    overlapping = { ...empiricalVarEs(agg, confidence), observations: windows };
  }
  return {
    method: 'historical',
    confidence,
    horizon,
    overlapping,
    sqrtTime: { var: base.var * scale, es: base.es * scale, observations: n },
  };
}

export interface ParametricVarOptions extends VarOptions {
  /** Include the mean return (μ·h) in the loss, default true; false gives the zero-mean VaR. */
  includeMean?: boolean;
  /**
   * σ from the sample variance (n-1, default) or the population second moment (n), which is
   * what PerformanceAnalytics' VaR/ES ('gaussian' and 'modified') use.
   */
  stdDev?: 'sample' | 'population';
}

export interface CornishFisherVarOptions extends ParametricVarOptions {
  /**
   * ES formula. 'tail-mean' (default): the mean of the Cornish-Fisher quantile function over
   * the α tail, the exact ES of the distribution whose quantiles give the VaR. 'edgeworth':
   * PerformanceAnalytics' modified ES (Boudt, Peterson and Croux 2008): the mean below z_cf
   * of the Edgeworth-expanded density, divided by α.
   */
  es?: 'tail-mean' | 'edgeworth';
}

/** σ as the options ask: sample (n-1) or population (n) standard deviation. */
function sigmaOf(returns: Series, options: ParametricVarOptions): number {
  const sample = varianceUnchecked(returns);
  return Math.sqrt(
    options.stdDev === 'population' ? (sample * (returns.length - 1)) / returns.length : sample,
  );
}

export interface ParametricVarResult extends VarEs {
  method: 'parametric-gaussian';
  confidence: number;
  horizon: number;
  /** Per-period mean and standard deviation used (sample, n-1, unless `stdDev: 'population'`). */
  mean: number;
  stdDev: number;
  observations: number;
}

/**
 * Gaussian (variance-covariance) VaR and ES: with z = Φ⁻¹(c), μ and σ per period (sample,
 * n-1), VaR = z·σ·√h - μ·h and ES = σ·√h·φ(z)/(1-c) - μ·h. null when fewer than 2 returns.
 */
export function parametricVar(
  returns: Series,
  options: ParametricVarOptions = {},
): ParametricVarResult | null {
  const { confidence, horizon } = readOptions(options);
  assertFinite('returns', returns);
  if (returns.length < 2) return null;
  const mu = meanUnchecked(returns);
  const sd = sigmaOf(returns, options);
  const drift = (options.includeMean ?? true) ? mu * horizon : 0;
  const z = normInv(confidence);
  const s = sd * Math.sqrt(horizon);
  return {
    method: 'parametric-gaussian',
    confidence,
    horizon,
    var: z * s - drift,
    es: (s * normPdf(z)) / (1 - confidence) - drift,
    mean: mu,
    stdDev: sd,
    observations: returns.length,
  };
}

export interface CornishFisherVarResult extends VarEs {
  method: 'cornish-fisher';
  confidence: number;
  horizon: number;
  mean: number;
  stdDev: number;
  /** Per-period skewness g1 and EXCESS kurtosis g2 (moment estimators) of the returns. */
  skewness: number;
  excessKurtosis: number;
  /** The adjusted left-tail quantile z_cf used (negative for a loss). */
  zCornishFisher: number;
  observations: number;
}

/**
 * Cornish-Fisher (modified) VaR and ES. With z = Φ⁻¹(1-c) (the left-tail quantile), skewness
 * S and excess kurtosis K of the horizon return, the quantile is
 * z_cf = z + (z²-1)S/6 + (z³-3z)K/24 - (2z³-5z)S²/36 and VaR = -(μh + σ√h·z_cf).
 * S and K are the moment estimators g1, g2 (as PerformanceAnalytics' modified VaR), scaled to
 * the horizon as for a sum of i.i.d. returns: S/√h, K/h. ES is the tail mean of the same
 * Cornish-Fisher quantile function, -(μh + σ√h·(1/α)∫_{-∞}^{z} cf(u)φ(u)du), α = 1-c, in
 * closed form from ∫u^kφ (it equals the Gaussian ES when S = K = 0); `es: 'edgeworth'` gives
 * PerformanceAnalytics' formula instead. σ is the sample sd unless `stdDev: 'population'`
 * (PerformanceAnalytics). Like any CF expansion it is only reliable for moderate S and K.
 * null when < 4 returns or zero variance.
 */
export function cornishFisherVar(
  returns: Series,
  options: CornishFisherVarOptions = {},
): CornishFisherVarResult | null {
  const { confidence, horizon } = readOptions(options);
  assertFinite('returns', returns);
  const n = returns.length;
  if (n < 4) return null;
  const mu = meanUnchecked(returns);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (returns[i] as number) - mu;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (isZeroSpread(Math.sqrt(m2), returns)) return null;
  const skew = m3 / m2 ** 1.5;
  const exKurt = m4 / (m2 * m2) - 3;
  const sd = sigmaOf(returns, options);
  const s = skew / Math.sqrt(horizon);
  const k = exKurt / horizon;
  const alpha = 1 - confidence;
  const z = normInv(alpha);
  const z2 = z * z;
  const z3 = z2 * z;
  const zcf = z + ((z2 - 1) * s) / 6 + ((z3 - 3 * z) * k) / 24 - ((2 * z3 - 5 * z) * s * s) / 36;
  // ∫_{-∞}^{z} u^k φ(u) du: I0 = α, I1 = -φ, I2 = α - zφ, I3 = -(z²+2)φ.
  const phi = normPdf(z);
  const i0 = alpha;
  const i1 = -phi;
  const i2 = alpha - z * phi;
  const i3 = -(z2 + 2) * phi;
  const tail =
    options.es === 'edgeworth'
      ? edgeworthTail(zcf, s, k)
      : i1 + (s / 6) * (i2 - i0) + (k / 24) * (i3 - 3 * i1) - ((s * s) / 36) * (2 * i3 - 5 * i1);
  const drift = (options.includeMean ?? true) ? mu * horizon : 0;
  const sh = sd * Math.sqrt(horizon);
  return {
    method: 'cornish-fisher',
    confidence,
    horizon,
    var: -(drift + sh * zcf),
    es: -(drift + (sh * tail) / alpha),
    mean: mu,
    stdDev: sd,
    skewness: skew,
    excessKurtosis: exKurt,
    zCornishFisher: zcf,
    observations: n,
  };
}

/**
 * ∫_{-∞}^{h} u·f(u) du for the Edgeworth density f = φ·(1 + S·He3/6 + K·He4/24 + S²·He6/72),
 * from J_k = ∫_{-∞}^{h} u^k φ = -h^{k-1}φ(h) + (k-1)·J_{k-2} (J_0 = Φ(h), J_1 = -φ(h)):
 * PerformanceAnalytics' modified ES integrand (its `Ipower(q, h)` is -J_{q+1}).
 */
function edgeworthTail(h: number, s: number, k: number): number {
  const phi = normPdf(h);
  const j = [normCdf(h), -phi];
  for (let q = 2; q <= 7; q++) j[q] = -(h ** (q - 1)) * phi + (q - 1) * (j[q - 2] as number);
  const J = (q: number) => j[q] as number;
  return (
    J(1) +
    (s / 6) * (J(4) - 3 * J(2)) +
    (k / 24) * (J(5) - 6 * J(3) + 3 * J(1)) +
    ((s * s) / 72) * (J(7) - 15 * J(5) + 45 * J(3) - 15 * J(1))
  );
}

export interface ComponentVarOptions extends ParametricVarOptions {
  /** Multiply every figure by this portfolio value (money terms), default 1 (fractions). */
  portfolioValue?: number;
}

export interface ComponentVarResult {
  method: 'parametric-gaussian';
  confidence: number;
  horizon: number;
  /** Portfolio VaR: z·σp·√h - μp·h, σp = √(wᵀΣw). */
  var: number;
  /** Portfolio Gaussian ES: σp·√h·φ(z)/(1-c) - μp·h. */
  es: number;
  /** Per-period portfolio volatility √(wᵀΣw) and mean wᵀμ. */
  volatility: number;
  mean: number;
  /** ∂VaR/∂w_i = z·√h·(Σw)_i/σp - μ_i·h. */
  marginal: number[];
  /** w_i·∂VaR/∂w_i; they sum to `var` (Euler allocation). */
  component: number[];
  /** component_i / var. */
  percent: number[];
  /** w_i·∂ES/∂w_i; they sum to `es`. */
  componentEs: number[];
  observations: number;
}

/**
 * Parametric (Gaussian) portfolio VaR with marginal and component VaR for weights w over k
 * assets' aligned return series. Σ is the sample covariance (n-1). VaR is homogeneous of
 * degree 1 in w, so the components w_i·∂VaR/∂w_i add up to the total exactly (Euler).
 * null when the portfolio variance is 0.
 */
export function componentVar(
  assetReturns: readonly Series[],
  weights: Series,
  options: ComponentVarOptions = {},
): ComponentVarResult | null {
  const { confidence, horizon } = readOptions(options);
  const t = assertMatrix('assetReturns', assetReturns);
  const k = assetReturns.length;
  if (weights.length !== k) {
    throw new QuantInputError('LENGTH_MISMATCH', 'weights', `has ${weights.length} entries for ${k} assets`);
  }
  assertFinite('weights', weights);
  const value = options.portfolioValue ?? 1;
  assertPositive('portfolioValue', value);
  const includeMean = options.includeMean ?? true;
  const cov = covarianceMatrixFlat(assetReturns);
  const sigmaW = new Float64Array(k);
  let variance = 0;
  let mu = 0;
  const means = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let b = 0; b < k; b++) s += (cov[a * k + b] as number) * (weights[b] as number);
    sigmaW[a] = s;
    variance += (weights[a] as number) * s;
    means[a] = includeMean ? meanUnchecked(assetReturns[a] as Series) : 0;
    mu += (weights[a] as number) * (means[a] as number);
  }
  const sigma = Math.sqrt(Math.max(variance, 0));
  let scale = 0;
  for (let a = 0; a < k; a++) scale += Math.abs(weights[a] as number) * maxAbs(assetReturns[a] as Series);
  if (!(sigma > 1e-14 * scale)) return null;
  const z = normInv(confidence);
  const sqrtH = Math.sqrt(horizon);
  const esFactor = normPdf(z) / (1 - confidence);
  const total = (z * sigma * sqrtH - mu * horizon) * value;
  const totalEs = (esFactor * sigma * sqrtH - mu * horizon) * value;
  const marginal: number[] = [];
  const component: number[] = [];
  const percent: number[] = [];
  const componentEs: number[] = [];
  for (let a = 0; a < k; a++) {
    const w = weights[a] as number;
    const beta = (sigmaW[a] as number) / sigma;
    const drift = (means[a] as number) * horizon;
    const m = (z * sqrtH * beta - drift) * value;
    marginal.push(m);
    component.push(w * m);
    percent.push((w * m) / total);
    componentEs.push(w * (esFactor * sqrtH * beta - drift) * value);
  }
  return {
    method: 'parametric-gaussian',
    confidence,
    horizon,
    var: total,
    es: totalEs,
    volatility: sigma,
    mean: mu,
    marginal,
    component,
    percent,
    componentEs,
    observations: t,
  };
}

export interface StressTestOptions {
  /** First period of the historical window (inclusive), default 0. */
  start?: number;
  /** End of the window (exclusive), default the series length. */
  end?: number;
  /**
   * false (default): buy-and-hold — today's weights are bought once and drift with prices.
   * true: constant mix — rebalanced back to the weights every period.
   */
  rebalance?: boolean;
  /** Starting portfolio value, default 1. */
  portfolioValue?: number;
}

export interface StressTestResult {
  periods: number;
  startValue: number;
  endValue: number;
  /** endValue/startValue - 1. */
  cumulativeReturn: number;
  /** endValue - startValue. */
  pnl: number;
  /** Worst single-period portfolio return in the window, and its index in the input. */
  worstPeriodReturn: number;
  worstPeriodIndex: number;
  /** Largest peak-to-trough fall of the replayed path, a positive fraction. */
  maxDrawdown: number;
  /** Portfolio value after each replayed period. */
  path: Float64Array;
  /** P&L attributed to each asset; they sum to pnl. */
  assetPnl: number[];
}

/**
 * Stress test: replays the asset returns of a historical window on today's weights.
 * Weights are fractions of portfolio value (shorts negative); 1 - Σw is cash at 0%.
 * Buy-and-hold: holding_i grows by Π(1 + r_i); constant mix: each period
 * r_p = Σ w_i r_i. Returns the path, cumulative and worst-period return, drawdown and
 * each asset's P&L.
 */
export function stressTest(
  weights: Series,
  assetReturns: readonly Series[],
  options: StressTestOptions = {},
): StressTestResult {
  const t = assertMatrix('assetReturns', assetReturns, 1);
  const k = assetReturns.length;
  if (weights.length !== k) {
    throw new QuantInputError('LENGTH_MISMATCH', 'weights', `has ${weights.length} entries for ${k} assets`);
  }
  assertFinite('weights', weights);
  const start = options.start ?? 0;
  const end = options.end ?? t;
  assertPeriod('start', start, 0);
  assertPeriod('end', end, start + 1);
  if (end > t) throw new QuantInputError('INVALID_PARAMETER', 'end', `must be <= ${t}, got ${end}`);
  const value0 = options.portfolioValue ?? 1;
  assertPositive('portfolioValue', value0);
  const rebalance = options.rebalance ?? false;
  const periods = end - start;
  const path = new Float64Array(periods);
  const assetPnl = new Float64Array(k);
  const holdings = new Float64Array(k);
  let cash = value0;
  for (let a = 0; a < k; a++) {
    holdings[a] = (weights[a] as number) * value0;
    cash -= holdings[a] as number;
  }
  let value = value0;
  let peak = value0;
  let mdd = 0;
  let worst = Number.POSITIVE_INFINITY;
  let worstIdx = start;
  for (let p = start; p < end; p++) {
    let next = 0;
    if (rebalance) {
      let r = 0;
      for (let a = 0; a < k; a++) {
        const contrib = (weights[a] as number) * ((assetReturns[a] as Series)[p] as number);
        r += contrib;
        assetPnl[a] = (assetPnl[a] as number) + value * contrib;
      }
      next = value * (1 + r);
    } else {
      next = cash;
      for (let a = 0; a < k; a++) {
        const h = holdings[a] as number;
        const gain = h * ((assetReturns[a] as Series)[p] as number);
        holdings[a] = h + gain;
        assetPnl[a] = (assetPnl[a] as number) + gain;
        next += h + gain;
      }
    }
    const ret = next / value - 1;
    if (ret < worst) {
      worst = ret;
      worstIdx = p;
    }
    value = next;
    path[p - start] = value;
    if (value > peak) peak = value;
    const dd = 1 - value / peak;
    if (dd > mdd) mdd = dd;
  }
  return {
    periods,
    startValue: value0,
    endValue: value,
    cumulativeReturn: value / value0 - 1,
    pnl: value - value0,
    worstPeriodReturn: worst,
    worstPeriodIndex: worstIdx,
    maxDrawdown: mdd,
    path,
    assetPnl: Array.from(assetPnl),
  };
}
