import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { TrackRecordSchema } from '../../models/schemas';
import { opsRoute } from '../schemas';
import { ML_GRANULARITIES, mlPerformance } from '../services/ml-performance';

const num = z.number().nullable();
const Live = TrackRecordSchema.shape.live;
const WalkForward = TrackRecordSchema.shape.walk_forward;

export const adminAnalyticsMlPerformanceRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/analytics/ml-performance',
    summary: 'Model comparison and prediction accuracy over time, from the model registry (000)',
    description:
      "Each registered model's walk-forward validation beside its scored live predictions, live accuracy and Brier per week or month over the last `days` of market time, and the training jobs of the window. Computed now from `ai_models`, `model_predictions` and `jobs`.",
    request: {
      query: z.object({
        days: z.coerce.number().int().min(7).max(730).default(180),
        granularity: z.enum(ML_GRANULARITIES).default('month'),
        model_id: z.string().min(1).max(64).optional(),
      }),
    },
    responses: {
      200: {
        description:
          'Computed now; predictions count only once their outcome close is at or before the market clock.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              z.object({
                models: z.array(
                  z.object({
                    model_id: z.string(),
                    name: z.string(),
                    architecture: z.string(),
                    status: z.string(),
                    version: z.number().int(),
                    horizon_days: z.number().int(),
                    trained_at: z.string().nullable(),
                    walk_forward: WalkForward,
                    live_all_time: Live.nullable(),
                    live_in_window: z.object({
                      predictions_scored: z.number().int(),
                      accuracy: num,
                      brier: num,
                    }),
                  }),
                ),
                comparison: z.object({
                  models_compared: z.number().int(),
                  active_models: z.number().int(),
                  best_live_accuracy: z.object({ model_id: z.string(), accuracy: num }).nullable(),
                  best_walk_forward_auc: z.object({ model_id: z.string(), roc_auc: num }).nullable(),
                  drifting: z.array(z.string()).openapi({
                    description:
                      'Models whose live accuracy in the window (20+ scored) trails their walk-forward accuracy by 10 points or more.',
                  }),
                }),
                accuracy_over_time: z.array(
                  z.object({
                    period_start: z.string(),
                    model_id: z.string(),
                    predictions_scored: z.number().int(),
                    accuracy: num,
                    brier: num,
                  }),
                ),
                training_jobs: z.object({
                  window_days: z.number().int(),
                  total: z.number().int(),
                  by_status: z.record(z.string(), z.number().int()),
                  avg_duration_seconds: num,
                }),
                method: z.string(),
                window: z.object({
                  days: z.number().int(),
                  granularity: z.enum(ML_GRANULARITIES),
                  from: z.string(),
                  to: z.string(),
                }),
                data_points: z.number().int(),
                as_of: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(envelope(c, await mlPerformance(c.env, c.req.valid('query'))), 200),
);
