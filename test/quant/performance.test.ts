import { describe, expect, it } from 'vitest';
import {
  concentration,
  excursions,
  moneyWeightedReturn,
  QuantInputError,
  timeWeightedReturn,
  tradeStats,
  xirr,
} from '../../src/quant';

const DAY = 86_400_000;

describe('timeWeightedReturn', () => {
  it('chains sub-period returns around a deposit (hand-computed)', () => {
    // r1 = 1100/1000 - 1; r2 = (1650 - 500)/1100 - 1; r3 = 1500/1650 - 1 → 1.1·(1150/1100)·(1500/1650) - 1
    const out = timeWeightedReturn([1000, 1100, 1650, 1500], [0, 0, 500, 0], { periodsPerYear: 3 });
    expect(out.periodReturns[0]).toBeCloseTo(0.1, 14);
    expect(out.periodReturns[1]).toBeCloseTo(1150 / 1100 - 1, 14);
    expect(out.periodReturns[2]).toBeCloseTo(1500 / 1650 - 1, 14);
    expect(out.twr).toBeCloseTo(1.15 * (1500 / 1650) - 1, 14);
    expect(out.annualized).toBeCloseTo(out.twr, 14); // 3 periods at 3 a year = one year
  });

  it('is unaffected by the size of flows (unlike the money-weighted return)', () => {
    const small = timeWeightedReturn([100, 110, 121 + 10], [0, 0, 10]);
    const big = timeWeightedReturn([100, 110, 121 + 10_000], [0, 0, 10_000]);
    expect(small.twr).toBeCloseTo(0.21, 12);
    expect(big.twr).toBeCloseTo(0.21, 12);
    expect(small.annualized).toBeNull();
  });

  it('a period starting from zero value has return 0 when only the deposit arrived; growth from 0 throws', () => {
    expect(timeWeightedReturn([0, 100, 110], [0, 100, 0]).twr).toBeCloseTo(0.1, 14);
    expect(() => timeWeightedReturn([0, 100], [0, 50])).toThrow(QuantInputError);
    expect(timeWeightedReturn([100], [0]).twr).toBe(0);
    expect(() => timeWeightedReturn([100, 1], [0])).toThrow(QuantInputError);
  });

  it("flowsAt 'start': a deposit earns its day, a withdrawal leaves at the day's end (hand-computed)", () => {
    // Day 1: 1000 deposited and bought at 1000, worth 1050 at the close: r1 = 1050/(0 + 1000) - 1 = 5%.
    // Day 2: worth 1100, then all 1100 withdrawn after the sale: V2 = 0, r2 = (0 + 1100)/1050 - 1.
    const out = timeWeightedReturn([0, 1050, 0], [0, 1000, -1100], { flowsAt: 'start' });
    expect(out.periodReturns[0]).toBeCloseTo(0.05, 14);
    expect(out.periodReturns[1]).toBeCloseTo(1100 / 1050 - 1, 14);
    expect(out.twr).toBeCloseTo(0.1, 14);
    // The end-of-period convention cannot value day 1: the value grew from 0.
    expect(() => timeWeightedReturn([0, 1050, 0], [0, 1000, -1100])).toThrow(QuantInputError);
  });
});

describe('xirr and moneyWeightedReturn', () => {
  it("Excel's XIRR documentation example: 0.373362535 (Excel stops at a 1e-8 tolerance)", () => {
    const flows = [
      { amount: -10000, date: new Date(Date.UTC(2008, 0, 1)) },
      { amount: 2750, date: new Date(Date.UTC(2008, 2, 1)) },
      { amount: 4250, date: new Date(Date.UTC(2008, 9, 30)) },
      { amount: 3250, date: new Date(Date.UTC(2009, 1, 15)) },
      { amount: 2750, date: new Date(Date.UTC(2009, 3, 1)) },
    ];
    expect(xirr(flows)).toBeCloseTo(0.373362535, 8);
    // Order does not matter; epoch milliseconds work as dates.
    expect(xirr([...flows].reverse().map((f) => ({ amount: f.amount, date: f.date.getTime() })))).toBeCloseTo(
      0.373362535,
      8,
    );
  });

  it('one year, +10% → 0.1; a total loss-ish and a huge gain still solve', () => {
    expect(
      xirr([
        { amount: -100, date: 0 },
        { amount: 110, date: 365 * DAY },
      ]),
    ).toBeCloseTo(0.1, 12);
    expect(
      xirr([
        { amount: -100, date: 0 },
        { amount: 1, date: 365 * DAY },
      ]),
    ).toBeCloseTo(-0.99, 10);
    expect(
      xirr(
        [
          { amount: -1, date: 0 },
          { amount: 50, date: 365 * DAY },
        ],
        { guess: -0.5 },
      ),
    ).toBeCloseTo(49, 8);
  });

  it('null without both signs of flow', () => {
    expect(xirr([{ amount: 100, date: 0 }])).toBeNull();
    expect(xirr([])).toBeNull();
  });

  it('moneyWeightedReturn builds the investor cash flows from valuations and deposits', () => {
    const t = [0, 182 * DAY, 365 * DAY];
    const mwr = moneyWeightedReturn([1000, 1100, 1650], [0, 500, 0], t);
    const direct = xirr([
      { amount: -1000, date: 0 },
      { amount: -500, date: 182 * DAY },
      { amount: 1650, date: 365 * DAY },
    ]);
    expect(mwr).toBeCloseTo(direct as number, 12);
    expect(moneyWeightedReturn([100, 110], [0, 0], [0, 365 * DAY])).toBeCloseTo(0.1, 12);
    expect(moneyWeightedReturn([100], [0], [0])).toBeNull();
  });
});

describe('concentration', () => {
  it('Herfindahl index and effective number of positions (hand-computed)', () => {
    expect(concentration([0.5, 0.5])).toEqual({
      herfindahl: 0.5,
      effectiveN: 2,
      normalized: 0,
      positions: 2,
    });
    const c = concentration([60, 30, 10]);
    expect(c?.herfindahl).toBeCloseTo(0.46, 14);
    expect(c?.effectiveN).toBeCloseTo(1 / 0.46, 13);
    expect(c?.normalized).toBeCloseTo((0.46 - 1 / 3) / (2 / 3), 14);
    expect(concentration([1])?.herfindahl).toBe(1);
    // A short counts as exposure.
    expect(concentration([0.5, -0.5])?.herfindahl).toBe(0.5);
    expect(concentration([])).toBeNull();
    expect(concentration([0, 0])).toBeNull();
  });
});

describe('tradeStats and excursions', () => {
  it('win rate, profit factor, expectancy, average win/loss (hand-computed)', () => {
    const out = tradeStats([
      { pnl: 100, mfe: 0.05, mae: 0.01 },
      { pnl: -50, mfe: 0.01, mae: 0.03 },
      { pnl: 200, mfe: 0.09, mae: 0.02 },
      { pnl: 0 },
      { pnl: -25 },
    ]);
    expect(out).toMatchObject({
      trades: 5,
      wins: 2,
      losses: 2,
      breakeven: 1,
      winRate: 0.4,
      lossRate: 0.4,
      grossProfit: 300,
      grossLoss: 75,
      netProfit: 225,
      profitFactor: 4,
      expectancy: 45,
      averageWin: 150,
      averageLoss: -37.5,
      payoffRatio: 4,
      largestWin: 200,
      largestLoss: -50,
    });
    expect(out?.averageMfe).toBeCloseTo(0.05, 15);
    expect(out?.averageMae).toBeCloseTo(0.02, 15);
    // expectancy = winRate·avgWin + lossRate·avgLoss
    expect(0.4 * 150 + 0.4 * -37.5).toBeCloseTo(out?.expectancy as number, 12);
  });

  it('no losses → profit factor null; no trades → null', () => {
    expect(tradeStats([{ pnl: 5 }])?.profitFactor).toBeNull();
    expect(tradeStats([])).toBeNull();
    expect(() => tradeStats([{ pnl: Number.NaN }])).toThrow(QuantInputError);
  });

  it('MFE/MAE of a long and a short trade as fractions of the entry price', () => {
    expect(excursions('long', 100, [105, 110, 103], [98, 101, 95])).toEqual({
      mfe: 0.10000000000000009,
      mae: 0.050000000000000044,
    });
    const short = excursions('short', 100, [105, 110, 103], [98, 101, 95]);
    expect(short.mfe).toBeCloseTo(0.05, 14);
    expect(short.mae).toBeCloseTo(0.1, 14);
    expect(excursions('long', 100, [99], [90]).mfe).toBe(0);
  });
});
