import { describe, expect, it } from 'vitest';
import {
  type BsmInput,
  blackScholes,
  impliedVolatility,
  portfolioGreeks,
  positionGreeks,
  QuantInputError,
} from '../../src/quant';

const hull = { spot: 42, strike: 40, rate: 0.1, volatility: 0.2, time: 0.5 };

describe('blackScholes: published examples', () => {
  it("Hull's example 15.6: S=42, K=40, r=10%, σ=20%, T=0.5 → call 4.76, put 0.81, d1 0.7693, d2 0.6278", () => {
    const call = blackScholes({ ...hull, type: 'call' });
    const put = blackScholes({ ...hull, type: 'put' });
    expect(call.price).toBeCloseTo(4.76, 2);
    expect(put.price).toBeCloseTo(0.81, 2);
    expect(call.price).toBeCloseTo(4.759422392871535, 12);
    expect(put.price).toBeCloseTo(0.8085993729000922, 12);
    expect(call.d1).toBeCloseTo(0.7693, 4);
    expect(call.d2).toBeCloseTo(0.6278, 4);
  });

  it("Hull's greeks example (ch. 19): S=49, K=50, r=5%, σ=20%, T=20 weeks", () => {
    const g = blackScholes({ type: 'call', spot: 49, strike: 50, rate: 0.05, volatility: 0.2, time: 0.3846 });
    expect(g.price).toBeCloseTo(2.4, 2);
    expect(g.delta).toBeCloseTo(0.522, 3);
    expect(g.gamma).toBeCloseTo(0.066, 3);
    expect(g.theta).toBeCloseTo(-4.31, 2);
    expect(g.thetaPerDay).toBeCloseTo(-4.31 / 365, 4);
    expect(g.vega).toBeCloseTo(12.1, 1);
    expect(g.rho).toBeCloseTo(8.91, 2);
  });

  it("Hull's index option with a dividend yield: S=930, K=900, r=8%, q=3%, σ=20%, T=2/12 → 51.83", () => {
    const g = blackScholes({
      type: 'call',
      spot: 930,
      strike: 900,
      rate: 0.08,
      dividendYield: 0.03,
      volatility: 0.2,
      time: 2 / 12,
    });
    expect(g.price).toBeCloseTo(51.83, 2);
  });
});

describe('blackScholes: identities', () => {
  const cases: Omit<BsmInput, 'type'>[] = [
    { ...hull, dividendYield: 0 },
    { spot: 100, strike: 120, rate: 0.03, volatility: 0.8, time: 0.25, dividendYield: 0.02 },
    { spot: 30000, strike: 25000, rate: 0.05, volatility: 0.65, time: 1.5, dividendYield: 0.01 },
    { spot: 1.2, strike: 1.1, rate: -0.005, volatility: 0.1, time: 0.02, dividendYield: 0.04 },
  ];

  it('put-call parity: C - P = S·e^{-qT} - K·e^{-rT}', () => {
    for (const c of cases) {
      const q = c.dividendYield ?? 0;
      const call = blackScholes({ ...c, type: 'call' });
      const put = blackScholes({ ...c, type: 'put' });
      const forward = c.spot * Math.exp(-q * c.time) - c.strike * Math.exp(-c.rate * c.time);
      expect(call.price - put.price).toBeCloseTo(forward, 10);
      expect(call.delta - put.delta).toBeCloseTo(Math.exp(-q * c.time), 13);
      expect(call.gamma).toBeCloseTo(put.gamma, 14);
      expect(call.vega).toBeCloseTo(put.vega, 10);
    }
  });

  it('greeks match central finite differences (delta, gamma, vega, theta, rho) for calls and puts', () => {
    for (const c of cases) {
      for (const type of ['call', 'put'] as const) {
        const base: BsmInput = { ...c, type };
        const g = blackScholes(base);
        const p = (over: Partial<BsmInput>) => blackScholes({ ...base, ...over }).price;
        const hs = c.spot * 1e-4;
        expect(g.delta).toBeCloseTo((p({ spot: c.spot + hs }) - p({ spot: c.spot - hs })) / (2 * hs), 6);
        const gammaFd = (p({ spot: c.spot + hs }) - 2 * g.price + p({ spot: c.spot - hs })) / (hs * hs);
        expect(Math.abs(g.gamma - gammaFd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(g.gamma)));
        const hv = 1e-5;
        expect(g.vega / Math.max(1, c.spot)).toBeCloseTo(
          (p({ volatility: c.volatility + hv }) - p({ volatility: c.volatility - hv })) /
            (2 * hv) /
            Math.max(1, c.spot),
          6,
        );
        const ht = Math.min(1e-5, c.time / 10);
        // Theta is the value change as time passes: -∂V/∂T.
        const thetaFd = -(p({ time: c.time + ht }) - p({ time: c.time - ht })) / (2 * ht);
        expect(g.theta / Math.max(1, c.spot)).toBeCloseTo(thetaFd / Math.max(1, c.spot), 5);
        const hr = 1e-6;
        expect(g.rho / Math.max(1, c.spot)).toBeCloseTo(
          (p({ rate: c.rate + hr }) - p({ rate: c.rate - hr })) / (2 * hr) / Math.max(1, c.spot),
          5,
        );
      }
    }
  });

  it('price bounds: max(forward intrinsic, 0) <= call <= S·e^{-qT}', () => {
    for (const c of cases) {
      const q = c.dividendYield ?? 0;
      const call = blackScholes({ ...c, type: 'call' }).price;
      expect(call).toBeGreaterThanOrEqual(
        Math.max(c.spot * Math.exp(-q * c.time) - c.strike * Math.exp(-c.rate * c.time), 0),
      );
      expect(call).toBeLessThanOrEqual(c.spot * Math.exp(-q * c.time));
    }
  });
});

describe('blackScholes: degenerate and invalid inputs', () => {
  it('at expiry the option is worth its intrinsic value with zero gamma and vega', () => {
    const call = blackScholes({ ...hull, time: 0, type: 'call' });
    expect(call.price).toBe(2);
    expect(call.delta).toBe(1);
    expect(call.gamma).toBe(0);
    expect(call.vega).toBe(0);
    const put = blackScholes({ ...hull, time: 0, type: 'put' });
    expect(put.price).toBe(0);
    expect(put.delta).toBe(0);
  });

  it('zero volatility: discounted forward intrinsic value', () => {
    const call = blackScholes({ ...hull, volatility: 0, type: 'call' });
    expect(call.price).toBeCloseTo(42 - 40 * Math.exp(-0.05), 14);
    expect(call.delta).toBe(1);
    expect(call.theta).toBeCloseTo(-0.1 * 40 * Math.exp(-0.05), 14);
  });

  it('rejects non-positive spot/strike, negative vol or time, NaN, unknown type', () => {
    expect(() => blackScholes({ ...hull, spot: 0, type: 'call' })).toThrow(QuantInputError);
    expect(() => blackScholes({ ...hull, strike: -1, type: 'call' })).toThrow(QuantInputError);
    expect(() => blackScholes({ ...hull, volatility: -0.1, type: 'call' })).toThrow(QuantInputError);
    expect(() => blackScholes({ ...hull, time: -1, type: 'put' })).toThrow(QuantInputError);
    expect(() => blackScholes({ ...hull, rate: Number.NaN, type: 'put' })).toThrow(QuantInputError);
    expect(() => blackScholes({ ...hull, type: 'straddle' as 'call' })).toThrow(QuantInputError);
  });
});

describe('impliedVolatility', () => {
  it('recovers the volatility of a model price across moneyness, maturities and both types', () => {
    for (const strike of [50, 80, 100, 125, 200]) {
      for (const vol of [0.05, 0.3, 1.2, 3]) {
        for (const time of [0.01, 0.5, 3]) {
          for (const type of ['call', 'put'] as const) {
            const input = { type, spot: 100, strike, rate: 0.04, dividendYield: 0.01, time };
            const price = blackScholes({ ...input, volatility: vol }).price;
            const out = impliedVolatility({ ...input, price });
            // Far out of the money the price carries no information about σ (vega ~ 0):
            // then the solver may legitimately return any σ that reprices within tolerance.
            const vega = blackScholes({ ...input, volatility: vol }).vega;
            if (vega > 1e-3) expect(out.volatility).toBeCloseTo(vol, 7);
            if (out.volatility !== null) {
              expect(blackScholes({ ...input, volatility: out.volatility }).price).toBeCloseTo(price, 8);
            }
          }
        }
      }
    }
  });

  it("Hull's call priced at 4.7594 implies 20%", () => {
    const out = impliedVolatility({ ...hull, type: 'call', price: 4.759422392871535 });
    expect(out.volatility).toBeCloseTo(0.2, 12);
    expect(out.iterations).toBeLessThan(10);
  });

  it('prices outside the no-arbitrage bounds have no implied volatility', () => {
    const below = impliedVolatility({ ...hull, type: 'call', price: 1 });
    expect(below).toEqual({ volatility: null, iterations: 0, reason: 'BELOW_INTRINSIC' });
    expect(impliedVolatility({ ...hull, type: 'call', price: 42 }).reason).toBe('ABOVE_MAXIMUM');
    expect(impliedVolatility({ ...hull, time: 0, type: 'call', price: 2 }).reason).toBe('EXPIRED');
    // Exactly the discounted forward intrinsic value: no time value, so no volatility to
    // recover (every σ near 0 prices it), answered as such rather than as 0.
    expect(impliedVolatility({ ...hull, type: 'call', price: 42 - 40 * Math.exp(-0.05) })).toEqual({
      volatility: null,
      iterations: 0,
      reason: 'AT_INTRINSIC',
    });
    expect(impliedVolatility({ ...hull, strike: 60, type: 'call', price: 0 }).reason).toBe('AT_INTRINSIC');
  });

  it('inverts small out-of-the-money prices to the volatility that produced them (tolerance relative to the price)', () => {
    // Prices from 1e-13 down to 1e-78 of spot: an absolute tolerance of 1e-12 x spot answered
    // 0 for every one of them.
    for (const [strike, time, vol] of [
      [160, 0.1, 0.2],
      [200, 0.1, 0.2],
      [200, 0.1, 0.12],
      [300, 0.25, 0.15],
      [150, 0.05, 0.1],
    ] as const) {
      for (const type of ['call', 'put'] as const) {
        const input = {
          type,
          spot: 100,
          strike: type === 'call' ? strike : 10_000 / strike,
          rate: 0.03,
          time,
        };
        const price = blackScholes({ ...input, volatility: vol }).price;
        expect(price).toBeGreaterThan(0);
        expect(price).toBeLessThan(1e-10);
        const out = impliedVolatility({ ...input, price });
        expect(out.volatility).not.toBeNull();
        expect(Math.abs((out.volatility ?? 0) / vol - 1)).toBeLessThan(1e-9);
      }
    }
  });
});

describe('position and portfolio greeks', () => {
  const call = { ...hull, type: 'call' as const };

  it('scale by quantity × multiplier; deltaNotional = delta × spot', () => {
    const one = blackScholes(call);
    const pos = positionGreeks({ ...call, quantity: -3, multiplier: 100 });
    expect(pos.value).toBeCloseTo(one.price * -300, 10);
    expect(pos.delta).toBeCloseTo(one.delta * -300, 10);
    expect(pos.gamma).toBeCloseTo(one.gamma * -300, 10);
    expect(pos.vega).toBeCloseTo(one.vega * -300, 10);
    expect(pos.thetaPerDay).toBeCloseTo(one.thetaPerDay * -300, 10);
    expect(pos.rho).toBeCloseTo(one.rho * -300, 10);
    expect(pos.deltaNotional).toBeCloseTo(one.delta * -300 * 42, 8);
  });

  it('portfolio greeks are the sums; a long and short of the same option net to zero', () => {
    const out = portfolioGreeks([
      { ...call, quantity: 2, multiplier: 10 },
      { ...call, quantity: -2, multiplier: 10 },
    ]);
    expect(out.total.delta).toBeCloseTo(0, 12);
    expect(out.total.value).toBeCloseTo(0, 12);
    // A straddle: call + put delta = e^{-qT}(N(d1)) - e^{-qT}N(-d1) = 2N(d1) - 1 (q = 0).
    const straddle = portfolioGreeks([
      { ...call, quantity: 1 },
      { ...call, type: 'put', quantity: 1 },
    ]);
    const g = blackScholes(call);
    expect(straddle.total.delta).toBeCloseTo(2 * g.delta - 1, 13);
    expect(straddle.total.gamma).toBeCloseTo(2 * g.gamma, 13);
    expect(straddle.positions.length).toBe(2);
    expect(portfolioGreeks([]).total.value).toBe(0);
  });
});
