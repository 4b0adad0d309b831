import { QuantInputError } from '../errors';
import type { FittedModel, Labels, Learner, Matrix, ModelArtifact } from './types';
import { assertDataset } from './validate';

export interface LogisticOptions {
  /** L2 penalty λ on the standardized weights (not the intercept): loss + λ/2·‖w‖². Default 1. */
  l2?: number;
  /** Newton iterations at most. Default 50. */
  maxIterations?: number;
  /** Stop when the largest Newton step is below this. Default 1e-10. */
  tolerance?: number;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Solves A·x = b (A symmetric positive definite, k×k flat) by Cholesky. */
function solveSpd(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j] as number;
      for (let m = 0; m < j; m++) s -= (l[i * k + m] as number) * (l[j * k + m] as number);
      if (i === j) {
        if (!(s > 0))
          throw new QuantInputError('SINGULAR_MATRIX', 'x', 'the penalized Hessian is not positive definite');
        l[i * k + i] = Math.sqrt(s);
      } else l[i * k + j] = s / (l[j * k + j] as number);
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i] as number;
    for (let m = 0; m < i; m++) s -= (l[i * k + m] as number) * (z[m] as number);
    z[i] = s / (l[i * k + i] as number);
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i] as number;
    for (let m = i + 1; m < k; m++) s -= (l[m * k + i] as number) * (x[m] as number);
    x[i] = s / (l[i * k + i] as number);
  }
  return x;
}

class FittedLogistic implements FittedModel {
  readonly architecture = 'logistic_regression';
  constructor(readonly params: Extract<ModelArtifact, { architecture: 'logistic_regression' }>) {}

  predictProba(x: Matrix): number[] {
    const { means, scales, weights, intercept } = this.params;
    return x.map((row) => {
      let z = intercept;
      for (let j = 0; j < weights.length; j++)
        z += (weights[j] as number) * (((row[j] as number) - (means[j] as number)) / (scales[j] as number));
      return sigmoid(z);
    });
  }

  toJSON(): ModelArtifact {
    return this.params;
  }
}

/**
 * L2-regularised logistic regression fitted by Newton–Raphson (IRLS) on standardized
 * features (mean 0, population sd 1; a constant feature gets scale 1 and weight ~0).
 * Minimizes Σ logloss + λ/2·‖w‖² with the intercept unpenalized. Deterministic: no
 * randomness, the same data gives the same weights.
 */
export function logisticRegression(options: LogisticOptions = {}): Learner {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-10;
  if (!(l2 > 0)) throw new QuantInputError('INVALID_PARAMETER', 'l2', 'must be > 0');
  return {
    architecture: 'logistic_regression',
    fit(x: Matrix, y: Labels): FittedModel {
      const k = assertDataset(x, y);
      const n = x.length;
      const means = new Array<number>(k).fill(0);
      const scales = new Array<number>(k).fill(0);
      for (const row of x)
        for (let j = 0; j < k; j++) means[j] = (means[j] as number) + (row[j] as number) / n;
      for (const row of x)
        for (let j = 0; j < k; j++)
          scales[j] = (scales[j] as number) + ((row[j] as number) - (means[j] as number)) ** 2 / n;
      for (let j = 0; j < k; j++) {
        const sd = Math.sqrt(scales[j] as number);
        scales[j] = sd > 1e-12 * Math.max(1, Math.abs(means[j] as number)) ? sd : 1;
      }
      const z = x.map((row) => row.map((v, j) => (v - (means[j] as number)) / (scales[j] as number)));
      const d = k + 1; // parameter 0 is the intercept
      const beta = new Float64Array(d);
      let iterations = 0;
      for (; iterations < maxIterations; iterations++) {
        const grad = new Float64Array(d);
        const hess = new Float64Array(d * d);
        for (let i = 0; i < n; i++) {
          const row = z[i] as number[];
          let eta = beta[0] as number;
          for (let j = 0; j < k; j++) eta += (beta[j + 1] as number) * (row[j] as number);
          const p = sigmoid(eta);
          const r = p - (y[i] as number);
          const w = Math.max(p * (1 - p), 1e-12);
          for (let a = 0; a < d; a++) {
            const xa = a === 0 ? 1 : (row[a - 1] as number);
            grad[a] = (grad[a] as number) + r * xa;
            for (let b = 0; b <= a; b++) {
              const xb = b === 0 ? 1 : (row[b - 1] as number);
              hess[a * d + b] = (hess[a * d + b] as number) + w * xa * xb;
            }
          }
        }
        for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hess[b * d + a] = hess[a * d + b] as number;
        for (let a = 1; a < d; a++) {
          grad[a] = (grad[a] as number) + l2 * (beta[a] as number);
          hess[a * d + a] = (hess[a * d + a] as number) + l2;
        }
        hess[0] = (hess[0] as number) + 1e-9; // keeps an all-one-class intercept finite
        const step = solveSpd(hess, grad, d);
        let largest = 0;
        for (let a = 0; a < d; a++) {
          beta[a] = (beta[a] as number) - (step[a] as number);
          largest = Math.max(largest, Math.abs(step[a] as number));
        }
        if (largest < tolerance) {
          iterations++;
          break;
        }
      }
      return new FittedLogistic({
        architecture: 'logistic_regression',
        means,
        scales,
        weights: Array.from(beta.subarray(1)),
        intercept: beta[0] as number,
        l2,
        iterations,
      });
    },
  };
}

/** Rebuilds a logistic model from its artifact. */
export function restoreLogistic(
  params: Extract<ModelArtifact, { architecture: 'logistic_regression' }>,
): FittedModel {
  return new FittedLogistic(params);
}
