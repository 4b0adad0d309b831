import { readFileSync } from 'node:fs';
import { parseHistory } from '../src/domains/prices/history-csv';
import {
  type Bar,
  buildDataset,
  type FittedModel,
  featureMatrix,
  gradientBoostedTrees,
  type Learner,
  logisticRegression,
  PRICE_FEATURE_NAMES,
  walkForwardEvaluate,
} from '../src/quant/learn';

// `npm run bench -- --suite models`: the learners on the shipped history, in Node (the same
// pure TypeScript the Worker runs). Training: each architecture on the last 10 years of daily
// BTC — 5-fold purged walk-forward with permutation importance, then the final fit, exactly
// what the `models.train` job does. Inference: one prediction for each of the 15 crypto
// assets of the default watchlist (features over the inference window, then both models).

const DAY = 86_400_000;
const DATA = new URL('../../shared/data/prices/crypto-yahoo/', import.meta.url);
const WATCHLIST = [
  'BTC',
  'ETH',
  'BNB',
  'SOL',
  'XRP',
  'ADA',
  'DOGE',
  'AVAX',
  'DOT',
  'LINK',
  'LTC',
  'BCH',
  'TRX',
  'NEAR',
  'XLM',
];
const FILE: Record<string, string> = { XLM: 'XLM-USD-1d.csv' };

function bars(symbol: string): Bar[] {
  const file = FILE[symbol] ?? `${symbol}-USD.csv`;
  const format = file.endsWith('-1d.csv') ? 'yahoo-adj' : 'yahoo';
  const { candles } = parseHistory(readFileSync(new URL(file, DATA), 'utf8'), format);
  return candles
    .filter((c) => c.close > 0 && c.high > 0 && c.low > 0)
    .map((c) => ({
      time: c.openTime + DAY,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
    }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export interface ModelBenchRow {
  case: string;
  rows: number;
  'median ms': string;
  runs: number;
  note: string;
}

export async function runModelsBench(runs = 3): Promise<ModelBenchRow[]> {
  const out: ModelBenchRow[] = [];
  const btc = bars('BTC').slice(-3653);
  const data = buildDataset(btc, PRICE_FEATURE_NAMES, 1);
  const learners: [string, () => Learner][] = [
    ['logistic_regression (L2 10)', () => logisticRegression({ l2: 10 })],
    [
      'gradient_boosted_trees (60 × depth 2)',
      () => gradientBoostedTrees({ trees: 60, maxDepth: 2, learningRate: 0.05, minChildWeight: 10, seed: 1 }),
    ],
  ];
  const fitted: FittedModel[] = [];
  for (const [name, make] of learners) {
    const times: number[] = [];
    let acc = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const report = walkForwardEvaluate(make(), data, {
        folds: 5,
        embargo: 1,
        minTrain: Math.floor(data.x.length * 0.3),
        importanceRepeats: 3,
      });
      const model = make().fit(data.x, data.y);
      times.push(performance.now() - t0);
      acc = report.out_of_sample.accuracy ?? 0;
      if (r === 0) fitted.push(model);
    }
    out.push({
      case: `train ${name}: 10y daily BTC, 5-fold walk-forward + importance + final fit`,
      rows: data.x.length,
      'median ms': median(times).toFixed(1),
      runs,
      note: `out-of-sample accuracy ${(acc * 100).toFixed(2)}%`,
    });
  }
  const series = WATCHLIST.map((s) => bars(s).slice(-700));
  const times: number[] = [];
  for (let r = 0; r < runs + 30; r++) {
    const t0 = performance.now();
    for (const b of series) {
      const { rows } = featureMatrix(b, PRICE_FEATURE_NAMES);
      const last = rows.at(-1) as number[];
      for (const m of fitted) m.predictProba([last]);
    }
    times.push(performance.now() - t0);
  }
  out.push({
    case: 'inference: 15 default-watchlist assets × 2 models (features over 700 bars each)',
    rows: series.reduce((s, b) => s + b.length, 0),
    'median ms': median(times.slice(30)).toFixed(2),
    runs,
    note: 'pure compute after JIT warm-up; the Worker adds the D1 reads',
  });
  // The opt-in regime feature: one 2-state Markov-switching fit per 30-day block, on 10 years.
  const regimeTimes: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    featureMatrix(btc, [...PRICE_FEATURE_NAMES, 'regime_prob']);
    regimeTimes.push(performance.now() - t0);
  }
  out.push({
    case: 'features incl. regime_prob: 10y daily BTC (one EM fit per 30-day block)',
    rows: btc.length,
    'median ms': median(regimeTimes).toFixed(1),
    runs,
    note: 'the price features alone take a few ms; the rest is the regime fits',
  });
  return out;
}
