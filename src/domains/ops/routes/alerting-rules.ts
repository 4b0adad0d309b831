import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { AlertRuleSchema, opsRoute } from '../schemas';
import { listRules } from '../services/alerting';

export const alertingRulesRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'get',
    path: '/api/alerting/rules',
    summary: 'Alert rules with their last evaluation and trigger counts (002)',
    responses: {
      200: {
        description: 'Rules by name.',
        content: { 'application/json': { schema: plainOrV2Schema(z.array(AlertRuleSchema)) } },
      },
    },
  }),
  async (c) => c.json(plain(c, await listRules(c.env)), 200),
);
