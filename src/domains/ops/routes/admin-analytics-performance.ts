import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { adminPerformance } from '../services/admin-analytics';

export const adminAnalyticsPerformanceRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/analytics/performance',
    summary: 'System performance: latency percentiles, errors, D1 load, jobs (001)',
    request: {
      query: z.object({
        window_minutes: z.coerce
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(24 * 60),
      }),
    },
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              z.object({
                window_minutes: z.number().int(),
                requests: z.record(z.string(), z.number().nullable()),
                queries: z.record(z.string(), z.number()),
                slowest_endpoints: z.array(
                  z.object({
                    method: z.string(),
                    path: z.string(),
                    p95_ms: z.number(),
                    count: z.number().int(),
                  }),
                ),
                slowest_queries: z.array(
                  z.object({ query: z.string(), duration_ms: z.number(), endpoint: z.string() }),
                ),
                heaviest_queries: z.array(
                  z.object({ query: z.string(), total_ms: z.number(), count: z.number().int() }),
                ),
                thresholds: z.object({ slow_endpoint_ms: z.number(), slow_query_ms: z.number() }),
                method: z.record(z.string(), z.string()),
                jobs: z.object({ pending_tasks: z.number().int(), failed_tasks_24h: z.number().int() }),
                models: z.null(),
                models_note: z.string(),
                generated_at: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(envelope(c, await adminPerformance(c.env, q.window_minutes)), 200);
  },
);
