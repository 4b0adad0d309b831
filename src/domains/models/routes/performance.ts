import { z } from '@hono/zod-openapi';
import { CalendarDate } from '../../../core/dates';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { requireUser } from '../../../middleware/auth';
import { TrackRecordSchema } from '../schemas';
import { listPredictions, listTrainingJobs, modelPerformance } from '../service';

const Id = z.object({ model_id: z.string().min(1).max(64) });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const nn = z.number().nullable();

export const PredictionSchema = z
  .object({
    prediction_id: z.string(),
    model_id: z.string(),
    model_version: z.number().int(),
    asset_id: z.string(),
    prediction_date: z.string(),
    decision_time: z.string(),
    horizon_days: z.number().int(),
    probability_up: z.number(),
    direction: z.enum(['up', 'down']),
    close_at_decision: z.number(),
    features: z.record(z.string(), z.number()),
    outcome: z
      .object({ outcome_time: z.string(), realized_return: nn, went_up: z.boolean(), correct: z.boolean() })
      .nullable(),
  })
  .openapi('ModelPrediction');

const PredictionsQuery = PaginationQuery.extend({
  asset_id: z.string().min(1).max(64).optional(),
  timeframe: z.enum(['1d']).optional().openapi({ description: 'Models predict daily closes: 1d only.' }),
  start_date: CalendarDate.optional(),
  end_date: CalendarDate.optional(),
});

const JobsQuery = PaginationQuery.extend({
  model_id: z.string().max(64).optional(),
  status: z.enum(['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled']).optional(),
});

const TrainingJobSchema = z.object({
  job_id: z.string(),
  model_id: z.string().nullable(),
  status: z.string(),
  progress: z.number(),
  progress_message: z.string().nullable(),
  seed: z.number().nullable(),
  data_as_of: z.string().nullable(),
  attempts: z.number().int(),
  error: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  estimated_seconds_remaining: z.number().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export const performanceRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/ai/models/{model_id}/performance',
      tags: ['AI models'],
      summary: 'Walk-forward folds, importance, and live predictions scored month by month (000)',
      request: { params: Id },
      responses: {
        200: {
          description: 'Performance over time.',
          ...json(
            envelopeSchema(
              z.object({
                model_id: z.string(),
                version: z.number().int(),
                walk_forward: z.object({
                  folds: z.array(z.unknown()),
                  out_of_sample: z.unknown(),
                  strategy: z.unknown(),
                  feature_importance: z.unknown(),
                }),
                user_feedback: z.object({
                  method: z.string(),
                  responses: z.number().int(),
                  mean_rating: nn,
                  by_action: z.array(
                    z.object({
                      action_taken: z.string().nullable(),
                      responses: z.number().int(),
                      mean_rating: z.number(),
                    }),
                  ),
                }),
                live_by_month: z.array(
                  z.object({
                    month: z.string(),
                    predictions_scored: z.number().int(),
                    accuracy: nn,
                    brier: nn,
                    mean_realized_return: nn,
                  }),
                ),
                track_record: TrackRecordSchema,
              }),
            ),
          ),
        },
      },
    }),
    async (c) => c.json(envelope(c, await modelPerformance(c.env, c.req.valid('param').model_id)), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/ai/models/{model_id}/predictions',
      tags: ['AI models'],
      summary: 'Stored daily predictions of a model, with their outcomes once known (000)',
      request: { params: Id, query: PredictionsQuery },
      responses: {
        200: {
          description: 'Predictions, newest first, and the model record.',
          ...json(
            envelopeSchema(
              z.object({
                model_id: z.string(),
                predictions: z.array(PredictionSchema),
                track_record: TrackRecordSchema,
              }),
            ),
          ),
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = pageOf(q);
      const r = await listPredictions(c.env, c.req.valid('param').model_id, {
        ...q,
        limit: page.limit,
        offset: page.offset,
      });
      return c.json(
        envelope(
          c,
          { model_id: r.model_id, predictions: r.items, track_record: r.track_record },
          { pagination: paginationMeta(page, r.total) },
        ),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/ai/training-jobs',
      tags: ['AI models'],
      summary: 'Training jobs with progress, errors and an estimate of the time left (000)',
      security: [{ bearerAuth: [] }],
      middleware: requireUser,
      request: { query: JobsQuery },
      responses: {
        200: {
          description: 'Training jobs, newest first.',
          ...json(envelopeSchema(z.array(TrainingJobSchema))),
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = pageOf(q);
      const r = await listTrainingJobs(c.env, { ...q, limit: page.limit, offset: page.offset });
      return c.json(envelope(c, r.items, { pagination: paginationMeta(page, r.total) }), 200);
    },
  );
