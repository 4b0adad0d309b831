import { and, count, desc, eq, gte, sql } from 'drizzle-orm';
import type { SessionInfo } from '../../../durable/user';
import type { RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { assertBoundedJson } from '../../core/json';
import type { Page } from '../../core/pagination';
import { hashPassword, verifyPassword } from '../../core/passwords';
import { TIERS } from '../../core/tiers';
import { db } from '../../db/client';
import { userActivities, users } from '../../db/schema';
import type { Principal } from '../../env';
import { activity } from '../audit/service';
import { forgetUserCard } from '../auth/card';
import { checkSignedIn } from '../auth/lockout';
import { getUser, type UserRow } from '../auth/service';

/** 002's preference defaults; stored preferences are merged over them. */
export const DEFAULT_PREFERENCES = {
  theme: 'dark',
  language: 'en',
  notifications: { email: true, push: true, tradeAlerts: true },
  riskSettings: { maxPositionSize: 10, maxDrawdown: 20 },
} as const;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge for preferences: objects merge key by key, anything else replaces; null deletes. */
export function mergePreferences(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = mergePreferences(out[key] as Json, value);
    else out[key] = value;
  }
  return out;
}

/** The stored preferences after a patch, refused when the result outgrows free-form JSON's bounds. */
function boundedMerge(stored: Json, patch: Json): Json {
  const merged = mergePreferences(stored, patch);
  assertBoundedJson(merged, 'preferences');
  return merged;
}

export function effectivePreferences(user: UserRow): Json {
  return mergePreferences(DEFAULT_PREFERENCES as unknown as Json, user.preferences ?? {});
}

/** The profile of 000's `/users/me` and 001's `/users/profile`. */
export function profileView(user: UserRow) {
  const tier = TIERS.find((t) => t.code === user.tier);
  return {
    id: user.id,
    user_id: user.id,
    email: user.email,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    full_name: user.fullName,
    role: user.role,
    tier: user.tier,
    subscription: {
      plan: user.tier,
      name: tier?.name ?? user.tier,
      rate_limit_multiplier: tier?.rateLimitMultiplier ?? 1,
    },
    status: user.status,
    is_active: user.status === 'active',
    is_verified: user.isVerified,
    mfa_enabled: user.mfaEnabled,
    timezone: user.timezone,
    language: user.language,
    preferences: effectivePreferences(user),
    referral_code: user.referralCode,
    login_count: user.loginCount,
    last_login_at: user.lastLoginAt,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

export type ProfileView = ReturnType<typeof profileView>;

export interface ProfileUpdate {
  first_name?: string | undefined;
  last_name?: string | undefined;
  full_name?: string | undefined;
  username?: string | undefined;
  timezone?: string | undefined;
  language?: string | undefined;
  preferences?: Json | undefined;
}

/** Updates the caller's own profile; role, tier and status are not fields of it. */
export async function updateProfile(
  env: Env,
  principal: Principal,
  input: ProfileUpdate,
  facts: RequestFacts,
): Promise<ProfileView> {
  const user = await getUser(env, principal.userId);
  const firstName = input.first_name ?? user.firstName;
  const lastName = input.last_name ?? user.lastName;
  const changes = {
    ...(input.first_name !== undefined ? { firstName: input.first_name } : {}),
    ...(input.last_name !== undefined ? { lastName: input.last_name } : {}),
    ...(input.full_name !== undefined
      ? { fullName: input.full_name }
      : input.first_name !== undefined || input.last_name !== undefined
        ? { fullName: [firstName, lastName].filter(Boolean).join(' ') || null }
        : {}),
    ...(input.username !== undefined ? { username: input.username } : {}),
    ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
    ...(input.language !== undefined ? { language: input.language } : {}),
    ...(input.preferences !== undefined
      ? { preferences: boundedMerge(user.preferences ?? {}, input.preferences) }
      : {}),
    updatedAt: new Date().toISOString(),
  };
  const d = db(env);
  try {
    const [updated] = await d.batch([
      d.update(users).set(changes).where(eq(users.id, user.id)).returning(),
      activity(d, {
        userId: user.id,
        action: 'profile_update',
        facts,
        sessionId: principal.sessionId ?? null,
        details: { fields: Object.keys(input) },
      }),
    ]);
    const row = updated[0];
    if (!row) throw new ApiError('NOT_FOUND', 'User not found');
    await forgetUserCard(env, user.id);
    return profileView(row);
  } catch (err) {
    if (
      err instanceof Error &&
      /UNIQUE constraint failed/i.test(`${err.message} ${String(err.cause ?? '')}`)
    ) {
      throw new ApiError('INTEGRITY_ERROR', 'That username is taken');
    }
    throw err;
  }
}

/** 002's preferences: the stored object merged over the defaults; updates merge deeply. */
export async function updatePreferences(env: Env, principal: Principal, patch: Json, facts: RequestFacts) {
  const user = await getUser(env, principal.userId);
  const merged = boundedMerge(user.preferences ?? {}, patch);
  const d = db(env);
  await d.batch([
    d
      .update(users)
      .set({ preferences: merged, updatedAt: new Date().toISOString() })
      .where(eq(users.id, user.id)),
    activity(d, {
      userId: user.id,
      action: 'preferences_update',
      facts,
      sessionId: principal.sessionId ?? null,
    }),
  ]);
  return mergePreferences(DEFAULT_PREFERENCES as unknown as Json, merged);
}

/**
 * Changes the password after checking the current one, and ends every other session:
 * whoever knew the old password is signed out. The check runs under the account's lockout,
 * as sign-in's does: wrong current passwords count towards the lock, and a locked account
 * answers 403 ACCOUNT_LOCKED without checking, so this is no password oracle.
 */
export async function changePassword(
  env: Env,
  principal: Principal,
  input: { current_password: string; new_password: string },
  facts: RequestFacts,
): Promise<{ sessions_ended: number }> {
  const user = await getUser(env, principal.userId);
  await checkSignedIn(env, user, () => verifyPassword(input.current_password, user.passwordHash), {
    sessionId: principal.sessionId ?? null,
    facts,
    reason: 'current_password',
    code: 'INVALID_CREDENTIALS',
    message: 'Current password is incorrect',
  });
  const d = db(env);
  if (input.current_password === input.new_password) {
    throw new ApiError('VALIDATION_ERROR', 'The new password must differ from the current one');
  }
  await d.batch([
    d
      .update(users)
      .set({
        passwordHash: await hashPassword(input.new_password),
        updatedAt: new Date().toISOString(),
      })
      .where(eq(users.id, user.id)),
    activity(d, {
      userId: user.id,
      action: 'password_change',
      facts,
      sessionId: principal.sessionId ?? null,
    }),
  ]);
  const ended = await env.USER.getByName(user.id).revokeAll('password_change', principal.sessionId);
  return { sessions_ended: ended };
}

/** The caller's activity, newest first, with engagement figures over the last 30 days. */
export async function activityHistory(env: Env, principal: Principal, page: Page) {
  const d = db(env);
  const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const mine = eq(userActivities.userId, principal.userId);
  const [rows, totals, byAction, user, sessions] = await Promise.all([
    d
      .select()
      .from(userActivities)
      .where(mine)
      .orderBy(desc(userActivities.createdAt), desc(userActivities.id))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(userActivities).where(mine).get(),
    d
      .select({ action: userActivities.action, n: count() })
      .from(userActivities)
      .where(and(mine, gte(userActivities.createdAt, since)))
      .groupBy(userActivities.action),
    getUser(env, principal.userId),
    env.USER.getByName(principal.userId).listSessions(),
  ]);
  const days = await d
    .select({ day: sql<string>`substr(${userActivities.createdAt}, 1, 10)` })
    .from(userActivities)
    .where(and(mine, gte(userActivities.createdAt, since)))
    .groupBy(sql`substr(${userActivities.createdAt}, 1, 10)`);
  return {
    total: totals?.n ?? 0,
    activities: rows.map((r) => ({
      id: r.id,
      action: r.action,
      details: r.details,
      ip_address: r.ipAddress,
      user_agent: r.userAgent,
      session_id: r.sessionId,
      created_at: r.createdAt,
    })),
    engagement: {
      login_count: user.loginCount,
      last_login_at: user.lastLoginAt,
      member_since: user.createdAt,
      active_sessions: sessions.filter((s) => s.isActive).length,
      active_days_30d: days.length,
      actions_30d: Object.fromEntries(byAction.map((a) => [a.action, a.n])),
    },
  };
}

/** A session as the user's session list shows it (000). */
export function sessionView(s: SessionInfo, currentSessionId?: string) {
  return {
    id: s.id,
    session_id: s.id,
    device: s.userAgent,
    user_agent: s.userAgent,
    ip_address: s.ipAddress,
    country: s.country,
    created_at: s.createdAt,
    last_used_at: s.lastUsedAt,
    expires_at: s.expiresAt,
    is_active: s.isActive,
    is_current: s.id === currentSessionId,
    revoked_at: s.revokedAt,
    revoked_reason: s.revokedReason,
  };
}

export async function listSessions(env: Env, principal: Principal) {
  const sessions = await env.USER.getByName(principal.userId).listSessions();
  return sessions.filter((s) => s.isActive).map((s) => sessionView(s, principal.sessionId));
}

/** Ends one of the caller's sessions; another user's session id answers 404. */
export async function terminateSession(
  env: Env,
  principal: Principal,
  sessionId: string,
  facts: RequestFacts,
) {
  const ended = await env.USER.getByName(principal.userId).revokeSession(sessionId, 'terminated_by_user');
  if (!ended) throw new ApiError('NOT_FOUND', `Session ${sessionId} not found`);
  const d = db(env);
  await d.batch([
    activity(d, {
      userId: principal.userId,
      action: 'session_terminated',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { terminated_session_id: sessionId },
    }),
  ]);
  return { session_id: sessionId, terminated: true };
}

/** Ends every session of the caller's but the current one. */
export async function terminateOtherSessions(env: Env, principal: Principal, facts: RequestFacts) {
  const ended = await env.USER.getByName(principal.userId).revokeAll(
    'terminated_by_user',
    principal.sessionId,
  );
  const d = db(env);
  await d.batch([
    activity(d, {
      userId: principal.userId,
      action: 'sessions_terminated',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { count: ended },
    }),
  ]);
  return { terminated: ended, kept_session_id: principal.sessionId ?? null };
}
