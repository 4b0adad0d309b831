import { z } from '@hono/zod-openapi';
import { DateOrDateTime, ordered, timeOf } from '../../../core/dates';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, RevenueSchema } from '../schemas';
import { revenueMetrics } from '../services/business';

export const businessRevenueRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/revenue',
    summary: 'Subscription revenue, MRR, ARR and churn over a date range (002)',
    request: {
      query: ordered(
        z.object({
          start_date: DateOrDateTime.optional().openapi({ description: 'Default: 30 days before end_date.' }),
          end_date: DateOrDateTime.optional().openapi({ description: 'Default: now; later dates mean now.' }),
        }),
        'start_date',
        'end_date',
      ),
    },
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(RevenueSchema),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const now = Date.now();
    const end = Math.min(now, q.end_date ? timeOf(q.end_date, true) : now);
    const start = Math.min(end, q.start_date ? timeOf(q.start_date) : end - 30 * 86_400_000);
    return c.json(plain(c, await revenueMetrics(c.env, start, end)), 200);
  },
);
