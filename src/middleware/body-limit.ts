import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { ApiError } from '../core/errors';
import type { AppEnv } from '../env';
import { config } from '../env';

/**
 * Refuses bodies over `MAX_BODY_BYTES` with 413, by Content-Length when sent and by counting
 * the stream otherwise, before any handler reads them.
 */
export const bodyLimit: MiddlewareHandler<AppEnv> = (c, next) => {
  const maxSize = config(c.env).MAX_BODY_BYTES;
  return honoBodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('PAYLOAD_TOO_LARGE', `Request body exceeds ${maxSize} bytes`);
    },
  })(c, next);
};
