import { describe, expect, it } from 'vitest';
import { QuantInputError, supportResistance } from '../../src/quant';

/** A zig-zag between ~100 and ~110 with 5-bar legs, ending mid-range at 105. */
function zigzag(): { high: number[]; low: number[]; close: number[] } {
  const close: number[] = [];
  const tops = [110, 110.4, 109.8, 110.2];
  const bottoms = [100, 100.3, 99.8, 100.1];
  close.push(105);
  for (let k = 0; k < 4; k++) {
    const bottom = bottoms[k] as number;
    const top = tops[k] as number;
    const from = close[close.length - 1] as number;
    for (let j = 1; j <= 5; j++) close.push(from + ((top - from) * j) / 5);
    for (let j = 1; j <= 5; j++) close.push(top + ((bottom - top) * j) / 5);
  }
  for (let j = 1; j <= 5; j++) close.push(100.1 + (4.9 * j) / 5);
  return { high: close.map((c) => c + 0.05), low: close.map((c) => c - 0.05), close };
}

describe('supportResistance', () => {
  const { high, low, close } = zigzag();

  it('finds the swing pivots at each turn', () => {
    const out = supportResistance(high, low, close, { left: 3, right: 3 });
    const highs = out.pivots.filter((p) => p.kind === 'high').map((p) => p.index);
    const lows = out.pivots.filter((p) => p.kind === 'low').map((p) => p.index);
    expect(highs).toEqual([5, 15, 25, 35]);
    expect(lows).toEqual([10, 20, 30, 40]);
  });

  it('clusters the pivots into one support (~100) and one resistance (~110) with 4 touches each', () => {
    const out = supportResistance(high, low, close, { left: 3, right: 3, tolerance: 0.01 });
    expect(out.levels.length).toBe(2);
    const support = out.levels.find((l) => l.kind === 'support');
    const resistance = out.levels.find((l) => l.kind === 'resistance');
    expect(support?.touches).toBe(4);
    expect(support?.lowTouches).toBe(4);
    expect(support?.price).toBeCloseTo((100 + 100.3 + 99.8 + 100.1) / 4 - 0.05, 10);
    expect(support?.low).toBeCloseTo(99.75, 10);
    expect(support?.high).toBeCloseTo(100.25, 10);
    expect(resistance?.touches).toBe(4);
    expect(resistance?.price).toBeCloseTo((110 + 110.4 + 109.8 + 110.2) / 4 + 0.05, 10);
    expect(out.nearestSupport).toBe(support);
    expect(out.nearestResistance).toBe(resistance);
  });

  it('strength is recency-weighted touches relative to the strongest level', () => {
    const out = supportResistance(high, low, close, { left: 3, right: 3 });
    // Lows at 10..40 are each 5 bars later than the highs at 5..35, so support scores higher.
    const n = close.length - 1;
    const score = (idx: number[]) => idx.reduce((s, i) => s + 0.5 + (0.5 * i) / n, 0);
    expect(out.levels[0]?.kind).toBe('support');
    expect(out.levels[0]?.strength).toBe(1);
    expect(out.levels[1]?.strength).toBeCloseTo(score([5, 15, 25, 35]) / score([10, 20, 30, 40]), 12);
  });

  it('a tight tolerance splits the clusters; minTouches and maxLevels filter', () => {
    const split = supportResistance(high, low, close, { left: 3, right: 3, tolerance: 0.001 });
    expect(split.levels.length).toBeGreaterThan(2);
    const strict = supportResistance(high, low, close, {
      left: 3,
      right: 3,
      tolerance: 0.001,
      minTouches: 2,
    });
    for (const l of strict.levels) expect(l.touches).toBeGreaterThanOrEqual(2);
    expect(supportResistance(high, low, close, { maxLevels: 1 }).levels.length).toBe(1);
  });

  it('edge cases: empty, too short for a pivot, constant series, bad parameters', () => {
    expect(supportResistance([], [], []).levels).toEqual([]);
    expect(supportResistance([1, 2, 3], [1, 2, 3], [1, 2, 3]).pivots).toEqual([]);
    const flat = new Array(20).fill(5);
    expect(supportResistance(flat, flat, flat).levels).toEqual([]);
    expect(() => supportResistance(high, low, close, { left: 0 })).toThrow(QuantInputError);
    expect(() => supportResistance(high, low, close, { tolerance: -1 })).toThrow(QuantInputError);
    expect(() => supportResistance(high, low, [1])).toThrow(QuantInputError);
  });
});
