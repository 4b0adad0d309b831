import { atr as tiAtr, bollingerbands as tiBollinger } from 'technicalindicators';
import { BollingerBands as TsBollinger, DonchianChannels as TsDonchian } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { atr, bollinger, donchian, QuantInputError, sma, toSeries, trueRange } from '../../src/quant';
import { candles, expectSeriesClose, firstValid, normals, padFront, randomWalk } from './fixtures';

const closes = randomWalk(3, 2000);
const bars = candles(5, 800);

describe('bollinger (TA-Lib BBANDS, SMA, population sd)', () => {
  it('hand-computed: 1..5 has mean 3 and population sd √2', () => {
    const out = bollinger([1, 2, 3, 4, 5], { period: 5, multiplier: 2 });
    expect(toSeries(out.middle)).toEqual([null, null, null, null, 3]);
    expect(out.upper[4]).toBeCloseTo(3 + 2 * Math.SQRT2, 13);
    expect(out.lower[4]).toBeCloseTo(3 - 2 * Math.SQRT2, 13);
  });

  it('matches a two-pass population sd over every window of a long walk', () => {
    const out = bollinger(closes, { period: 20, multiplier: 2 });
    expect(firstValid(out.upper)).toBe(19);
    for (let i = 19; i < closes.length; i++) {
      let m = 0;
      for (let j = i - 19; j <= i; j++) m += closes[j] as number;
      m /= 20;
      let v = 0;
      for (let j = i - 19; j <= i; j++) v += ((closes[j] as number) - m) ** 2;
      const sd = Math.sqrt(v / 20);
      expect(Math.abs((out.upper[i] as number) - (m + 2 * sd))).toBeLessThan(1e-9 * m);
      expect(Math.abs((out.lower[i] as number) - (m - 2 * sd))).toBeLessThan(1e-9 * m);
    }
  });

  it('matches technicalindicators and trading-signals (both population sd)', () => {
    const out = bollinger(closes, { period: 20, multiplier: 2 });
    const ti = tiBollinger({ period: 20, stdDev: 2, values: Array.from(closes) });
    expectSeriesClose(
      out.upper,
      padFront(
        ti.map((r) => r.upper),
        closes.length,
      ),
      1e-9,
    );
    expectSeriesClose(
      out.lower,
      padFront(
        ti.map((r) => r.lower),
        closes.length,
      ),
      1e-9,
    );
    const ts = new TsBollinger(20, 2);
    const tsUpper = Array.from(closes, (c) => ts.add(c)?.upper ?? Number.NaN);
    expectSeriesClose(out.upper, tsUpper, 1e-9);
  });

  it('a constant series collapses the three bands onto the price', () => {
    const out = bollinger(new Float64Array(40).fill(0.1), { period: 20 });
    for (let i = 19; i < 40; i++) {
      expect(out.upper[i]).toBe(out.middle[i]);
      expect(out.lower[i]).toBe(out.middle[i]);
      expect(out.middle[i]).toBeCloseTo(0.1, 15);
    }
  });

  it('keeps the bands of a sub-cent asset (TA-Lib 0.4 would flatten variances below 1e-8)', () => {
    const tiny = Float64Array.from(closes, (c) => c * 1e-6);
    const out = bollinger(tiny, { period: 20 });
    expect((out.upper[500] as number) - (out.lower[500] as number)).toBeGreaterThan(0);
    const ref = bollinger(closes, { period: 20 });
    expect((out.upper[500] as number) / 1e-6).toBeCloseTo(ref.upper[500] as number, 8);
  });

  it('stays accurate over a long series whose price falls 1000-fold (no drift in running sums)', () => {
    // Rounding in O(1) running updates is absolute: made at price 1000 it would swamp a window
    // at price 1. The sums are re-anchored once per window, so the error stays at rounding level.
    const n = 200_000;
    const z = normals(77, n);
    const x = Float64Array.from(z, (v, i) => 1000 * Math.exp((-7 * i) / n) * (1 + 0.005 * v));
    const out = bollinger(x, { period: 20 });
    const mid = sma(x, 20);
    let worstSd = 0;
    let worstMean = 0;
    for (let i = 19; i < n; i += 7) {
      let m = 0;
      for (let j = i - 19; j <= i; j++) m += x[j] as number;
      m /= 20;
      let v = 0;
      for (let j = i - 19; j <= i; j++) v += ((x[j] as number) - m) ** 2;
      const sd = Math.sqrt(v / 20);
      worstSd = Math.max(
        worstSd,
        Math.abs(((out.upper[i] as number) - (out.middle[i] as number)) / 2 - sd) / sd,
      );
      worstMean = Math.max(worstMean, Math.abs((mid[i] as number) - m) / m);
    }
    expect(worstSd).toBeLessThan(1e-10);
    expect(worstMean).toBeLessThan(1e-13);
  });

  it('edge cases', () => {
    expect(bollinger([]).upper.length).toBe(0);
    expect(firstValid(bollinger([1, 2, 3]).middle)).toBe(-1);
    expect(() => bollinger(closes, { period: 1 })).toThrow(QuantInputError);
    expect(() => bollinger(closes, { multiplier: Number.NaN })).toThrow(QuantInputError);
  });
});

describe('trueRange and atr (Wilder, TA-Lib)', () => {
  const h = [10, 12, 11, 13];
  const l = [8, 9, 9, 10];
  const c = [9, 11, 10, 12];

  it('hand-computed TR (from index 1) and ATR(2) = mean of the first 2 TR, then Wilder', () => {
    expect(toSeries(trueRange(h, l, c))).toEqual([null, 3, 2, 3]);
    const out = atr(h, l, c, 2);
    expect(toSeries(out)).toEqual([null, null, 2.5, 2.75]);
  });

  it('matches technicalindicators ATR (TR from bar 1, SMA seed, Wilder smoothing)', () => {
    const out = atr(bars.high, bars.low, bars.close, 14);
    expect(firstValid(out)).toBe(14);
    const ti = tiAtr({
      high: Array.from(bars.high),
      low: Array.from(bars.low),
      close: Array.from(bars.close),
      period: 14,
    });
    expectSeriesClose(out, padFront(ti, bars.close.length), 1e-10);
  });

  it('flat bars give 0 and fewer than n+1 bars are all warm-up', () => {
    const flat = new Float64Array(20).fill(7);
    expect(atr(flat, flat, flat, 5)[19]).toBe(0);
    expect(firstValid(atr(h, l, c, 4))).toBe(-1);
    expect(() => atr(h, l, c, 0)).toThrow(QuantInputError);
    expect(() => atr(h, l, [1, 2], 2)).toThrow(QuantInputError);
  });
});

describe('donchian', () => {
  it('hand-computed and equal to trading-signals DonchianChannels', () => {
    const out = donchian([5, 7, 6, 9, 8], [1, 2, 3, 4, 5], 3);
    expect(toSeries(out.upper)).toEqual([null, null, 7, 9, 9]);
    expect(toSeries(out.lower)).toEqual([null, null, 1, 2, 3]);
    expect(toSeries(out.middle)).toEqual([null, null, 4, 5.5, 6]);
    const ts = new TsDonchian(20);
    const big = donchian(bars.high, bars.low, 20);
    const tsUpper: number[] = [];
    const tsLower: number[] = [];
    for (let i = 0; i < bars.close.length; i++) {
      const r = ts.add({
        high: bars.high[i] as number,
        low: bars.low[i] as number,
      });
      tsUpper.push(r?.upper ?? Number.NaN);
      tsLower.push(r?.lower ?? Number.NaN);
    }
    expectSeriesClose(big.upper, tsUpper, 0, false);
    expectSeriesClose(big.lower, tsLower, 0, false);
  });
});
