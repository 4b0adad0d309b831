import { describe, expect, it } from 'vitest';
import { fitMarkovSwitching, hamiltonFilter } from '../../src/quant/regime';
import { FEDFUNDS } from './regime-fixtures';

// statsmodels TestFedFundsConst (checked there against Stata 14 `mswitch dr`): two regimes,
// switching intercept, common variance. p00 = 0.9820939, p10 = 0.0503587,
// mu = (3.70877, 9.556793), sigma = 2.107562; log-likelihood -508.63592.
const REF = {
  transition: [
    [0.9820939, 1 - 0.9820939],
    [0.0503587, 1 - 0.0503587],
  ],
  means: [3.70877, 9.556793],
  variances: [2.107562 ** 2, 2.107562 ** 2],
};

describe('Markov switching (Hamilton filter + EM) against statsmodels/Stata fedfunds', () => {
  it('reproduces the log-likelihood at the published parameters', () => {
    expect(FEDFUNDS).toHaveLength(226);
    const f = hamiltonFilter(FEDFUNDS, REF);
    expect(f.logLikelihood).toBeCloseTo(-508.63592, 4);
  });

  it('reproduces the published filtered probabilities (filtered_joint_probabilities summed over S_{t-1})', () => {
    const f = hamiltonFilter(FEDFUNDS, REF);
    // P(S_t = 0 | y_0..y_t) = joint[0][0][t] + joint[0][1][t] from statsmodels' array.
    // statsmodels' array is [S_t][S_{t-1}][t].
    expect(f.filtered[0]?.[0]).toBeCloseTo(9.81875427e-1 + 1.79021167e-2, 6);
    expect(f.filtered[1]?.[0]).toBeCloseTo(9.99977639e-1 + 1.14091306e-5, 6);
    expect(f.filtered[2]?.[0]).toBeCloseTo(9.99982269e-1 + 5.61557959e-7, 6);
    expect(f.filtered[1]?.[1]).toBeCloseTo(1.08238349e-5 + 1.27726353e-7, 8);
  });

  it('EM from default starting values converges to the maximum likelihood estimate', () => {
    const fit = fitMarkovSwitching(FEDFUNDS, {
      regimes: 2,
      switchingVariance: false,
      tolerance: 1e-10,
      maxIterations: 2000,
    });
    expect(fit.converged).toBe(true);
    expect(fit.logLikelihood).toBeGreaterThan(-508.637);
    expect(fit.logLikelihood).toBeLessThan(-508.6355);
    const lo = (fit.params.means[0] as number) < (fit.params.means[1] as number) ? 0 : 1;
    const hi = 1 - lo;
    expect(fit.params.means[lo]).toBeCloseTo(3.70877, 2);
    expect(fit.params.means[hi]).toBeCloseTo(9.556793, 2);
    expect(Math.sqrt(fit.params.variances[0] as number)).toBeCloseTo(2.107562, 2);
    expect(fit.params.transition[lo]?.[lo]).toBeCloseTo(0.9820939, 3);
    expect(fit.params.transition[hi]?.[lo]).toBeCloseTo(0.0503587, 3);
    expect(fit.expectedDurations[lo]).toBeCloseTo(1 / (1 - 0.9820939), -1);
  });

  it('filtered probabilities at a bar do not change when later data arrive', () => {
    const full = hamiltonFilter(FEDFUNDS, REF);
    const cut = hamiltonFilter(FEDFUNDS.slice(0, 100), REF);
    expect(cut.filtered[99]?.[0]).toBe(full.filtered[99]?.[0]);
  });

  it('rejects bad input', () => {
    expect(() => fitMarkovSwitching([1, 2, 3])).toThrow(/at least/);
    expect(() => hamiltonFilter([1, Number.NaN], REF)).toThrow();
  });
});
