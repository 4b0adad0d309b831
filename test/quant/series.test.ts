import { describe, expect, it } from 'vitest';
import { lastValue, QuantInputError, rollingMax, rollingMin, toSeries } from '../../src/quant';
import { randomWalk } from './fixtures';

describe('toSeries / lastValue', () => {
  it('turns warm-up NaN into null and keeps numbers (including 0 and negatives)', () => {
    expect(toSeries(Float64Array.from([Number.NaN, Number.NaN, 0, -1.5, 2]))).toEqual([
      null,
      null,
      0,
      -1.5,
      2,
    ]);
    expect(toSeries([])).toEqual([]);
    expect(JSON.stringify(toSeries(Float64Array.from([Number.NaN, 1])))).toBe('[null,1]');
  });

  it('lastValue is the last non-warm-up value', () => {
    expect(lastValue(Float64Array.from([Number.NaN, 3, 4]))).toBe(4);
    expect(lastValue(Float64Array.from([Number.NaN]))).toBeNull();
  });
});

describe('rollingMax / rollingMin (monotonic deque)', () => {
  it('hand-computed with ties', () => {
    expect(toSeries(rollingMax([1, 3, 3, 2, 1, 5], 3))).toEqual([null, null, 3, 3, 3, 5]);
    expect(toSeries(rollingMin([4, 2, 2, 3, 1, 5], 2))).toEqual([null, 2, 2, 2, 1, 1]);
  });

  it('agrees with a brute-force scan on a random walk', () => {
    const x = randomWalk(9, 3000);
    const mx = rollingMax(x, 37);
    const mn = rollingMin(x, 37);
    for (let i = 36; i < x.length; i++) {
      const w = x.subarray(i - 36, i + 1);
      expect(mx[i]).toBe(Math.max(...w));
      expect(mn[i]).toBe(Math.min(...w));
    }
  });

  it('window 1 is the identity; a bad window throws', () => {
    expect(Array.from(rollingMax([3, 1, 2], 1))).toEqual([3, 1, 2]);
    expect(() => rollingMin([1], 0)).toThrow(QuantInputError);
  });
});
