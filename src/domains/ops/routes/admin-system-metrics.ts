import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { adminSystemMetrics } from '../services/admin-analytics';

export const adminSystemMetricsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/system/metrics',
    summary: 'Requests, D1, user engagement and API usage over a window (001)',
    request: {
      query: z.object({
        window_minutes: z.coerce
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(60),
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
                database: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
                user_engagement: z.record(z.string(), z.number().int()),
                api_usage: z.array(
                  z.object({
                    method: z.string(),
                    path: z.string(),
                    count: z.number().int(),
                    error_rate: z.number(),
                    p95_ms: z.number().nullable(),
                  }),
                ),
                method: z.record(z.string(), z.string()),
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
    return c.json(envelope(c, await adminSystemMetrics(c.env, q.window_minutes)), 200);
  },
);
