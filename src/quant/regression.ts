import { incompleteBeta } from './distributions';
import { QuantInputError } from './errors';
import { assertFinite, type Series } from './validate';

export interface OlsOptions {
  /** Add a constant column (reported first), default true. */
  intercept?: boolean;
}

export interface OlsResult {
  /** β: the intercept first when included, then one per regressor in the given order. */
  coefficients: number[];
  /** √diag(s²(XᵀX)⁻¹), s² = RSS/(n - p). */
  standardErrors: number[];
  /** β / SE (±Infinity for a perfect fit). */
  tStatistics: number[];
  /** Two-sided p-values from Student's t with n - p degrees of freedom. */
  pValues: number[];
  /** 1 - RSS/TSS; TSS centred on the mean with an intercept, raw Σy² without one. */
  rSquared: number;
  /** 1 - (1 - R²)(n - c)/(n - p), c = 1 with an intercept, 0 without. */
  adjustedRSquared: number;
  /** s = √(RSS/(n - p)). */
  residualStdError: number;
  degreesOfFreedom: number;
  observations: number;
  residuals: Float64Array;
}

/**
 * Ordinary least squares of y on several regressors (factor returns, ...), solved by
 * Householder QR of X (no normal equations, so no squaring of the condition number):
 * β = R⁻¹Qᵀy, Cov(β) = s²·R⁻¹R⁻ᵀ. Needs n > p observations; collinear regressors
 * (|R_jj| <= 1e-12 × the largest column norm) throw SINGULAR_MATRIX.
 */
export function ols(y: Series, regressors: readonly Series[], options: OlsOptions = {}): OlsResult {
  const intercept = options.intercept ?? true;
  assertFinite('y', y);
  const n = y.length;
  regressors.forEach((x, i) => {
    if (x.length !== n) {
      throw new QuantInputError(
        'LENGTH_MISMATCH',
        `regressors[${i}]`,
        `has length ${x.length}, expected ${n}`,
      );
    }
    assertFinite(`regressors[${i}]`, x);
  });
  const p = regressors.length + (intercept ? 1 : 0);
  if (p === 0) throw new QuantInputError('INVALID_PARAMETER', 'regressors', 'no regressors and no intercept');
  if (n <= p) {
    throw new QuantInputError(
      'INSUFFICIENT_DATA',
      'y',
      `needs more observations (${n}) than coefficients (${p})`,
    );
  }

  // Column-major design matrix, transformed in place into Householder vectors + R.
  const a = new Float64Array(n * p);
  let col = 0;
  if (intercept) a.fill(1, 0, n);
  if (intercept) col = 1;
  for (const x of regressors) {
    const off = col * n;
    for (let i = 0; i < n; i++) a[off + i] = x[i] as number;
    col++;
  }
  const qty = Float64Array.from(y);
  const diag = new Float64Array(p);
  let maxNorm = 0;
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (a[j * n + i] as number) ** 2;
    maxNorm = Math.max(maxNorm, Math.sqrt(s));
  }
  for (let j = 0; j < p; j++) {
    const off = j * n;
    let norm = 0;
    for (let i = j; i < n; i++) norm += (a[off + i] as number) ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12 * maxNorm)) {
      throw new QuantInputError('SINGULAR_MATRIX', 'regressors', `column ${j} is collinear with the others`);
    }
    const ajj = a[off + j] as number;
    const alpha = ajj > 0 ? -norm : norm;
    a[off + j] = ajj - alpha;
    let vnorm2 = 0;
    for (let i = j; i < n; i++) vnorm2 += (a[off + i] as number) ** 2;
    diag[j] = alpha;
    const reflect = (target: Float64Array, tOff: number) => {
      let s = 0;
      for (let i = j; i < n; i++) s += (a[off + i] as number) * (target[tOff + i] as number);
      const f = (2 * s) / vnorm2;
      for (let i = j; i < n; i++)
        target[tOff + i] = (target[tOff + i] as number) - f * (a[off + i] as number);
    };
    for (let c = j + 1; c < p; c++) reflect(a, c * n);
    reflect(qty, 0);
  }
  // R[j][c] = a[c*n + j] for c > j, R[j][j] = diag[j].
  const r = (row: number, c: number) => (row === c ? (diag[row] as number) : (a[c * n + row] as number));
  const beta = new Float64Array(p);
  for (let j = p - 1; j >= 0; j--) {
    let s = qty[j] as number;
    for (let c = j + 1; c < p; c++) s -= r(j, c) * (beta[c] as number);
    beta[j] = s / r(j, j);
  }
  // R⁻¹ (upper triangular), then diag(R⁻¹R⁻ᵀ) = row sums of squares of R⁻¹.
  const rinv = new Float64Array(p * p);
  for (let c = 0; c < p; c++) {
    rinv[c * p + c] = 1 / r(c, c);
    for (let row = c - 1; row >= 0; row--) {
      let s = 0;
      for (let m = row + 1; m <= c; m++) s += r(row, m) * (rinv[m * p + c] as number);
      rinv[row * p + c] = -s / r(row, row);
    }
  }
  const residuals = new Float64Array(n);
  let rss = 0;
  let ySum = 0;
  for (let i = 0; i < n; i++) ySum += y[i] as number;
  const yMean = ySum / n;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    let fit = intercept ? (beta[0] as number) : 0;
    let c = intercept ? 1 : 0;
    for (const x of regressors) fit += (beta[c++] as number) * (x[i] as number);
    const yi = y[i] as number;
    const e = yi - fit;
    residuals[i] = e;
    rss += e * e;
    tss += intercept ? (yi - yMean) ** 2 : yi * yi;
  }
  const df = n - p;
  const s2 = rss / df;
  const standardErrors: number[] = [];
  const tStatistics: number[] = [];
  const pValues: number[] = [];
  for (let j = 0; j < p; j++) {
    let d = 0;
    for (let c = j; c < p; c++) d += (rinv[j * p + c] as number) ** 2;
    const se = Math.sqrt(s2 * d);
    const t = (beta[j] as number) / se;
    standardErrors.push(se);
    tStatistics.push(t);
    // Two-sided tail P(|T| > |t|) = I_{df/(df+t²)}(df/2, ½), computed directly (no 1 - cdf).
    pValues.push(Number.isNaN(t) ? Number.NaN : incompleteBeta(df / (df + t * t), df / 2, 0.5));
  }
  const rSquared = tss > 0 ? 1 - rss / tss : 0;
  const c0 = intercept ? 1 : 0;
  return {
    coefficients: Array.from(beta),
    standardErrors,
    tStatistics,
    pValues,
    rSquared,
    adjustedRSquared: 1 - ((1 - rSquared) * (n - c0)) / df,
    residualStdError: Math.sqrt(s2),
    degreesOfFreedom: df,
    observations: n,
    residuals,
  };
}
