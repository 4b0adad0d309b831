import { describe, expect, it } from 'vitest';
import btcCsv from '../../../shared/data/prices/crypto-yahoo/BTC-USD.csv?raw';
import { ewmaVariance, fitGarch11, garchFilter } from '../../src/quant/garch';
import { DEM2GBP } from './dem2gbp-fixture';

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
// (h_0 = e_0² = mean of squared residuals, Gaussian), best of three starts; see src/quant/README.md.
const SCIPY = { mu: 0.21409345, omega: 0.5188398, alpha: 0.11986173, beta: 0.8568187, ll: -3843.2566628 };

// The published benchmark: Bollerslev-Ghysels (1996) DEM/GBP returns, GARCH(1,1) with a constant
// mean, FCP pre-sample convention. Fiorentini, Calzolari & Panattoni (1996) estimates, as used by
// McCullough & Renfro (1999) and Brooks, Burke & Persand (2001), and reproduced by TSP 4.4's
// bg44 benchmark run (ML-2: h_0 = e_0² = SSR(mu)/T).
const FCP = { mu: -0.00619041, omega: 0.0107613, alpha: 0.153134, beta: 0.805974, ll: -1106.60788 };

describe('GARCH(1,1) against the published Bollerslev-Ghysels DEM/GBP benchmark', () => {
  it('uses the 1,974 benchmark returns', () => expect(DEM2GBP).toHaveLength(1974));

  it('the log-likelihood at the benchmark parameters is the benchmark log-likelihood', () => {
    expect(garchFilter(DEM2GBP, FCP).logLikelihood).toBeCloseTo(FCP.ll, 4);
  });

  it('the MLE reproduces the benchmark estimates to the published digits', () => {
    const fit = fitGarch11(DEM2GBP);
    expect(fit.logLikelihood).toBeCloseTo(FCP.ll, 5);
    expect(fit.params.mu).toBeCloseTo(FCP.mu, 6);
    expect(fit.params.omega).toBeCloseTo(FCP.omega, 6);
    expect(fit.params.alpha).toBeCloseTo(FCP.alpha, 5);
    expect(fit.params.beta).toBeCloseTo(FCP.beta, 5);
  });
});

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
