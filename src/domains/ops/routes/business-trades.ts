import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { DaysQuery, opsRoute, TradeMetricsSchema } from '../schemas';
import { tradeMetrics } from '../services/business';

export const businessTradesRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/trades',
    summary: 'Trades per day by portfolio mode, volume and traders (002)',
    request: { query: DaysQuery },
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(TradeMetricsSchema),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(plain(c, await tradeMetrics(c.env, q.days)), 200);
  },
);
