import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeQuery, TimeRangeSchema } from '../schemas';
import { poolMetrics } from '../services/database';
import { resolveRange } from '../services/sink';

export const databasePoolMetricsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: database'),
    method: 'get',
    path: '/api/database/pool/metrics',
    summary: 'D1 load in the seed’s pool terms (002; D1 has no pool: see d1_equivalent)',
    request: { query: TimeRangeQuery },
    responses: {
      200: {
        description: 'Default window: the last hour.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                pool_size: z.number().int(),
                active_connections: z.number().int(),
                idle_connections: z.number().int(),
                max_pool_size: z.number().int(),
                utilization_percent: z.number(),
                wait_time_avg_ms: z.number(),
                connection_errors: z.number().int(),
                statements: z.number().int(),
                statements_last_minute: z.number().int(),
                busy_ms: z.number(),
                rows_read: z.number().int(),
                rows_written: z.number().int(),
                database_size_bytes: z.number().nullable(),
                time_range: TimeRangeSchema,
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
    return c.json(
      plain(c, await poolMetrics(c.env, resolveRange({ start: q.start_time, end: q.end_time }, 1))),
      200,
    );
  },
);
