import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { adminAnalyticsOverview } from '../services/admin-analytics';

export const adminAnalyticsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/analytics',
    summary: 'Analytics overview: users, trading, revenue, API (001)',
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              z.object({
                users: z.object({
                  total_users: z.number().int(),
                  active_users_24h: z.number().int(),
                  active_users_30d: z.number().int(),
                  new_users_30d: z.number().int(),
                  by_tier: z.record(z.string(), z.number().int()),
                }),
                trading: z.object({ trades_30d: z.number().int(), trading_users_30d: z.number().int() }),
                revenue: z.object({
                  mrr: z.number(),
                  arr: z.number(),
                  paying_users: z.number().int(),
                  churn_rate_30d: z.number(),
                }),
                api_24h: z.object({
                  requests: z.number().int(),
                  error_rate: z.number(),
                  p95_ms: z.number().nullable(),
                }),
                generated_at: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(envelope(c, await adminAnalyticsOverview(c.env)), 200),
);
