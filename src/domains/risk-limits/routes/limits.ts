import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { getLimits, setLimits } from '../service';

const common = { tags: ['Risk Management (002)'], security: [{ bearerAuth: [] }], middleware: requireUser };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});

const Limits = z
  .object({
    maxPositionSize: z.number().openapi({ description: 'Percent of equity one position may reach (0-100)' }),
    maxDailyLoss: z
      .number()
      .openapi({ description: 'Percent of the day-start equity; reached, new buys are refused (0-100)' }),
    maxDrawdown: z.number().openapi({
      description:
        "Percent below a bot's peak equity; reached, all your bots stop and an alert is raised (0-100)",
    }),
    maxLeverage: z.number().openapi({ description: 'Gross exposure / equity (1-10)' }),
  })
  .openapi('RiskLimits');

const LimitsBody = z
  .object({
    maxPositionSize: z.number().min(0).max(100).optional(),
    maxDailyLoss: z.number().min(0).max(100).optional(),
    maxDrawdown: z.number().min(0).max(100).optional(),
    maxLeverage: z.number().min(1).max(10).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one limit' })
  .openapi('RiskLimitsUpdate');

export const limitRoutes = createRouter();

limitRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/risk-management/limits',
    summary: 'Your risk limits (002); 002’s example values until you set your own',
    responses: { 200: json(Limits.extend({ isDefault: z.boolean() }), 'Limits.') },
  }),
  async (c) => c.json(plain(c, await getLimits(c.env, principalOf(c).userId)), 200),
);

limitRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/risk-management/limits',
    summary: 'Update your risk limits (002)',
    description:
      'Ranges: maxPositionSize, maxDailyLoss and maxDrawdown 0-100 (percent), maxLeverage 1.0-10.0. Limits not given keep their values. Enforced before every bot order and every manual order on behalf of a bot.',
    request: { body: { content: { 'application/json': { schema: LimitsBody } }, required: true } },
    responses: { 200: json(z.object({ status: z.literal('success'), limits: Limits }), 'Updated.') },
  }),
  async (c) => {
    const limits = await setLimits(c.env, principalOf(c).userId, c.req.valid('json'));
    return c.json(plain(c, { status: 'success' as const, limits }), 200);
  },
);
