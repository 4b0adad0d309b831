import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeQuery } from '../schemas';
import { poolHistory } from '../services/database';
import { resolveRange } from '../services/sink';

export const databasePoolHistoryRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: database'),
    method: 'get',
    path: '/api/database/pool/history',
    summary: 'D1 load per minute, newest first (002)',
    request: {
      query: TimeRangeQuery.extend({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    },
    responses: {
      200: {
        description: 'One entry per minute with traffic.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                history: z.array(
                  z.object({
                    timestamp: z.string(),
                    pool_size: z.number().int(),
                    active_connections: z.number().int(),
                    utilization_percent: z.number(),
                    statements: z.number().int(),
                    busy_ms: z.number(),
                    requests: z.number().int(),
                  }),
                ),
                summary: z.object({
                  avg_utilization: z.number(),
                  max_utilization: z.number(),
                  min_utilization: z.number(),
                }),
                interval: z.string(),
                d1_equivalent: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const range = resolveRange({ start: q.start_time, end: q.end_time });
    return c.json(plain(c, await poolHistory(c.env, range, q.limit)), 200);
  },
);
