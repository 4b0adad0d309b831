import { describe, expect, it } from 'vitest';
import {
  componentVar,
  cornishFisherVar,
  historicalVar,
  normInv,
  parametricVar,
  QuantInputError,
  stressTest,
} from '../../src/quant';
import { normals } from './fixtures';

describe('historicalVar', () => {
  it('hand-computed 95% on -5%..+14% (type-7 quantile), reported as positive losses', () => {
    const r = Array.from({ length: 20 }, (_, i) => -0.05 + 0.01 * i).reverse();
    const out = historicalVar(r, { confidence: 0.95 });
    // h = 19·0.05 = 0.95 → q = -0.05 + 0.95·0.01 = -0.0405; the tail below it is {-0.05}.
    expect(out?.overlapping.var).toBeCloseTo(0.0405, 14);
    expect(out?.overlapping.es).toBeCloseTo(0.05, 14);
    expect(out?.overlapping.observations).toBe(20);
    expect(out?.sqrtTime.var).toBeCloseTo(0.0405, 14);
    expect(out?.method).toBe('historical');
  });

  it('horizon 2: overlapping compounded returns vs √2 scaling, both labelled (hand-computed)', () => {
    const r = [0.1, -0.2, 0.05, -0.1];
    const out = historicalVar(r, { confidence: 0.5, horizon: 2 });
    // windows: 1.1·0.8-1 = -0.12, 0.8·1.05-1 = -0.16, 1.05·0.9-1 = -0.055 → median -0.12
    expect(out?.overlapping.observations).toBe(3);
    expect(out?.overlapping.var).toBeCloseTo(0.12, 14);
    expect(out?.overlapping.es).toBeCloseTo(0.14, 14);
    // one period: sorted -0.2, -0.1, 0.05, 0.1 → q(0.5) = -0.025, tail mean -0.15
    expect(out?.sqrtTime.var).toBeCloseTo(0.025 * Math.SQRT2, 14);
    expect(out?.sqrtTime.es).toBeCloseTo(0.15 * Math.SQRT2, 14);
  });

  it('ES >= VaR, and a large normal sample reproduces the Gaussian quantile', () => {
    const r = Float64Array.from(normals(12, 400_000), (z) => 0.02 * z);
    const out = historicalVar(r, { confidence: 0.99 });
    expect(out?.overlapping.var).toBeCloseTo(0.02 * 2.3263478740408408, 3);
    expect(out?.overlapping.es).toBeCloseTo(0.02 * 2.665214220345808, 3);
    expect(out?.overlapping.es as number).toBeGreaterThan(out?.overlapping.var as number);
  });

  it('edge cases: empty or shorter than the horizon → null; bad confidence/horizon throws', () => {
    expect(historicalVar([])).toBeNull();
    expect(historicalVar([0.01], { horizon: 2 })).toBeNull();
    expect(() => historicalVar([0.01], { confidence: 1 })).toThrow(QuantInputError);
    expect(() => historicalVar([0.01], { horizon: 0 })).toThrow(QuantInputError);
    expect(() => historicalVar([0.01, Number.NaN])).toThrow(QuantInputError);
  });
});

describe('parametricVar (Gaussian)', () => {
  const sym = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 0.02 : -0.02));
  const sd = 0.02 * Math.sqrt(100 / 99);

  it('99% and 95% multipliers: VaR = zσ, ES = σφ(z)/(1-c) (published 2.3263, 2.6652; 1.6449, 2.0627)', () => {
    const p99 = parametricVar(sym, { confidence: 0.99 });
    expect(p99?.var).toBeCloseTo(2.3263478740408408 * sd, 14);
    expect(p99?.es).toBeCloseTo(2.665214220345808 * sd, 12);
    const p95 = parametricVar(sym, { confidence: 0.95 });
    expect(p95?.var).toBeCloseTo(1.6448536269514722 * sd, 14);
    expect(p95?.es).toBeCloseTo(2.0627128075074257 * sd, 12);
  });

  it('horizon scales σ by √h and the mean by h; includeMean false drops the drift', () => {
    const r = sym.map((x) => x + 0.001);
    const out = parametricVar(r, { confidence: 0.99, horizon: 10 });
    expect(out?.var).toBeCloseTo(2.3263478740408408 * sd * Math.sqrt(10) - 0.01, 13);
    const zeroMean = parametricVar(r, { confidence: 0.99, horizon: 10, includeMean: false });
    expect(zeroMean?.var).toBeCloseTo(2.3263478740408408 * sd * Math.sqrt(10), 13);
    expect(parametricVar([0.01])).toBeNull();
  });
});

describe('cornishFisherVar', () => {
  const r = Float64Array.from(normals(21, 5000), (z) => 0.01 * z + 0.004 * (z * z - 1) * (z < 0 ? -1 : 0.2));

  function moments(x: ArrayLike<number>) {
    const n = x.length;
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i] as number;
    m /= n;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = (x[i] as number) - m;
      m2 += d * d;
      m3 += d ** 3;
      m4 += d ** 4;
      ss += d * d;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    return { mean: m, sd: Math.sqrt(ss / (n - 1)), s: m3 / m2 ** 1.5, k: m4 / m2 ** 2 - 3 };
  }

  it('VaR follows the Cornish-Fisher expansion with moment skewness and excess kurtosis', () => {
    const { mean, sd, s, k } = moments(r);
    const z = normInv(0.01);
    const zcf = z + ((z * z - 1) * s) / 6 + ((z ** 3 - 3 * z) * k) / 24 - ((2 * z ** 3 - 5 * z) * s * s) / 36;
    const out = cornishFisherVar(r, { confidence: 0.99 });
    expect(out?.skewness).toBeCloseTo(s, 12);
    expect(out?.excessKurtosis).toBeCloseTo(k, 12);
    expect(out?.var).toBeCloseTo(-(mean + sd * zcf), 14);
    expect(s).toBeLessThan(0);
    // Negative skew and fat tails: a larger loss than the Gaussian VaR.
    expect(out?.var as number).toBeGreaterThan(parametricVar(r, { confidence: 0.99 })?.var as number);
  });

  it('ES equals a numerical integral of the Cornish-Fisher quantile over the tail', () => {
    const { mean, sd, s, k } = moments(r);
    const alpha = 0.025;
    const za = normInv(alpha);
    const cf = (z: number) =>
      z + ((z * z - 1) * s) / 6 + ((z ** 3 - 3 * z) * k) / 24 - ((2 * z ** 3 - 5 * z) * s * s) / 36;
    // ∫_{-12}^{za} cf(z)φ(z) dz by composite Simpson, then ES = -(μ + σ·I/α).
    const steps = 20_000;
    const a = -12;
    const h = (za - a) / steps;
    const f = (z: number) => (cf(z) * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
    let integral = f(a) + f(za);
    for (let i = 1; i < steps; i++) integral += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
    integral *= h / 3;
    const out = cornishFisherVar(r, { confidence: 1 - alpha });
    expect(out?.es).toBeCloseTo(-(mean + (sd * integral) / alpha), 10);
    expect(out?.es as number).toBeGreaterThan(out?.var as number);
  });

  it('with zero skewness and excess kurtosis it equals the Gaussian VaR and ES', () => {
    // {-a, 0, 0, 0, 0, a}: mean 0, m2 = a²/3, m3 = 0, m4 = a⁴/3 → g1 = 0, g2 = 3 - 3 = 0.
    const x = [-0.03, 0, 0, 0, 0, 0.03];
    const cf = cornishFisherVar(x, { confidence: 0.99 });
    const g = parametricVar(x, { confidence: 0.99 });
    expect(cf?.skewness).toBeCloseTo(0, 15);
    expect(cf?.excessKurtosis).toBeCloseTo(0, 14);
    expect(cf?.var).toBeCloseTo(g?.var as number, 14);
    expect(cf?.es).toBeCloseTo(g?.es as number, 14);
  });

  it('horizon: skewness and kurtosis scale as for a sum of i.i.d. returns (S/√h, K/h)', () => {
    const { mean, sd, s, k } = moments(r);
    const h = 4;
    const sh = s / 2;
    const kh = k / 4;
    const z = normInv(0.05);
    const zcf =
      z + ((z * z - 1) * sh) / 6 + ((z ** 3 - 3 * z) * kh) / 24 - ((2 * z ** 3 - 5 * z) * sh * sh) / 36;
    expect(cornishFisherVar(r, { confidence: 0.95, horizon: h })?.var).toBeCloseTo(
      -(mean * h + sd * 2 * zcf),
      14,
    );
  });

  it('null with fewer than 4 returns or zero variance', () => {
    expect(cornishFisherVar([0.01, 0.02, 0.03])).toBeNull();
    expect(cornishFisherVar(new Float64Array(10).fill(0.01))).toBeNull();
  });
});

describe('componentVar (parametric, Euler allocation)', () => {
  const k = 5;
  const t = 750;
  const common = normals(30, t);
  const assets = Array.from({ length: k }, (_, a) => {
    const own = normals(31 + a, t);
    return Float64Array.from(
      own,
      (z, i) => 0.0005 * a + 0.01 * (1 + a / 4) * (0.6 * (common[i] as number) + 0.8 * z),
    );
  });
  const weights = [0.3, 0.25, 0.2, 0.15, 0.1];

  it('components sum exactly to the total; percentages sum to 1; ES components sum to ES', () => {
    const out = componentVar(assets, weights, { confidence: 0.99, horizon: 5 });
    if (!out) throw new Error('expected a result');
    const sum = out.component.reduce((s, c) => s + c, 0);
    expect(sum).toBeCloseTo(out.var, 14);
    expect(out.percent.reduce((s, c) => s + c, 0)).toBeCloseTo(1, 14);
    expect(out.componentEs.reduce((s, c) => s + c, 0)).toBeCloseTo(out.es, 14);
  });

  it('total equals the Gaussian VaR of the weighted portfolio return series', () => {
    const port = new Float64Array(t);
    for (let i = 0; i < t; i++)
      for (let a = 0; a < k; a++)
        port[i] = (port[i] as number) + (weights[a] as number) * (assets[a]?.[i] as number);
    const direct = parametricVar(port, { confidence: 0.99, horizon: 5 });
    const out = componentVar(assets, weights, { confidence: 0.99, horizon: 5 });
    expect(out?.var).toBeCloseTo(direct?.var as number, 13);
    expect(out?.es).toBeCloseTo(direct?.es as number, 13);
  });

  it('marginal VaR matches a central finite difference of the total in each weight', () => {
    const base = componentVar(assets, weights, { confidence: 0.975 });
    const eps = 1e-6;
    for (let a = 0; a < k; a++) {
      const up = [...weights];
      const down = [...weights];
      up[a] = (up[a] as number) + eps;
      down[a] = (down[a] as number) - eps;
      const fd =
        ((componentVar(assets, up, { confidence: 0.975 })?.var as number) -
          (componentVar(assets, down, { confidence: 0.975 })?.var as number)) /
        (2 * eps);
      expect(base?.marginal[a]).toBeCloseTo(fd, 7);
    }
  });

  it('portfolioValue scales to money; zero weights give null; mismatches throw', () => {
    const frac = componentVar(assets, weights);
    const money = componentVar(assets, weights, { portfolioValue: 1_000_000 });
    expect(money?.var).toBeCloseTo((frac?.var as number) * 1_000_000, 6);
    expect(componentVar(assets, [0, 0, 0, 0, 0])).toBeNull();
    expect(() => componentVar(assets, [1, 2])).toThrow(QuantInputError);
    expect(() => componentVar([assets[0] as Float64Array, new Float64Array(3)], [0.5, 0.5])).toThrow(
      QuantInputError,
    );
  });
});

describe('stressTest', () => {
  const a = [0.1, -0.2];
  const b = [-0.05, 0.1];

  it('buy-and-hold replay on today’s weights (hand-computed)', () => {
    const out = stressTest([0.6, 0.4], [a, b], { portfolioValue: 1000 });
    // holdings 600/400 → 660/380 = 1040 → 528/418 = 946
    expect(Array.from(out.path)).toEqual([1040, 946]);
    expect(out.cumulativeReturn).toBeCloseTo(-0.054, 14);
    expect(out.pnl).toBeCloseTo(-54, 10);
    expect(out.worstPeriodReturn).toBeCloseTo(946 / 1040 - 1, 14);
    expect(out.worstPeriodIndex).toBe(1);
    expect(out.maxDrawdown).toBeCloseTo(1 - 946 / 1040, 14);
    expect(out.assetPnl[0]).toBeCloseTo(-72, 10);
    expect(out.assetPnl[1]).toBeCloseTo(18, 10);
  });

  it('constant mix (rebalanced every period), hand-computed', () => {
    const out = stressTest([0.6, 0.4], [a, b], { portfolioValue: 1000, rebalance: true });
    expect(out.path[0]).toBeCloseTo(1040, 10);
    expect(out.path[1]).toBeCloseTo(956.8, 10);
    expect(out.assetPnl[0]).toBeCloseTo(-64.8, 10);
    expect(out.assetPnl[1]).toBeCloseTo(21.6, 10);
    expect((out.assetPnl[0] as number) + (out.assetPnl[1] as number)).toBeCloseTo(out.pnl, 10);
  });

  it('replays only the chosen window; cash (1 - Σw) earns nothing', () => {
    const out = stressTest([0.5], [[0.3, -0.5, 0.2]], { start: 1, end: 2 });
    expect(out.periods).toBe(1);
    expect(out.cumulativeReturn).toBeCloseTo(-0.25, 14);
    expect(() => stressTest([0.5], [[0.1]], { end: 5 })).toThrow(QuantInputError);
    expect(() => stressTest([0.5, 0.5], [[0.1]])).toThrow(QuantInputError);
  });
});

describe("PerformanceAnalytics' conventions, as options", () => {
  // PA's VaR.Gaussian / ES.Gaussian / VaR.CornishFisher / ES.CornishFisher (PortfolioRisk.R)
  // use m2 = mean((x - mean)²), the population second moment, and report losses as
  // -(location + quantile·√m2). Computed here by hand from those definitions.
  const x = [0.01, -0.02, 0.015, -0.005, 0.03, -0.01, 0.004, -0.027];
  const n = x.length;
  const mu = x.reduce((a, b) => a + b, 0) / n;
  const m = (p: number) => x.reduce((a, v) => a + (v - mu) ** p, 0) / n;
  const sigma = Math.sqrt(m(2));
  const skew = m(3) / m(2) ** 1.5;
  const exkurt = m(4) / m(2) ** 2 - 3;
  const alpha = 0.05;
  const z = normInv(alpha);
  const phi = (u: number) => Math.exp(-0.5 * u * u) / Math.sqrt(2 * Math.PI);

  it("stdDev 'population' reproduces PA's Gaussian VaR and ES", () => {
    const out = parametricVar(x, { confidence: 0.95, stdDev: 'population' });
    expect(out?.var).toBeCloseTo(-mu - z * sigma, 15);
    expect(out?.es).toBeCloseTo(-mu + (phi(z) * sigma) / alpha, 15);
    expect(out?.stdDev).toBeCloseTo(sigma, 15);
    // The default (sample sd) is larger by √(n/(n-1)).
    expect((parametricVar(x)?.stdDev ?? 0) / sigma).toBeCloseTo(Math.sqrt(n / (n - 1)), 14);
  });

  it("stdDev 'population' and es 'edgeworth' reproduce PA's modified VaR and ES", () => {
    const h =
      z +
      ((z * z - 1) * skew) / 6 +
      ((z ** 3 - 3 * z) * exkurt) / 24 -
      ((2 * z ** 3 - 5 * z) * skew * skew) / 36;
    // PA's ES.CornishFisher: -μ - (√m2/α)·∫_{-∞}^{h} u·f(u)du for the Edgeworth density
    // f = φ·(1 + S·He3/6 + K·He4/24 + S²·He6/72), integrated numerically (Simpson).
    const he3 = (u: number) => u ** 3 - 3 * u;
    const he4 = (u: number) => u ** 4 - 6 * u * u + 3;
    const he6 = (u: number) => u ** 6 - 15 * u ** 4 + 45 * u * u - 15;
    const f = (u: number) =>
      u * phi(u) * (1 + (skew * he3(u)) / 6 + (exkurt * he4(u)) / 24 + (skew * skew * he6(u)) / 72);
    const steps = 40_000;
    const a = -14;
    const dh = (h - a) / steps;
    let integral = f(a) + f(h);
    for (let i = 1; i < steps; i++) integral += (i % 2 === 1 ? 4 : 2) * f(a + i * dh);
    integral *= dh / 3;
    const out = cornishFisherVar(x, { confidence: 0.95, stdDev: 'population', es: 'edgeworth' });
    expect(out?.var).toBeCloseTo(-mu - h * sigma, 15);
    expect(out?.es).toBeCloseTo(-mu - (sigma / alpha) * integral, 10);
    // The default ES (tail mean of the CF quantile function) is a different number.
    const ours = cornishFisherVar(x, { confidence: 0.95, stdDev: 'population' });
    expect(Math.abs((ours?.es ?? 0) - (out?.es ?? 0))).toBeGreaterThan(1e-6);
  });

  it('the Edgeworth ES equals the Gaussian ES when skewness and excess kurtosis are 0', () => {
    const sym = [-0.03, 0, 0, 0, 0, 0.03];
    const cf = cornishFisherVar(sym, { confidence: 0.99, es: 'edgeworth' });
    expect(cf?.es).toBeCloseTo(parametricVar(sym, { confidence: 0.99 })?.es ?? 0, 13);
  });
});
