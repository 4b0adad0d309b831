import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';

export const MODEL_ARCHITECTURES = ['logistic_regression', 'gradient_boosted_trees'] as const;
export const MODEL_STATUSES = ['draft', 'training', 'active', 'failed', 'retired'] as const;

/**
 * The model registry (000's ai_models). One row per model; each successful training adds a
 * row to `ai_model_versions` and moves `version` forward. The artifact (the fitted
 * parameters as JSON) lives in R2 under its SHA-256, so identical fits share one object.
 */
export const aiModels = sqliteTable(
  'ai_models',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description'),
    modelType: text('model_type').notNull().default('direction_classifier'),
    architecture: text('architecture', { enum: MODEL_ARCHITECTURES }).notNull(),
    features: text('features', { mode: 'json' }).$type<string[]>().notNull(),
    /** Asset ids whose daily history trains the model (rows pooled in time order). */
    assetIds: text('asset_ids', { mode: 'json' }).$type<string[]>().notNull(),
    horizonDays: integer('horizon_days').notNull(),
    hyperparameters: text('hyperparameters', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    trainingStart: text('training_start'),
    trainingEnd: text('training_end'),
    status: text('status', { enum: MODEL_STATUSES }).notNull().default('draft'),
    version: integer('version').notNull().default(0),
    /** The current version's walk-forward report (metrics, folds, importance). */
    metrics: text('metrics', { mode: 'json' }).$type<Record<string, unknown>>(),
    artifactKey: text('artifact_key'),
    artifactHash: text('artifact_hash'),
    trainedAt: text('trained_at'),
    /** Market time of the last close the current version was trained on. */
    dataAsOf: integer('data_as_of'),
    trainingJobId: text('training_job_id'),
    lastError: text('last_error'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('ai_models_status_idx').on(t.status, t.architecture)],
);

export const aiModelVersions = sqliteTable(
  'ai_model_versions',
  {
    modelId: text('model_id').notNull(),
    version: integer('version').notNull(),
    artifactKey: text('artifact_key').notNull(),
    artifactHash: text('artifact_hash').notNull(),
    metrics: text('metrics', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    trainingJobId: text('training_job_id'),
    dataAsOf: integer('data_as_of').notNull(),
    trainedAt: text('trained_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.version] })],
);

/**
 * One prediction per model, asset and day, made at that day's close from data up to it, and
 * scored once the horizon's close is known.
 */
export const modelPredictions = sqliteTable(
  'model_predictions',
  {
    id: text('id').primaryKey(),
    modelId: text('model_id').notNull(),
    modelVersion: integer('model_version').notNull(),
    assetId: text('asset_id').notNull(),
    /** The day whose close the decision was made at (YYYY-MM-DD). */
    predictionDate: text('prediction_date').notNull(),
    /** Epoch ms of that close. */
    decisionTime: integer('decision_time').notNull(),
    horizonDays: integer('horizon_days').notNull(),
    probabilityUp: real('probability_up').notNull(),
    closeAtDecision: real('close_at_decision').notNull(),
    features: text('features', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    /** Filled when scored: the close `horizon` days later, its return and whether "up" happened. */
    outcomeTime: integer('outcome_time'),
    realizedReturn: real('realized_return'),
    outcomeUp: integer('outcome_up'),
    scoredAt: text('scored_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('model_predictions_unique').on(t.modelId, t.assetId, t.predictionDate),
    index('model_predictions_asset_idx').on(t.assetId, t.predictionDate),
    index('model_predictions_unscored_idx').on(t.scoredAt, t.modelId),
  ],
);
