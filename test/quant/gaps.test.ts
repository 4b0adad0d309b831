import { describe, expect, it } from 'vitest';
import { QuantInputError, rsi, simpleReturns, sma } from '../../src/quant';

/**
 * Gaps, as the library defines them: it works on observations, so a missing bar is simply
 * not in the input and the next observation follows the last one; a placeholder for a
 * missing bar (NaN) is refused rather than propagated. Finding gaps in time is the data
 * quality report's job (src/domains/prices/quality.ts).
 */
describe('gaps in a series', () => {
  it('treat consecutive observations as consecutive, whatever time lies between them', () => {
    expect(Array.from(simpleReturns([100, 110, 121]))).toEqual([
      expect.closeTo(0.1, 12),
      expect.closeTo(0.1, 12),
    ]);
    const withGap = [1, 2, 3, 4, 5, 7, 8];
    expect(sma(withGap, 3).at(-1)).toBeCloseTo((5 + 7 + 8) / 3, 12);
  });

  it('refuse a NaN placeholder for a missing bar instead of propagating it', () => {
    expect(() => simpleReturns([100, Number.NaN, 121])).toThrow(QuantInputError);
    expect(() => rsi([1, 2, Number.NaN, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 14)).toThrow(
      QuantInputError,
    );
  });
});
