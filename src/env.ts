import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import { z } from 'zod';
import type { RateLimitMeta } from './core/responses';

/** Who is calling. Filled by the auth middleware; absent for guests. */
export interface Principal {
  userId: string;
  role: 'user' | 'admin';
  tier: string;
}

export type AppVariables = RequestIdVariables &
  TimingVariables & {
    principal?: Principal;
    /** 2 when the client asked for 002's v2 envelope (`/api/v2/...` or `X-API-Version: 2.0`). */
    apiVersion: 1 | 2;
    /** The caller's rate-limit state once the limiter has decided, echoed in 001's meta. */
    rateLimit?: RateLimitMeta;
  };

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

const ConfigSchema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  CORS_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
  MARKET_DATA_MODE: z.enum(['replay', 'live']).default('replay'),
});

export type Config = z.infer<typeof ConfigSchema>;

const configCache = new WeakMap<object, Config>();

/**
 * The vars of wrangler.toml, checked once per env object. A misconfigured deployment fails
 * loudly on its first request instead of misbehaving quietly.
 */
export function config(env: Env): Config {
  let parsed = configCache.get(env);
  if (!parsed) {
    parsed = ConfigSchema.parse(env);
    configCache.set(env, parsed);
  }
  return parsed;
}
