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

/** The chain's stationary (ergodic) distribution: the left eigenvector of P for eigenvalue 1, by power iteration. */
export function ergodicProbabilities(transition: number[][]): number[] {
  const k = transition.length;
  let pi = new Array<number>(k).fill(1 / k);
  for (let iter = 0; iter < 10_000; iter++) {
    const next = new Array<number>(k).fill(0);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++)
        next[j] = (next[j] as number) + (pi[i] as number) * (transition[i]?.[j] ?? 0);
    let diff = 0;
    for (let j = 0; j < k; j++) diff = Math.max(diff, Math.abs((next[j] as number) - (pi[j] as number)));
    pi = next;
    if (diff < 1e-15) break;
  }
  return pi;
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
  const n = y.length;
  const filtered: number[][] = [];
  const predicted: number[][] = [];
  let prev = ergodicProbabilities(params.transition);
  let ll = 0;
  for (let t = 0; t < n; t++) {
    const pred = new Array<number>(k).fill(0);
    if (t === 0) for (let j = 0; j < k; j++) pred[j] = prev[j] as number;
    else
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++)
          pred[j] = (pred[j] as number) + (prev[i] as number) * (params.transition[i]?.[j] as number);
    const yt = y[t] as number;
    const joint = new Array<number>(k);
    let total = 0;
    for (let j = 0; j < k; j++) {
      const v = params.variances[j] as number;
      const d = yt - (params.means[j] as number);
      const dens = Math.exp(-0.5 * (LOG_2PI + Math.log(v) + (d * d) / v));
      joint[j] = (pred[j] as number) * dens;
      total += joint[j] as number;
    }
    if (!(total > 0)) total = Number.MIN_VALUE;
    ll += Math.log(total);
    const filt = joint.map((x) => x / total);
    filtered.push(filt);
    predicted.push(pred);
    prev = filt;
  }
  return { filtered, predicted, logLikelihood: ll };
}

/** Kim's smoother, used only inside EM's E-step (never served: it uses the future). */
function kimSmoother(f: HamiltonFilterResult, transition: number[][]): number[][] {
  const n = f.filtered.length;
  const k = transition.length;
  const smoothed: number[][] = new Array(n);
  smoothed[n - 1] = (f.filtered[n - 1] as number[]).slice();
  for (let t = n - 2; t >= 0; t--) {
    const filt = f.filtered[t] as number[];
    const next = smoothed[t + 1] as number[];
    const pred = f.predicted[t + 1] as number[];
    const out = new Array<number>(k);
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++)
        s += ((transition[i]?.[j] as number) * (next[j] as number)) / Math.max(pred[j] as number, 1e-300);
      out[i] = (filt[i] as number) * s;
    }
    smoothed[t] = out;
  }
  return smoothed;
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
  let f = hamiltonFilter(y, params);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    const s = kimSmoother(f, params.transition);
    const num: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const den = new Array<number>(k).fill(0);
    for (let t = 1; t < n; t++) {
      const filtPrev = f.filtered[t - 1] as number[];
      const pred = f.predicted[t] as number[];
      const sm = s[t] as number[];
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const xi =
            ((sm[j] as number) * (filtPrev[i] as number) * (params.transition[i]?.[j] as number)) /
            Math.max(pred[j] as number, 1e-300);
          (num[i] as number[])[j] = ((num[i] as number[])[j] as number) + xi;
        }
        den[i] = (den[i] as number) + ((s[t - 1] as number[])[i] as number);
      }
    }
    const transition = num.map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || (den[i] as number) || 1;
      return row.map((x) => Math.min(Math.max(x / total, 1e-10), 1));
    });
    for (const row of transition) {
      const sum = row.reduce((a, b) => a + b, 0);
      for (let j = 0; j < k; j++) row[j] = (row[j] as number) / sum;
    }
    const means = new Array<number>(k).fill(0);
    const weights = new Array<number>(k).fill(0);
    for (let t = 0; t < n; t++)
      for (let j = 0; j < k; j++) {
        const w = (s[t] as number[])[j] as number;
        weights[j] = (weights[j] as number) + w;
        means[j] = (means[j] as number) + w * (y[t] as number);
      }
    for (let j = 0; j < k; j++) means[j] = (means[j] as number) / Math.max(weights[j] as number, 1e-300);
    const ss = new Array<number>(k).fill(0);
    for (let t = 0; t < n; t++)
      for (let j = 0; j < k; j++) {
        const d = (y[t] as number) - (means[j] as number);
        ss[j] = (ss[j] as number) + ((s[t] as number[])[j] as number) * d * d;
      }
    const variances = switching
      ? ss.map((x, j) => Math.max(x / Math.max(weights[j] as number, 1e-300), floor))
      : new Array<number>(k).fill(Math.max(ss.reduce((a, b) => a + b, 0) / n, floor));
    const next = { transition, means, variances };
    const nf = hamiltonFilter(y, next);
    const gain = nf.logLikelihood - f.logLikelihood;
    params = next;
    f = nf;
    if (Math.abs(gain) < tol) {
      converged = true;
      break;
    }
  }
  if (options.polish ?? true) {
    const polished = polishByNelderMead(y, params, switching);
    if (polished.logLikelihood > f.logLikelihood) {
      params = polished.params;
      f = polished.filter;
    }
  }
  return {
    params,
    logLikelihood: f.logLikelihood,
    iterations,
    converged,
    filtered: f.filtered,
    expectedDurations: params.transition.map((row, i) => 1 / Math.max(1 - (row[i] as number), 1e-12)),
    observations: n,
  };
}

/** Exact-likelihood refinement: means, log variances and row-softmax transition logits. */
function polishByNelderMead(
  y: Series,
  start: RegimeParams,
  switching: boolean,
): { params: RegimeParams; filter: HamiltonFilterResult; logLikelihood: number } {
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
    const ll = hamiltonFilter(y, decode(x)).logLikelihood;
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
  const filter = hamiltonFilter(y, params);
  return { params, filter, logLikelihood: filter.logLikelihood };
}
