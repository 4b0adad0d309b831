import { createRouter, defineRoute } from '../../../core/openapi';
import { principalOf, requireUser } from '../../../middleware/auth';
import { MeResponseSchema } from '../schemas';
import { currentUser } from '../service';
import { meBody } from '../views';

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
for (const [path, seeds] of [
  ['/api/v1/auth/me', '004'],
  ['/api/auth/me', '002/003'],
] as const) {
  meRoutes.openapi(route(path, seeds), async (c) => {
    const { user, portfolioId } = await currentUser(c.env, principalOf(c).userId);
    return c.json(meBody(c, user, portfolioId), 200);
  });
}
