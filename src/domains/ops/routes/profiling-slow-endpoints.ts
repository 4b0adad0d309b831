import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeQuery } from '../schemas';
import { slowEndpoints } from '../services/profiling';
import { resolveRange } from '../services/sink';

const SlowEndpointSchema = z
  .object({
    method: z.string(),
    path: z.string(),
    p95_ms: z.number(),
    p99_ms: z.number(),
    avg_ms: z.number(),
    max_ms: z.number(),
    count: z.number().int(),
    status_code: z.number().int(),
    timestamp: z.string(),
  })
  .openapi('SlowEndpoint');

export const profilingSlowEndpointsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: performance profiling'),
    method: 'get',
    path: '/api/performance-profiling/slow-endpoints',
    summary: 'Endpoints (route templates) whose p95 latency is at or above a threshold, slowest first (002)',
    description: '`status_code` and `timestamp` are those of the slowest request seen on the endpoint.',
    request: {
      query: TimeRangeQuery.extend({
        limit: z.coerce.number().int().min(1).max(1000).default(50),
        threshold_ms: z.coerce.number().min(0).max(600_000).default(500),
      }),
    },
    responses: {
      200: {
        description: 'Slow endpoints.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                slow_endpoints: z.array(SlowEndpointSchema),
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
    const slow = await slowEndpoints(c.env, range, q.threshold_ms, q.limit);
    return c.json(
      plain(c, { slow_endpoints: slow, count: slow.length, limit: q.limit, threshold_ms: q.threshold_ms }),
      200,
    );
  },
);
