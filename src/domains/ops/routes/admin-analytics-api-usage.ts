import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { EndpointStatSchema, opsRoute } from '../schemas';
import { adminApiUsage } from '../services/admin-analytics';

export const adminAnalyticsApiUsageRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/analytics/api-usage',
    summary: 'API usage by endpoint: requests, latency, error rates; busiest users (000)',
    request: { query: z.object({ days: z.coerce.number().int().min(1).max(7).default(1) }) },
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              z.object({
                period_days: z.number().int(),
                total_requests: z.number().int(),
                error_rate: z.number(),
                endpoints: z.array(EndpointStatSchema),
                top_users: z.array(
                  z.object({ user_id: z.string(), requests: z.number().int(), errors: z.number().int() }),
                ),
                method: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(envelope(c, await adminApiUsage(c.env, q.days)), 200);
  },
);
