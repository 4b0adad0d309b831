import { describe, expect, it } from 'vitest';
import {
  correlation,
  correlationMatrix,
  covariance,
  covarianceMatrix,
  kurtosis,
  mean,
  normCdf,
  normInv,
  normPdf,
  QuantInputError,
  quantile,
  skewness,
  stdDev,
  studentTCdf,
  variance,
} from '../../src/quant';
import { normals } from './fixtures';

describe('normal distribution', () => {
  it('Φ at published values, relative accuracy ~1e-14 into the far tail', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.96)).toBeCloseTo(0.9750021048517795, 15);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 15);
    expect(normCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 13);
    expect(normCdf(-3)).toBeCloseTo(1.3498980316300946e-3, 17);
    expect(normCdf(-8) / 6.220960574271785e-16).toBeCloseTo(1, 13);
    expect(normCdf(-10) / 7.61985302416047e-24).toBeCloseTo(1, 12);
    expect(normCdf(40)).toBe(1);
  });

  it('Φ⁻¹ at published quantiles and Φ(Φ⁻¹(p)) = p', () => {
    expect(normInv(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normInv(0.99)).toBeCloseTo(2.3263478740408408, 14);
    expect(normInv(0.95)).toBeCloseTo(1.6448536269514722, 14);
    expect(normInv(0.5)).toBeCloseTo(0, 15);
    for (const p of [1e-12, 1e-6, 0.01, 0.3, 0.7, 0.999999]) {
      expect(normCdf(normInv(p)) / p).toBeCloseTo(1, 10);
    }
    expect(() => normInv(0)).toThrow(QuantInputError);
    expect(() => normInv(1)).toThrow(QuantInputError);
  });

  it('φ(0) = 1/√(2π)', () => {
    expect(normPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
  });

  it("Student's t CDF against Excel T.DIST.2T examples and the normal limit", () => {
    // Excel documentation: T.DIST.2T(1.959999998, 60) = 0.054644930.
    expect(2 * (1 - studentTCdf(1.959999998, 60))).toBeCloseTo(0.05464493, 8);
    // t(10) two-sided 5% critical value 2.228138852.
    expect(studentTCdf(2.228138852, 10)).toBeCloseTo(0.975, 9);
    expect(studentTCdf(1.5, 1e7)).toBeCloseTo(normCdf(1.5), 6);
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 15);
  });
});

describe('descriptive statistics', () => {
  // Excel's documented examples for SKEW and KURT.
  const excel = [3, 4, 5, 2, 3, 4, 5, 6, 4, 7];

  it('mean, sample variance (n-1) and sd by hand', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(variance([1, 2, 3, 4])).toBeCloseTo(5 / 3, 15);
    expect(stdDev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 15);
    expect(mean([])).toBeNull();
    expect(variance([1])).toBeNull();
  });

  it('skewness: Excel SKEW (adjusted G1) and the plain moment ratio g1', () => {
    expect(skewness(excel)).toBeCloseTo(0.359543071, 9);
    const n = excel.length;
    const g1 = skewness(excel, { adjusted: false }) as number;
    expect(g1 * (Math.sqrt(n * (n - 1)) / (n - 2))).toBeCloseTo(0.359543071, 9);
    expect(skewness([1, 2, 3])).toBeCloseTo(0, 15);
  });

  it('kurtosis is EXCESS: Excel KURT (adjusted G2) and plain g2', () => {
    expect(kurtosis(excel)).toBeCloseTo(-0.151799637, 9);
    // plain g2 of 1..4: m2 = 1.25, m4 = 2.5625 → 2.5625/1.5625 - 3
    expect(kurtosis([1, 2, 3, 4], { adjusted: false })).toBeCloseTo(2.5625 / 1.5625 - 3, 14);
    // A large normal sample has excess kurtosis near 0.
    expect(Math.abs(kurtosis(normals(1, 200_000)) as number)).toBeLessThan(0.05);
  });

  it('zero variance or too few points → null', () => {
    const flat = [0.1, 0.1, 0.1, 0.1, 0.1];
    expect(skewness(flat)).toBeNull();
    expect(kurtosis(flat)).toBeNull();
    expect(skewness([1, 2])).toBeNull();
    expect(kurtosis([1, 2, 3])).toBeNull();
    expect(correlation(flat, [1, 2, 3, 4, 5])).toBeNull();
  });

  it('covariance and correlation: Excel COVARIANCE.S and CORREL examples', () => {
    expect(covariance([2, 4, 8], [5, 11, 12])).toBeCloseTo(9.666666667, 9);
    expect(correlation([3, 2, 4, 5, 6], [9, 7, 12, 15, 17])).toBeCloseTo(0.997054486, 9);
    expect(() => covariance([1, 2], [1])).toThrow(QuantInputError);
  });

  it('covariance and correlation matrices are symmetric and consistent with the pairwise functions', () => {
    const a = Array.from(normals(2, 300));
    const b = a.map((v, i) => 0.5 * v + 0.1 * (normals(3, 300)[i] as number));
    const c = Array.from(normals(4, 300));
    const cov = covarianceMatrix([a, b, c]);
    const cor = correlationMatrix([a, b, c]);
    expect(cov[0]?.[1]).toBeCloseTo(covariance(a, b) as number, 14);
    expect(cov[1]?.[0]).toBe(cov[0]?.[1]);
    expect(cov[2]?.[2]).toBeCloseTo(variance(c) as number, 14);
    expect(cor[0]?.[0]).toBe(1);
    expect(cor[0]?.[1]).toBeCloseTo(correlation(a, b) as number, 14);
    expect(cor[2]?.[1]).toBeCloseTo(correlation(b, c) as number, 14);
    // A constant series has undefined correlation: null, including its diagonal.
    const withFlat = correlationMatrix([a, new Array(300).fill(1)]);
    expect(withFlat[1]).toEqual([null, null]);
    expect(() => covarianceMatrix([a, [1, 2]])).toThrow(QuantInputError);
  });

  it('quantile is type 7 (Excel PERCENTILE.INC)', () => {
    // Excel documentation: PERCENTILE.INC({1,3,2,4}, 0.3) = 1.9
    expect(quantile([1, 3, 2, 4], 0.3)).toBeCloseTo(1.9, 14);
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([], 0.5)).toBeNull();
    expect(() => quantile([1], 1.5)).toThrow(QuantInputError);
  });
});
