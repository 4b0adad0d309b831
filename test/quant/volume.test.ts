import { obv as tiObv, vwap as tiVwap } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { obv, QuantInputError, toSeries, vwap } from '../../src/quant';
import { candles } from './fixtures';

const bars = candles(31, 400);

describe('obv (TA-Lib)', () => {
  it('starts from the first volume and adds/subtracts volume on up/down closes', () => {
    expect(Array.from(obv([10, 11, 11, 9, 12], [100, 200, 300, 400, 500]))).toEqual([
      100, 300, 300, -100, 400,
    ]);
    expect(obv([], []).length).toBe(0);
  });

  it('differences match technicalindicators OBV, which starts from 0 at bar 1', () => {
    const ours = obv(bars.close, bars.volume);
    const ti = tiObv({ close: Array.from(bars.close), volume: Array.from(bars.volume) });
    expect(ti.length).toBe(bars.close.length - 1);
    ti.forEach((v, j) => {
      expect(ours[j + 1]).toBe(v + (bars.volume[0] as number));
    });
  });
});

describe('vwap', () => {
  it('cumulative VWAP of the typical price (hand-computed)', () => {
    // TP = 10, 20, 30; volumes 1, 1, 2 → 10, 15, (10 + 20 + 60)/4 = 22.5
    const p = [10, 20, 30];
    expect(Array.from(vwap(p, p, p, [1, 1, 2]))).toEqual([10, 15, 22.5]);
  });

  it('rolling VWAP over a window (hand-computed), warm-up before window-1', () => {
    const p = [10, 20, 30, 40];
    expect(toSeries(vwap(p, p, p, [1, 1, 2, 2], { window: 2 }))).toEqual([null, 15, (20 + 60) / 3, 35]);
  });

  it('matches technicalindicators cumulative VWAP', () => {
    const ti = tiVwap({
      high: Array.from(bars.high),
      low: Array.from(bars.low),
      close: Array.from(bars.close),
      volume: Array.from(bars.volume),
    });
    const ours = vwap(bars.high, bars.low, bars.close, bars.volume);
    ti.forEach((v, i) => {
      expect(ours[i]).toBeCloseTo(v, 9);
    });
  });

  it('is NaN (null) where nothing traded, exactly, even after rolling sums of non-integer volumes', () => {
    const p = [10, 20, 30, 40, 50];
    expect(toSeries(vwap(p, p, p, [0, 0, 3, 0, 0]))).toEqual([null, null, 30, 30, 30]);
    const rolled = vwap(p, p, p, [0.1, 0.2, 0, 0, 0.3], { window: 2 });
    expect(toSeries(rolled).map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9))).toEqual(
      [null, 5 / 0.3, 20, null, 50].map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9)),
    );
  });

  it('rejects negative volume, NaN, and a zero window', () => {
    expect(() => vwap([1], [1], [1], [-1])).toThrow(QuantInputError);
    expect(() => vwap([1], [1], [Number.NaN], [1])).toThrow(QuantInputError);
    expect(() => vwap([1], [1], [1], [1], { window: 0 })).toThrow(QuantInputError);
  });
});
