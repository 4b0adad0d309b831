import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { queueDepth } from '../services/background-jobs';

export const jobsQueueDepthRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: background jobs'),
    method: 'get',
    path: '/api/background-jobs/queue-depth',
    summary: 'Jobs waiting, by priority group and by task (002)',
    responses: {
      200: {
        description: 'Depth.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                high_priority: z.number().int(),
                normal_priority: z.number().int(),
                low_priority: z.number().int(),
                total: z.number().int(),
                by_task: z.record(z.string(), z.number().int()),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await queueDepth(c.env)), 200),
);
