import { readFileSync } from 'node:fs';
import { runBacktest } from '../src/domains/bots/engine/backtest';
import { type Bar, prepareStrategy, resolveStrategy } from '../src/domains/bots/engine/strategies';
import { parseHistory } from '../src/domains/prices/history-csv';

// The bots suite of `npm run bench -- --suite bots`: the pure engine (strategies + execution
// model), as a backtest request and a bot tick run it after their D1 reads.
// - a 5-year daily backtest on the shipped BTC history (2019-2023, 1,826 bars + warm-up);
// - a 1-year hourly backtest (8,760 bars). No hourly history ships, so the hourly bars are a
//   seeded random walk with BTC-like hourly volatility: the timing depends on the bar count,
//   not on the prices;
// - 1,000 bots deciding on one replay minute: each prepares its strategy on its 452 closed bars
//   and decides on the last, as runBotTick does (D1 reads and the ledger write excluded).

export interface BotsBenchRow {
  case: string;
  bars: number;
  'median ms': string;
  'p99 ms': string;
  throughput: string;
  /** The whole replay minute (every bot once), for the bots case. */
  'whole minute ms'?: string;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function time(fn: () => void, runs: number): number[] {
  fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}
const pick = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

export async function runBotsBench(runs = 21): Promise<BotsBenchRow[]> {
  const csv = readFileSync(
    new URL('../../shared/data/prices/crypto-yahoo/BTC-USD.csv', import.meta.url),
    'utf8',
  );
  const all = parseHistory(csv, 'yahoo').candles;
  const from = Date.parse('2019-01-01T00:00:00Z');
  const to = Date.parse('2023-12-31T00:00:00Z');
  const daily = all.filter((c) => c.openTime >= from - 450 * DAY && c.openTime <= to);
  const start = daily.findIndex((c) => c.openTime >= from);
  const rows: BotsBenchRow[] = [];
  const strategies = [
    resolveStrategy({ strategy: 'momentum' }),
    resolveStrategy({ strategy: 'sma_crossover', parameters: { fast: 10, slow: 30 } }),
    resolveStrategy({ strategy: 'mean_reversion' }),
  ];
  for (const s of strategies) {
    const t = time(
      () =>
        runBacktest({
          strategy: s,
          bars: daily,
          startIndex: start,
          timeframeMs: DAY,
          initialBalance: 10_000,
          execution: { feeRate: 0.001, slippage: 0.0005, stopLoss: 5, takeProfit: 10 },
          periodsPerYear: 365,
        }),
      runs,
    );
    rows.push({
      case: `5y daily backtest, ${s.strategy}`,
      bars: daily.length - start,
      'median ms': pick(t, 0.5).toFixed(2),
      'p99 ms': pick(t, 0.99).toFixed(2),
      throughput: `${Math.round((daily.length / pick(t, 0.5)) * 1000).toLocaleString()} bars/s`,
    });
  }
  const rand = prng(7);
  const hourly: Bar[] = [];
  let price = 40_000;
  for (let i = 0; i < 8760 + 450; i++) {
    const open = price;
    const close = open * Math.exp((rand() - 0.5) * 0.02);
    hourly.push({
      openTime: Date.parse('2023-01-01T00:00:00Z') + i * HOUR,
      open,
      high: Math.max(open, close) * (1 + rand() * 0.004),
      low: Math.min(open, close) * (1 - rand() * 0.004),
      close,
      volume: 1,
    });
    price = close;
  }
  for (const s of strategies.slice(0, 2)) {
    const t = time(
      () =>
        runBacktest({
          strategy: s,
          bars: hourly,
          startIndex: 450,
          timeframeMs: HOUR,
          initialBalance: 10_000,
          execution: { feeRate: 0.001, slippage: 0.0005 },
          periodsPerYear: 8760,
        }),
      runs,
    );
    rows.push({
      case: `1y hourly backtest, ${s.strategy}`,
      bars: 8760,
      'median ms': pick(t, 0.5).toFixed(2),
      'p99 ms': pick(t, 0.99).toFixed(2),
      throughput: `${Math.round((hourly.length / pick(t, 0.5)) * 1000).toLocaleString()} bars/s`,
    });
  }
  // 1,000 bots, one decision each on one replay minute (README "Scaling" simulates this hot
  // spot): strategies cycle through the five runnable ones.
  const BOTS = 1000;
  const names = ['momentum', 'mean_reversion', 'sma_crossover', 'grid', 'dca'] as const;
  const bots = Array.from({ length: BOTS }, (_, i) => {
    const name = names[i % names.length] ?? 'dca';
    const params = name === 'grid' ? { lower: 20_000, upper: 60_000 } : {};
    return resolveStrategy({ strategy: name, parameters: params });
  });
  const window = daily.slice(-452);
  const latencies: number[] = [];
  let total = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (const b of bots) {
      const s0 = performance.now();
      const p = prepareStrategy(b, window, DAY);
      p.decide(window.length - 1, { qty: 0, cash: 10_000, equity: 10_000 });
      latencies.push(performance.now() - s0);
    }
    total += performance.now() - t0;
  }
  latencies.sort((a, b) => a - b);
  rows.push({
    case: `${BOTS.toLocaleString()} bots, one replay minute (engine only)`,
    bars: 452,
    'median ms': pick(latencies, 0.5).toFixed(3),
    'p99 ms': pick(latencies, 0.99).toFixed(3),
    throughput: `${Math.round((BOTS * runs * 1000) / total).toLocaleString()} decisions/s`,
    'whole minute ms': (total / runs).toFixed(1),
  });
  return rows;
}
