/** A design matrix: rows of equal-length feature vectors. */
export type Matrix = readonly (readonly number[])[];

/** Binary labels: 1 = the event (e.g. the forward return is positive), 0 = not. */
export type Labels = readonly (0 | 1)[];

/** A fitted binary classifier: P(y = 1 | x) for each row. */
export interface FittedModel {
  readonly architecture: string;
  predictProba(x: Matrix): number[];
  /** Plain JSON: everything needed to rebuild the model (`restoreModel`). */
  toJSON(): ModelArtifact;
}

/** The serialized parameters of a fitted model. */
export type ModelArtifact =
  | {
      architecture: 'logistic_regression';
      means: number[];
      scales: number[];
      weights: number[];
      intercept: number;
      l2: number;
      iterations: number;
    }
  | {
      architecture: 'gradient_boosted_trees';
      baseScore: number;
      learningRate: number;
      trees: TreeNode[];
    };

/** A regression tree node: a leaf value, or a split `x[feature] <= threshold` → left. */
export type TreeNode =
  | { leaf: number }
  | { feature: number; threshold: number; left: TreeNode; right: TreeNode };

/** Something that fits a model to (X, y). */
export interface Learner {
  readonly architecture: string;
  fit(x: Matrix, y: Labels): FittedModel;
}
