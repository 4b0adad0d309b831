import { describe, expect, it } from 'vitest';
import {
  annualizedReturn,
  annualizedVolatility,
  betaAlpha,
  calmarRatio,
  cumulativeReturn,
  downsideDeviation,
  drawdownSeries,
  informationRatio,
  logReturns,
  maxDrawdown,
  ols,
  QuantInputError,
  rollingVolatility,
  sharpeRatio,
  simpleReturns,
  sortinoRatio,
  stdDev,
  toSeries,
  trackingError,
} from '../../src/quant';
import { normals } from './fixtures';

describe('returns', () => {
  it('simple and log returns by hand (length n-1)', () => {
    const s = simpleReturns([100, 110, 99]);
    expect(s.length).toBe(2);
    expect(s[0]).toBeCloseTo(0.1, 15);
    expect(s[1]).toBeCloseTo(-0.1, 15);
    const l = logReturns([100, 110, 99]);
    expect(l[0]).toBeCloseTo(Math.log(1.1), 15);
    expect(l[1]).toBeCloseTo(Math.log(0.9), 15);
    expect(simpleReturns([5]).length).toBe(0);
    expect(simpleReturns([]).length).toBe(0);
  });

  it('rejects non-positive prices and NaN', () => {
    expect(() => simpleReturns([100, 0, 5])).toThrow(QuantInputError);
    expect(() => logReturns([100, -1])).toThrow(/not > 0/);
    expect(() => simpleReturns([1, Number.NaN])).toThrow(QuantInputError);
  });

  it('cumulative and annualized (geometric) return; the factor is a parameter', () => {
    expect(cumulativeReturn([0.1, -0.1])).toBeCloseTo(-0.01, 15);
    const daily = 1.2 ** (1 / 365) - 1;
    expect(annualizedReturn(new Float64Array(365).fill(daily), 365)).toBeCloseTo(0.2, 12);
    // The same 365 returns read as equity days (252 a year) compound over 365/252 years.
    expect(annualizedReturn(new Float64Array(365).fill(daily), 252)).toBeCloseTo(1.2 ** (252 / 365) - 1, 12);
    expect(annualizedReturn([], 365)).toBeNull();
    expect(annualizedReturn([-1, 0.5], 365)).toBe(-1);
    expect(() => annualizedReturn([0.1], 0)).toThrow(QuantInputError);
  });

  it('annualized volatility = sample sd × √factor', () => {
    const r = [0.01, -0.01, 0.02, -0.02];
    expect(annualizedVolatility(r, 365)).toBeCloseTo(Math.sqrt(0.001 / 3) * Math.sqrt(365), 15);
    expect(annualizedVolatility(r, 252)).toBeCloseTo(Math.sqrt(0.001 / 3) * Math.sqrt(252), 15);
    expect(annualizedVolatility([0.01], 365)).toBeNull();
  });

  it('rolling volatility matches a sample sd per window, aligned to the returns', () => {
    const r = Float64Array.from(normals(5, 1000), (z) => 0.02 * z);
    const out = rollingVolatility(r, 30, { periodsPerYear: 365 });
    expect(toSeries(out.subarray(0, 29)).every((v) => v === null)).toBe(true);
    for (let i = 29; i < r.length; i += 7) {
      expect(out[i]).toBeCloseTo((stdDev(r.subarray(i - 29, i + 1)) as number) * Math.sqrt(365), 12);
    }
    const flat = rollingVolatility(new Float64Array(10).fill(0.01), 5);
    expect(flat[9]).toBeCloseTo(0, 15);
    expect(() => rollingVolatility(r, 1)).toThrow(QuantInputError);
  });
});

describe('Sharpe, Sortino, Calmar', () => {
  it('Sharpe by hand: mean/sample sd × √factor', () => {
    const r = [0.01, 0.02, -0.01, 0.03];
    const sd = Math.sqrt(8.75e-4 / 3);
    expect(sharpeRatio(r, { periodsPerYear: 252 })).toBeCloseTo((0.0125 / sd) * Math.sqrt(252), 12);
    expect(sharpeRatio(r, { periodsPerYear: 365, riskFreePerPeriod: 0.0025 })).toBeCloseTo(
      (0.01 / sd) * Math.sqrt(365),
      12,
    );
  });

  it('Sharpe is null (not NaN or Infinity) for zero variance or < 2 returns', () => {
    expect(sharpeRatio(new Float64Array(50).fill(0.001), { periodsPerYear: 365 })).toBeNull();
    expect(sharpeRatio([0.01], { periodsPerYear: 365 })).toBeNull();
    expect(sharpeRatio([], { periodsPerYear: 365 })).toBeNull();
  });

  it('Sortino by hand: downside deviation over all n observations', () => {
    const r = [0.01, 0.02, -0.01, 0.03, -0.02];
    expect(downsideDeviation(r)).toBeCloseTo(0.01, 15);
    expect(sortinoRatio(r, { periodsPerYear: 365 })).toBeCloseTo(0.6 * Math.sqrt(365), 12);
    // target 0.01: shortfalls 0, 0, -0.02, 0, -0.03 → DD = √(0.0013/5)
    expect(sortinoRatio(r, { periodsPerYear: 252, target: 0.01 })).toBeCloseTo(
      ((0.006 - 0.01) / Math.sqrt(0.0013 / 5)) * Math.sqrt(252),
      12,
    );
    expect(sortinoRatio([0.01, 0.02], { periodsPerYear: 365 })).toBeNull(); // no downside
  });

  it('Calmar = annualized return / max drawdown of the wealth index (hand-computed)', () => {
    // wealth 1 → 1.1 → 0.88 → 0.968: MDD = 1 - 0.88/1.1 = 0.2; 3 periods a year → return -3.2%.
    expect(calmarRatio([0.1, -0.2, 0.1], { periodsPerYear: 3 })).toBeCloseTo(-0.032 / 0.2, 12);
    expect(calmarRatio([0.01, 0.02], { periodsPerYear: 365 })).toBeNull(); // no drawdown
    expect(calmarRatio([], { periodsPerYear: 365 })).toBeNull();
  });
});

describe('maxDrawdown', () => {
  it('finds the largest fall with peak and trough; not recovered', () => {
    const dd = maxDrawdown([100, 120, 90, 110, 130, 80, 85]);
    expect(dd?.maxDrawdown).toBeCloseTo(1 - 80 / 130, 15);
    expect(dd?.peakIndex).toBe(4);
    expect(dd?.troughIndex).toBe(5);
    expect(dd?.recoveryIndex).toBeNull();
    expect(dd?.recoveryPeriods).toBeNull();
    expect(dd?.declinePeriods).toBe(1);
    expect(dd?.durationPeriods).toBe(2);
  });

  it('recovery index, periods and dates when timestamps are given', () => {
    const day = 86_400_000;
    const t0 = Date.UTC(2024, 0, 1);
    const ts = [0, 1, 2, 3, 4, 5].map((d) => t0 + d * day);
    const dd = maxDrawdown([100, 120, 90, 110, 125, 100], ts);
    expect(dd?.maxDrawdown).toBeCloseTo(0.25, 15);
    expect(dd?.peakIndex).toBe(1);
    expect(dd?.troughIndex).toBe(2);
    expect(dd?.recoveryIndex).toBe(4);
    expect(dd?.recoveryPeriods).toBe(2);
    expect(dd?.durationPeriods).toBe(3);
    expect(dd?.peakTime).toBe(t0 + day);
    expect(dd?.troughTime).toBe(t0 + 2 * day);
    expect(dd?.recoveryTime).toBe(t0 + 4 * day);
    expect(dd?.duration).toBe(3 * day);
  });

  it('edge cases: empty → null; monotone rise → 0; bad input throws', () => {
    expect(maxDrawdown([])).toBeNull();
    const up = maxDrawdown([1, 2, 3]);
    expect(up?.maxDrawdown).toBe(0);
    expect(up?.durationPeriods).toBe(0);
    expect(() => maxDrawdown([1, 0])).toThrow(QuantInputError);
    expect(() => maxDrawdown([1, 2], [1])).toThrow(QuantInputError);
  });

  it('drawdownSeries', () => {
    expect(Array.from(drawdownSeries([100, 50, 100, 80]))).toEqual([0, 0.5, 0, 1 - 0.8]);
  });
});

describe('beta, alpha, tracking error, information ratio', () => {
  const bench = Float64Array.from(normals(8, 500), (z) => 0.01 * z);
  const noise = normals(9, 500);
  const asset = Float64Array.from(bench, (b, i) => 1.5 * b + 0.0004 + 0.004 * (noise[i] as number));

  it('exact linear relation: beta 2, alpha 0.001, correlation 1', () => {
    const b = [0.01, -0.02, 0.015, 0.003];
    const a = b.map((x) => 2 * x + 0.001);
    const out = betaAlpha(a, b, { periodsPerYear: 365 });
    expect(out?.beta).toBeCloseTo(2, 13);
    expect(out?.alpha).toBeCloseTo(0.001, 14);
    expect(out?.alphaAnnualized).toBeCloseTo(0.365, 12);
    expect(out?.correlation).toBeCloseTo(1, 13);
    expect(out?.rSquared).toBeCloseTo(1, 13);
  });

  it('beta and alpha equal the OLS slope and intercept of asset on benchmark', () => {
    const out = betaAlpha(asset, bench);
    const reg = ols(asset, [bench]);
    expect(out?.beta).toBeCloseTo(reg.coefficients[1] as number, 12);
    expect(out?.alpha).toBeCloseTo(reg.coefficients[0] as number, 14);
    expect(out?.rSquared).toBeCloseTo(reg.rSquared, 12);
    expect(out?.alphaAnnualized).toBeNull();
  });

  it('Jensen alpha with a risk-free rate: mean(a - rf) - β·mean(b - rf)', () => {
    const out = betaAlpha(asset, bench, { riskFreePerPeriod: 0.0001 });
    const plain = betaAlpha(asset, bench);
    expect(out?.alpha).toBeCloseTo((plain?.alpha as number) - 0.0001 + (plain?.beta as number) * 0.0001, 15);
  });

  it('null for a constant benchmark', () => {
    expect(betaAlpha([0.01, 0.02, 0.03], [0.01, 0.01, 0.01])).toBeNull();
  });

  it('tracking error and information ratio by hand', () => {
    const p = [0.02, 0.01, 0.03];
    const b = [0.01, 0.01, 0.01];
    expect(trackingError(p, b, { periodsPerYear: 252 })).toBeCloseTo(0.01 * Math.sqrt(252), 14);
    expect(informationRatio(p, b, { periodsPerYear: 252 })).toBeCloseTo(Math.sqrt(252), 12);
    expect(informationRatio(b, b, { periodsPerYear: 252 })).toBeNull();
    // PerformanceAnalytics: ActivePremium (difference of compounded annual returns) / TE.
    const premium = (1.02 * 1.01 * 1.03) ** (252 / 3) - (1.01 ** 3) ** (252 / 3);
    expect(informationRatio(p, b, { periodsPerYear: 252, premium: 'geometric' })).toBeCloseTo(
      premium / (0.01 * Math.sqrt(252)),
      10,
    );
    expect(() => trackingError(p, [1], { periodsPerYear: 252 })).toThrow(QuantInputError);
  });
});
