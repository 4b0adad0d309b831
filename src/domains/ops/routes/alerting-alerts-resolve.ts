import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { resolveByRule } from '../services/alerting';

export const alertingAlertsResolveRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'post',
    path: '/api/alerting/alerts/{rule_name}/resolve',
    summary: 'Resolve the firing alert of a rule (or an alert id) (002)',
    description: 'The rule then cools down before it may fire again. 404 when nothing fires for it.',
    request: { params: z.object({ rule_name: z.string().min(1).max(64) }) },
    responses: {
      200: {
        description: 'Resolved (audited).',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({ success: z.boolean(), message: z.string(), alert_id: z.string() }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { rule_name } = c.req.valid('param');
    const result = await resolveByRule(c.env, rule_name, {
      userId: principalOf(c).userId,
      requestId: c.get('requestId'),
    });
    return c.json(plain(c, result), 200);
  },
);
