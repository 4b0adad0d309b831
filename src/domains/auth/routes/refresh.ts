import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { setSessionCookie } from '../../../core/session-cookie';
import { AuthResponseSchema, RefreshBody } from '../schemas';
import { defaultPortfolioId, refresh } from '../service';
import { authBody } from '../views';

const route = (path: string, seeds: string) =>
  defineRoute({
    method: 'post',
    path,
    tags: ['Auth'],
    summary: `Refresh tokens (${seeds})`,
    description:
      'With `refresh_token` (001): a new access token and a new refresh token; the old refresh token stops working, and presenting it again revokes the whole session. With no body but a valid bearer token or `auth_token` cookie (004): a new access token for the same session, also set as the cookie. 50/hour per session.',
    request: { body: { content: { 'application/json': { schema: RefreshBody } }, required: false } },
    responses: {
      200: { description: 'New tokens.', content: { 'application/json': { schema: AuthResponseSchema } } },
    },
  });

export const refreshRoutes = createRouter();
for (const [path, seeds] of [
  ['/api/v1/auth/refresh', '000/001/004'],
  ['/api/auth/refresh', '002'],
] as const) {
  refreshRoutes.openapi(route(path, seeds), async (c) => {
    const hasBody = (c.req.header('Content-Length') ?? '0') !== '0' || c.req.header('Transfer-Encoding');
    const body = hasBody ? c.req.valid('json') : {};
    const result = await refresh(
      c.env,
      { refreshToken: body.refresh_token, principal: c.get('principal') },
      requestFacts(c),
    );
    // 004: "returns new token in body AND cookie".
    if (path === '/api/v1/auth/refresh') setSessionCookie(c, result.accessToken, result.expiresIn);
    return c.json(authBody(c, result, await defaultPortfolioId(c.env, result.user.id)), 200);
  });
}
