import { ema as tiEma, sma as tiSma, wma as tiWma } from 'technicalindicators';
import { EMA as TsEMA, SMA as TsSMA, WMA as TsWMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { ema, QuantInputError, sma, toSeries, wma } from '../../src/quant';
import { expectSeriesClose, padFront, randomWalk } from './fixtures';

const closes = randomWalk(1, 500);

describe('sma', () => {
  it('averages the last n values, first output at n-1 (hand-computed)', () => {
    expect(toSeries(sma([1, 2, 3, 4, 5, 6], 3))).toEqual([null, null, 2, 3, 4, 5]);
    expect(toSeries(sma([10, 11, 12], 1))).toEqual([10, 11, 12]);
  });

  it('matches a direct window mean on a random walk', () => {
    const out = sma(closes, 20);
    for (let i = 19; i < closes.length; i += 37) {
      let s = 0;
      for (let j = i - 19; j <= i; j++) s += closes[j] as number;
      expect(out[i]).toBeCloseTo(s / 20, 10);
    }
  });

  it('matches technicalindicators and trading-signals (same definition)', () => {
    const out = sma(closes, 20);
    expectSeriesClose(out, padFront(tiSma({ period: 20, values: Array.from(closes) }), closes.length), 1e-10);
    const ts = new TsSMA(20);
    const tsOut = Array.from(closes, (c) => ts.add(c) ?? Number.NaN);
    expectSeriesClose(out, tsOut, 1e-10);
  });

  it('accepts Float64Array and plain arrays alike', () => {
    expect(Array.from(sma(Float64Array.from([1, 2, 3]), 2))).toEqual(Array.from(sma([1, 2, 3], 2)));
  });
});

describe('ema', () => {
  it('is seeded with the SMA of the first n values (first output at n-1), k = 2/(n+1)', () => {
    // n = 3, k = 0.5: seed mean(1,2,3) = 2; then (4-2)/2+2 = 3; (10-3)/2+3 = 6.5.
    expect(toSeries(ema([1, 2, 3, 4, 10], 3))).toEqual([null, null, 2, 3, 6.5]);
  });

  it('of a constant is the constant', () => {
    const out = ema(new Float64Array(50).fill(42.5), 10);
    for (let i = 9; i < 50; i++) expect(out[i]).toBe(42.5);
  });

  it('matches technicalindicators (SMA seed, as TA-Lib)', () => {
    expectSeriesClose(
      ema(closes, 12),
      padFront(tiEma({ period: 12, values: Array.from(closes) }), closes.length),
      1e-10,
    );
  });

  it('converges to trading-signals, which seeds with the first price instead of an SMA', () => {
    // trading-signals' EMA starts from x[0]; the seed's weight decays as (1-k)^t, so
    // after 400 bars the two agree to ~1e-12 (k = 2/13).
    const ts = new TsEMA(12);
    const tsOut = Array.from(closes, (c) => ts.add(c) ?? Number.NaN);
    const out = ema(closes, 12);
    for (let i = 400; i < closes.length; i++) expect(out[i]).toBeCloseTo(tsOut[i] as number, 9);
  });
});

describe('wma', () => {
  it('weights 1..n, newest heaviest (hand-computed)', () => {
    // n = 3: (1·1 + 2·2 + 3·3)/6 = 14/6; (2 + 6 + 12)/6 = 20/6.
    const out = wma([1, 2, 3, 4], 3);
    expect(Number.isNaN(out[1] as number)).toBe(true);
    expect(out[2]).toBeCloseTo(14 / 6, 14);
    expect(out[3]).toBeCloseTo(20 / 6, 14);
  });

  it('matches technicalindicators and trading-signals', () => {
    const out = wma(closes, 10);
    expectSeriesClose(out, padFront(tiWma({ period: 10, values: Array.from(closes) }), closes.length), 1e-10);
    const ts = new TsWMA(10);
    expectSeriesClose(
      out,
      Array.from(closes, (c) => ts.add(c) ?? Number.NaN),
      1e-10,
    );
  });
});

describe('moving-average edge cases', () => {
  it('empty input gives empty output', () => {
    expect(sma([], 5).length).toBe(0);
    expect(ema([], 5).length).toBe(0);
    expect(wma([], 5).length).toBe(0);
  });

  it('fewer points than the window: all warm-up', () => {
    for (const f of [sma, ema, wma]) expect(toSeries(f([1, 2, 3], 5))).toEqual([null, null, null]);
  });

  it('rejects NaN and Infinity with QuantInputError naming the index', () => {
    expect(() => sma([1, Number.NaN, 3], 2)).toThrow(QuantInputError);
    try {
      ema([1, 2, Number.POSITIVE_INFINITY], 2);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(QuantInputError);
      expect((e as QuantInputError).code).toBe('NON_FINITE');
      expect((e as QuantInputError).index).toBe(2);
    }
  });

  it('rejects a window below 1 or non-integer', () => {
    expect(() => sma([1, 2], 0)).toThrow(QuantInputError);
    expect(() => ema([1, 2], -3)).toThrow(/period/);
    expect(() => wma([1, 2], 2.5)).toThrow(QuantInputError);
  });
});
