import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, orderBreaches } from '../../../src/domains/risk-limits/service';

const facts = {
  side: 'buy' as const,
  equity: 10_000,
  positionValueAfter: 1000,
  grossExposureAfter: 1000,
  dayStartEquity: 10_000,
  peakEquity: 10_000,
};

describe('orderBreaches (checked before an order)', () => {
  it('passes an order inside every limit, and never refuses a sell', () => {
    expect(orderBreaches(DEFAULT_LIMITS, facts)).toEqual([]);
    expect(orderBreaches(DEFAULT_LIMITS, { ...facts, side: 'sell', equity: 1, peakEquity: 10_000 })).toEqual(
      [],
    );
  });

  it('names each limit it breaks', () => {
    const names = (f: Partial<typeof facts>, limits = DEFAULT_LIMITS) =>
      orderBreaches(limits, { ...facts, ...f }).map((b) => b.limit);
    expect(names({ positionValueAfter: 5001, grossExposureAfter: 5001 })).toEqual(['maxPositionSize']);
    expect(names({ equity: 9_400 })).toEqual(['maxDailyLoss']);
    expect(names({ equity: 8_400, dayStartEquity: 8_500 })).toEqual(['maxDrawdown']);
    expect(
      names({ positionValueAfter: 1000, grossExposureAfter: 12_000 }, { ...DEFAULT_LIMITS, maxLeverage: 1 }),
    ).toEqual(['maxLeverage']);
    const [b] = orderBreaches(DEFAULT_LIMITS, { ...facts, equity: 9_400 });
    expect(b).toMatchObject({ limit: 'maxDailyLoss', threshold: 5, value: 6 });
    expect(b?.message).toMatch(/maxDailyLoss 5%/);
  });
});
