import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute, SEVERITIES } from '../schemas';
import { ALERT_METRIC_NAMES, ALERT_METRICS } from '../services/alert-metrics';
import { upsertRule } from '../services/alerting';

const RuleBody = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9_.-]+$/, 'lowercase letters, digits, _ . -'),
    metric: z.enum(ALERT_METRIC_NAMES).openapi({
      description: Object.entries(ALERT_METRICS)
        .map(([k, v]) => `\`${k}\`: ${v}`)
        .join('; '),
    }),
    threshold: z.number().finite(),
    operator: z.enum(['gt', 'gte', 'lt', 'lte', 'eq']).default('gt'),
    severity: z.enum(SEVERITIES).default('medium'),
    channels: z
      .array(z.enum(['in_app', 'email', 'push', 'slack']))
      .max(4)
      .default(['in_app']),
    duration: z
      .number()
      .int()
      .min(60)
      .max(86_400)
      .default(300)
      .openapi({ description: 'Window in seconds (≥ 60).' }),
    cooldown: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(600),
    description: z.string().max(500).optional(),
    enabled: z.boolean().default(true),
  })
  .strict();

export const alertingRulesCreateRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'post',
    path: '/api/alerting/rules',
    summary: 'Create an alert rule, or replace the one with that name (002)',
    request: { body: { required: true, content: { 'application/json': { schema: RuleBody } } } },
    responses: {
      200: {
        description: 'Saved; evaluated from the next minute on.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({ success: z.boolean(), rule: z.string(), created: z.boolean() }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const result = await upsertRule(c.env, body, {
      userId: principalOf(c).userId,
      requestId: c.get('requestId'),
    });
    return c.json(plain(c, result), 200);
  },
);
