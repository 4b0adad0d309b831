import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { opsRoute, UserMetricsSchema } from '../schemas';
import { adminUserAnalytics } from '../services/admin-analytics';

export const adminAnalyticsUsersRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/analytics/users',
    summary: 'User analytics: registrations, activity, tiers, weekly retention cohorts (000)',
    request: { query: z.object({ days: z.coerce.number().int().min(1).max(365).default(30) }) },
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              UserMetricsSchema.extend({
                registrations: z.array(z.object({ joined_at: z.string(), registrations: z.number().int() })),
                registrations_by_client: z.record(z.string(), z.number().int()),
                period_days: z.number().int(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(envelope(c, await adminUserAnalytics(c.env, q.days)), 200);
  },
);
