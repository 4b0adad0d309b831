import { adx as tiAdx } from 'technicalindicators';
import { IchimokuCloud as TsIchimoku } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { adx, ichimoku, QuantInputError, toSeries } from '../../src/quant';
import { candles, firstValid, padFront } from './fixtures';

const bars = candles(21, 1500);

describe('adx / +DI / -DI (TA-Lib)', () => {
  // Worked by hand with TA-Lib's rules for n = 2 (see the derivation in each step):
  // bar 1 seeds +DM = 1, TR = 2; bar 2: +DM = 1 - 1/2 + 1 = 1.5, TR = 2 - 1 + 2 = 3 → +DI 50, DX 100;
  // bar 3: -DM = 2, +DM = 0.75, TR = 4.5 → DX = 500/11, first ADX = (100 + 500/11)/2 = 800/11;
  // bar 4: +DM = 2.375, -DM = 1, TR = 6.25 → +DI 38, -DI 16, DX = 1100/27, ADX = (800/11 + 1100/27)/2.
  const h = [10, 11, 12, 11, 13];
  const l = [8, 9, 10, 8, 10];
  const c = [9, 10, 11, 9, 12];

  it('hand-computed n = 2: DI from index n, ADX from index 2n-1', () => {
    const out = adx(h, l, c, 2);
    expect(toSeries(out.plusDI).slice(0, 2)).toEqual([null, null]);
    expect(out.plusDI[2]).toBeCloseTo(50, 12);
    expect(out.minusDI[2]).toBeCloseTo(0, 12);
    expect(out.plusDI[3]).toBeCloseTo(100 / 6, 12);
    expect(out.minusDI[3]).toBeCloseTo(400 / 9, 12);
    expect(out.plusDI[4]).toBeCloseTo(38, 12);
    expect(out.minusDI[4]).toBeCloseTo(16, 12);
    expect(toSeries(out.adx).slice(0, 3)).toEqual([null, null, null]);
    expect(out.adx[3]).toBeCloseTo(800 / 11, 12);
    expect(out.adx[4]).toBeCloseTo((800 / 11 + 1100 / 27) / 2, 12);
  });

  it('warm-up of the default period 14: DI at 14, ADX at 27', () => {
    const out = adx(bars.high, bars.low, bars.close);
    expect(firstValid(out.plusDI)).toBe(14);
    expect(firstValid(out.minusDI)).toBe(14);
    expect(firstValid(out.adx)).toBe(27);
    for (let i = 27; i < bars.close.length; i++) {
      expect(out.adx[i]).toBeGreaterThanOrEqual(0);
      expect(out.adx[i]).toBeLessThanOrEqual(100);
    }
  });

  it('converges to technicalindicators ADX, which seeds the smoothed sums with n bars instead of n-1', () => {
    // technicalindicators' first TR14/DM14 is the plain sum of bars 1..14; TA-Lib sums bars
    // 1..13 and then applies one Wilder step on bar 14. The seeds' weight decays as (13/14)^t,
    // so the DIs agree after a few hundred bars; ADX inherits the difference through DX.
    const ti = tiAdx({
      high: Array.from(bars.high),
      low: Array.from(bars.low),
      close: Array.from(bars.close),
      period: 14,
    });
    const n = bars.close.length;
    const tiAdxLine = padFront(
      ti.map((r) => r.adx),
      n,
    );
    const tiPdi = padFront(
      ti.map((r) => r.pdi),
      n,
    );
    const tiMdi = padFront(
      ti.map((r) => r.mdi),
      n,
    );
    const out = adx(bars.high, bars.low, bars.close, 14);
    for (let i = 800; i < n; i++) {
      expect(out.plusDI[i]).toBeCloseTo(tiPdi[i] as number, 7);
      expect(out.minusDI[i]).toBeCloseTo(tiMdi[i] as number, 7);
      expect(out.adx[i]).toBeCloseTo(tiAdxLine[i] as number, 6);
    }
  });

  it('flat bars: DI are 0 and ADX stays 0 (no DX is defined)', () => {
    const flat = new Float64Array(40).fill(100);
    const out = adx(flat, flat, flat, 5);
    expect(out.plusDI[20]).toBe(0);
    expect(out.adx[20]).toBe(0);
  });

  it('edge cases', () => {
    expect(firstValid(adx(h, l, c, 14).plusDI)).toBe(-1);
    expect(() => adx(h, l, c, 1)).toThrow(QuantInputError);
    expect(() => adx(h, l, [1], 2)).toThrow(QuantInputError);
  });
});

describe('ichimoku', () => {
  it('lines match trading-signals IchimokuCloud, with the spans shifted forward by 26', () => {
    const ts = new TsIchimoku();
    const out = ichimoku(bars.high, bars.low, bars.close);
    const n = bars.close.length;
    for (let i = 0; i < n; i++) {
      const r = ts.add({
        high: bars.high[i] as number,
        low: bars.low[i] as number,
      });
      if (!r) continue;
      expect(out.tenkan[i]).toBeCloseTo(r.conversion, 12);
      expect(out.kijun[i]).toBeCloseTo(r.base, 12);
      const a = i + 26 < n ? out.senkouA[i + 26] : out.projectedSenkouA[i + 26 - n];
      const b = i + 26 < n ? out.senkouB[i + 26] : out.projectedSenkouB[i + 26 - n];
      expect(a).toBeCloseTo(r.spanA, 12);
      expect(b).toBeCloseTo(r.spanB, 12);
    }
  });

  it('warm-ups and the lagging span (hand-checked)', () => {
    const out = ichimoku(bars.high, bars.low, bars.close);
    expect(firstValid(out.tenkan)).toBe(8);
    expect(firstValid(out.kijun)).toBe(25);
    expect(firstValid(out.senkouA)).toBe(25 + 26);
    expect(firstValid(out.senkouB)).toBe(51 + 26);
    expect(out.chikou[0]).toBe(bars.close[26]);
    expect(Number.isNaN(out.chikou[bars.close.length - 1] as number)).toBe(true);
    expect(out.projectedSenkouA.length).toBe(26);
    // tenkan = (max of last 9 highs + min of last 9 lows)/2
    const i = 100;
    const hh = Math.max(...bars.high.subarray(i - 8, i + 1));
    const ll = Math.min(...bars.low.subarray(i - 8, i + 1));
    expect(out.tenkan[i]).toBe((hh + ll) / 2);
  });

  it('rejects bad windows', () => {
    expect(() => ichimoku(bars.high, bars.low, bars.close, { conversion: 0 })).toThrow(QuantInputError);
  });
});
