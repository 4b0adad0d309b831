import { QuantInputError } from '../errors';
import { sigmoid } from './logistic';
import { mulberry32 } from './rng';
import type { FittedModel, Labels, Learner, Matrix, ModelArtifact, TreeNode } from './types';
import { assertDataset } from './validate';

export interface GbtOptions {
  /** Boosting rounds. Default 50. */
  trees?: number;
  /** Maximum depth of each tree (1..6). Default 3. */
  maxDepth?: number;
  /** Shrinkage. Default 0.1. */
  learningRate?: number;
  /** L2 penalty on leaf values (XGBoost's λ). Default 1. */
  lambda?: number;
  /** Minimum Hessian sum in a child (XGBoost's min_child_weight). Default 5. */
  minChildWeight?: number;
  /** Fraction of rows drawn (without replacement) for each tree. Default 0.8. */
  subsample?: number;
  /** Candidate thresholds per feature: quantiles of the training column. Default 32. */
  bins?: number;
  /** Seed of the row subsampling. Default 1. */
  seed?: number;
}

function predictTree(node: TreeNode, row: readonly number[]): number {
  let cur = node;
  while (!('leaf' in cur)) cur = (row[cur.feature] as number) <= cur.threshold ? cur.left : cur.right;
  return cur.leaf;
}

class FittedGbt implements FittedModel {
  readonly architecture = 'gradient_boosted_trees';
  constructor(readonly params: Extract<ModelArtifact, { architecture: 'gradient_boosted_trees' }>) {}
  predictProba(x: Matrix): number[] {
    const { baseScore, learningRate, trees } = this.params;
    return x.map((row) => {
      let f = baseScore;
      for (const t of trees) f += learningRate * predictTree(t, row);
      return sigmoid(f);
    });
  }
  toJSON(): ModelArtifact {
    return this.params;
  }
}

/** Candidate thresholds: midpoints between distinct quantiles of each column. */
function candidateThresholds(x: Matrix, k: number, bins: number): number[][] {
  const out: number[][] = [];
  for (let j = 0; j < k; j++) {
    const col = Float64Array.from(x, (r) => r[j] as number).sort();
    const cuts = new Set<number>();
    for (let b = 1; b < bins; b++) {
      const idx = Math.floor((b * col.length) / bins);
      const lo = col[Math.max(0, idx - 1)] as number;
      const hi = col[idx] as number;
      if (hi > lo) cuts.add((lo + hi) / 2);
    }
    out.push([...cuts].sort((a, b) => a - b));
  }
  return out;
}

/**
 * Gradient-boosted regression trees on the logistic loss (second-order, as XGBoost):
 * each tree fits the gradient g = p - y and Hessian h = p(1-p); a split's gain is
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ), a leaf's value -G/(H+λ). Small and depth-limited
 * so a fit stays within a Worker's CPU budget. Deterministic for a seed.
 */
export function gradientBoostedTrees(options: GbtOptions = {}): Learner {
  const nTrees = options.trees ?? 50;
  const maxDepth = options.maxDepth ?? 3;
  const learningRate = options.learningRate ?? 0.1;
  const lambda = options.lambda ?? 1;
  const minChildWeight = options.minChildWeight ?? 5;
  const subsample = options.subsample ?? 0.8;
  const bins = Math.min(options.bins ?? 32, 255);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(nTrees) || nTrees < 1 || nTrees > 500)
    throw new QuantInputError('INVALID_PARAMETER', 'trees', 'must be an integer in 1..500');
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 6)
    throw new QuantInputError('INVALID_PARAMETER', 'maxDepth', 'must be an integer in 1..6');
  if (!(learningRate > 0 && learningRate <= 1))
    throw new QuantInputError('INVALID_PARAMETER', 'learningRate', 'must be in (0, 1]');
  if (!(subsample > 0 && subsample <= 1))
    throw new QuantInputError('INVALID_PARAMETER', 'subsample', 'must be in (0, 1]');
  if (!(lambda >= 0) || !(minChildWeight >= 0))
    throw new QuantInputError('INVALID_PARAMETER', 'lambda', 'must be >= 0');
  return {
    architecture: 'gradient_boosted_trees',
    fit(x: Matrix, y: Labels): FittedModel {
      const k = assertDataset(x, y);
      const n = x.length;
      const rand = mulberry32(seed);
      const pos = y.reduce<number>((s, v) => s + v, 0);
      const prior = Math.min(Math.max(pos / n, 1e-6), 1 - 1e-6);
      const baseScore = Math.log(prior / (1 - prior));
      const thresholds = candidateThresholds(x, k, bins);
      // Each value's bin (the first cut it is <= to; past the last cut: cuts.length), found once,
      // so a node's histogram is one pass over its rows.
      const binned = thresholds.map((cuts, j) =>
        Uint8Array.from(x, (row) => {
          const v = row[j] as number;
          let lo = 0;
          let hi = cuts.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (v <= (cuts[mid] as number)) hi = mid;
            else lo = mid + 1;
          }
          return lo;
        }),
      );
      const f = new Float64Array(n).fill(baseScore);
      const g = new Float64Array(n);
      const h = new Float64Array(n);
      const trees: TreeNode[] = [];

      const build = (rows: number[], depth: number): TreeNode => {
        let gs = 0;
        let hs = 0;
        for (const i of rows) {
          gs += g[i] as number;
          hs += h[i] as number;
        }
        const leaf = { leaf: -gs / (hs + lambda) };
        if (depth >= maxDepth || rows.length < 2) return leaf;
        const parent = (gs * gs) / (hs + lambda);
        let best = { gain: 1e-12, feature: -1, threshold: 0 };
        for (let j = 0; j < k; j++) {
          const cuts = thresholds[j] as number[];
          if (cuts.length === 0) continue;
          // Histogram of g/h per bin (bin b: value <= cuts[b], last bin above all cuts).
          const gb = new Float64Array(cuts.length + 1);
          const hb = new Float64Array(cuts.length + 1);
          for (const i of rows) {
            const lo = (binned[j] as Uint8Array)[i] as number;
            gb[lo] = (gb[lo] as number) + (g[i] as number);
            hb[lo] = (hb[lo] as number) + (h[i] as number);
          }
          let gl = 0;
          let hl = 0;
          for (let b = 0; b < cuts.length; b++) {
            gl += gb[b] as number;
            hl += hb[b] as number;
            const gr = gs - gl;
            const hr = hs - hl;
            if (hl < minChildWeight || hr < minChildWeight) continue;
            const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
            if (gain > best.gain) best = { gain, feature: j, threshold: cuts[b] as number };
          }
        }
        if (best.feature < 0) return leaf;
        const left: number[] = [];
        const right: number[] = [];
        for (const i of rows)
          ((x[i] as readonly number[])[best.feature] as number) <= best.threshold
            ? left.push(i)
            : right.push(i);
        return {
          feature: best.feature,
          threshold: best.threshold,
          left: build(left, depth + 1),
          right: build(right, depth + 1),
        };
      };

      for (let t = 0; t < nTrees; t++) {
        for (let i = 0; i < n; i++) {
          const p = sigmoid(f[i] as number);
          g[i] = p - (y[i] as number);
          h[i] = Math.max(p * (1 - p), 1e-12);
        }
        const rows: number[] = [];
        for (let i = 0; i < n; i++) if (subsample >= 1 || rand() < subsample) rows.push(i);
        const tree = build(rows.length > 0 ? rows : [0], 0);
        trees.push(tree);
        for (let i = 0; i < n; i++)
          f[i] = (f[i] as number) + learningRate * predictTree(tree, x[i] as readonly number[]);
      }
      return new FittedGbt({ architecture: 'gradient_boosted_trees', baseScore, learningRate, trees });
    },
  };
}

/** Rebuilds a boosted-trees model from its artifact. */
export function restoreGbt(
  params: Extract<ModelArtifact, { architecture: 'gradient_boosted_trees' }>,
): FittedModel {
  return new FittedGbt(params);
}
