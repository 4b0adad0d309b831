import { TIERS } from './tiers';

/**
 * The rate-limit policy: the one table the limiter reads, combining the seeds. Where seeds
 * conflict the stricter limit wins, and where two limits on one path differ in window both
 * apply (login: 5 a minute from 002 and 10 an hour from 001).
 *
 * - `scope: 'address'` counts per client address (guests, and the sign-in endpoints);
 *   `scope: 'user'` per signed-in user or API key owner.
 * - `appliesTo`: `guest` (no credentials), `user` (signed in, not admin; admins are
 *   unlimited, 001/002), or `any` (everyone, admins included: the brute-force guards).
 */
export interface LimitRule {
  id: string;
  limit: number;
  windowSeconds: number;
  scope: 'address' | 'user';
  appliesTo: 'guest' | 'user' | 'any';
  method?: string;
  path?: RegExp;
  /** Where the number comes from. */
  source: string;
}

const MINUTE = 60;
const HOUR = 3600;

export const RATE_LIMIT_RULES: readonly LimitRule[] = [
  // Defaults.
  {
    id: 'guest.global',
    limit: 100,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'guest',
    source: '002 anonymous 100/hour (stricter than 001 guest global 1000/hour)',
  },
  {
    id: 'user.global',
    limit: 1000,
    windowSeconds: HOUR,
    scope: 'user',
    appliesTo: 'user',
    source: '002 authenticated 1000/hour x tier multiplier (stricter than 001 unlimited)',
  },
  // Guest categories (001) and the macro snapshot (000). The snapshot route is not served yet,
  // nor are 002's endpoints below; their rules wait here so the seeds' limits hold when they land.
  {
    id: 'guest.macro-snapshot',
    limit: 10,
    windowSeconds: MINUTE,
    scope: 'address',
    appliesTo: 'guest',
    method: 'GET',
    path: /^\/api\/v1\/macro\/current-snapshot$/,
    source: '000 macro snapshot 10/minute for guests',
  },
  {
    id: 'guest.macro-history',
    limit: 100,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'guest',
    method: 'GET',
    path: /^\/api\/v1\/macro\/history$/,
    source: '001 macro history 100/hour for guests',
  },
  {
    id: 'guest.sectors-allocation',
    limit: 50,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'guest',
    method: 'GET',
    path: /^\/api\/v1\/sectors\/allocation$/,
    source: '001 sector allocation 50/hour for guests',
  },
  {
    id: 'guest.dashboard-performance',
    limit: 20,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'guest',
    method: 'GET',
    path: /^\/api\/v1\/dashboard\/performance$/,
    source: '001 dashboard performance 20/hour for guests',
  },
  {
    id: 'guest.assets',
    limit: 500,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'guest',
    path: /^\/api\/v1\/assets(\/|$)/,
    source: '001 guest assets 500/hour',
  },
  {
    id: 'guest.signals',
    limit: 200,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'guest',
    path: /^\/api\/v1\/(signals|suggestions)(\/|$)/,
    source: '001 guest signals 200/hour',
  },
  {
    id: 'guest.heavy-analytics',
    limit: 50,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'guest',
    path: /^\/api\/v1\/(assets\/[^/]+\/analysis|price-data\/[^/]+\/(technical-indicators|support-resistance))$/,
    source: '001 guest heavy analytics 50/hour',
  },
  // Sign-in endpoints, per address, for everyone.
  {
    id: 'auth.login.minute',
    limit: 5,
    windowSeconds: MINUTE,
    scope: 'address',
    appliesTo: 'any',
    method: 'POST',
    path: /^\/api(\/v1)?\/auth\/login$/,
    source: '002 login 5/minute',
  },
  {
    id: 'auth.login.hour',
    limit: 10,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'any',
    method: 'POST',
    path: /^\/api(\/v1)?\/auth\/login$/,
    source: '001 login 10/hour per IP',
  },
  {
    id: 'auth.register.minute',
    limit: 5,
    windowSeconds: MINUTE,
    scope: 'address',
    appliesTo: 'any',
    method: 'POST',
    path: /^\/api(\/v1)?\/auth\/register$/,
    source: '002 register 5/minute',
  },
  {
    id: 'auth.register.hour',
    limit: 5,
    windowSeconds: HOUR,
    scope: 'address',
    appliesTo: 'any',
    method: 'POST',
    path: /^\/api(\/v1)?\/auth\/register$/,
    source: '001 register 5/hour per IP',
  },
  // Endpoint limits of 002, per user.
  ...(
    [
      ['backtesting.run', 'POST', /^\/api\/backtesting\/run$/, 10, MINUTE],
      ['integrations.predict', undefined, /^\/api\/integrations\/predict$/, 20, MINUTE],
      ['analytics.advanced', undefined, /^\/api\/analytics\/advanced(\/|$)/, 50, MINUTE],
      ['wallets', undefined, /^\/api\/wallets$/, 100, HOUR],
      ['wallets.refresh-balances', 'POST', /^\/api\/wallets\/refresh-balances$/, 20, HOUR],
      ['wallets.withdraw', 'POST', /^\/api\/wallets\/[^/]+\/withdraw$/, 10, HOUR],
      ['dex.quote', undefined, /^\/api\/dex\/quote$/, 60, MINUTE],
      ['dex.swap', 'POST', /^\/api\/dex\/swap$/, 20, HOUR],
      ['dex.trade-status', 'GET', /^\/api\/dex\/trades\/[^/]+\/status$/, 100, MINUTE],
      ['dex.trade-submit', 'POST', /^\/api\/dex\/trades\/[^/]+\/submit$/, 60, HOUR],
    ] as const
  ).map(
    ([id, method, path, limit, windowSeconds]): LimitRule => ({
      id,
      limit,
      windowSeconds,
      scope: 'user',
      appliesTo: 'user',
      ...(method ? { method } : {}),
      path,
      source: `002 ${id.replace('.', ' ')} ${limit}/${windowSeconds === MINUTE ? 'minute' : 'hour'}`,
    }),
  ),
];

/** Refresh-token use, counted per session inside the user's object (001: 50/hour per token). */
export const REFRESH_RULE = { id: 'auth.refresh', limit: 50, windowSeconds: HOUR } as const;

/** Paths never limited (002's exempt list, plus the public keys clients fetch to verify tokens). */
const EXEMPT = new Set([
  '/health',
  '/docs',
  '/redoc',
  '/openapi.json',
  '/favicon.ico',
  '/.well-known/jwks.json',
]);

export function isExempt(path: string): boolean {
  return EXEMPT.has(path);
}

export interface Bucket {
  rule: string;
  /** Storage key: the rule and, for per-user rules, nothing else (the object is the user). */
  key: string;
  limit: number;
  windowSeconds: number;
}

export type Caller = { kind: 'guest' } | { kind: 'user'; role: 'user' | 'admin'; tier: string };

function multiplier(tier: string): number {
  return TIERS.find((t) => t.code === tier)?.rateLimitMultiplier ?? 1;
}

function scaled(limit: number, scale: number): number {
  return Math.max(1, Math.round(limit * scale));
}

/**
 * The buckets one request draws from, split by the object that counts them. `scale`
 * multiplies every limit (RATE_LIMIT_SCALE; 1 in production, raised for load tests).
 */
export function bucketsFor(
  method: string,
  path: string,
  caller: Caller,
  scale = 1,
): { address: Bucket[]; user: Bucket[] } {
  const address: Bucket[] = [];
  const user: Bucket[] = [];
  if (isExempt(path)) return { address, user };
  const isAdmin = caller.kind === 'user' && caller.role === 'admin';
  for (const rule of RATE_LIMIT_RULES) {
    if (rule.method && rule.method !== method && !(rule.method === 'GET' && method === 'HEAD')) continue;
    if (rule.path && !rule.path.test(path)) continue;
    if (rule.appliesTo === 'guest' && caller.kind !== 'guest') continue;
    if (rule.appliesTo === 'user' && (caller.kind !== 'user' || isAdmin)) continue;
    const base =
      rule.id === 'user.global' && caller.kind === 'user' ? rule.limit * multiplier(caller.tier) : rule.limit;
    const bucket = {
      rule: rule.id,
      key: rule.id,
      limit: scaled(base, scale),
      windowSeconds: rule.windowSeconds,
    };
    (rule.scope === 'address' ? address : user).push(bucket);
  }
  return { address, user };
}

/** Every bucket a caller has, whatever the path: for the rate-limit status endpoints. */
export function bucketsForCaller(caller: Caller, scale = 1): { address: Bucket[]; user: Bucket[] } {
  const address: Bucket[] = [];
  const user: Bucket[] = [];
  const isAdmin = caller.kind === 'user' && caller.role === 'admin';
  for (const rule of RATE_LIMIT_RULES) {
    if (rule.appliesTo === 'guest' && caller.kind !== 'guest') continue;
    if (rule.appliesTo === 'user' && (caller.kind !== 'user' || isAdmin)) continue;
    const base =
      rule.id === 'user.global' && caller.kind === 'user' ? rule.limit * multiplier(caller.tier) : rule.limit;
    (rule.scope === 'address' ? address : user).push({
      rule: rule.id,
      key: rule.id,
      limit: scaled(base, scale),
      windowSeconds: rule.windowSeconds,
    });
  }
  return { address, user };
}

export function ruleById(id: string): LimitRule | undefined {
  return RATE_LIMIT_RULES.find((r) => r.id === id);
}
