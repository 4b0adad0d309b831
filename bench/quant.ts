import { BollingerBands as TiBollinger, MACD as TiMACD, RSI as TiRSI } from 'technicalindicators';
import { BollingerBands as TsBollinger, EMA as TsEMA, MACD as TsMACD, RSI as TsRSI } from 'trading-signals';
import {
  blackScholes,
  bollinger,
  componentVar,
  historicalVar,
  impliedVolatility,
  macd,
  parametricVar,
  rsi,
} from '../src/quant';

// The quant suite of `npm run bench -- --suite quant`: our indicators against
// technicalindicators and trading-signals on the same 1,000,000 closes in the same process,
// then VaR/ES and component VaR (50 assets × 1,000 days) and Black-Scholes price + greeks
// (100,000 options). Each case runs warm-up passes first (JIT), then the median of timed runs.

export interface QuantBenchRow {
  case: string;
  'ours ms': string;
  'technicalindicators ms': string;
  'trading-signals ms': string;
  'ti / ours': string;
  'ts / ours': string;
  'ops/s': string;
}

export interface QuantBenchOptions {
  /** Closes for the indicator comparison, default 1,000,000. */
  closes?: number;
  /** Timed runs for our code (median reported), default 7. */
  runs?: number;
  /** Timed runs for the other libraries, default 3 (they take seconds per run). */
  oracleRuns?: number;
}

/** mulberry32, so every run benchmarks the same data. */
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

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function randomWalk(n: number, seed: number): Float64Array {
  const rand = prng(seed);
  const out = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    p *= Math.exp(0.02 * gaussian(rand));
    out[i] = p;
  }
  return out;
}

/** Median wall time in ms of `runs` calls after `warmup` untimed calls. */
function time(fn: () => unknown, runs: number, warmup: number): number {
  let sink = 0;
  for (let i = 0; i < warmup; i++) sink += fn() === undefined ? 0 : 1;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    sink += fn() === undefined ? 0 : 1;
    samples.push(performance.now() - t0);
  }
  if (sink < 0) console.log(sink); // keeps results observable so nothing is optimized away
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

const ms = (v: number) => v.toFixed(1);
const ratio = (theirs: number, ours: number) => `${(theirs / ours).toFixed(1)}x`;

export async function runQuantBench(options: QuantBenchOptions = {}): Promise<QuantBenchRow[]> {
  const n = options.closes ?? 1_000_000;
  const runs = options.runs ?? 7;
  const oracleRuns = options.oracleRuns ?? 3;
  const closes = randomWalk(n, 42);
  const plain = Array.from(closes);
  const rows: QuantBenchRow[] = [];
  const log = (s: string) => process.stderr.write(`bench quant: ${s}...\n`);

  const indicatorCase = (name: string, ours: () => unknown, ti: () => unknown, ts: () => unknown) => {
    log(name);
    const o = time(ours, runs, 2);
    const a = time(ti, oracleRuns, 1);
    const b = time(ts, oracleRuns, 1);
    rows.push({
      case: `${name}, ${n.toLocaleString('en-US')} closes`,
      'ours ms': ms(o),
      'technicalindicators ms': ms(a),
      'trading-signals ms': ms(b),
      'ti / ours': ratio(a, o),
      'ts / ours': ratio(b, o),
      'ops/s': `${Math.round(n / (o / 1000)).toLocaleString('en-US')} bars/s`,
    });
  };

  indicatorCase(
    'RSI(14)',
    () => rsi(closes, 14),
    () => TiRSI.calculate({ period: 14, values: plain }),
    () => {
      const ind = new TsRSI(14);
      for (let i = 0; i < n; i++) ind.add(plain[i] as number);
      return ind.getResult();
    },
  );
  indicatorCase(
    'MACD(12,26,9)',
    () => macd(closes, { fast: 12, slow: 26, signal: 9 }),
    () =>
      TiMACD.calculate({
        values: plain,
        fastPeriod: 12,
        slowPeriod: 26,
        signalPeriod: 9,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      }),
    () => {
      const ind = new TsMACD(new TsEMA(12), new TsEMA(26), new TsEMA(9));
      for (let i = 0; i < n; i++) ind.add(plain[i] as number);
      return ind.getResult();
    },
  );
  indicatorCase(
    'Bollinger(20,2)',
    () => bollinger(closes, { period: 20, multiplier: 2 }),
    () => TiBollinger.calculate({ period: 20, stdDev: 2, values: plain }),
    () => {
      const ind = new TsBollinger(20, 2);
      for (let i = 0; i < n; i++) ind.add(plain[i] as number);
      return ind.getResult();
    },
  );

  // Risk: 50 assets × 1,000 daily returns with a common factor, equal weights.
  const assets = 50;
  const days = 1000;
  const rand = prng(7);
  const factor = Float64Array.from({ length: days }, () => gaussian(rand));
  const matrix = Array.from({ length: assets }, () =>
    Float64Array.from(factor, (f) => 0.0003 + 0.02 * (0.5 * f + 0.85 * gaussian(rand))),
  );
  const weights = new Float64Array(assets).fill(1 / assets);
  const portfolio = new Float64Array(days);
  for (const series of matrix) {
    for (let i = 0; i < days; i++) portfolio[i] = (portfolio[i] as number) + (series[i] as number) / assets;
  }

  const riskCase = (name: string, fn: () => unknown, unit: string, count: number) => {
    log(name);
    const o = time(fn, runs * 3, 3);
    rows.push({
      case: name,
      'ours ms': o.toFixed(2),
      'technicalindicators ms': '',
      'trading-signals ms': '',
      'ti / ours': '',
      'ts / ours': '',
      'ops/s': `${Math.round(count / (o / 1000)).toLocaleString('en-US')} ${unit}`,
    });
  };

  riskCase(
    'VaR/ES 99% historical (1d, 10d overlapping + √t) & parametric: 50 assets × 1,000 d + portfolio',
    () => {
      let acc = 0;
      for (const series of [...matrix, portfolio]) {
        acc += historicalVar(series, { confidence: 0.99, horizon: 10 })?.overlapping.es ?? 0;
        acc += historicalVar(series, { confidence: 0.99 })?.overlapping.var ?? 0;
        acc += parametricVar(series, { confidence: 0.99, horizon: 10 })?.es ?? 0;
      }
      return acc;
    },
    'runs/s',
    1,
  );
  riskCase(
    'Component + marginal VaR/ES (parametric), 50 assets × 1,000 days',
    () => componentVar(matrix, weights, { confidence: 0.99, horizon: 10 }),
    'portfolios/s',
    1,
  );

  // Options: 100,000 random contracts, price + all greeks each.
  const count = 100_000;
  const orand = prng(99);
  const contracts = Array.from({ length: count }, () => ({
    type: orand() < 0.5 ? ('call' as const) : ('put' as const),
    spot: 100,
    strike: 50 + 100 * orand(),
    rate: 0.05 * orand(),
    dividendYield: 0.03 * orand(),
    volatility: 0.1 + 1.2 * orand(),
    time: 0.02 + 2 * orand(),
  }));
  riskCase(
    'Black-Scholes price + greeks, 100,000 options',
    () => {
      let acc = 0;
      for (const c of contracts) acc += blackScholes(c).delta;
      return acc;
    },
    'options/s',
    count,
  );
  const quotes = contracts.slice(0, 20_000).map((c) => ({ ...c, price: blackScholes(c).price }));
  riskCase(
    'Implied volatility (safeguarded Newton), 20,000 options',
    () => {
      let acc = 0;
      for (const q of quotes) acc += impliedVolatility(q).volatility ?? 0;
      return acc;
    },
    'options/s',
    quotes.length,
  );
  return rows;
}
