import type { MiddlewareHandler } from 'hono';
import { getPath } from 'hono/utils/url';
import type { AppEnv } from '../env';

/** Whether the raw request path is under `/api/v2`, which the router serves from `/api`. */
export function isV2Path(pathname: string): boolean {
  return pathname === '/api/v2' || pathname.startsWith('/api/v2/');
}

/**
 * 002's versioning: `/api/v2/...` (the app routes it to `/api/...`) or `X-API-Version: 2`
 * selects the v2 envelope. Responses say which version answered.
 */
export const apiVersion: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('X-API-Version')?.trim();
  const v2 = isV2Path(getPath(c.req.raw)) || header === '2' || header === '2.0';
  c.set('apiVersion', v2 ? 2 : 1);
  await next();
  c.header('X-API-Version', v2 ? '2.0' : '1.0');
};
