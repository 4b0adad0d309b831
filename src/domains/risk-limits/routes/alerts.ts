import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { acknowledgeRiskAlert, listRiskAlerts, type RiskAlertRow } from '../service';

const common = { tags: ['Risk Management (002)'], security: [{ bearerAuth: [] }], middleware: requireUser };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});

const Alert = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'MAX_DRAWDOWN' }),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    message: z.string(),
    timestamp: z.string(),
    acknowledged: z.boolean(),
    acknowledgedAt: z.string().nullable(),
    botId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('RiskAlert');

const view = (a: RiskAlertRow): z.infer<typeof Alert> => ({
  id: a.id,
  type: a.type,
  severity: a.severity,
  message: a.message,
  timestamp: a.createdAt,
  acknowledged: a.acknowledged,
  acknowledgedAt: a.acknowledgedAt,
  botId: a.botId,
  data: a.data,
});

export const alertRoutes = createRouter();

alertRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/risk-management/alerts',
    summary: 'Your risk alerts, newest first (002)',
    request: {
      query: z.object({
        acknowledged: z
          .enum(['true', 'false'])
          .optional()
          .openapi({ description: 'Default: unacknowledged (active) only' }),
        all: z.enum(['true', 'false']).optional().openapi({ description: 'true: acknowledged ones too' }),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    responses: { 200: json(z.array(Alert), 'Alerts.') },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const acknowledged = q.all === 'true' ? undefined : q.acknowledged === 'true';
    const rows = await listRiskAlerts(c.env, principalOf(c).userId, {
      acknowledged,
      limit: q.limit,
      offset: q.offset,
    });
    return c.json(plain(c, rows.map(view)), 200);
  },
);

alertRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/risk-management/alerts/{id}/acknowledge',
    summary: 'Acknowledge a risk alert (002)',
    request: { params: z.object({ id: z.string().max(64) }) },
    responses: {
      200: json(
        z.object({ id: z.string(), acknowledged: z.literal(true), acknowledgedAt: z.string() }),
        'Acknowledged.',
      ),
    },
  }),
  async (c) => {
    const a = await acknowledgeRiskAlert(c.env, principalOf(c).userId, c.req.valid('param').id);
    return c.json(
      plain(c, {
        id: a.id,
        acknowledged: true as const,
        acknowledgedAt: a.acknowledgedAt ?? new Date().toISOString(),
      }),
      200,
    );
  },
);
