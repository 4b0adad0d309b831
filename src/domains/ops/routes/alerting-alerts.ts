import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { OpsAlertSchema, opsRoute, SeverityQuery } from '../schemas';
import { activeAlerts } from '../services/alerting';

export const alertingAlertsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'get',
    path: '/api/alerting/alerts',
    summary: 'Firing alerts, newest first (002)',
    request: { query: SeverityQuery },
    responses: {
      200: {
        description: 'Firing alerts.',
        content: { 'application/json': { schema: plainOrV2Schema(z.array(OpsAlertSchema)) } },
      },
    },
  }),
  async (c) => c.json(plain(c, await activeAlerts(c.env, c.req.valid('query').severity)), 200),
);
