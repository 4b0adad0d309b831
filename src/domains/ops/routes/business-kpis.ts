import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { KpisSchema, opsRoute } from '../schemas';
import { kpis } from '../services/business';

export const businessKpisRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: business metrics'),
    method: 'get',
    path: '/api/business-metrics/kpis',
    summary: 'KPIs against the previous period, with growth rates (002)',
    request: { query: z.object({ period_days: z.coerce.number().int().min(1).max(365).default(30) }) },
    responses: {
      200: {
        description: 'Computed from the users, activity, trades and subscription-event tables.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(KpisSchema),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(plain(c, await kpis(c.env, q.period_days)), 200);
  },
);
