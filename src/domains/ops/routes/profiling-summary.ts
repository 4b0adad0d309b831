import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { MethodSchema, opsRoute, Percentile, TimeRangeQuery, TimeRangeSchema } from '../schemas';
import { profilingSummary } from '../services/profiling';
import { resolveRange } from '../services/sink';

const SummarySchema = z
  .object({
    time_range: TimeRangeSchema,
    requests: z.object({
      count: z.number().int(),
      errors: z.number().int(),
      error_rate: z.number(),
      avg_ms: z.number(),
      p50_ms: Percentile,
      p95_ms: Percentile,
      p99_ms: Percentile,
      max_ms: z.number(),
      endpoints: z.number().int(),
    }),
    queries: z.object({
      count: z.number().int(),
      distinct_shapes: z.number().int(),
      total_ms: z.number(),
      rows_read: z.number().int(),
      rows_written: z.number().int(),
      per_request: z.number(),
    }),
    slowest_endpoints: z.array(
      z.object({ method: z.string(), path: z.string(), p95_ms: z.number(), count: z.number().int() }),
    ),
    slowest_queries: z.array(z.object({ query: z.string(), duration_ms: z.number(), endpoint: z.string() })),
    heaviest_queries: z.array(z.object({ query: z.string(), total_ms: z.number(), count: z.number().int() })),
    thresholds: z.object({ slow_endpoint_ms: z.number(), slow_query_ms: z.number() }),
    method: MethodSchema,
  })
  .openapi('ProfilingSummary');

export const profilingSummaryRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: performance profiling'),
    method: 'get',
    path: '/api/performance-profiling/summary',
    summary: 'Traffic, latency percentiles, errors, D1 load and the worst endpoints and statements (002)',
    request: {
      query: TimeRangeQuery.extend({
        slow_endpoint_ms: z.coerce.number().min(0).max(600_000).default(500),
        slow_query_ms: z.coerce.number().min(0).max(600_000).default(100),
      }),
    },
    responses: {
      200: {
        description: 'The summary.',
        content: { 'application/json': { schema: plainOrV2Schema(SummarySchema) } },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const range = resolveRange({ start: q.start_time, end: q.end_time });
    const summary = await profilingSummary(c.env, range, {
      endpointMs: q.slow_endpoint_ms,
      queryMs: q.slow_query_ms,
    });
    return c.json(plain(c, summary), 200);
  },
);
