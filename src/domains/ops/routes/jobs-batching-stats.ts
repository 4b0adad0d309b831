import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { batchingStats } from '../services/background-jobs';

export const jobsBatchingStatsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: background jobs'),
    method: 'get',
    path: '/api/background-jobs/batching/stats',
    summary: 'Work waiting in batches: telemetry buffer, alert evaluation, notification deliveries (002)',
    responses: {
      200: {
        description: 'Batches.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                batches: z.record(
                  z.string(),
                  z.object({
                    task_count: z.number().int(),
                    created_at: z.string().nullable(),
                    status: z.enum(['pending', 'empty']),
                    description: z.string(),
                  }),
                ),
                timestamp: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await batchingStats(c.env)), 200),
);
