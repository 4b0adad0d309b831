import { describe, expect, it } from 'vitest';
import btcCsv from '../../../shared/data/prices/crypto-yahoo/BTC-USD.csv?raw';
import { ewmaVariance, fitGarch11, garchFilter } from '../../src/quant/garch';

/** BTC daily log returns in percent, closes 2020-01-01..2023-12-31 (the shipped Yahoo file). */
function btcReturns(): number[] {
  const closes = btcCsv
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => (c[0] ?? '') >= '2020-01-01' && (c[0] ?? '') <= '2023-12-31 99' && c[4])
    .map((c) => Number(c[4]));
  return closes.slice(1).map((c, i) => 100 * Math.log(c / (closes[i] as number)));
}

// Independent computation: scipy.optimize.minimize(SLSQP, ftol 1e-14) on the same likelihood
// (h_0 = mean of squared residuals, Gaussian), best of three starts; see src/quant/README.md.
const SCIPY = { mu: 0.21415308, omega: 0.51870521, alpha: 0.11986814, beta: 0.85683924, ll: -3843.2518256 };

describe('GARCH(1,1) MLE', () => {
  const r = btcReturns();

  it('uses 1460 returns', () => expect(r).toHaveLength(1460));

  it('matches an independent scipy MLE on BTC 2020-2023 daily log returns', () => {
    const fit = fitGarch11(r);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(SCIPY.ll - 1e-5);
    expect(fit.params.mu).toBeCloseTo(SCIPY.mu, 3);
    expect(fit.params.omega).toBeCloseTo(SCIPY.omega, 2);
    expect(fit.params.alpha).toBeCloseTo(SCIPY.alpha, 3);
    expect(fit.params.beta).toBeCloseTo(SCIPY.beta, 3);
    expect(fit.persistence).toBeLessThan(1);
    expect(fit.nextVariance).toBeGreaterThan(0);
  });

  it('the likelihood at the scipy optimum equals scipy`s value (same filter)', () => {
    expect(garchFilter(r, SCIPY).logLikelihood).toBeCloseTo(SCIPY.ll, 5);
  });

  it('EWMA 0.94 follows the RiskMetrics recursion', () => {
    const x = [1, -2, 0.5, 3];
    let s2 = (1 + 4 + 0.25 + 9) / 4;
    for (const v of x) s2 = 0.94 * s2 + 0.06 * v * v;
    expect(ewmaVariance(x)).toBeCloseTo(s2, 12);
    expect(() => ewmaVariance(x, 1)).toThrow();
  });
});
