import { QuantInputError } from './errors';
import { assertFinite, assertSameLength, type Series } from './validate';

// Scalar statistics return `null` when they are undefined for the data (too few points,
// zero variance): JSON has no NaN, and the type makes callers handle the case.

/** Arithmetic mean Σx/n; null for an empty series. */
export function mean(values: Series): number | null {
  assertFinite('values', values);
  const n = values.length;
  if (n === 0) return null;
  return meanUnchecked(values);
}

/** Σx/n without validation (callers have checked finiteness and n > 0). */
export function meanUnchecked(values: Series): number {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i] as number;
  return s / n;
}

/** Sample variance Σ(x - x̄)²/(n - 1), two-pass; null when n < 2. */
export function variance(values: Series): number | null {
  assertFinite('values', values);
  return values.length < 2 ? null : varianceUnchecked(values);
}

/** Two-pass sample variance (n-1) without validation (n >= 2 checked by the caller). */
export function varianceUnchecked(values: Series): number {
  const n = values.length;
  const m = meanUnchecked(values);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - m;
    s += d * d;
  }
  return s / (n - 1);
}

/** Sample standard deviation √(Σ(x - x̄)²/(n - 1)); null when n < 2. */
export function stdDev(values: Series): number | null {
  const v = variance(values);
  return v === null ? null : Math.sqrt(v);
}

export interface MomentOptions {
  /**
   * true (default): the bias-adjusted sample estimators G1/G2 (Excel SKEW/KURT, SAS, pandas).
   * false: the plain moment ratios g1 = m2^-1.5·m3, g2 = m4/m2² - 3 (population formulas).
   */
  adjusted?: boolean;
}

function centralMoments(values: Series): { n: number; m2: number; m3: number; m4: number } {
  const n = values.length;
  const m = meanUnchecked(values);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  return { n, m2: m2 / n, m3: m3 / n, m4: m4 / n };
}

/** Largest |x| of a series: the scale against which a spread counts as zero. */
export function maxAbs(values: Series): number {
  let scale = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i] as number);
    if (a > scale) scale = a;
  }
  return scale;
}

/**
 * True when a standard deviation is zero up to rounding: sd <= 1e-14·max|x|. A constant
 * series' computed mean can be off by an ulp, leaving an sd of ~1e-17·|x| instead of 0.
 */
export function isZeroSpread(sd: number, values: Series): boolean {
  return !(sd > 1e-14 * maxAbs(values));
}

function isDegenerate(m2: number, values: Series): boolean {
  return isZeroSpread(Math.sqrt(m2), values);
}

/**
 * Skewness. Adjusted (default): G1 = g1·√(n(n-1))/(n-2), needs n >= 3; plain: g1 = m3/m2^1.5
 * with m_k = Σ(x - x̄)^k/n, needs n >= 1. null when too few points or zero variance.
 */
export function skewness(values: Series, options: MomentOptions = {}): number | null {
  assertFinite('values', values);
  const adjusted = options.adjusted ?? true;
  const n = values.length;
  if (n < (adjusted ? 3 : 1)) return null;
  const { m2, m3 } = centralMoments(values);
  if (isDegenerate(m2, values)) return null;
  const g1 = m3 / m2 ** 1.5;
  return adjusted ? (g1 * Math.sqrt(n * (n - 1))) / (n - 2) : g1;
}

/**
 * EXCESS kurtosis (normal = 0). Adjusted (default): G2 = ((n+1)·g2 + 6)·(n-1)/((n-2)(n-3)),
 * Excel KURT, needs n >= 4; plain: g2 = m4/m2² - 3. null when too few points or zero variance.
 */
export function kurtosis(values: Series, options: MomentOptions = {}): number | null {
  assertFinite('values', values);
  const adjusted = options.adjusted ?? true;
  const n = values.length;
  if (n < (adjusted ? 4 : 1)) return null;
  const { m2, m4 } = centralMoments(values);
  if (isDegenerate(m2, values)) return null;
  const g2 = m4 / (m2 * m2) - 3;
  return adjusted ? (((n + 1) * g2 + 6) * (n - 1)) / ((n - 2) * (n - 3)) : g2;
}

/** Sample covariance Σ(x - x̄)(y - ȳ)/(n - 1); null when n < 2. */
export function covariance(x: Series, y: Series): number | null {
  assertSameLength({ x, y });
  assertFinite('x', x);
  assertFinite('y', y);
  if (x.length < 2) return null;
  return covarianceUnchecked(x, y, meanUnchecked(x), meanUnchecked(y));
}

/** Σ(x - mx)(y - my)/(n-1) given the means, without validation. */
export function covarianceUnchecked(x: Series, y: Series, mx: number, my: number): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += ((x[i] as number) - mx) * ((y[i] as number) - my);
  return s / (n - 1);
}

/** Pearson correlation cov(x,y)/(σx·σy); null when n < 2 or either series is constant. */
export function correlation(x: Series, y: Series): number | null {
  assertSameLength({ x, y });
  assertFinite('x', x);
  assertFinite('y', y);
  if (x.length < 2) return null;
  const mx = meanUnchecked(x);
  const my = meanUnchecked(y);
  const sxy = covarianceUnchecked(x, y, mx, my);
  const sxx = covarianceUnchecked(x, x, mx, mx);
  const syy = covarianceUnchecked(y, y, my, my);
  if (isZeroSpread(Math.sqrt(sxx), x) || isZeroSpread(Math.sqrt(syy), y)) return null;
  return clampCorrelation(sxy / Math.sqrt(sxx * syy));
}

function clampCorrelation(r: number): number {
  return Math.min(1, Math.max(-1, r));
}

/** Validates a list of equally long return series (assets × observations). */
export function assertMatrix(field: string, series: readonly Series[], minObservations = 2): number {
  if (series.length === 0) {
    throw new QuantInputError('INSUFFICIENT_DATA', field, 'needs at least one series');
  }
  const t = (series[0] as Series).length;
  series.forEach((s, i) => {
    if (s.length !== t) {
      throw new QuantInputError('LENGTH_MISMATCH', `${field}[${i}]`, `has length ${s.length}, expected ${t}`);
    }
    assertFinite(`${field}[${i}]`, s);
  });
  if (t < minObservations) {
    throw new QuantInputError('INSUFFICIENT_DATA', field, `needs at least ${minObservations} observations`);
  }
  return t;
}

/**
 * Sample covariance matrix (n - 1) as a flat row-major Float64Array of k×k, for k series of
 * equal length. Demeaned once, then one dot product per pair (symmetric fill).
 */
export function covarianceMatrixFlat(series: readonly Series[]): Float64Array {
  const t = assertMatrix('series', series);
  const k = series.length;
  const centered = new Float64Array(k * t);
  for (let a = 0; a < k; a++) {
    const s = series[a] as Series;
    const m = meanUnchecked(s);
    const off = a * t;
    for (let i = 0; i < t; i++) centered[off + i] = (s[i] as number) - m;
  }
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    const oa = a * t;
    for (let b = a; b < k; b++) {
      const ob = b * t;
      let s = 0;
      for (let i = 0; i < t; i++) s += (centered[oa + i] as number) * (centered[ob + i] as number);
      const c = s / (t - 1);
      out[a * k + b] = c;
      out[b * k + a] = c;
    }
  }
  return out;
}

/** Sample covariance matrix (n - 1) of k equally long series, as k rows of k numbers. */
export function covarianceMatrix(series: readonly Series[]): number[][] {
  const flat = covarianceMatrixFlat(series);
  const k = series.length;
  return Array.from({ length: k }, (_, a) => Array.from(flat.subarray(a * k, a * k + k)));
}

/**
 * Pearson correlation matrix of k equally long series. Entries involving a constant series
 * are null (undefined correlation), including its diagonal.
 */
export function correlationMatrix(series: readonly Series[]): (number | null)[][] {
  const flat = covarianceMatrixFlat(series);
  const k = series.length;
  const sd = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    const s = Math.sqrt(flat[a * k + a] as number);
    sd[a] = isZeroSpread(s, series[a] as Series) ? 0 : s;
  }
  return Array.from({ length: k }, (_, a) =>
    Array.from({ length: k }, (_, b) => {
      const sa = sd[a] as number;
      const sb = sd[b] as number;
      if (sa <= 0 || sb <= 0) return null;
      return a === b ? 1 : clampCorrelation((flat[a * k + b] as number) / (sa * sb));
    }),
  );
}

/**
 * Quantile by linear interpolation between order statistics (Hyndman–Fan type 7, the
 * default of numpy, R and Excel PERCENTILE.INC): h = (n-1)p, q = x₍⌊h⌋₎ + (h-⌊h⌋)(x₍⌊h⌋+1₎ - x₍⌊h⌋₎).
 * null for an empty series.
 */
export function quantile(values: Series, p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new QuantInputError('INVALID_PARAMETER', 'p', `must be in [0, 1], got ${p}`);
  assertFinite('values', values);
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return quantileSorted(sorted, p);
}

/** Type-7 quantile of an already ascending-sorted, non-empty sample. */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  return a + (h - lo) * ((sorted[hi] as number) - a);
}
