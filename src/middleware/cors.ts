import type { MiddlewareHandler } from 'hono';
import { cors as honoCors } from 'hono/cors';
import type { AppEnv } from '../env';
import { config } from '../env';

const ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-API-Key',
  'X-API-Version',
  'X-Request-Id',
  'X-Requested-With',
  'X-D1-Bookmark',
];

const EXPOSE_HEADERS = [
  'X-Request-Id',
  'X-API-Version',
  'Server-Timing',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'X-Total-Count',
  'Link',
  'Idempotent-Replayed',
  'ETag',
  'X-D1-Bookmark',
];

const built = new WeakMap<string[], MiddlewareHandler>();

/** Hono's CORS middleware for one allow-list, built once (config keeps the list's identity). */
function corsFor(allowed: string[]): MiddlewareHandler {
  let handler = built.get(allowed);
  if (!handler) {
    const any = allowed.includes('*');
    handler = honoCors({
      origin: (origin) => (any ? '*' : allowed.includes(origin) ? origin : null),
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ALLOW_HEADERS,
      exposeHeaders: EXPOSE_HEADERS,
      credentials: !any,
      maxAge: 86_400,
    });
    built.set(allowed, handler);
  }
  return handler;
}

/**
 * CORS from the `CORS_ALLOWED_ORIGINS` allow-list. An origin not on the list gets no
 * `Access-Control-Allow-Origin`, so browsers refuse it; `*` opens the API to any origin.
 * A request without an `Origin` (not a browser's cross-origin call: servers, the SDKs, curl)
 * gets no CORS headers, only the `Vary: Origin` a shared cache needs; Hono's middleware would
 * add its headers before the answer exists, making a placeholder response and copying its
 * headers on every request.
 */
export const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const allowed = config(c.env).CORS_ALLOWED_ORIGINS;
  if (c.req.method === 'OPTIONS' || c.req.header('Origin')) return corsFor(allowed)(c, next);
  await next();
  if (!allowed.includes('*')) c.header('Vary', 'Origin', { append: true });
};
