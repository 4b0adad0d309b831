import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { activeTasks } from '../services/background-jobs';

export const jobsTasksRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: background jobs'),
    method: 'get',
    path: '/api/background-jobs/tasks',
    summary: 'Jobs waiting or running, oldest first (002)',
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
    responses: {
      200: {
        description: 'Active tasks; progress 0..1.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.array(
                z.object({
                  job_id: z.string(),
                  status: z.string(),
                  task_name: z.string(),
                  priority: z.string(),
                  created_at: z.string(),
                  started_at: z.string().nullable(),
                  progress: z.number(),
                  progress_message: z.string().nullable(),
                  attempts: z.number().int(),
                }),
              ),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await activeTasks(c.env, c.req.valid('query').limit)), 200),
);
