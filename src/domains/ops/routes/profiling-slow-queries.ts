import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeQuery } from '../schemas';
import { slowQueries } from '../services/profiling';
import { resolveRange } from '../services/sink';

export const SlowQuerySchema = z
  .object({
    query: z.string(),
    duration_ms: z.number(),
    params: z.string().nullable(),
    rows_read: z.number().int(),
    rows_written: z.number().int(),
    endpoint: z.string(),
    request_id: z.string(),
    timestamp: z.string(),
  })
  .openapi('SlowQuery');

export const profilingSlowQueriesRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: performance profiling'),
    method: 'get',
    path: '/api/performance-profiling/slow-queries',
    summary: 'The slowest D1 statements recorded, slowest first (002)',
    description:
      'Each is one execution: its normalized SQL, D1’s meta.duration, rows read and written, the endpoint and request that ran it. Arguments are never recorded (`params` is null).',
    request: {
      query: TimeRangeQuery.extend({
        limit: z.coerce.number().int().min(1).max(1000).default(50),
        threshold_ms: z.coerce
          .number()
          .min(0)
          .max(600_000)
          .default(100)
          .openapi({ description: 'Slow from this duration.' }),
      }),
    },
    responses: {
      200: {
        description: 'Slow statements.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                slow_queries: z.array(SlowQuerySchema),
                count: z.number().int(),
                limit: z.number().int(),
                threshold_ms: z.number(),
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
    const slow = await slowQueries(c.env, range, q.threshold_ms, q.limit);
    return c.json(
      plain(c, { slow_queries: slow, count: slow.length, limit: q.limit, threshold_ms: q.threshold_ms }),
      200,
    );
  },
);
