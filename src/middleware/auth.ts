import type { Context, MiddlewareHandler } from 'hono';
import type { BucketState, LimitDecision } from '../../durable/lib/rate-limiter';
import { consumeAddress } from '../core/address-limits';
import { clientAddress } from '../core/client';
import { ApiError } from '../core/errors';
import { permissionsFor } from '../core/permissions';
import { bucketsFor, isExempt } from '../core/rate-limits';
import { assertCookieWriteAllowed, sessionCookieToken } from '../core/session-cookie';
import { verifyAccessToken } from '../core/tokens';
import { isApiKey, principalForApiKey } from '../domains/api-keys/service';
import { CARD_PATHS } from '../domains/auth/card';
import { PORTFOLIO_LIST_PATHS } from '../domains/portfolios/services/held-lists';
import { type AppEnv, config, type Principal } from '../env';

/**
 * The caller's credential: `Authorization: Bearer`, else `X-API-Key`, else (on 004's paths
 * only) the session cookie 004's login sets. Headers win, so bearer clients are unaffected.
 */
function credentialOf(c: Context): { credential: string; fromCookie: boolean } | null {
  const header = c.req.header('Authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new ApiError('INVALID_TOKEN', 'Authorization must be "Bearer <token>"');
    return { credential: match[1], fromCookie: false };
  }
  const apiKey = c.req.header('X-API-Key')?.trim();
  if (apiKey) return { credential: apiKey, fromCookie: false };
  const cookie = sessionCookieToken(c);
  return cookie ? { credential: cookie, fromCookie: true } : null;
}

/** The bucket that binds first: least remaining, then soonest reset. */
function binding(states: BucketState[]): BucketState | undefined {
  return [...states].sort((a, b) => a.remaining - b.remaining || a.resetAt - b.resetAt)[0];
}

function setLimitHeaders(c: Context<AppEnv>, states: BucketState[], nowS: number): void {
  const tight = binding(states);
  if (!tight) return;
  c.header('X-RateLimit-Limit', String(tight.limit));
  c.header('X-RateLimit-Remaining', String(tight.remaining));
  c.header('X-RateLimit-Reset', String(tight.resetAt));
  // IETF httpapi-ratelimit-headers: one policy item per bucket, the tightest one reported.
  c.header('RateLimit-Policy', states.map((s) => `"${s.rule}";q=${s.limit};w=${s.windowSeconds}`).join(', '));
  c.header(
    'RateLimit',
    `"${tight.rule}";r=${tight.remaining};t=${Math.max(0, Math.ceil(tight.resetAt - nowS))}`,
  );
}

/**
 * The principal a bearer credential (access JWT or API key) stands for, checked as every
 * request checks it: signature, issuer, audience and expiry for a JWT; status and the scope
 * `method` needs for an API key. Throws our ApiError otherwise. The session's liveness is
 * the user object's to say (`authorize`, or the live upgrade). The live WebSocket routes
 * use it too, so sockets and requests authenticate the same way.
 */
export async function principalFor(
  env: Env,
  credential: string,
  method: string,
): Promise<{ principal: Principal; touch?: Promise<unknown> }> {
  if (isApiKey(credential)) {
    const resolved = await principalForApiKey(env, credential);
    if (resolved.status !== 'active') throw new ApiError('AUTHORIZATION_ERROR', 'This account is not active');
    const needed = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    if (!resolved.principal.scopes.includes(needed)) {
      throw new ApiError('AUTHORIZATION_ERROR', `This API key lacks the "${needed}" scope`);
    }
    return { principal: resolved.principal, ...(resolved.touch ? { touch: resolved.touch } : {}) };
  }
  const claims = await verifyAccessToken(env, credential);
  return {
    principal: {
      userId: claims.user_id,
      email: claims.email,
      role: claims.role,
      tier: claims.tier,
      sessionId: claims.sid,
      scopes: claims.permissions,
    },
  };
}

/**
 * Who is calling, and may they? Verifies the bearer JWT or API key, asks the caller's
 * Durable Object (the user's, or the client address's for guests) whether the session is
 * still live and the request fits the rate limits, in one call, then sets `principal`
 * and the rate-limit headers. Exempt paths skip all of it.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (isExempt(c.req.path) || c.req.method === 'OPTIONS') return next();
  const env = c.env;
  const presented = credentialOf(c);
  if (presented?.fromCookie) assertCookieWriteAllowed(c, config(env).CORS_ALLOWED_ORIGINS);
  let principal: Principal | undefined;
  let fallbackProfile: Parameters<ReturnType<typeof env.USER.getByName>['authorize']>[0]['fallbackProfile'];

  if (presented) {
    const resolved = await principalFor(env, presented.credential, c.req.method);
    principal = resolved.principal;
    if (principal.apiKeyId) fallbackProfile = { ...principal, status: 'active' };
    if (resolved.touch) c.executionCtx.waitUntil(resolved.touch);
  }

  const caller = principal
    ? { kind: 'user' as const, role: principal.role, tier: principal.tier }
    : { kind: 'guest' as const };
  const buckets = bucketsFor(c.req.method, c.req.path, caller, config(env).RATE_LIMIT_SCALE);
  const [addressDecision, userResult] = await Promise.all([
    buckets.address.length
      ? consumeAddress(env, clientAddress(c), buckets.address)
      : Promise.resolve<LimitDecision>({ allowed: true, buckets: [] }),
    principal
      ? env.USER.getByName(principal.userId).authorize({
          ...(principal.sessionId ? { sessionId: principal.sessionId } : {}),
          method: c.req.method,
          path: c.req.path,
          ...(fallbackProfile ? { fallbackProfile } : {}),
          ...(CARD_PATHS.has(c.req.path) ? { withCard: true } : {}),
          ...(c.req.method === 'GET' && PORTFOLIO_LIST_PATHS.has(c.req.path)
            ? { withPortfoliosToken: true }
            : {}),
        })
      : null,
  ]);

  let decision = addressDecision;
  if (principal && userResult) {
    if (userResult.status === 'disabled')
      throw new ApiError('AUTHORIZATION_ERROR', 'This account is not active');
    if (userResult.status !== 'ok') {
      throw new ApiError(
        'INVALID_TOKEN',
        `Session is ${userResult.status === 'unknown' ? 'not valid' : userResult.status}`,
      );
    }
    // The object's copy of role and tier is current; the token's may predate an admin change.
    if (!principal.apiKeyId) {
      principal = {
        ...principal,
        role: userResult.profile.role,
        tier: userResult.profile.tier,
        scopes: permissionsFor(userResult.profile.role),
      };
    }
    decision = {
      allowed: addressDecision.allowed && userResult.decision.allowed,
      buckets: [...addressDecision.buckets, ...userResult.decision.buckets],
    };
  }

  const nowS = Date.now() / 1000;
  setLimitHeaders(c, decision.buckets, nowS);
  if (!decision.allowed) {
    const exhausted = decision.buckets.filter((b) => b.remaining <= 0);
    const retryAfter = Math.max(1, Math.ceil(Math.max(...exhausted.map((b) => b.resetAt)) - nowS));
    throw new ApiError('RATE_LIMIT_EXCEEDED', 'Too many requests. Please wait before retrying.', {
      headers: { 'Retry-After': String(retryAfter) },
      details: {
        limits: exhausted.map((b) => ({ rule: b.rule, limit: b.limit, window_seconds: b.windowSeconds })),
      },
    });
  }
  const tight = binding(decision.buckets);
  if (tight) {
    c.set('rateLimit', {
      limit: tight.limit,
      remaining: tight.remaining,
      reset_at: new Date(tight.resetAt * 1000).toISOString(),
    });
  }
  if (principal) c.set('principal', principal);
  if (userResult?.status === 'ok') {
    if ('card' in userResult && userResult.card) c.set('userCard', { card: userResult.card });
    else if ('cardToken' in userResult && userResult.cardToken)
      c.set('userCard', { cardToken: userResult.cardToken });
    if (userResult.portfoliosToken) c.set('portfoliosToken', userResult.portfoliosToken);
  }
  await next();
};

/** Route guard: a signed-in user or API key is required. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get('principal')) throw new ApiError('AUTHENTICATION_ERROR', 'Authentication required');
  await next();
};

/** Route guard: an admin (and, for API keys, the `admin` scope) is required. */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const principal = c.get('principal');
  if (!principal) throw new ApiError('AUTHENTICATION_ERROR', 'Authentication required');
  const keyAllows = !principal.apiKeyId || principal.scopes.includes('admin');
  if (principal.role !== 'admin' || !keyAllows) {
    throw new ApiError('ADMIN_ACCESS_REQUIRED', 'Admin role required');
  }
  await next();
};

/** The signed-in caller, for handlers behind `requireUser`. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get('principal');
  if (!principal) throw new ApiError('AUTHENTICATION_ERROR', 'Authentication required');
  return principal;
}
