import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { setSessionCookie } from '../../../core/session-cookie';
import { AuthResponseSchema, LoginBody } from '../schemas';
import { defaultPortfolioId, login } from '../service';
import { authBody } from '../views';

const route = (path: string, seeds: string) =>
  defineRoute({
    method: 'post',
    path,
    tags: ['Auth'],
    summary: `Sign in (${seeds})`,
    description:
      'Email and password, plus `totp_code` when two-factor is on (400 INVALID_MFA_TOKEN with `details.mfa_required` when missing). Wrong credentials answer 401 INVALID_CREDENTIALS; after 5 failures in a row the account locks for 1 minute, doubling per further failure, and parallel guesses count as they run (at most 5 are compared). An unknown email, a locked account and a wrong password answer alike (401 INVALID_CREDENTIALS); a suspended account says so only to the right password (403). Rate limited per address: 5/minute and 10/hour. `/api/v1/auth/login` also sets the access token as the HttpOnly, Secure, SameSite=Lax `auth_token` cookie (Path=/api/v1) that 004’s paths accept.',
    request: { body: { content: { 'application/json': { schema: LoginBody } }, required: true } },
    responses: {
      200: { description: 'Signed in.', content: { 'application/json': { schema: AuthResponseSchema } } },
    },
  });

export const loginRoutes = createRouter();
for (const [path, seeds] of [
  ['/api/v1/auth/login', '000/001/004'],
  ['/api/auth/login', '002/003'],
] as const) {
  loginRoutes.openapi(route(path, seeds), async (c) => {
    const result = await login(c.env, c.req.valid('json'), requestFacts(c));
    // 004: the access token "in response body AND cookie".
    if (path === '/api/v1/auth/login') setSessionCookie(c, result.accessToken, result.expiresIn);
    return c.json(authBody(c, result, await defaultPortfolioId(c.env, result.user.id)), 200);
  });
}
