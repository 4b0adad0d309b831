import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { AcquisitionSchema, DaysQuery, opsRoute } from '../schemas';
import { userAcquisition } from '../services/business';

export const businessUserAcquisitionRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/user-acquisition',
    summary: 'Daily registrations and registering clients (002)',
    request: { query: DaysQuery },
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(AcquisitionSchema),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(plain(c, await userAcquisition(c.env, q.days)), 200);
  },
);
