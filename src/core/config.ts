import { z } from 'zod';

/** DEX_ROUTER_ALLOWLIST's JSON: per chain id, per aggregator, the allowed contract addresses. */
const RouterAllowlist = z.record(
  z.string().regex(/^\d+$/),
  z.partialRecord(z.enum(['0x', 'okx', 'rubic']), z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/))),
);

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
  JWT_ISSUER: z.string().min(1).default('https://api.meridian.dev'),
  JWT_AUDIENCE: z.string().min(1).default('meridian-api'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(2_592_000),
  RATE_LIMIT_SCALE: z.coerce.number().positive().default(1),
  REPLAY_START: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .default('2024-01-01'),
  REPLAY_SPEED: z.coerce.number().positive().default(60),
  /** How long an isolate keeps a quote or an asset it read for the hottest public reads (ms; 0: off). */
  READ_MEMO_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(50).default(50),
  WS_MAX_MESSAGE_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(4096),
  WS_MESSAGES_PER_MINUTE: z.coerce.number().int().positive().default(120),
  WS_MAX_STRIKES: z.coerce.number().int().positive().default(5),
  WS_SHARD_CAPACITY: z.coerce.number().int().positive().default(5000),
  WS_RESUME_BUFFER: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Push egress allow-list: host names, `.suffix` patterns, or `*` for any public host. */
  PUSH_ALLOWED_HOSTS: z
    .string()
    .default(
      'fcm.googleapis.com,android.googleapis.com,updates.push.services.mozilla.com,.push.services.mozilla.com,web.push.apple.com,.push.apple.com,.notify.windows.com',
    )
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    ),
  WS_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Wallets: how long a new withdrawal destination waits before it can receive. */
  WITHDRAWAL_COOLING_OFF_SECONDS: z.coerce.number().int().min(0).default(86_400),
  /** Wallets: most one withdrawal may move, in USD at market prices. */
  WITHDRAWAL_MAX_USD: z.coerce.number().positive().default(25_000),
  /** Wallets: most one user may withdraw in a rolling 24 hours, in USD. */
  WITHDRAWAL_DAILY_LIMIT_USD: z.coerce.number().positive().default(50_000),
  /** DEX: swaps worth more than this (USD) need a two-factor code (002: $100). */
  DEX_2FA_THRESHOLD_USD: z.coerce.number().min(0).default(100),
  /**
   * DEX: contracts a swap may call or approve, per chain and aggregator, as JSON
   * `{"<chain_id>": {"0x"|"okx"|"rubic": ["0x...", ...]}}`; each entry given replaces the built-in
   * one (0x's AllowanceHolder on the seven chains). An aggregator with no entry for a chain is refused.
   */
  DEX_ROUTER_ALLOWLIST: z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      let raw: unknown;
      try {
        raw = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'DEX_ROUTER_ALLOWLIST must be JSON' });
        return z.NEVER;
      }
      const parsed = RouterAllowlist.safeParse(raw);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'DEX_ROUTER_ALLOWLIST: {"<chain_id>": {"0x": ["0x..."]}}' });
        return z.NEVER;
      }
      return parsed.data;
    }),
});

export type Config = z.infer<typeof ConfigSchema>;

const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as (keyof typeof ConfigSchema.shape)[];
const byEnv = new WeakMap<object, Config>();
const byValues = new Map<string, Config>();

/**
 * The vars of wrangler.toml, checked once per set of values. A misconfigured deployment fails
 * loudly on its first request instead of misbehaving quietly. Cached by the env object and,
 * when a runtime hands each request its own env, by the vars' values (a zod parse of the
 * whole schema per request cost `/health` a third of its time).
 */
export function config(env: Env): Config {
  const hit = byEnv.get(env);
  if (hit) return hit;
  const vars = env as unknown as Record<string, unknown>;
  const key = CONFIG_KEYS.map((k) => String(vars[k] ?? '\u0001')).join('\u0000');
  let parsed = byValues.get(key);
  if (!parsed) {
    parsed = ConfigSchema.parse(env);
    if (byValues.size >= 16) byValues.clear();
    byValues.set(key, parsed);
  }
  byEnv.set(env, parsed);
  return parsed;
}
