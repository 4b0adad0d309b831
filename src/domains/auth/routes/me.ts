import type { Context } from 'hono';
import type { UserCard } from '../../../../durable/user';
import { createRouter, defineRoute } from '../../../core/openapi';
import type { AppEnv } from '../../../env';
import { principalOf, requireUser } from '../../../middleware/auth';
import { CARD_PATHS } from '../card';
import { MeResponseSchema } from '../schemas';
import { readUserCard } from '../service';
import { meBody } from '../views';

/**
 * The signed-in user's card: the one their object handed over with this request's `authorize`,
 * else read from D1 and offered to the object, which keeps it unless a write forgot the card since.
 */
async function userCard(c: Context<AppEnv>, userId: string): Promise<UserCard> {
  const reply = c.get('userCard');
  if (reply && 'card' in reply) return reply.card;
  const card = await readUserCard(c.env, userId);
  if (reply) await c.env.USER.getByName(userId).rememberCard(card, reply.cardToken);
  return card;
}

const route = (path: string, seeds: string) =>
  defineRoute({
    method: 'get',
    path,
    tags: ['Auth'],
    summary: `The signed-in user (${seeds})`,
    description:
      "With `portfolio_id`, the user's default portfolio (made on first use; the one 003's paths use). 004's path also accepts the `auth_token` cookie.",
    security: [{ bearerAuth: [] }],
    middleware: requireUser,
    responses: {
      200: {
        description: 'The current user.',
        content: { 'application/json': { schema: MeResponseSchema } },
      },
    },
  });

export const meRoutes = createRouter();
for (const [path, seeds] of CARD_PATHS) {
  meRoutes.openapi(route(path, seeds), async (c) =>
    c.json(meBody(c, await userCard(c, principalOf(c).userId)), 200),
  );
}
