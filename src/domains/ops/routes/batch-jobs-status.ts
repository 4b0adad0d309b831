import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { BatchJobSchema, opsRoute } from '../schemas';
import { BATCH_STATUSES, batchJobsStatus } from '../services/batch';

export const batchJobsStatusRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: batch'),
    method: 'get',
    path: '/api/v1/admin/batch/jobs/status',
    summary: 'Recent batch jobs with their outcome and item counts (004)',
    request: {
      query: z.object({
        job_name: z.string().max(64).optional().openapi({ description: 'A job type, e.g. prices.backfill.' }),
        status: z.enum(BATCH_STATUSES).optional(),
        portfolio_id: z.string().max(64).optional(),
        days_back: z.coerce.number().int().min(1).max(90).default(1),
      }),
    },
    responses: {
      200: {
        description: 'Newest first (at most 500).',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                jobs: z.array(BatchJobSchema),
                summary: z.object({
                  total_jobs: z.number().int(),
                  completed: z.number().int(),
                  running: z.number().int(),
                  failed: z.number().int(),
                  pending: z.number().int(),
                  cancelled: z.number().int(),
                }),
                filters_applied: z.object({
                  days_back: z.number().int(),
                  job_name: z.string().nullable(),
                  status: z.string().nullable(),
                  portfolio_id: z.string().nullable(),
                }),
                last_updated: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await batchJobsStatus(c.env, c.req.valid('query'))), 200),
);
