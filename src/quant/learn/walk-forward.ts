import { mergeImportances, type PermutationImportance, permutationImportance } from './importance';
import {
  type ClassificationReport,
  classificationReport,
  type StrategyResult,
  strategyReturn,
} from './metrics';
import { type WalkForwardOptions, walkForwardSplits } from './splits';
import type { Labels, Learner, Matrix } from './types';

export interface Dataset {
  x: Matrix;
  y: Labels;
  /** Decision time of each row (epoch ms), ascending. */
  decisionTimes: readonly number[];
  /** Time of the last price the label uses (epoch ms). */
  labelEnds: readonly number[];
  /** Return of holding from this decision to the next one (for the strategy). */
  nextReturns: readonly number[];
}

export interface FoldReport {
  index: number;
  train_rows: number;
  validation_rows: number;
  purged_rows: number;
  embargoed_rows: number;
  train_start: number;
  train_end: number;
  validation_start: number;
  validation_end: number;
  accuracy: number | null;
  log_loss: number | null;
  brier: number | null;
  roc_auc: number | null;
}

export interface WalkForwardReport {
  folds: FoldReport[];
  /** Metrics pooled over every out-of-sample prediction. */
  out_of_sample: ClassificationReport;
  strategy: StrategyResult & { fee_rate: number; threshold: number };
  importance: PermutationImportance[];
  /** Out-of-sample probability per validation row (index into the dataset). */
  predictions: { row: number; probability: number }[];
}

export interface EvaluateOptions extends WalkForwardOptions {
  feeRate?: number;
  threshold?: number;
  importanceRepeats?: number;
  seed?: number;
}

/**
 * Walk-forward validation: for each purged, embargoed fold, fit on its training rows and
 * predict its validation rows; pool the predictions for the metrics, the baselines and the
 * net-of-fee long/flat strategy; permutation importance on each fold's validation rows.
 */
export function walkForwardEvaluate(
  learner: Learner,
  data: Dataset,
  options: EvaluateOptions = {},
): WalkForwardReport {
  const splits = walkForwardSplits(data.decisionTimes, data.labelEnds, options);
  const folds: FoldReport[] = [];
  const predictions: { row: number; probability: number }[] = [];
  const imps: { rows: number; importances: PermutationImportance[] }[] = [];
  for (const fold of splits) {
    const xt = fold.train.map((i) => data.x[i] as readonly number[]);
    const yt = fold.train.map((i) => data.y[i] as 0 | 1);
    const xv = fold.validation.map((i) => data.x[i] as readonly number[]);
    const yv = fold.validation.map((i) => data.y[i] as 0 | 1);
    if (xt.length === 0) continue;
    const model = learner.fit(xt, yt);
    const p = model.predictProba(xv);
    fold.validation.forEach((row, i) => {
      predictions.push({ row, probability: p[i] as number });
    });
    const r = classificationReport(p, yv);
    folds.push({
      index: fold.index,
      train_rows: xt.length,
      validation_rows: xv.length,
      purged_rows: fold.purged,
      embargoed_rows: fold.embargoed,
      train_start: data.decisionTimes[fold.train[0] as number] as number,
      train_end: data.decisionTimes[fold.train[fold.train.length - 1] as number] as number,
      validation_start: data.decisionTimes[fold.validation[0] as number] as number,
      validation_end: data.decisionTimes[fold.validation[fold.validation.length - 1] as number] as number,
      accuracy: r.accuracy,
      log_loss: r.log_loss,
      brier: r.brier,
      roc_auc: r.roc_auc,
    });
    if ((options.importanceRepeats ?? 3) > 0) {
      imps.push({
        rows: xv.length,
        importances: permutationImportance(model, xv, yv, {
          repeats: options.importanceRepeats ?? 3,
          seed: (options.seed ?? 1) + fold.index,
        }),
      });
    }
  }
  const p = predictions.map((q) => q.probability);
  const y = predictions.map((q) => data.y[q.row] as 0 | 1);
  const fwd = predictions.map((q) => data.nextReturns[q.row] as number);
  const threshold = options.threshold ?? 0.5;
  const feeRate = options.feeRate ?? 0.001;
  return {
    folds,
    out_of_sample: classificationReport(p, y),
    strategy: { ...strategyReturn(p, fwd, { threshold, feeRate }), fee_rate: feeRate, threshold },
    importance: mergeImportances(imps),
    predictions,
  };
}
