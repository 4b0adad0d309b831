import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { jobsStatus } from '../services/background-jobs';

export const jobsStatusRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: background jobs'),
    method: 'get',
    path: '/api/background-jobs/status',
    summary: 'The job system at a glance: queue, running, pending, done and failed in 24 hours (002)',
    responses: {
      200: {
        description: 'Status.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                celery_available: z.boolean(),
                queue_available: z.boolean(),
                active_workers: z.number().int(),
                pending_tasks: z.number().int(),
                completed_tasks_24h: z.number().int(),
                failed_tasks_24h: z.number().int(),
                dead_letters: z.number().int(),
                oldest_pending_age_seconds: z.number().int().nullable(),
                note: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await jobsStatus(c.env)), 200),
);
