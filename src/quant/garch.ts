import { QuantInputError } from './errors';
import { assertFinite, type Series } from './validate';

/**
 * GARCH(1,1) with a constant mean: r_t = mu + e_t, h_t = omega + alpha·e_{t-1}² + beta·h_{t-1},
 * e_t ~ N(0, h_t). Pre-sample values as in the Fiorentini-Calzolari-Panattoni (1996) benchmark
 * (the one McCullough-Renfro 1999 and Brooks-Burke-Persand 2001 use): h_0 = e_0² = Σ(r_t - mu)²/T
 * at the current mu, so h_1 = omega + (alpha + beta)·h_0. Log-likelihood:
 * -½ Σ_{t=1..T} (ln 2π + ln h_t + e_t²/h_t).
 */
export interface GarchParams {
  mu: number;
  omega: number;
  alpha: number;
  beta: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

function sampleVariance(r: Series, mu: number): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += ((r[i] as number) - mu) ** 2;
  return s / r.length;
}

/** Conditional variances h_t and the log-likelihood of `r` under `p`. */
export function garchFilter(r: Series, p: GarchParams): { variances: Float64Array; logLikelihood: number } {
  const n = r.length;
  const h = new Float64Array(n);
  let ll = 0;
  let prevH = sampleVariance(r, p.mu);
  let prevE2 = prevH;
  for (let t = 0; t < n; t++) {
    const ht = p.omega + p.alpha * prevE2 + p.beta * prevH;
    const e = (r[t] as number) - p.mu;
    h[t] = ht;
    ll += -0.5 * (LOG_2PI + Math.log(ht) + (e * e) / ht);
    prevH = ht;
    prevE2 = e * e;
  }
  return { variances: h, logLikelihood: ll };
}

/** Nelder-Mead minimiser (standard coefficients 1, 2, 0.5, 0.5). */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: { step?: number; maxIterations?: number; tolerance?: number } = {},
): { x: number[]; value: number; iterations: number } {
  const n = start.length;
  const step = options.step ?? 0.1;
  const maxIter = options.maxIterations ?? 5000;
  const tol = options.tolerance ?? 1e-12;
  let simplex = [start.slice()];
  for (let i = 0; i < n; i++) {
    const x = start.slice();
    x[i] = (x[i] as number) + (x[i] !== 0 ? step * Math.abs(x[i] as number) : step);
    simplex.push(x);
  }
  let values = simplex.map(f);
  let iter = 0;
  for (; iter < maxIter; iter++) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    simplex = order.map(([, i]) => simplex[i] as number[]);
    values = order.map(([v]) => v);
    const best = values[0] as number;
    const worst = values[n] as number;
    if (Math.abs(worst - best) <= tol * (Math.abs(best) + 1e-300) + 1e-300) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        centroid[j] = (centroid[j] as number) + ((simplex[i] as number[])[j] as number) / n;
    const towards = (coef: number) =>
      centroid.map((c, j) => c + coef * (((simplex[n] as number[])[j] as number) - c));
    const reflected = towards(-1);
    const fr = f(reflected);
    if (fr < best) {
      const expanded = towards(-2);
      const fe = f(expanded);
      if (fe < fr) {
        simplex[n] = expanded;
        values[n] = fe;
      } else {
        simplex[n] = reflected;
        values[n] = fr;
      }
    } else if (fr < (values[n - 1] as number)) {
      simplex[n] = reflected;
      values[n] = fr;
    } else {
      const contracted = fr < worst ? towards(-0.5) : towards(0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, worst)) {
        simplex[n] = contracted;
        values[n] = fc;
      } else {
        const b = simplex[0] as number[];
        for (let i = 1; i <= n; i++) {
          simplex[i] = (simplex[i] as number[]).map(
            (v, j) => (b[j] as number) + 0.5 * (v - (b[j] as number)),
          );
          values[i] = f(simplex[i] as number[]);
        }
      }
    }
  }
  let bi = 0;
  for (let i = 1; i <= n; i++) if ((values[i] as number) < (values[bi] as number)) bi = i;
  return { x: simplex[bi] as number[], value: values[bi] as number, iterations: iter };
}

export interface GarchFit {
  params: GarchParams;
  logLikelihood: number;
  /** alpha + beta. */
  persistence: number;
  /** omega / (1 - alpha - beta), per period. */
  longRunVariance: number | null;
  /** ln 2 / -ln(alpha + beta), periods. */
  halfLife: number | null;
  /** Conditional variance of the last observation. */
  lastVariance: number;
  /** One-step-ahead variance forecast h_{T+1}. */
  nextVariance: number;
  observations: number;
}

/**
 * GARCH(1,1) by maximum likelihood: Nelder-Mead on an unconstrained reparametrisation
 * (omega = e^a; alpha = s·σ(b), beta = s·(1-σ(b)) with s = σ(c) < 1 the persistence), so
 * omega > 0, alpha, beta >= 0 and alpha + beta < 1 hold throughout, restarted from its own
 * optimum until it stops improving.
 */
export function fitGarch11(r: Series): GarchFit {
  assertFinite('returns', r);
  const n = r.length;
  if (n < 50) throw new QuantInputError('INSUFFICIENT_DATA', 'returns', 'needs at least 50 observations');
  let m = 0;
  for (let i = 0; i < n; i++) m += r[i] as number;
  m /= n;
  const v = sampleVariance(r, m);
  if (!(v > 0)) throw new QuantInputError('INSUFFICIENT_DATA', 'returns', 'has zero variance');
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const scale = Math.sqrt(v);
  const decode = (x: number[]): GarchParams => {
    const s = sig(x[3] as number);
    const w = sig(x[2] as number);
    return {
      mu: (x[0] as number) * scale,
      omega: Math.exp(x[1] as number) * v,
      alpha: s * w,
      beta: s * (1 - w),
    };
  };
  const objective = (x: number[]) => {
    const ll = garchFilter(r, decode(x)).logLikelihood;
    return Number.isFinite(ll) ? -ll : 1e300;
  };
  // Start: alpha 0.1, beta 0.85, omega from the long-run variance.
  let x = [m / scale, Math.log(0.05), Math.log(0.1 / 0.85), Math.log(0.95 / 0.05)];
  let best = objective(x);
  for (let round = 0; round < 8; round++) {
    const res = nelderMead(objective, x, { step: 0.3, maxIterations: 4000, tolerance: 1e-14 });
    const improved = best - res.value;
    x = res.x;
    best = res.value;
    if (round > 0 && improved < 1e-9) break;
  }
  const params = decode(x);
  const { variances, logLikelihood } = garchFilter(r, params);
  const persistence = params.alpha + params.beta;
  const lastVariance = variances[n - 1] as number;
  const lastE = (r[n - 1] as number) - params.mu;
  return {
    params,
    logLikelihood,
    persistence,
    longRunVariance: persistence < 1 ? params.omega / (1 - persistence) : null,
    halfLife: persistence > 0 && persistence < 1 ? Math.log(2) / -Math.log(persistence) : null,
    lastVariance,
    nextVariance: params.omega + params.alpha * lastE * lastE + params.beta * lastVariance,
    observations: n,
  };
}

/**
 * RiskMetrics EWMA variance: s²_t = λ·s²_{t-1} + (1-λ)·r²_{t-1}, zero mean, seeded with the mean
 * of the squares of the first min(30, n) returns. Returns the forecast for the period after
 * the last return (s²_{T+1}). λ = 0.94 is RiskMetrics' daily decay.
 */
export function ewmaVariance(r: Series, lambda = 0.94): number {
  assertFinite('returns', r);
  if (!(lambda > 0 && lambda < 1))
    throw new QuantInputError('INVALID_PARAMETER', 'lambda', 'must be in (0, 1)');
  const n = r.length;
  if (n < 2) throw new QuantInputError('INSUFFICIENT_DATA', 'returns', 'needs at least 2 observations');
  const seedN = Math.min(30, n);
  let s2 = 0;
  for (let i = 0; i < seedN; i++) s2 += (r[i] as number) ** 2;
  s2 /= seedN;
  for (let t = 0; t < n; t++) s2 = lambda * s2 + (1 - lambda) * (r[t] as number) ** 2;
  return s2;
}
