import { describe, expect, it } from 'vitest';
import { convergenceBars, ema, emaWarmup, macd, macdWarmup, rsi, wilderWarmup } from '../../src/quant';

// A price that falls a thousand-fold, then wanders: the seed of a late-started recursion is
// then far from the full-history state, the hardest case for a fixed warm-up.
const prices = Array.from({ length: 6000 }, (_, i) =>
  i < 3000
    ? 1000 * 0.001 ** (i / 3000) * (1 + 0.2 * Math.sin(i / 7))
    : 1 + 0.3 * Math.sin(i / 11) + 0.1 * Math.cos(i / 3),
);
const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe('warm-up lengths', () => {
  it('convergenceBars is the smallest m with (1-k)^m <= residual', () => {
    const m = convergenceBars(2 / 51, 1e-12);
    expect((1 - 2 / 51) ** m).toBeLessThanOrEqual(1e-12);
    expect((1 - 2 / 51) ** (m - 1)).toBeGreaterThan(1e-12);
    expect(convergenceBars(1)).toBe(0);
    expect(() => convergenceBars(0)).toThrow();
  });

  it('EMA, RSI and MACD started their warm-up before a bar equal the full-history value there', () => {
    const bar = 3200;
    for (const n of [10, 50, 200]) {
      const full = ema(prices, n)[bar] as number;
      const late = ema(prices.slice(bar - emaWarmup(n)), n).at(-1 - (prices.length - 1 - bar)) as number;
      expect(rel(late, full)).toBeLessThan(1e-9);
      // A quarter of that warm-up leaves it visibly off: the length is needed, not padding.
      const short = ema(prices.slice(bar - Math.floor(emaWarmup(n) / 4)), n).at(
        -1 - (prices.length - 1 - bar),
      );
      expect(rel(short as number, full)).toBeGreaterThan(1e-9);
    }
    const r = rsi(prices.slice(bar - wilderWarmup(14), bar + 1), 14).at(-1) as number;
    expect(rel(r, rsi(prices, 14)[bar] as number)).toBeLessThan(1e-9);
    const m = macd(prices.slice(bar - macdWarmup(26, 9), bar + 1));
    const full = macd(prices);
    expect(Math.abs((m.signal.at(-1) as number) - (full.signal[bar] as number))).toBeLessThan(
      1e-9 * Math.abs(full.macd[bar] as number) + 1e-15,
    );
  });
});
