import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/domains/bots/engine/backtest';
import { exitWithinBar, fillMarket } from '../../../src/domains/bots/engine/execution';
import {
  type Bar,
  prepareStrategy,
  resolveStrategy,
  StrategyError,
} from '../../../src/domains/bots/engine/strategies';

const DAY = 86_400_000;
const cfg = { feeRate: 0.001, slippage: 0 };

function barsFrom(closes: number[], spread = 0): Bar[] {
  return closes.map((c, i) => ({
    openTime: i * DAY,
    open: i === 0 ? c : (closes[i - 1] as number),
    high: Math.max(c, i === 0 ? c : (closes[i - 1] as number)) + spread,
    low: Math.min(c, i === 0 ? c : (closes[i - 1] as number)) - spread,
    close: c,
    volume: 1,
  }));
}

describe('execution model', () => {
  it('charges the fee per side, applies slippage against the trader and never overdraws cash', () => {
    const r = fillMarket({ cash: 1000, qty: 0, avgCost: 0 }, 'buy', { kind: 'all' }, 100, {
      feeRate: 0.001,
      slippage: 0.01,
    });
    expect(r).not.toBeNull();
    if (!r) return;
    expect(r.fill.price).toBeCloseTo(101, 12);
    // qty = floor8(1000 / (101 * 1.001))
    expect(r.fill.qty).toBe(Math.floor((1000 / (101 * 1.001)) * 1e8) / 1e8);
    expect(r.account.cash).toBeGreaterThanOrEqual(0);
    expect(r.fill.fee).toBeCloseTo(r.fill.qty * 101 * 0.001, 10);
    const s = fillMarket(r.account, 'sell', { kind: 'all' }, 110, { feeRate: 0.001, slippage: 0.01 });
    expect(s?.fill.price).toBeCloseTo(108.9, 10);
    expect(s?.account.qty).toBe(0);
    const expectedPnl = r.fill.qty * 108.9 * 0.999 - (r.fill.qty * 101 + r.fill.fee);
    expect(s?.fill.pnl).toBeCloseTo(expectedPnl, 8);
  });

  it('sizes by risk: equity·risk% / (price·stop%), capped by cash', () => {
    const r = fillMarket({ cash: 10_000, qty: 0, avgCost: 0 }, 'buy', { kind: 'all' }, 100, {
      ...cfg,
      riskPerTrade: 2,
      stopLoss: 5,
    });
    expect(r?.fill.qty).toBe(40); // 200 risked / 5 per unit
    const capped = fillMarket({ cash: 10_000, qty: 0, avgCost: 0 }, 'buy', { kind: 'all' }, 100, {
      ...cfg,
      riskPerTrade: 50,
      stopLoss: 1,
    });
    expect((capped?.fill.qty ?? 0) * 100 * 1.001).toBeLessThanOrEqual(10_000);
  });

  it('fills nothing with no cash or nothing held', () => {
    expect(fillMarket({ cash: 0, qty: 0, avgCost: 0 }, 'buy', { kind: 'all' }, 100, cfg)).toBeNull();
    expect(fillMarket({ cash: 100, qty: 0, avgCost: 0 }, 'sell', { kind: 'all' }, 100, cfg)).toBeNull();
  });

  it('takes the stop-loss when one bar reaches both levels, and fills a gap at the open', () => {
    const acct = { cash: 0, qty: 1, avgCost: 100 };
    const sltp = { ...cfg, stopLoss: 5, takeProfit: 5 };
    expect(exitWithinBar(acct, { open: 100, high: 106, low: 94 }, sltp)).toEqual({
      reason: 'stop_loss',
      price: 95,
    });
    expect(exitWithinBar(acct, { open: 90, high: 92, low: 89 }, sltp)).toEqual({
      reason: 'stop_loss',
      price: 90,
    });
    expect(exitWithinBar(acct, { open: 101, high: 107, low: 99 }, sltp)).toEqual({
      reason: 'take_profit',
      price: 105,
    });
    expect(exitWithinBar(acct, { open: 101, high: 104, low: 96 }, sltp)).toBeNull();
  });
});

describe('strategies', () => {
  it('validate parameters and indicators, naming the field', () => {
    expect(() => resolveStrategy({ strategy: 'sma_crossover', parameters: { fast: 30, slow: 10 } })).toThrow(
      /parameters.fast/,
    );
    expect(() => resolveStrategy({ strategy: 'grid', parameters: {} })).toThrow(/parameters.lower/);
    expect(() => resolveStrategy({ strategy: 'momentum', parameters: { bogus: 1 } })).toThrow(StrategyError);
    expect(() => resolveStrategy({ strategy: 'momentum', indicators: ['BollingerBands'] })).toThrow(
      /indicators/,
    );
    expect(() => resolveStrategy({ strategy: 'momentum', indicators: ['Nope'] })).toThrow(/unknown Nope/);
    expect(
      resolveStrategy({ strategy: 'momentum', indicators: ['RSI', 'MACD', 'BollingerBands'] }).indicators,
    ).toEqual(['MACD', 'RSI']);
  });

  it('ml_adaptive names the missing model', () => {
    const resolved = resolveStrategy({ strategy: 'ml_adaptive', parameters: { modelId: 'mdl_x' } });
    try {
      prepareStrategy(resolved, barsFrom([1, 2, 3]), DAY);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StrategyError);
      expect((e as StrategyError).code).toBe('MODEL_NOT_FOUND');
      expect((e as Error).message).toMatch(/mdl_x/);
    }
  });

  it('ml_adaptive buys at buyAbove and sells at sellBelow on the model reading of each bar, from bars up to it', () => {
    const closes = Array.from({ length: 60 }, (_, i) => 100 + 10 * Math.sin(i / 4));
    const bars = barsFrom(closes);
    // A stand-in learner: P(up) is 0.5 plus the 1-day return it is given (the first feature).
    const seen: number[][] = [];
    const model = {
      id: 'mdl_stub',
      artifactHash: 'h',
      features: ['ret_1d'] as const,
      fitted: {
        predictProba: (x: number[][]) => {
          seen.push(...x);
          return x.map((r) => 0.5 + 5 * (r[0] as number));
        },
      },
    };
    const resolved = resolveStrategy({
      strategy: 'ml_adaptive',
      parameters: { buyAbove: 0.6, sellBelow: 0.4 },
    });
    const p = prepareStrategy(resolved, bars, DAY, model);
    expect(p.warmup).toBeGreaterThan(0);
    const decisions = bars.map((_, i) =>
      i < p.warmup ? 'warm' : p.decide(i, { qty: 0, cash: 1000, equity: 1000 }).action,
    );
    const held = bars.map((_, i) =>
      i < p.warmup ? 'warm' : p.decide(i, { qty: 1, cash: 0, equity: 1000 }).action,
    );
    expect(decisions).toContain('buy');
    expect(held).toContain('sell');
    for (let i = p.warmup; i < bars.length; i++) {
      const ret = (closes[i] as number) / (closes[i - 1] as number) - 1;
      const pu = 0.5 + 5 * ret;
      expect(decisions[i]).toBe(pu >= 0.6 ? 'buy' : 'hold');
      expect(held[i]).toBe(pu <= 0.4 ? 'sell' : 'hold');
    }
    expect(seen.length).toBe(bars.length - p.warmup);
  });

  it('sma_crossover buys at the next open after an up-cross and sells after the down-cross', () => {
    const closes = [10, 10, 10, 10, 9, 8, 9, 11, 13, 14, 13, 11, 9, 8, 8];
    const bars = barsFrom(closes);
    const res = runBacktest({
      strategy: resolveStrategy({ strategy: 'sma_crossover', parameters: { fast: 2, slow: 4 } }),
      bars,
      startIndex: 0,
      timeframeMs: DAY,
      initialBalance: 1000,
      execution: cfg,
      periodsPerYear: 365,
    });
    const [buy, sell] = res.trades;
    expect(buy?.side).toBe('buy');
    expect(sell?.side).toBe('sell');
    // Each fill is the open of the bar after its decision bar.
    for (const t of res.trades) {
      expect(t.time - t.decisionTime).toBe(DAY);
      expect(t.price).toBe(bars[t.time / DAY]?.open);
    }
    expect(res.summary.finalEquity).toBeCloseTo(res.equity.at(-1)?.equity ?? 0, 12);
    expect(res.equity.every((p) => p.cash >= 0)).toBe(true);
  });

  it('grid and dca trade, mean reversion and momentum run, all deterministic', () => {
    const closes = Array.from({ length: 300 }, (_, i) => 100 + 20 * Math.sin(i / 9) + (i % 7) - 3);
    const bars = barsFrom(closes, 0.5);
    const run = (strategy: Parameters<typeof resolveStrategy>[0], extra = {}) =>
      runBacktest({
        strategy: resolveStrategy(strategy),
        bars,
        startIndex: 0,
        timeframeMs: DAY,
        initialBalance: 10_000,
        execution: { ...cfg, ...extra },
        periodsPerYear: 365,
      });
    const grid = run({ strategy: 'grid', parameters: { lower: 80, upper: 120, levels: 8 } });
    expect(grid.summary.totalTrades).toBeGreaterThan(10);
    const dca = run({ strategy: 'dca', parameters: { amount: 100, intervalBars: 7 } });
    expect(dca.trades.filter((t) => t.side === 'buy').length).toBeGreaterThan(30);
    const mr = run({
      strategy: 'mean_reversion',
      parameters: { bbStdDev: 1 },
      indicators: ['BollingerBands'],
    });
    expect(mr.summary.totalTrades, 'mr').toBeGreaterThan(0);
    const mom = run({ strategy: 'momentum' }, { stopLoss: 3, takeProfit: 6 });
    expect(mom.summary.totalTrades, 'mom').toBeGreaterThan(0);
    expect(JSON.stringify(run({ strategy: 'momentum' }, { stopLoss: 3, takeProfit: 6 }))).toBe(
      JSON.stringify(mom),
    );
    for (const r of [grid, dca, mr, mom]) expect(r.equity.every((p) => p.cash >= 0 && p.qty >= 0)).toBe(true);
  });
});
