import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { EndpointStatSchema, MethodSchema, opsRoute, TimeRangeQuery, TimeRangeSchema } from '../schemas';
import { endpointStatistics, PROFILING_METHOD } from '../services/profiling';
import { iso, resolveRange } from '../services/sink';

export const profilingEndpointStatisticsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: performance profiling'),
    method: 'get',
    path: '/api/performance-profiling/endpoint-statistics',
    summary: 'Statistics per endpoint (method and route template): count, errors, p50/p95/p99 (002)',
    request: {
      query: TimeRangeQuery.extend({
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).optional(),
        path: z.string().max(300).optional().openapi({
          description: 'A route template as the document writes it, e.g. /api/v1/jobs/{job_id}.',
        }),
      }),
    },
    responses: {
      200: {
        description: 'Busiest first.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                endpoints: z.array(EndpointStatSchema),
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
    const endpoints = await endpointStatistics(c.env, range, { method: q.method, path: q.path });
    return c.json(
      plain(c, {
        endpoints,
        count: endpoints.length,
        time_range: { start: iso(range.start), end: iso(range.end) },
        method: PROFILING_METHOD,
      }),
      200,
    );
  },
);
