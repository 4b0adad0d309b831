import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { DaysQuery, opsRoute, TradingActivitySchema } from '../schemas';
import { tradingActivity } from '../services/business';

export const businessTradingActivityRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/trading-activity',
    summary: 'Trading activity by mode, surface, asset type, asset and bot (002)',
    request: { query: DaysQuery },
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(TradingActivitySchema),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(plain(c, await tradingActivity(c.env, q.days)), 200);
  },
);
