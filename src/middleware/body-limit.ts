import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { ApiError } from '../core/errors';
import type { AppEnv } from '../env';
import { config } from '../env';

const built = new Map<number, MiddlewareHandler>();

/** Hono's body limit for one size, built once. */
function limitFor(maxSize: number): MiddlewareHandler {
  let handler = built.get(maxSize);
  if (!handler) {
    handler = honoBodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE', `Request body exceeds ${maxSize} bytes`);
      },
    });
    built.set(maxSize, handler);
  }
  return handler;
}

/**
 * Refuses bodies over `MAX_BODY_BYTES` with 413, by Content-Length when sent and by counting
 * the stream otherwise, before any handler reads them.
 */
export const bodyLimit: MiddlewareHandler<AppEnv> = (c, next) =>
  limitFor(config(c.env).MAX_BODY_BYTES)(c, next);
