import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { acknowledgeAlert } from '../services/alerting';

export const alertingAlertsAcknowledgeRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'post',
    path: '/api/alerting/alerts/{alert_id}/acknowledge',
    summary: 'Acknowledge an alert: someone is on it (002)',
    request: { params: z.object({ alert_id: z.string().min(1).max(64) }) },
    responses: {
      200: {
        description: 'Acknowledged (idempotent; audited).',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({ success: z.boolean(), message: z.string(), acknowledged_at: z.string() }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { alert_id } = c.req.valid('param');
    const result = await acknowledgeAlert(c.env, alert_id, {
      userId: principalOf(c).userId,
      requestId: c.get('requestId'),
    });
    return c.json(plain(c, result), 200);
  },
);
