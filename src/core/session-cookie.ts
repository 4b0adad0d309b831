import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ApiError } from './errors';
import { surfaceOf } from './surfaces';

/**
 * Seed 004's login and refresh return the access token "in response body AND cookie"
 * (an HttpOnly cookie; the name is SigmaSight's). The cookie holds the same access JWT as the
 * body, so the session behind it is the same session: logout, terminate and every other
 * revocation end it on the next request.
 */
export const SESSION_COOKIE = 'auth_token';

/** Sent to 004's paths (all under /api/v1) and no further. */
const COOKIE_PATH = '/api/v1';

/** 004's auth paths that read the cookie besides its namespaces. */
const COOKIE_AUTH_PATHS = new Set(['/api/v1/auth/me', '/api/v1/auth/refresh', '/api/v1/auth/logout']);

/** The header a cookie-authenticated write must carry (OWASP's custom request header defence). */
export const CSRF_HEADER = 'X-Requested-With';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether `path` accepts the session cookie as authentication: 004's paths only. */
export function acceptsSessionCookie(path: string): boolean {
  return surfaceOf(path) === 'fastapi' || COOKIE_AUTH_PATHS.has(path);
}

/** The access token in the session cookie, when this path accepts it and the client sent one. */
export function sessionCookieToken(c: Context): string | null {
  if (!acceptsSessionCookie(c.req.path)) return null;
  return getCookie(c, SESSION_COOKIE)?.trim() || null;
}

/**
 * CSRF protection for a request authenticated by the cookie (a browser attaches cookies to
 * requests other sites make). A write must carry `X-Requested-With`: a cross-origin page can
 * only add a custom header after a CORS preflight, which only `CORS_ALLOWED_ORIGINS` pass, and
 * SameSite=Lax already keeps the cookie off cross-site POSTs. An `Origin` that is neither this
 * origin nor on the allow-list is refused too (defence in depth). Reads are not checked.
 */
export function assertCookieWriteAllowed(c: Context, allowedOrigins: string[]): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  if (!c.req.header(CSRF_HEADER)?.trim()) {
    throw new ApiError('AUTHORIZATION_ERROR', `Cookie-authenticated writes need the ${CSRF_HEADER} header`, {
      suggestion: `Send "${CSRF_HEADER}: XMLHttpRequest", or authenticate with "Authorization: Bearer <token>".`,
    });
  }
  const origin = c.req.header('Origin');
  if (origin && origin !== new URL(c.req.url).origin && !allowedOrigins.includes(origin)) {
    throw new ApiError('AUTHORIZATION_ERROR', `Origin ${origin} may not make cookie-authenticated writes`);
  }
}

/** Sets the cookie to the access token: HttpOnly, Secure, SameSite=Lax, for the token's lifetime. */
export function setSessionCookie(c: Context, accessToken: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, accessToken, {
    path: COOKIE_PATH,
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
    maxAge: maxAgeSeconds,
  });
}

/** Expires the cookie (logout). */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, httpOnly: true, secure: true, sameSite: 'Lax' });
}
