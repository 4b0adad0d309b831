import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { OpsAlertSchema, opsRoute, SeverityQuery } from '../schemas';
import { alertHistory } from '../services/alerting';

export const alertingAlertsHistoryRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'get',
    path: '/api/alerting/alerts/history',
    summary: 'Every alert, firing or resolved, newest first (002)',
    request: {
      query: SeverityQuery.extend({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    },
    responses: {
      200: {
        description: 'Alerts.',
        content: { 'application/json': { schema: plainOrV2Schema(z.array(OpsAlertSchema)) } },
      },
    },
  }),
  async (c) => {
    const { limit, severity } = c.req.valid('query');
    return c.json(plain(c, await alertHistory(c.env, limit, severity)), 200);
  },
);
