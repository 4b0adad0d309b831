// Learners, walk-forward validation and metrics: pure TypeScript, no Workers imports.
export {
  ABSENT_FEATURES,
  assertFeatureNames,
  type Bar,
  buildDataset,
  FEATURE_NAMES,
  FEATURE_WARMUP,
  FEATURES,
  type FeatureName,
  featureMatrix,
  featureWarmup,
  MARKET_SERIES_FEATURES,
  MARKET_SERIES_MAX_AGE_MS,
  type MarketFeature,
  type MarketInputs,
  type MarketSeries,
  PRICE_FEATURE_NAMES,
  REGIME_FEATURE,
  REGIME_FEATURE_WARMUP,
  regimeProbabilities,
} from './features';
export { type GbtOptions, gradientBoostedTrees, restoreGbt } from './gbt';
export { mergeImportances, type PermutationImportance, permutationImportance } from './importance';
export { type LogisticOptions, logisticRegression, restoreLogistic, sigmoid } from './logistic';
export * from './metrics';
export { mulberry32, shuffled } from './rng';
export { type Fold, type WalkForwardOptions, walkForwardSplits } from './splits';
export type { FittedModel, Labels, Learner, Matrix, ModelArtifact, TreeNode } from './types';
export {
  type Dataset,
  type EvaluateOptions,
  type FoldReport,
  type WalkForwardReport,
  walkForwardEvaluate,
} from './walk-forward';

import { restoreGbt } from './gbt';
import { restoreLogistic } from './logistic';
import type { FittedModel, ModelArtifact } from './types';

/** Rebuilds any fitted model from its artifact. */
export function restoreModel(artifact: ModelArtifact): FittedModel {
  return artifact.architecture === 'logistic_regression' ? restoreLogistic(artifact) : restoreGbt(artifact);
}
export { simulateTrade, type TradeOutcome, type TradePlan, type TradeStats, tradeStats } from './trade-sim';
