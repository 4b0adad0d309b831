import { z } from '@hono/zod-openapi';
import { CalendarDate } from '../../core/dates';
import { MODEL_ARCHITECTURES, MODEL_STATUSES } from '../../db/schema/models';
import { FEATURE_NAMES, PRICE_FEATURE_NAMES, REGIME_FEATURE_WARMUP } from '../../quant/learn';

export { MODEL_ARCHITECTURES, MODEL_STATUSES };

const num = z.number();
const nullableNum = z.number().nullable();

/** The out-of-sample record every model output carries. */
export const TrackRecordSchema = z
  .object({
    model_id: z.string(),
    model_name: z.string(),
    architecture: z.string(),
    model_version: z.number().int(),
    horizon_days: z.number().int(),
    walk_forward: z
      .object({
        method: z.string(),
        predictions: z.number().int(),
        validated_from: z.string().nullable(),
        validated_to: z.string().nullable(),
        accuracy: nullableNum,
        roc_auc: nullableNum,
        brier: nullableNum,
        log_loss: nullableNum,
        base_rate: nullableNum,
        always_long_accuracy: nullableNum,
        always_flat_accuracy: nullableNum,
        strategy_return_net: nullableNum,
        always_long_return: nullableNum,
        fee_rate: nullableNum,
      })
      .nullable()
      .openapi({
        description:
          'Pooled walk-forward validation (purged, embargoed) of the current version; null before the first training.',
      }),
    live: z.object({
      method: z.string(),
      predictions_made: z.number().int(),
      predictions_scored: z.number().int(),
      accuracy: nullableNum,
      brier: nullableNum,
      mean_realized_return_when_up: nullableNum,
      first_prediction: z.string().nullable(),
      last_scored: z.string().nullable(),
    }),
    as_of: z.string(),
  })
  .openapi('ModelTrackRecord');

export type TrackRecord = z.infer<typeof TrackRecordSchema>;

export const HyperparametersSchema = z
  .object({
    l2: z.number().positive().max(1e6).optional(),
    trees: z.number().int().min(1).max(200).optional(),
    max_depth: z.number().int().min(1).max(5).optional(),
    learning_rate: z.number().positive().max(1).optional(),
    subsample: z.number().positive().max(1).optional(),
    min_child_weight: z.number().min(0).max(1000).optional(),
    folds: z.number().int().min(2).max(10).optional(),
    fee_rate: z.number().min(0).max(0.05).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .strict();

export const ModelSchema = z
  .object({
    id: z.string(),
    model_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    model_type: z.string(),
    architecture: z.enum(MODEL_ARCHITECTURES),
    features: z.array(z.string()),
    absent_features: z.array(z.object({ feature: z.string(), reason: z.string() })),
    target: z.object({
      kind: z.literal('direction'),
      horizon_days: z.number().int(),
      definition: z.string(),
    }),
    asset_ids: z.array(z.string()),
    hyperparameters: z.record(z.string(), num),
    training_window: z.object({ start: z.string().nullable(), end: z.string().nullable() }),
    status: z.enum(MODEL_STATUSES),
    version: z.number().int(),
    artifact: z.object({ key: z.string(), sha256: z.string() }).nullable(),
    trained_at: z.string().nullable(),
    data_as_of: z.string().nullable(),
    training_job_id: z.string().nullable(),
    last_error: z.string().nullable(),
    metrics: z.record(z.string(), z.unknown()).nullable(),
    track_record: TrackRecordSchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('AIModel');

const Day = CalendarDate;

export const CreateModelSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).optional(),
    architecture: z.enum(MODEL_ARCHITECTURES),
    features: z
      .array(z.string().max(40))
      .min(1)
      .max(FEATURE_NAMES.length)
      .optional()
      .openapi({
        description: `Subset of: ${FEATURE_NAMES.join(', ')}. Default: ${PRICE_FEATURE_NAMES.join(', ')} (regime_prob is opt-in: it needs ${REGIME_FEATURE_WARMUP} bars of history).`,
      }),
    asset_ids: z
      .array(z.string().min(1).max(64))
      .min(1)
      .max(20)
      .openapi({ description: 'Assets (id or symbol) whose daily history trains the model.' }),
    horizon_days: z.number().int().min(1).max(30).default(1),
    hyperparameters: HyperparametersSchema.default({}),
    training_start: Day.optional(),
    training_end: Day.optional(),
  })
  .strict();

export const UpdateModelSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(1000).nullable().optional(),
    status: z.enum(['active', 'retired']).optional(),
    features: z.array(z.string().max(40)).min(1).max(FEATURE_NAMES.length).optional(),
    hyperparameters: HyperparametersSchema.optional(),
    horizon_days: z.number().int().min(1).max(30).optional(),
    training_start: Day.nullable().optional(),
    training_end: Day.nullable().optional(),
  })
  .strict();

export type CreateModelInput = z.infer<typeof CreateModelSchema>;
export type UpdateModelInput = z.infer<typeof UpdateModelSchema>;
