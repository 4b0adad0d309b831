import { QuantInputError } from '../errors';

const EPS = 1e-15;

function check(p: readonly number[], y: readonly number[]): void {
  if (p.length !== y.length)
    throw new QuantInputError('LENGTH_MISMATCH', 'y', `${y.length} labels for ${p.length} predictions`);
}

/** Share of rows where (p >= threshold) equals y. Empty → null. */
export function accuracy(p: readonly number[], y: readonly number[], threshold = 0.5): number | null {
  check(p, y);
  if (p.length === 0) return null;
  let hit = 0;
  for (let i = 0; i < p.length; i++) if (((p[i] as number) >= threshold ? 1 : 0) === y[i]) hit++;
  return hit / p.length;
}

/** Mean binary cross-entropy −[y·ln p + (1−y)·ln(1−p)], p clipped to [1e-15, 1−1e-15] (scikit-learn). */
export function logLoss(p: readonly number[], y: readonly number[]): number | null {
  check(p, y);
  if (p.length === 0) return null;
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(Math.max(p[i] as number, EPS), 1 - EPS);
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / p.length;
}

/** Brier score: mean (p − y)². */
export function brierScore(p: readonly number[], y: readonly number[]): number | null {
  check(p, y);
  if (p.length === 0) return null;
  let s = 0;
  for (let i = 0; i < p.length; i++) s += ((p[i] as number) - (y[i] as number)) ** 2;
  return s / p.length;
}

/**
 * ROC AUC by the Mann–Whitney statistic with average ranks for ties: the probability a
 * random positive scores above a random negative (ties count ½). One class only → null.
 */
export function rocAuc(p: readonly number[], y: readonly number[]): number | null {
  check(p, y);
  const order = p.map((_, i) => i).sort((a, b) => (p[a] as number) - (p[b] as number));
  const ranks = new Float64Array(p.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1] as number] === p[order[i] as number]) j++;
    const avg = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) ranks[order[m] as number] = avg;
    i = j + 1;
  }
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < y.length; i++)
    if (y[i] === 1) {
      nPos++;
      rankSum += ranks[i] as number;
    }
  const nNeg = y.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  mean_predicted: number | null;
  observed_frequency: number | null;
}

/** Reliability table over `bins` equal-width probability bins, and the expected calibration error. */
export function calibration(
  p: readonly number[],
  y: readonly number[],
  bins = 10,
): { bins: CalibrationBin[]; expected_calibration_error: number | null } {
  check(p, y);
  const sums = Array.from({ length: bins }, () => ({ n: 0, p: 0, y: 0 }));
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.floor((p[i] as number) * bins));
    const s = sums[b] as { n: number; p: number; y: number };
    s.n++;
    s.p += p[i] as number;
    s.y += y[i] as number;
  }
  let ece = 0;
  const out = sums.map((s, b) => {
    if (s.n > 0) ece += (s.n / p.length) * Math.abs(s.p / s.n - s.y / s.n);
    return {
      lower: b / bins,
      upper: (b + 1) / bins,
      count: s.n,
      mean_predicted: s.n ? s.p / s.n : null,
      observed_frequency: s.n ? s.y / s.n : null,
    };
  });
  return { bins: out, expected_calibration_error: p.length ? ece : null };
}

export interface StrategyResult {
  /** Compounded return of the strategy over the rows, net of fees. */
  total_return: number;
  /** Compounded return of holding the asset throughout (the always-long baseline). */
  always_long_return: number;
  /** Always flat: 0 by construction. */
  always_flat_return: number;
  trades: number;
  exposure: number;
  fees_paid: number;
}

/**
 * A long/flat strategy on non-overlapping periods: long over period i when p_i >= threshold,
 * earning `forwardReturns[i]`; each change of position pays `feeRate` of equity (one side).
 * Simple returns, compounded.
 */
export function strategyReturn(
  p: readonly number[],
  forwardReturns: readonly number[],
  options: { threshold?: number; feeRate?: number } = {},
): StrategyResult {
  check(p, forwardReturns);
  const threshold = options.threshold ?? 0.5;
  const fee = options.feeRate ?? 0.001;
  let wealth = 1;
  let hold = 1;
  let pos = 0;
  let trades = 0;
  let long = 0;
  let fees = 0;
  for (let i = 0; i < p.length; i++) {
    const next = (p[i] as number) >= threshold ? 1 : 0;
    if (next !== pos) {
      fees += wealth * fee;
      wealth *= 1 - fee;
      trades++;
      pos = next;
    }
    const r = forwardReturns[i] as number;
    if (pos === 1) {
      wealth *= 1 + r;
      long++;
    }
    hold *= 1 + r;
  }
  return {
    total_return: wealth - 1,
    always_long_return: hold - 1,
    always_flat_return: 0,
    trades,
    exposure: p.length ? long / p.length : 0,
    fees_paid: fees,
  };
}

export interface ClassificationReport {
  n: number;
  accuracy: number | null;
  log_loss: number | null;
  brier: number | null;
  roc_auc: number | null;
  base_rate: number | null;
  /** Accuracy of always predicting "up" (= base rate) and always "not up" (= 1 − base rate). */
  always_long_accuracy: number | null;
  always_flat_accuracy: number | null;
  /** Brier of always forecasting the base rate (climatology): a skilful model beats it. */
  climatology_brier: number | null;
  calibration: ReturnType<typeof calibration>;
}

/** Every classification metric at once. */
export function classificationReport(p: readonly number[], y: readonly number[]): ClassificationReport {
  const n = p.length;
  const base = n ? y.reduce<number>((s, v) => s + v, 0) / n : null;
  return {
    n,
    accuracy: accuracy(p, y),
    log_loss: logLoss(p, y),
    brier: brierScore(p, y),
    roc_auc: rocAuc(p, y),
    base_rate: base,
    always_long_accuracy: base,
    always_flat_accuracy: base === null ? null : 1 - base,
    climatology_brier: base === null ? null : base * (1 - base),
    calibration: calibration(p, y),
  };
}
