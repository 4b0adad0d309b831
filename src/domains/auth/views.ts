import type { Context } from 'hono';
import type { UserCard } from '../../../durable/user';
import { carriesCredentials } from '../../core/responses';
import type { AppEnv } from '../../env';
import type { AuthResult } from './service';

/** A user in every spelling the seeds' clients read, with 004's default `portfolio_id`. */
export function authUser(user: Omit<UserCard, 'portfolioId'>, portfolioId: string | null) {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    full_name: user.fullName,
    firstName: user.firstName,
    lastName: user.lastName,
    name: user.fullName,
    role: user.role,
    tier: user.tier,
    is_active: user.status === 'active',
    is_verified: user.isVerified,
    mfa_enabled: user.mfaEnabled,
    created_at: user.createdAt,
    portfolio_id: portfolioId,
  };
}

function meta(c: Context<AppEnv>) {
  return { timestamp: new Date().toISOString(), request_id: c.get('requestId') };
}

/**
 * The one auth body (DESIGN.md): token fields, `token`, `user`, 004's user fields and 001's
 * envelope. It carries tokens, so the response is marked not to be stored anywhere.
 */
export function authBody(c: Context<AppEnv>, result: AuthResult, portfolioId: string | null) {
  carriesCredentials(c);
  const user = authUser(result.user, portfolioId);
  const tokens = {
    access_token: result.accessToken,
    ...(result.refreshToken ? { refresh_token: result.refreshToken } : {}),
    token: result.accessToken,
    token_type: 'bearer' as const,
    expires_in: result.expiresIn,
    ...(result.refreshExpiresIn ? { refresh_expires_in: result.refreshExpiresIn } : {}),
    session_id: result.sessionId,
    user_id: result.user.id,
  };
  return {
    ...user,
    ...tokens,
    user,
    success: true as const,
    data: { ...tokens, user },
    meta: meta(c),
  };
}

/** `/auth/me` for 002/003 (`user`, top-level `role`), 004 (top-level fields) and 001 (`data`). */
export function meBody(c: Context<AppEnv>, card: UserCard) {
  const user = authUser(card, card.portfolioId);
  return { ...user, user, success: true as const, data: user, meta: meta(c) };
}
