import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { normalizeSql } from '../../../core/telemetry';
import { MethodSchema, opsRoute, QueryStatSchema, TimeRangeQuery, TimeRangeSchema } from '../schemas';
import { PROFILING_METHOD, queryStatistics } from '../services/profiling';
import { iso, resolveRange } from '../services/sink';

export const profilingQueryStatisticsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: performance profiling'),
    method: 'get',
    path: '/api/performance-profiling/query-statistics',
    summary: 'Statistics per normalized D1 statement: count, p50/p95/p99, rows (002)',
    request: {
      query: TimeRangeQuery.extend({
        query: z
          .string()
          .max(2000)
          .optional()
          .openapi({ description: 'One statement (normalized the same way before matching).' }),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
    },
    responses: {
      200: {
        description: 'Most total time first.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                queries: z.array(QueryStatSchema),
                count: z.number().int(),
                time_range: TimeRangeSchema,
                method: MethodSchema,
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
    const stats = await queryStatistics(c.env, range, q.query ? normalizeSql(q.query) : undefined);
    return c.json(
      plain(c, {
        queries: stats.slice(0, q.limit),
        count: stats.length,
        time_range: { start: iso(range.start), end: iso(range.end) },
        method: PROFILING_METHOD,
      }),
      200,
    );
  },
);
