import { describe, expect, it } from 'vitest';
import { ols, QuantInputError } from '../../src/quant';
import { normals } from './fixtures';

/** Inverse of a small symmetric matrix by Gauss-Jordan (independent of the QR in the library). */
function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs(a[r]?.[c] as number) > Math.abs(a[pivot]?.[c] as number)) pivot = r;
    [a[c], a[pivot]] = [a[pivot] as number[], a[c] as number[]];
    const row = a[c] as number[];
    const d = row[c] as number;
    for (let j = 0; j < 2 * n; j++) row[j] = (row[j] as number) / d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const other = a[r] as number[];
      const f = other[c] as number;
      for (let j = 0; j < 2 * n; j++) other[j] = (other[j] as number) - f * (row[j] as number);
    }
  }
  return a.map((row) => row.slice(n));
}

describe('ols', () => {
  it("reproduces Anscombe's quartet I (published: 3.0001 + 0.5001x, SE 1.1247/0.1179, t 4.24, R² 0.6665)", () => {
    const x = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5];
    const y = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];
    const out = ols(y, [x]);
    expect(out.coefficients[0]).toBeCloseTo(3.0001, 4);
    expect(out.coefficients[1]).toBeCloseTo(0.5001, 4);
    expect(out.standardErrors[0]).toBeCloseTo(1.1247, 4);
    expect(out.standardErrors[1]).toBeCloseTo(0.1179, 4);
    expect(out.tStatistics[1]).toBeCloseTo(4.241, 3);
    expect(out.pValues[1]).toBeCloseTo(0.00217, 5);
    expect(out.rSquared).toBeCloseTo(0.6665, 4);
    expect(out.adjustedRSquared).toBeCloseTo(0.6295, 4);
    expect(out.residualStdError).toBeCloseTo(1.237, 3);
    expect(out.degreesOfFreedom).toBe(9);
  });

  it('several regressors: coefficients and standard errors equal the normal-equation solution', () => {
    const n = 400;
    const x1 = normals(41, n);
    const x2 = Float64Array.from(normals(42, n), (z, i) => z + 0.3 * (x1[i] as number));
    const x3 = normals(43, n);
    const e = normals(44, n);
    const y = Float64Array.from(
      x1,
      (v, i) => 0.5 + 1.2 * v - 0.7 * (x2[i] as number) + 0.1 * (x3[i] as number) + 0.3 * (e[i] as number),
    );
    const out = ols(y, [x1, x2, x3]);
    const cols = [new Float64Array(n).fill(1), x1, x2, x3];
    const xtx = cols.map((a) => cols.map((b) => a.reduce((s, v, i) => s + v * (b[i] as number), 0)));
    const xty = cols.map((a) => a.reduce((s, v, i) => s + v * (y[i] as number), 0));
    const inv = invert(xtx);
    const beta = inv.map((row) => row.reduce((s, v, j) => s + v * (xty[j] as number), 0));
    let rss = 0;
    for (let i = 0; i < n; i++) {
      const fit = cols.reduce((s, c, j) => s + (beta[j] as number) * (c[i] as number), 0);
      rss += ((y[i] as number) - fit) ** 2;
    }
    const s2 = rss / (n - 4);
    beta.forEach((b, j) => {
      expect(out.coefficients[j]).toBeCloseTo(b, 12);
      expect(out.standardErrors[j]).toBeCloseTo(Math.sqrt(s2 * (inv[j]?.[j] as number)), 12);
      expect(out.tStatistics[j]).toBeCloseTo(b / Math.sqrt(s2 * (inv[j]?.[j] as number)), 9);
    });
    expect(out.coefficients[1]).toBeCloseTo(1.2, 1);
    expect(out.residuals.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 10); // with an intercept
  });

  it('an exact linear relation is recovered with zero residuals and R² = 1', () => {
    const x1 = [1, 2, 3, 4, 5, 6];
    const x2 = [2, 1, 4, 3, 6, 5];
    const y = x1.map((v, i) => 2 + 3 * v - (x2[i] as number));
    const out = ols(y, [x1, x2]);
    expect(out.coefficients[0]).toBeCloseTo(2, 12);
    expect(out.coefficients[1]).toBeCloseTo(3, 12);
    expect(out.coefficients[2]).toBeCloseTo(-1, 12);
    expect(out.rSquared).toBeCloseTo(1, 12);
  });

  it('without an intercept: slope = Σxy/Σx², R² against the raw Σy²', () => {
    const x = [1, 2, 3, 4];
    const y = [2.1, 3.9, 6.2, 7.8];
    const out = ols(y, [x], { intercept: false });
    const slope = (2.1 + 7.8 + 18.6 + 31.2) / 30;
    expect(out.coefficients).toHaveLength(1);
    expect(out.coefficients[0]).toBeCloseTo(slope, 13);
    const rss = y.reduce((s, v, i) => s + (v - slope * (x[i] as number)) ** 2, 0);
    const raw = y.reduce((s, v) => s + v * v, 0);
    expect(out.rSquared).toBeCloseTo(1 - rss / raw, 13);
  });

  it('collinear regressors, too few observations, mismatched lengths and NaN throw', () => {
    const x = [1, 2, 3, 4, 5];
    expect(() => ols([1, 2, 3, 4, 6], [x, x.map((v) => 2 * v)])).toThrow(QuantInputError);
    expect(() => ols([1, 2], [[1, 2]])).toThrow(/more observations/);
    expect(() => ols([1, 2, 3], [[1, 2]])).toThrow(QuantInputError);
    expect(() => ols([1, 2, Number.NaN], [[1, 2, 3]])).toThrow(QuantInputError);
  });
});
