import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { jobStats } from '../services/background-jobs';

const Depth = z.object({
  high_priority: z.number().int(),
  normal_priority: z.number().int(),
  low_priority: z.number().int(),
});

export const jobsStatsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: background jobs'),
    method: 'get',
    path: '/api/background-jobs/stats',
    summary: 'Per-task counts and execution times of finished jobs, and the queue depth (002)',
    request: { query: z.object({ days: z.coerce.number().int().min(1).max(90).default(1) }) },
    responses: {
      200: {
        description: 'Statistics.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                task_statistics: z.object({
                  total_tasks: z.number().int(),
                  successful_tasks: z.number().int(),
                  failed_tasks: z.number().int(),
                  cancelled_tasks: z.number().int(),
                  avg_execution_time_ms: z.number(),
                }),
                per_task: z.array(
                  z.object({
                    task_name: z.string(),
                    count: z.number().int(),
                    succeeded: z.number().int(),
                    failed: z.number().int(),
                    cancelled: z.number().int(),
                    avg_execution_time_ms: z.number().nullable(),
                    p95_execution_time_ms: z.number().nullable(),
                    max_execution_time_ms: z.number().nullable(),
                  }),
                ),
                queue_metrics: Depth,
                window_days: z.number().int(),
                timestamp: z.string(),
                method: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await jobStats(c.env, c.req.valid('query').days)), 200),
);
