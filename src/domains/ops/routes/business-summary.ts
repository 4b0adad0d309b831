import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { BusinessSummarySchema, opsRoute } from '../schemas';
import { businessSummary } from '../services/business';

export const businessSummaryRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/summary',
    summary: 'Users, trades per day and revenue in one view (002)',
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(BusinessSummarySchema),
          },
        },
      },
    },
  }),
  async (c) => {
    return c.json(plain(c, await businessSummary(c.env)), 200);
  },
);
