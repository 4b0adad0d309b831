import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { flushBatches } from '../services/background-jobs';

export const jobsBatchingFlushRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: background jobs'),
    method: 'post',
    path: '/api/background-jobs/batching/flush',
    summary:
      'Flush every batch now: telemetry to the sink, alert rules evaluated, notifications re-sent (002)',
    responses: {
      200: {
        description: 'What each flush did.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                success: z.boolean(),
                results: z.record(
                  z.string(),
                  z.object({
                    tasks_executed: z.number().int(),
                    status: z.string(),
                    fired: z.number().int().optional(),
                    resolved: z.number().int().optional(),
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
  async (c) => c.json(plain(c, await flushBatches(c.env)), 200),
);
