import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { periodDays, usageSeries } from '../services/admin-analytics';

export const adminAnalyticsUsageRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/analytics/usage',
    summary: 'API usage over time: requests, errors, latency, active users per hour or day (001)',
    request: {
      query: z.object({
        period: z.enum(['1d', '7d', '30d']).default('7d'),
        granularity: z.enum(['hour', 'day']).default('day'),
      }),
    },
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              z.object({
                period_days: z.number().int(),
                granularity: z.enum(['hour', 'day']),
                series: z.array(
                  z.object({
                    since: z.string(),
                    requests: z.number().int(),
                    errors: z.number().int(),
                    error_rate: z.number(),
                    avg_ms: z.number(),
                    active_users: z.number().int(),
                  }),
                ),
                totals: z.object({ requests: z.number().int(), errors: z.number().int() }),
                user_engagement: z.record(z.string(), z.number().int()),
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
    return c.json(envelope(c, await usageSeries(c.env, periodDays(q.period), q.granularity)), 200);
  },
);
