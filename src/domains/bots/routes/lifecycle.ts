import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { BotActionSchema } from '../schemas';
import { startBot, stopBot } from '../service';
import { botStatus } from '../status';

const common = { tags: ['Trading Bots (002)'], security: [{ bearerAuth: [] }], middleware: requireUser };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});
const IdParam = z.object({ id: z.string().max(64) });

export const lifecycleRoutes = createRouter();

lifecycleRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/bots/{id}/start',
    summary: 'Start a bot (002): idempotent',
    description:
      'The bot decides at once on the last closed bar of its timeframe, then wakes at each bar close on the market clock. Starting a running bot changes nothing (changed: false).',
    request: { params: IdParam },
    responses: { 200: json(BotActionSchema, 'Running.') },
  }),
  async (c) => {
    const { bot, already } = await startBot(c.env, principalOf(c).userId, c.req.valid('param').id);
    return c.json(
      plain(c, {
        success: true as const,
        message: already ? 'Bot already running' : 'Bot started successfully',
        botId: bot.id,
        status: bot.status,
        changed: !already,
      }),
      200,
    );
  },
);

lifecycleRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/bots/{id}/stop',
    summary: 'Stop a bot (002): idempotent',
    request: { params: IdParam },
    responses: { 200: json(BotActionSchema, 'Stopped.') },
  }),
  async (c) => {
    const { bot, already } = await stopBot(c.env, principalOf(c).userId, c.req.valid('param').id);
    return c.json(
      plain(c, {
        success: true as const,
        message: already ? 'Bot already stopped' : 'Bot stopped successfully',
        botId: bot.id,
        status: bot.status,
        changed: !already,
      }),
      200,
    );
  },
);

const Decision = z.object({
  bar: z.string(),
  action: z.string(),
  reason: z.string(),
  orderId: z.string().nullable(),
  tradeId: z.string().nullable(),
  decidedAt: z.string().openapi({ description: 'Market time of the decision' }),
});

lifecycleRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/bots/{id}/status',
    summary: "A bot's schedule, account and latest decisions",
    request: { params: IdParam },
    responses: {
      200: json(
        z.object({
          botId: z.string(),
          status: z.enum(['stopped', 'running']),
          nextAlarm: z.string().nullable(),
          equity: z.number(),
          cash: z.number(),
          positionAmount: z.number(),
          avgCost: z.number(),
          price: z.number().nullable(),
          pnl: z.number(),
          pnlPercent: z.number(),
          peakEquity: z.number().nullable(),
          decisions: z.array(Decision),
          asOf: z.string(),
        }),
        'Status.',
      ),
    },
  }),
  async (c) => c.json(plain(c, await botStatus(c.env, principalOf(c).userId, c.req.valid('param').id)), 200),
);
