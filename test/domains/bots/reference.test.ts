import { describe, expect, it } from 'vitest';
import btcCsv from '../../../../shared/data/prices/crypto-yahoo/BTC-USD.csv?raw';
import reference from '../../../bench/backtest-reference/btc-sma-10-30.json';
import { runBacktest } from '../../../src/domains/bots/engine/backtest';
import { resolveStrategy } from '../../../src/domains/bots/engine/strategies';
import { parseHistory } from '../../../src/domains/prices/history-csv';

const DAY = 86_400_000;

/**
 * Our engine against backtrader 1.9.78.123 (bench/backtest-reference/backtrader_sma.py) on the
 * shipped daily BTC history, 2018-01-01..2023-12-31: SMA 10/30 crossover, next-bar-open fills,
 * 0.1% commission per side, no slippage, all cash in. Trade dates, sides, quantities and prices
 * match; final equity within 0.1% (in fact to rounding).
 */
describe('engine vs backtrader (SMA 10/30 crossover, BTC daily 2018-2023)', () => {
  const from = Date.parse(`${reference.range[0]}T00:00:00Z`);
  const to = Date.parse(`${reference.range[1]}T00:00:00Z`);
  const bars = parseHistory(btcCsv, 'yahoo').candles.filter((c) => c.openTime >= from && c.openTime <= to);
  const ours = runBacktest({
    strategy: resolveStrategy({
      strategy: 'sma_crossover',
      parameters: { fast: reference.fast, slow: reference.slow },
    }),
    bars,
    startIndex: 0,
    timeframeMs: DAY,
    initialBalance: reference.cash,
    execution: { feeRate: 0.001, slippage: 0 },
    periodsPerYear: 365,
  });

  it('makes the same fills on the same days at the same prices', () => {
    expect(ours.trades.length).toBe(reference.fills.length);
    ours.trades.forEach((t, i) => {
      const r = reference.fills[i];
      expect(new Date(t.time).toISOString().slice(0, 10)).toBe(r?.time);
      expect(t.side).toBe(r?.side);
      expect(t.price).toBeCloseTo(r?.price ?? Number.NaN, 6);
      expect(t.qty).toBeCloseTo(r?.qty ?? Number.NaN, 8);
      expect(t.fee).toBeCloseTo(r?.fee ?? Number.NaN, 6);
    });
  });

  it('ends with the same equity (within 0.1%)', () => {
    const diff = Math.abs(ours.summary.finalEquity / reference.finalEquity - 1);
    expect(diff).toBeLessThan(0.001);
    expect(diff).toBeLessThan(1e-9);
  });
});
