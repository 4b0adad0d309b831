import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { type PaginationMeta, PaginationMetaSchema } from './pagination';

const RateLimitMetaSchema = z.object({
  limit: z.number().int(),
  remaining: z.number().int(),
  reset_at: z.string(),
});

/** 001's success envelope around `data`. */
export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({
    success: z.literal(true),
    data,
    meta: z.object({
      timestamp: z.string(),
      request_id: z.string(),
      user_context: z.enum(['guest', 'logged', 'admin']),
      rate_limit: RateLimitMetaSchema.optional(),
      pagination: PaginationMetaSchema.optional(),
    }),
  });
}

/** 002's v2 envelope around `data`. */
export function v2EnvelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({
    success: z.literal(true),
    data,
    meta: z.object({
      timestamp: z.string(),
      version: z.literal('2.0'),
      request_id: z.string(),
      pagination: PaginationMetaSchema.optional(),
    }),
  });
}

/** A 002/003-style body: plain, or in the v2 envelope when the client asked for v2. */
export function plainOrV2Schema<T extends z.ZodType>(data: T) {
  return z.union([data, v2EnvelopeSchema(data)]);
}

export type RateLimitMeta = z.infer<typeof RateLimitMetaSchema>;

function userContext(c: Context<AppEnv>): 'guest' | 'logged' | 'admin' {
  const principal = c.get('principal');
  if (!principal) return 'guest';
  return principal.role === 'admin' ? 'admin' : 'logged';
}

/** Wraps `data` in 001's envelope for 000/001 paths. */
export function envelope<T>(c: Context<AppEnv>, data: T, options: { pagination?: PaginationMeta } = {}) {
  const rateLimit = c.get('rateLimit');
  return {
    success: true as const,
    data,
    meta: {
      timestamp: new Date().toISOString(),
      request_id: c.get('requestId'),
      user_context: userContext(c),
      ...(rateLimit ? { rate_limit: rateLimit } : {}),
      ...(options.pagination ? { pagination: options.pagination } : {}),
    },
  };
}

/** `data` as 002/003 show it, or in 002's v2 envelope for `/api/v2/...` and `X-API-Version: 2.0`. */
export function plain<T>(c: Context<AppEnv>, data: T, options: { pagination?: PaginationMeta } = {}) {
  if (c.get('apiVersion') !== 2) return data;
  return {
    success: true as const,
    data,
    meta: {
      timestamp: new Date().toISOString(),
      version: '2.0' as const,
      request_id: c.get('requestId'),
      ...(options.pagination ? { pagination: options.pagination } : {}),
    },
  };
}

/**
 * Marks a response that carries credentials (tokens, a new API key, a TOTP secret):
 * `Cache-Control: no-store` (RFC 6749 §5.1), which also keeps it out of the idempotency
 * store, so no copy of a secret outlives the response.
 */
export function carriesCredentials(c: Context<AppEnv>): void {
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
}

/** Whether a response asked not to be stored (see `carriesCredentials`). */
export function isNoStore(res: Response): boolean {
  return /(^|,)\s*no-store\s*(,|$)/i.test(res.headers.get('Cache-Control') ?? '');
}
