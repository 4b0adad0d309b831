import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { BotCreateBody, BotPatchBody, BotSchema, botCreateInput, botView } from '../schemas';
import { createBot, deleteBot, getOwnedBot, listBots, updateBot } from '../service';

const common = { tags: ['Trading Bots (002)'], security: [{ bearerAuth: [] }], middleware: requireUser };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});
const IdParam = z.object({ id: z.string().max(64) });

export const botRoutes = createRouter();

botRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/bots',
    summary: 'Your trading bots (002)',
    responses: { 200: json(z.array(BotSchema), 'Bots, newest first.') },
  }),
  async (c) => c.json(plain(c, (await listBots(c.env, principalOf(c).userId)).map(botView)), 200),
);

botRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/bots',
    summary: 'Create a paper trading bot (002)',
    description:
      'A stopped bot with its own paper portfolio funded with initialBalance, written in one batch (send an Idempotency-Key to retry safely). Strategy parameters are validated per strategy; ml_adaptive needs an active trained model of the registry (422 naming it otherwise); mode live answers 400 (no exchange is connected).',
    request: { body: { content: { 'application/json': { schema: BotCreateBody } }, required: true } },
    responses: { 201: json(BotSchema, 'The new bot (stopped).') },
  }),
  async (c) =>
    c.json(
      plain(c, botView(await createBot(c.env, principalOf(c).userId, botCreateInput(c.req.valid('json'))))),
      201,
    ),
);

botRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/bots/{id}',
    summary: 'One of your bots',
    request: { params: IdParam },
    responses: { 200: json(BotSchema, 'The bot.') },
  }),
  async (c) =>
    c.json(plain(c, botView(await getOwnedBot(c.env, principalOf(c).userId, c.req.valid('param').id))), 200),
);

botRoutes.openapi(
  defineRoute({
    ...common,
    method: 'patch',
    path: '/api/bots/{id}',
    summary: "Change a stopped bot's settings",
    request: {
      params: IdParam,
      body: { content: { 'application/json': { schema: BotPatchBody } }, required: true },
    },
    responses: { 200: json(BotSchema, 'The updated bot.') },
  }),
  async (c) =>
    c.json(
      plain(
        c,
        botView(await updateBot(c.env, principalOf(c).userId, c.req.valid('param').id, c.req.valid('json'))),
      ),
      200,
    ),
);

botRoutes.openapi(
  defineRoute({
    ...common,
    method: 'delete',
    path: '/api/bots/{id}',
    summary: 'Delete a bot (stops it; its trades stay in the record)',
    request: { params: IdParam },
    responses: {
      200: json(z.object({ success: z.literal(true), message: z.string(), botId: z.string() }), 'Deleted.'),
    },
  }),
  async (c) => {
    const id = c.req.valid('param').id;
    await deleteBot(c.env, principalOf(c).userId, id);
    return c.json(plain(c, { success: true as const, message: 'Bot deleted', botId: id }), 200);
  },
);
