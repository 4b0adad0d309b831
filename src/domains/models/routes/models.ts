import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import {
  CreateModelSchema,
  MODEL_ARCHITECTURES,
  MODEL_STATUSES,
  ModelSchema,
  UpdateModelSchema,
} from '../schemas';
import { createModel, getModel, listModels, modelView, requestTraining, updateModel } from '../service';

const Id = z.object({ model_id: z.string().min(1).max(64) });
const ListQuery = PaginationQuery.extend({
  model_type: z.string().max(40).optional(),
  status: z.enum(MODEL_STATUSES).optional(),
  architecture: z.enum(MODEL_ARCHITECTURES).optional(),
});
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const admin = { security: [{ bearerAuth: [] }], middleware: requireAdmin };
const TrainResponse = z.object({
  job_id: z.string(),
  model_id: z.string(),
  status: z.literal('queued'),
  data_as_of: z.string(),
  status_url: z.string(),
});

export const modelRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/ai/models',
      tags: ['AI models'],
      summary: 'Registered models with their metrics and out-of-sample record (000)',
      request: { query: ListQuery },
      responses: { 200: { description: 'Models.', ...json(envelopeSchema(z.array(ModelSchema))) } },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = pageOf(q);
      const { items, total } = await listModels(c.env, { ...q, limit: page.limit, offset: page.offset });
      return c.json(envelope(c, items, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/ai/models/{model_id}',
      tags: ['AI models'],
      summary: 'One model: configuration, validation folds, feature importance, record (000)',
      request: { params: Id },
      responses: { 200: { description: 'The model.', ...json(envelopeSchema(ModelSchema)) } },
    }),
    async (c) =>
      c.json(envelope(c, await modelView(c.env, await getModel(c.env, c.req.valid('param').model_id))), 200),
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/ai/models',
      tags: ['AI models'],
      summary: 'Register a model (admin, 000)',
      ...admin,
      request: { body: { required: true, ...json(CreateModelSchema) } },
      responses: {
        201: {
          description: 'The registered model (untrained: POST .../train).',
          ...json(envelopeSchema(ModelSchema)),
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(c, await createModel(c.env, principalOf(c), c.req.valid('json'), requestFacts(c))),
        201,
      ),
  )
  .openapi(
    defineRoute({
      method: 'put',
      path: '/api/v1/admin/ai/models/{model_id}',
      tags: ['AI models'],
      summary: 'Update a model: name, status, features, hyperparameters, window (admin, 000)',
      ...admin,
      request: { params: Id, body: { required: true, ...json(UpdateModelSchema) } },
      responses: { 200: { description: 'The updated model.', ...json(envelopeSchema(ModelSchema)) } },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await updateModel(
            c.env,
            principalOf(c),
            c.req.valid('param').model_id,
            c.req.valid('json'),
            requestFacts(c),
          ),
        ),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/ai/models/{model_id}/train',
      tags: ['AI models'],
      summary: 'Train the model as a queued job (admin, 000); 409 while it is training',
      description:
        'Trains on the closed daily bars the market clock has reached, deterministic for `seed`. Progress at GET /api/v1/ai/training-jobs.',
      ...admin,
      request: {
        params: Id,
        body: {
          required: false,
          ...json(
            z
              .object({
                seed: z
                  .number()
                  .int()
                  .min(0)
                  .max(2 ** 31 - 1)
                  .optional(),
              })
              .strict(),
          ),
        },
      },
      responses: { 202: { description: 'The queued training job.', ...json(envelopeSchema(TrainResponse)) } },
    }),
    async (c) => {
      const body =
        c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : c.req.valid('json');
      return c.json(
        envelope(
          c,
          await requestTraining(
            c.env,
            principalOf(c),
            c.req.valid('param').model_id,
            body ?? {},
            requestFacts(c),
          ),
        ),
        202,
      );
    },
  )
  // 001's admin model paths over the same registry.
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/models',
      tags: ['AI models'],
      summary: 'Every registered model (admin, 001)',
      ...admin,
      request: { query: ListQuery },
      responses: { 200: { description: 'Models.', ...json(envelopeSchema(z.array(ModelSchema))) } },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = pageOf(q);
      const { items, total } = await listModels(c.env, { ...q, limit: page.limit, offset: page.offset });
      return c.json(envelope(c, items, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/models/{model_id}/retrain',
      tags: ['AI models'],
      summary: 'Retrain a model (admin, 001): the same queued job as POST /api/v1/ai/models/{id}/train',
      ...admin,
      request: { params: Id },
      responses: { 202: { description: 'The queued training job.', ...json(envelopeSchema(TrainResponse)) } },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await requestTraining(c.env, principalOf(c), c.req.valid('param').model_id, {}, requestFacts(c)),
        ),
        202,
      ),
  )
  .openapi(
    defineRoute({
      method: 'put',
      path: '/api/v1/admin/models/{model_id}/config',
      tags: ['AI models'],
      summary: "Change a model's configuration (admin, 001)",
      ...admin,
      request: { params: Id, body: { required: true, ...json(UpdateModelSchema) } },
      responses: { 200: { description: 'The updated model.', ...json(envelopeSchema(ModelSchema)) } },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await updateModel(
            c.env,
            principalOf(c),
            c.req.valid('param').model_id,
            c.req.valid('json'),
            requestFacts(c),
          ),
        ),
        200,
      ),
  );
