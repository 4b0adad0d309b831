import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, UserMetricsSchema } from '../schemas';
import { userMetrics } from '../services/business';

export const businessUsersRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/users',
    summary: 'Users: totals, actives, signups, tiers and weekly retention cohorts (002)',
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(UserMetricsSchema),
          },
        },
      },
    },
  }),
  async (c) => {
    return c.json(plain(c, await userMetrics(c.env)), 200);
  },
);
