import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { clearSessionCookie } from '../../../core/session-cookie';
import { principalOf, requireUser } from '../../../middleware/auth';
import { LogoutBody, LogoutResponseSchema } from '../schemas';
import { logout } from '../service';

const route = (path: string, seeds: string) =>
  defineRoute({
    method: 'post',
    path,
    tags: ['Auth'],
    summary: `Sign out (${seeds})`,
    description:
      "Ends the caller's session (or the session of the `refresh_token` sent, which must be the caller's). The access token (and 004's `auth_token` cookie, which is cleared) stops working on the very next request.",
    security: [{ bearerAuth: [] }],
    middleware: requireUser,
    request: { body: { content: { 'application/json': { schema: LogoutBody } }, required: false } },
    responses: {
      200: { description: 'Signed out.', content: { 'application/json': { schema: LogoutResponseSchema } } },
    },
  });

export const logoutRoutes = createRouter();
for (const [path, seeds] of [
  ['/api/v1/auth/logout', '000/001'],
  ['/api/auth/logout', '002'],
] as const) {
  logoutRoutes.openapi(route(path, seeds), async (c) => {
    const hasBody = (c.req.header('Content-Length') ?? '0') !== '0' || c.req.header('Transfer-Encoding');
    const body = hasBody ? c.req.valid('json') : {};
    const sessionId = await logout(c.env, principalOf(c), body.refresh_token, requestFacts(c));
    clearSessionCookie(c);
    const message = 'Signed out';
    return c.json(
      {
        success: true as const,
        message,
        data: { message, session_id: sessionId },
        meta: { timestamp: new Date().toISOString(), request_id: c.get('requestId') },
      },
      200,
    );
  });
}
