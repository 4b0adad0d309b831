import { createRouter, defineRoute } from '../../../core/openapi';
import { principalOf, requireUser } from '../../../middleware/auth';
import { MeResponseSchema } from '../schemas';
import { getUser } from '../service';
import { meBody } from '../views';

const route = (path: string, seeds: string) =>
  defineRoute({
    method: 'get',
    path,
    tags: ['Auth'],
    summary: `The signed-in user (${seeds})`,
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
  meRoutes.openapi(route(path, seeds), async (c) =>
    c.json(meBody(c, await getUser(c.env, principalOf(c).userId)), 200),
  );
}
