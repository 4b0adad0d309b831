import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { AuthResponseSchema, RegisterBody } from '../schemas';
import { defaultPortfolioId, register } from '../service';
import { authBody } from '../views';

const route = (path: string, seeds: string) =>
  defineRoute({
    method: 'post',
    path,
    tags: ['Auth'],
    summary: `Register a new account (${seeds})`,
    description:
      'Creates a `user`-role, `free`-tier account (neither can be chosen here) and signs it in. A taken email answers 409 INTEGRITY_ERROR. Rate limited per address: 5/minute and 5/hour.',
    request: { body: { content: { 'application/json': { schema: RegisterBody } }, required: true } },
    responses: {
      201: {
        description: 'Registered and signed in.',
        content: { 'application/json': { schema: AuthResponseSchema } },
      },
      409: { description: 'Email already registered.' },
    },
  });

export const registerRoutes = createRouter();
for (const [path, seeds] of [
  ['/api/v1/auth/register', '000/001/004'],
  ['/api/auth/register', '002/003'],
] as const) {
  registerRoutes.openapi(route(path, seeds), async (c) => {
    const result = await register(c.env, c.req.valid('json'), requestFacts(c));
    return c.json(authBody(c, result, await defaultPortfolioId(c.env, result.user.id)), 201);
  });
}
