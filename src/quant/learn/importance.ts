import { logLoss } from './metrics';
import { mulberry32, shuffled } from './rng';
import type { FittedModel, Labels, Matrix } from './types';

export interface PermutationImportance {
  feature: number;
  /** Mean increase in log loss when the feature's column is permuted (higher = more used). */
  importance: number;
  std: number;
}

/**
 * Permutation importance (Breiman; scikit-learn's `permutation_importance` with the log-loss
 * scorer): on held-out rows, shuffle one column at a time `repeats` times and record how much
 * the log loss rises. Deterministic for a seed.
 */
export function permutationImportance(
  model: FittedModel,
  x: Matrix,
  y: Labels,
  options: { repeats?: number; seed?: number } = {},
): PermutationImportance[] {
  const repeats = options.repeats ?? 5;
  const rand = mulberry32(options.seed ?? 1);
  if (x.length === 0) return [];
  const base = logLoss(model.predictProba(x), y) ?? 0;
  const k = (x[0] as readonly number[]).length;
  const out: PermutationImportance[] = [];
  for (let j = 0; j < k; j++) {
    const deltas: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const col = shuffled(
        x.map((row) => row[j] as number),
        rand,
      );
      const permuted = x.map((row, i) => {
        const copy = row.slice();
        copy[j] = col[i] as number;
        return copy;
      });
      deltas.push((logLoss(model.predictProba(permuted), y) ?? 0) - base);
    }
    const m = deltas.reduce((s, v) => s + v, 0) / repeats;
    const sd = repeats > 1 ? Math.sqrt(deltas.reduce((s, v) => s + (v - m) ** 2, 0) / (repeats - 1)) : 0;
    out.push({ feature: j, importance: m, std: sd });
  }
  return out;
}

/** Sums importances across folds (weighted by validation rows) into one list. */
export function mergeImportances(
  perFold: { rows: number; importances: PermutationImportance[] }[],
): PermutationImportance[] {
  const total = perFold.reduce((s, f) => s + f.rows, 0);
  if (total === 0 || perFold.length === 0) return [];
  const k = (perFold[0] as { importances: PermutationImportance[] }).importances.length;
  const out: PermutationImportance[] = [];
  for (let j = 0; j < k; j++) {
    let m = 0;
    let v = 0;
    for (const f of perFold) {
      const imp = f.importances[j];
      if (!imp) continue;
      m += (imp.importance * f.rows) / total;
      v += (imp.std ** 2 * f.rows) / total;
    }
    out.push({ feature: j, importance: m, std: Math.sqrt(v) });
  }
  return out;
}
