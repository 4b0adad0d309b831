import { describe, expect, it } from 'vitest';
import { QuantInputError } from '../../../src/quant';
import {
  type Bar,
  brierScore,
  buildDataset,
  calibration,
  featureMatrix,
  gradientBoostedTrees,
  logisticRegression,
  logLoss,
  MARKET_SERIES_MAX_AGE_MS,
  mulberry32,
  PRICE_FEATURE_NAMES,
  permutationImportance,
  REGIME_FEATURE_WARMUP,
  regimeProbabilities,
  restoreModel,
  rocAuc,
  shuffled,
  sigmoid,
  simulateTrade,
  strategyReturn,
  tradeStats,
  walkForwardEvaluate,
  walkForwardSplits,
} from '../../../src/quant/learn';

const DAY = 86_400_000;

/** A geometric random walk with Gaussian steps (Box–Muller on mulberry32): no predictable structure. */
function randomWalk(n: number, seed: number): Bar[] {
  const rand = mulberry32(seed);
  const bars: Bar[] = [];
  let c = 100;
  for (let i = 0; i < n; i++) {
    const u = Math.max(rand(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    const o = c;
    c = c * Math.exp(0.02 * z);
    bars.push({
      time: Date.UTC(2015, 0, 1) + i * DAY,
      open: o,
      high: Math.max(o, c) * (1 + 0.005 * rand()),
      low: Math.min(o, c) * (1 - 0.005 * rand()),
      close: c,
      volume: 1000 + 500 * rand(),
    });
  }
  return bars;
}

/** Separable-ish synthetic data: y = 1 when 2·x0 − x1 + noise > 0. */
function synthetic(n: number, seed: number): { x: number[][]; y: (0 | 1)[] } {
  const rand = mulberry32(seed);
  const x: number[][] = [];
  const y: (0 | 1)[] = [];
  for (let i = 0; i < n; i++) {
    const row = [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1];
    x.push(row);
    y.push(2 * (row[0] as number) - (row[1] as number) + 0.3 * (rand() - 0.5) > 0 ? 1 : 0);
  }
  return { x, y };
}

describe('metrics', () => {
  it('AUC by Mann–Whitney with ties, log loss, Brier by hand', () => {
    // positives at 0.8, 0.4; negatives at 0.4, 0.1 → pairs: (0.8>0.4)1 (0.8>0.1)1 (0.4=0.4).5 (0.4>0.1)1 → 3.5/4
    expect(rocAuc([0.8, 0.4, 0.4, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.5, 0.5], [1, 1])).toBeNull();
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 14);
    expect(brierScore([0.9, 0.2], [1, 0])).toBeCloseTo((0.01 + 0.04) / 2, 14);
    const cal = calibration([0.05, 0.15, 0.95], [0, 1, 1], 10);
    expect(cal.bins[0]?.count).toBe(1);
    expect(cal.expected_calibration_error).toBeCloseTo((0.05 + 0.85 + 0.05) / 3, 12);
  });

  it('strategy: long/flat compounding net of fees, with baselines', () => {
    const s = strategyReturn([0.9, 0.9, 0.1], [0.1, -0.05, 0.2], { feeRate: 0.01 });
    // enter (fee 1%), +10%, −5%, exit (fee 1%), flat
    expect(s.total_return).toBeCloseTo(0.99 * 1.1 * 0.95 * 0.99 - 1, 12);
    expect(s.always_long_return).toBeCloseTo(1.1 * 0.95 * 1.2 - 1, 12);
    expect(s.trades).toBe(2);
    expect(s.exposure).toBeCloseTo(2 / 3, 12);
  });
});

describe('logistic regression', () => {
  it('reaches the penalized optimum (gradient zero) and separates the synthetic classes', () => {
    const { x, y } = synthetic(400, 7);
    const model = logisticRegression({ l2: 1 }).fit(x, y);
    const a = model.toJSON();
    if (a.architecture !== 'logistic_regression') throw new Error('wrong artifact');
    // Stationarity: Σ (p−y)·z_j + λ·w_j = 0 for every standardized feature, Σ (p−y) = 0.
    const p = model.predictProba(x);
    const g0 = p.reduce((s, pi, i) => s + pi - (y[i] as number), 0);
    expect(Math.abs(g0)).toBeLessThan(1e-8);
    for (let j = 0; j < 3; j++) {
      const gj =
        p.reduce(
          (s, pi, i) =>
            s +
            ((pi - (y[i] as number)) * (((x[i] as number[])[j] as number) - (a.means[j] as number))) /
              (a.scales[j] as number),
          0,
        ) +
        1 * (a.weights[j] as number);
      expect(Math.abs(gj)).toBeLessThan(1e-8);
    }
    expect(a.weights[0]).toBeGreaterThan(0);
    expect(a.weights[1]).toBeLessThan(0);
    expect(rocAuc(p, y)).toBeGreaterThan(0.97);
    expect(sigmoid(-800)).toBeGreaterThanOrEqual(0);
  });

  it('rejects bad input with QuantInputError', () => {
    expect(() => logisticRegression().fit([[1], [Number.NaN]], [0, 1])).toThrow(QuantInputError);
    expect(() => logisticRegression().fit([[1, 2], [1]], [0, 1])).toThrow(QuantInputError);
    expect(() => logisticRegression({ l2: 0 })).toThrow(QuantInputError);
  });
});

describe('gradient-boosted trees', () => {
  it('learns a nonlinear rule and is identical when trained twice with one seed', () => {
    const rand = mulberry32(3);
    const x: number[][] = [];
    const y: (0 | 1)[] = [];
    for (let i = 0; i < 600; i++) {
      const row = [rand() * 2 - 1, rand() * 2 - 1];
      x.push(row);
      y.push((row[0] as number) * (row[1] as number) > 0 ? 1 : 0); // XOR: no linear model can
    }
    const a = gradientBoostedTrees({ seed: 42, trees: 40, maxDepth: 3 }).fit(x, y);
    const b = gradientBoostedTrees({ seed: 42, trees: 40, maxDepth: 3 }).fit(x, y);
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    expect(rocAuc(a.predictProba(x), y)).toBeGreaterThan(0.95);
    expect(rocAuc(logisticRegression().fit(x, y).predictProba(x), y)).toBeLessThan(0.65);
    const c = gradientBoostedTrees({ seed: 43, trees: 40, maxDepth: 3 }).fit(x, y);
    expect(JSON.stringify(c.toJSON())).not.toBe(JSON.stringify(a.toJSON()));
    // Restored from its artifact, it predicts the same.
    expect(restoreModel(JSON.parse(JSON.stringify(a.toJSON()))).predictProba(x.slice(0, 20))).toEqual(
      a.predictProba(x.slice(0, 20)),
    );
  });

  it('bounds its size', () => {
    expect(() => gradientBoostedTrees({ maxDepth: 9 })).toThrow(QuantInputError);
    expect(() => gradientBoostedTrees({ trees: 0 })).toThrow(QuantInputError);
  });
});

describe('walk-forward splits', () => {
  it('no training row is dated after any validation row of its fold; purging and embargo hold', () => {
    const n = 300;
    const horizon = 5;
    const t = Array.from({ length: n }, (_, i) => i * DAY);
    const ends = t.map((_, i) => Math.min(i + horizon, n - 1) * DAY);
    const folds = walkForwardSplits(t, ends, { folds: 4, minTrain: 60, embargo: 3 });
    expect(folds).toHaveLength(4);
    for (const f of folds) {
      const firstVal = Math.min(...f.validation.map((i) => t[i] as number));
      for (const j of f.train) {
        expect(t[j]).toBeLessThan(firstVal);
        expect(ends[j]).toBeLessThan(firstVal); // purged: no label reaches the validation block
      }
      expect(f.purged).toBe(horizon);
      expect(f.embargoed).toBe(3);
      expect(Math.max(...f.train)).toBe((f.validation[0] as number) - horizon - 3 - 1);
    }
    // Validation blocks tile the rows after minTrain without overlap.
    expect(folds.flatMap((f) => f.validation)).toEqual(Array.from({ length: n - 60 }, (_, i) => 60 + i));
  });

  it('rejects unordered times, labels before decisions and too few rows', () => {
    expect(() => walkForwardSplits([2, 1], [2, 1])).toThrow(QuantInputError);
    expect(() => walkForwardSplits([1, 2], [0, 2])).toThrow(QuantInputError);
    expect(() => walkForwardSplits([1, 2, 3], [1, 2, 3], { folds: 5, minTrain: 1 })).toThrow(QuantInputError);
  });
});

describe('features', () => {
  it('are causal: a row computed from a prefix equals the one from the full history', () => {
    const bars = randomWalk(200, 11);
    const full = featureMatrix(bars, PRICE_FEATURE_NAMES);
    const prefix = featureMatrix(bars.slice(0, 120), PRICE_FEATURE_NAMES);
    const k = prefix.index.indexOf(119);
    const kf = full.index.indexOf(119);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(prefix.rows[k]).toEqual(full.rows[kf]);
    for (const row of full.rows) for (const v of row) expect(Number.isFinite(v)).toBe(true);
  });

  it('regime_prob: filtered, in [0, 1], and a value never changes when later bars arrive', () => {
    const bars = randomWalk(900, 21);
    const full = regimeProbabilities(bars);
    for (const cut of [REGIME_FEATURE_WARMUP, 700, 899]) {
      const prefix = regimeProbabilities(bars.slice(0, cut + 1));
      // Every value the prefix defines equals the full history's: nothing after bar `cut` is used.
      for (let i = 0; i <= cut; i++)
        if (Number.isFinite(prefix[i] as number)) expect(prefix[i]).toBe(full[i]);
      expect(Number.isFinite(prefix[cut] as number)).toBe(true);
    }
    for (let i = REGIME_FEATURE_WARMUP; i < 900; i++) {
      expect(full[i]).toBeGreaterThanOrEqual(0);
      expect(full[i]).toBeLessThanOrEqual(1);
    }
    // Inference reads a window, not the whole history: the last value is the same from it.
    const window = regimeProbabilities(bars.slice(900 - REGIME_FEATURE_WARMUP - 5));
    expect(window.at(-1)).toBe(full.at(-1));
    const m = featureMatrix(bars, ['regime_prob', 'ret_1d']);
    expect(m.index[0]).toBe(REGIME_FEATURE_WARMUP);
    expect(m.rows.at(-1)?.[0]).toBe(full.at(-1));
  }, 120_000);

  it('fear_greed and funding_rate: the latest value stamped at or before the close, at most 2 days old; uncovered rows left out', () => {
    const bars = randomWalk(120, 3);
    // Fear & Greed stamped at each day's midnight, from bar 50's day on, with a 5-day hole.
    const days = bars.map((b) => b.time - DAY).filter((_, i) => i >= 50 && (i < 80 || i > 84));
    const fg = { time: days, value: days.map((_, k) => 10 + (k % 80)) };
    const m = featureMatrix(bars, ['ret_1d', 'fear_greed'], { fear_greed: fg });
    // Bar 49 closes at the midnight bar 50's value is stamped: known at its close.
    expect(m.index[0]).toBe(49);
    // Inside the hole: covered up to 2 days after the last stamp, then rows are left out.
    expect(m.index).toContain(80);
    expect(m.index).not.toContain(81);
    expect(m.index).not.toContain(83);
    expect(m.index).toContain(84);
    for (const [k, i] of m.index.entries()) {
      const t = (bars[i] as Bar).time;
      const j = fg.time.findLastIndex((x) => x <= t);
      expect(m.rows[k]?.[1]).toBe((fg.value[j] as number) / 100);
      expect(t - (fg.time[j] as number)).toBeLessThanOrEqual(MARKET_SERIES_MAX_AGE_MS);
    }
    // A value stamped after a bar's close never reaches that bar: adding future values changes nothing.
    const cut = (bars[100] as Bar).time;
    const past = {
      time: fg.time.filter((x) => x <= cut),
      value: fg.value.filter((_, k) => (fg.time[k] as number) <= cut),
    };
    const a = featureMatrix(bars.slice(0, 101), ['funding_rate'], { funding_rate: past });
    const b = featureMatrix(bars, ['funding_rate'], { funding_rate: fg });
    expect(a.rows).toEqual(b.rows.slice(0, a.rows.length));
    // No series at all: no rows, never a made-up value.
    expect(featureMatrix(bars, ['fear_greed']).rows).toHaveLength(0);
  });

  it('labels end `horizon` bars after the decision, and the last bars are unlabeled', () => {
    const bars = randomWalk(100, 5);
    const d = buildDataset(bars, ['ret_1d', 'rsi_14'], 3);
    expect(d.x.length).toBe(100 - 33 - 3);
    expect((d.labelEnds[0] as number) - (d.decisionTimes[0] as number)).toBe(3 * DAY);
    expect(() => buildDataset(bars, ['ret_1d'], 0)).toThrow(QuantInputError);
  });
});

describe('leakage', () => {
  it('on a random walk the validated accuracy is indistinguishable from 50% (both learners, regime_prob included)', () => {
    const bars = randomWalk(3000, 2024);
    // Every feature computed from the asset's own bars (the market series have their own test).
    const data = buildDataset(bars, [...PRICE_FEATURE_NAMES, 'regime_prob'], 1);
    expect(data.x[0]).toHaveLength(PRICE_FEATURE_NAMES.length + 1);
    for (const learner of [
      logisticRegression({ l2: 10 }),
      gradientBoostedTrees({ seed: 1, trees: 30, maxDepth: 2 }),
    ]) {
      const r = walkForwardEvaluate(learner, data, { folds: 5, embargo: 1, importanceRepeats: 0 });
      const n = r.out_of_sample.n;
      const acc = r.out_of_sample.accuracy as number;
      // 3 standard errors of a fair coin over n trials.
      expect(Math.abs(acc - 0.5)).toBeLessThan(3 * Math.sqrt(0.25 / n));
      expect(Math.abs((r.out_of_sample.roc_auc as number) - 0.5)).toBeLessThan(0.05);
    }
  }, 120_000);

  it('with shuffled labels the AUC is ~0.5 even where the real labels are learnable', () => {
    const { x, y } = synthetic(2000, 9);
    const t = x.map((_, i) => i * DAY);
    const base = { x, decisionTimes: t, labelEnds: t, nextReturns: t.map(() => 0) };
    const real = walkForwardEvaluate(
      logisticRegression(),
      { ...base, y },
      { folds: 4, importanceRepeats: 0 },
    );
    expect(real.out_of_sample.roc_auc).toBeGreaterThan(0.95);
    const fake = walkForwardEvaluate(
      logisticRegression(),
      { ...base, y: shuffled(y, mulberry32(1)) },
      { folds: 4, importanceRepeats: 0 },
    );
    expect(Math.abs((fake.out_of_sample.roc_auc as number) - 0.5)).toBeLessThan(0.05);
  });
});

describe('permutation importance', () => {
  it('ranks the informative features above the noise feature, deterministically', () => {
    const { x, y } = synthetic(800, 21);
    const model = logisticRegression().fit(x.slice(0, 600), y.slice(0, 600));
    const imp = permutationImportance(model, x.slice(600), y.slice(600), { repeats: 5, seed: 3 });
    expect(imp[0]?.importance).toBeGreaterThan(imp[2]?.importance as number);
    expect(imp[1]?.importance).toBeGreaterThan(imp[2]?.importance as number);
    expect(Math.abs(imp[2]?.importance as number)).toBeLessThan(0.02);
    expect(permutationImportance(model, x.slice(600), y.slice(600), { repeats: 5, seed: 3 })).toEqual(imp);
  });
});

describe('trade simulation', () => {
  const bar = (t: number, o: number, h: number, l: number, c: number): Bar => ({
    time: t,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: 1,
  });
  it('stops first when a bar touches both; MFE/MAE from highs and lows; expiry at the close', () => {
    const plan = { direction: 'long' as const, entry: 100, stop: 95, target: 110, maxBars: 3 };
    expect(simulateTrade(plan, [bar(1, 100, 111, 94, 100)])).toMatchObject({
      outcome: 'stop',
      return: -0.05,
      bars_held: 1,
    });
    const t = simulateTrade(plan, [bar(1, 100, 104, 97, 103), bar(2, 103, 111, 101, 109)]);
    expect(t).toMatchObject({ outcome: 'target', exit_price: 110, bars_held: 2 });
    expect(t.mae).toBeCloseTo(-0.03, 12);
    const e = simulateTrade(plan, [
      bar(1, 100, 102, 99, 101),
      bar(2, 101, 102, 99, 100),
      bar(3, 100, 103, 98, 102),
    ]);
    expect(e).toMatchObject({ outcome: 'expired', exit_price: 102 });
    const s = simulateTrade({ direction: 'short', entry: 100, stop: 105, target: 90, maxBars: 5 }, [
      bar(1, 100, 101, 89, 92),
    ]);
    expect(s).toMatchObject({ outcome: 'target', return: 0.1 });
    expect(simulateTrade(plan, []).outcome).toBe('open');
  });
  it('stats: profit factor, win rate, drawdown', () => {
    const s = tradeStats([0.1, -0.05, 0.02, -0.05]);
    expect(s.win_rate).toBe(0.5);
    expect(s.profit_factor).toBeCloseTo(0.12 / 0.1, 12);
    expect(s.max_drawdown).toBeCloseTo(1 - (1.1 * 0.95 * 1.02 * 0.95) / 1.1, 12);
  });
});
