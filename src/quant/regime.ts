import { QuantInputError } from './errors';
import { nelderMead } from './garch';
import { assertFinite, type Series } from './validate';

/**
 * Markov-switching Gaussian model (Hamilton 1989): y_t = mu_{S_t} + e_t, e_t ~ N(0, sigma2_{S_t}),
 * S_t a K-state Markov chain with P[i][j] = P(S_t = j | S_{t-1} = i). Means always switch;
 * variances switch unless `switchingVariance: false` (statsmodels' MarkovRegression default).
 */
export interface RegimeParams {
  /** Row-stochastic transition matrix, P[i][j] = P(S_t = j | S_{t-1} = i). */
  transition: number[][];
  means: number[];
  variances: number[];
}

export interface HamiltonFilterResult {
  /** filtered[t][k] = P(S_t = k | y_0..y_t): uses nothing after t. */
  filtered: number[][];
  /** predicted[t][k] = P(S_t = k | y_0..y_{t-1}). */
  predicted: number[][];
  logLikelihood: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The chain's stationary (ergodic) distribution: solves pi·(P - I) = 0 with Σ pi = 1 (the last
 * balance equation replaced by the normalisation), by Gaussian elimination with partial pivoting.
 */
export function ergodicProbabilities(transition: number[][]): number[] {
  const k = transition.length;
  // Rows of A: A[j][i] = P[i][j] - δij for j < k-1; last row all ones.
  const a: number[][] = Array.from({ length: k }, (_, j) =>
    Array.from({ length: k + 1 }, (_, i) => {
      if (i === k) return j === k - 1 ? 1 : 0;
      if (j === k - 1) return 1;
      return (transition[i]?.[j] as number) - (i === j ? 1 : 0);
    }),
  );
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++)
      if (Math.abs((a[r] as number[])[col] as number) > Math.abs((a[piv] as number[])[col] as number))
        piv = r;
    [a[col], a[piv]] = [a[piv] as number[], a[col] as number[]];
    const pr = a[col] as number[];
    const d = pr[col] as number;
    if (Math.abs(d) < 1e-300) return new Array<number>(k).fill(1 / k);
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const row = a[r] as number[];
      const f = (row[col] as number) / d;
      if (f === 0) continue;
      for (let c = col; c <= k; c++) row[c] = (row[c] as number) - f * (pr[c] as number);
    }
  }
  const pi = a.map((row, i) => (row[k] as number) / (row[i] as number));
  const s = pi.reduce((x, y) => x + Math.max(y, 0), 0);
  return pi.map((v) => Math.max(v, 0) / s);
}

function checkParams(p: RegimeParams): number {
  const k = p.means.length;
  if (k < 2 || p.variances.length !== k || p.transition.length !== k)
    throw new QuantInputError(
      'INVALID_PARAMETER',
      'params',
      'means, variances and transition need K >= 2 rows',
    );
  for (const v of p.variances)
    if (!(v > 0)) throw new QuantInputError('INVALID_PARAMETER', 'variances', 'must be positive');
  for (const row of p.transition) {
    if (row.length !== k) throw new QuantInputError('INVALID_PARAMETER', 'transition', 'must be K x K');
    const s = row.reduce((a, b) => a + b, 0);
    if (Math.abs(s - 1) > 1e-8)
      throw new QuantInputError('INVALID_PARAMETER', 'transition', 'rows must sum to 1');
  }
  return k;
}

/**
 * Hamilton's filter. Starts from the ergodic distribution (statsmodels' default), then for each
 * t: predicted = filtered_{t-1}·P, joint_k = predicted_k·N(y_t; mu_k, sigma2_k), the likelihood
 * contribution is Σ joint, filtered = joint / Σ joint. Filtered probabilities use only data up
 * to t, so a figure at a bar equals the one from the history up to that bar.
 */
export function hamiltonFilter(y: Series, params: RegimeParams): HamiltonFilterResult {
  assertFinite('y', y);
  const k = checkParams(params);
  const f = filterFlat(y, params);
  const rows = (a: Float64Array) =>
    Array.from({ length: y.length }, (_, t) => Array.from(a.subarray(t * k, t * k + k)));
  return { filtered: rows(f.filt), predicted: rows(f.pred), logLikelihood: f.ll };
}

interface FlatFilter {
  /** filt[t*k + j] = P(S_t = j | y_0..y_t). */
  filt: Float64Array;
  pred: Float64Array;
  ll: number;
}

/** The filter on flat typed arrays (EM runs it hundreds of times). */
function filterFlat(y: Series, params: RegimeParams): FlatFilter {
  const k = params.means.length;
  const n = y.length;
  const P = Float64Array.from(params.transition.flat());
  const mu = Float64Array.from(params.means);
  const lognorm = Float64Array.from(params.variances, (v) => -0.5 * (LOG_2PI + Math.log(v)));
  const halfInv = Float64Array.from(params.variances, (v) => -0.5 / v);
  const filt = new Float64Array(n * k);
  const pred = new Float64Array(n * k);
  const pi0 = ergodicProbabilities(params.transition);
  let ll = 0;
  for (let t = 0; t < n; t++) {
    const o = t * k;
    if (t === 0) for (let j = 0; j < k; j++) pred[j] = pi0[j] as number;
    else {
      const po = o - k;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += (filt[po + i] as number) * (P[i * k + j] as number);
        pred[o + j] = s;
      }
    }
    const yt = y[t] as number;
    let total = 0;
    for (let j = 0; j < k; j++) {
      const d = yt - (mu[j] as number);
      const joint =
        (pred[o + j] as number) * Math.exp((lognorm[j] as number) + (halfInv[j] as number) * d * d);
      filt[o + j] = joint;
      total += joint;
    }
    if (!(total > 0)) total = Number.MIN_VALUE;
    ll += Math.log(total);
    for (let j = 0; j < k; j++) filt[o + j] = (filt[o + j] as number) / total;
  }
  return { filt, pred, ll };
}

/** Kim's smoother, used only inside EM's E-step (never served: it uses the future). Flat, like the filter. */
function kimSmoother(f: FlatFilter, P: Float64Array, k: number, n: number): Float64Array {
  const sm = new Float64Array(n * k);
  for (let j = 0; j < k; j++) sm[(n - 1) * k + j] = f.filt[(n - 1) * k + j] as number;
  const ratio = new Float64Array(k);
  for (let t = n - 2; t >= 0; t--) {
    const o = t * k;
    for (let j = 0; j < k; j++)
      ratio[j] = (sm[o + k + j] as number) / Math.max(f.pred[o + k + j] as number, 1e-300);
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += (P[i * k + j] as number) * (ratio[j] as number);
      sm[o + i] = (f.filt[o + i] as number) * s;
    }
  }
  return sm;
}

export interface RegimeFitOptions {
  regimes?: number;
  /** Switch the variance with the regime (default true); false = one common variance. */
  switchingVariance?: boolean;
  maxIterations?: number;
  /** Stop when the log-likelihood improves by less than this. */
  tolerance?: number;
  /** Starting values; default: means at quantiles, the sample variance, 0.9 on the diagonal. */
  start?: RegimeParams;
  /**
   * After EM, maximise the exact likelihood (ergodic start included) by Nelder-Mead from EM's
   * answer (default true): EM's M-step ignores the initial distribution, so it stops a little
   * short of the maximum.
   */
  polish?: boolean;
}

export interface RegimeFit {
  params: RegimeParams;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  /** Filtered probabilities at the fitted parameters (no smoothing: nothing from the future). */
  filtered: number[][];
  /** 1 / (1 - P[k][k]), in periods. */
  expectedDurations: number[];
  observations: number;
}

function defaultStart(y: Series, k: number): RegimeParams {
  const sorted = Array.from(y).sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const variance = sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const means = Array.from({ length: k }, (_, i) => sorted[Math.floor(((i + 0.5) / k) * n)] as number);
  const transition = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => (i === j ? 0.9 : 0.1 / (k - 1))),
  );
  return { transition, means, variances: new Array<number>(k).fill(variance) };
}

/**
 * Fits the model by EM (Hamilton 1990): E-step = Hamilton filter + Kim smoother; M-step =
 * transition counts from the smoothed joint probabilities ξ_t(i,j) = smoothed_t(j)·filtered_{t-1}(i)·P[i][j]/predicted_t(j),
 * means and variances as smoothed-probability-weighted moments. Iterates until the
 * log-likelihood gains less than `tolerance`. Returns the filtered probabilities at the fit.
 */
export function fitMarkovSwitching(y: Series, options: RegimeFitOptions = {}): RegimeFit {
  assertFinite('y', y);
  const k = options.regimes ?? 2;
  if (!Number.isInteger(k) || k < 2 || k > 5)
    throw new QuantInputError('INVALID_PARAMETER', 'regimes', 'must be an integer in 2..5');
  const n = y.length;
  if (n < 10 * k)
    throw new QuantInputError('INSUFFICIENT_DATA', 'y', `needs at least ${10 * k} observations`);
  const switching = options.switchingVariance ?? true;
  const maxIter = options.maxIterations ?? 500;
  const tol = options.tolerance ?? 1e-8;
  let params = options.start ?? defaultStart(y, k);
  const floor = 1e-8 * Math.max(...params.variances);
  let f = filterFlat(y, params);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    const P = Float64Array.from(params.transition.flat());
    const sm = kimSmoother(f, P, k, n);
    const num = new Float64Array(k * k);
    const den = new Float64Array(k);
    for (let t = 1; t < n; t++) {
      const o = t * k;
      const po = o - k;
      for (let j = 0; j < k; j++) {
        const r = (sm[o + j] as number) / Math.max(f.pred[o + j] as number, 1e-300);
        for (let i = 0; i < k; i++)
          num[i * k + j] =
            (num[i * k + j] as number) + (f.filt[po + i] as number) * (P[i * k + j] as number) * r;
      }
      for (let i = 0; i < k; i++) den[i] = (den[i] as number) + (sm[po + i] as number);
    }
    const transition = Array.from({ length: k }, (_, i) => {
      const row = Array.from(num.subarray(i * k, i * k + k));
      const total = row.reduce((a, b) => a + b, 0) || (den[i] as number) || 1;
      const clipped = row.map((x) => Math.min(Math.max(x / total, 1e-10), 1));
      const sum = clipped.reduce((a, b) => a + b, 0);
      return clipped.map((x) => x / sum);
    });
    const means = new Array<number>(k).fill(0);
    const weights = new Array<number>(k).fill(0);
    for (let t = 0; t < n; t++)
      for (let j = 0; j < k; j++) {
        const w = sm[t * k + j] as number;
        weights[j] = (weights[j] as number) + w;
        means[j] = (means[j] as number) + w * (y[t] as number);
      }
    for (let j = 0; j < k; j++) means[j] = (means[j] as number) / Math.max(weights[j] as number, 1e-300);
    const ss = new Array<number>(k).fill(0);
    for (let t = 0; t < n; t++)
      for (let j = 0; j < k; j++) {
        const d = (y[t] as number) - (means[j] as number);
        ss[j] = (ss[j] as number) + (sm[t * k + j] as number) * d * d;
      }
    const variances = switching
      ? ss.map((x, j) => Math.max(x / Math.max(weights[j] as number, 1e-300), floor))
      : new Array<number>(k).fill(Math.max(ss.reduce((a, b) => a + b, 0) / n, floor));
    const next = { transition, means, variances };
    const nf = filterFlat(y, next);
    const gain = nf.ll - f.ll;
    params = next;
    f = nf;
    if (Math.abs(gain) < tol) {
      converged = true;
      break;
    }
  }
  let result = { params, ll: f.ll };
  if (options.polish ?? true) {
    const polished = polishByNelderMead(y, params, switching);
    if (polished.logLikelihood > result.ll) result = { params: polished.params, ll: polished.logLikelihood };
  }
  params = result.params;
  const final = hamiltonFilter(y, params);
  return {
    params,
    logLikelihood: final.logLikelihood,
    iterations,
    converged,
    filtered: final.filtered,
    expectedDurations: params.transition.map((row, i) => 1 / Math.max(1 - (row[i] as number), 1e-12)),
    observations: n,
  };
}

/** Exact-likelihood refinement: means, log variances and row-softmax transition logits. */
function polishByNelderMead(
  y: Series,
  start: RegimeParams,
  switching: boolean,
): { params: RegimeParams; logLikelihood: number } {
  const k = start.means.length;
  const nv = switching ? k : 1;
  const encode = (p: RegimeParams): number[] => [
    ...p.means,
    ...p.variances.slice(0, nv).map(Math.log),
    ...p.transition.flatMap((row, i) => {
      const base = Math.log(Math.max(row[i] as number, 1e-300));
      return row.flatMap((x, j) => (j === i ? [] : [Math.log(Math.max(x, 1e-300)) - base]));
    }),
  ];
  const decode = (x: number[]): RegimeParams => {
    const means = x.slice(0, k);
    const lv = x.slice(k, k + nv).map(Math.exp);
    const variances = switching ? lv : new Array<number>(k).fill(lv[0] as number);
    let at = k + nv;
    const transition = Array.from({ length: k }, (_, i) => {
      const logits = Array.from({ length: k }, (_, j) => (j === i ? 0 : (x[at++] as number)));
      const mx = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - mx));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    return { transition, means, variances };
  };
  const objective = (x: number[]) => {
    const ll = filterFlat(y, decode(x)).ll;
    return Number.isFinite(ll) ? -ll : 1e300;
  };
  let x = encode(start);
  let best = objective(x);
  for (let round = 0; round < 6; round++) {
    const res = nelderMead(objective, x, { step: 0.05, maxIterations: 3000, tolerance: 1e-13 });
    const gain = best - res.value;
    x = res.x;
    best = Math.min(best, res.value);
    if (gain < 1e-8) break;
  }
  const params = decode(x);
  return { params, logLikelihood: filterFlat(y, params).ll };
}
