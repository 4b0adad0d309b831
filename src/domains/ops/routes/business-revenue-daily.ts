import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { DaysQuery, opsRoute } from '../schemas';
import { dailyRevenue } from '../services/business';

export const businessRevenueDailyRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/revenue/daily',
    summary: 'Revenue and MRR per day with subscription changes (002)',
    request: { query: DaysQuery },
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                days: z.array(
                  z.object({
                    date: z.string(),
                    revenue: z.number(),
                    mrr: z.number(),
                    new_subscriptions: z.number().int(),
                    cancellations: z.number().int(),
                    upgrades: z.number().int(),
                    downgrades: z.number().int(),
                  }),
                ),
                total_revenue: z.number(),
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
    return c.json(plain(c, await dailyRevenue(c.env, q.days)), 200);
  },
);
