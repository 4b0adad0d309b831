import { and, count, desc, eq, gte, isNull, like, lte, or, type SQL, sql } from 'drizzle-orm';
import type { RequestFacts } from '../../core/client';
import { ApiError, assert } from '../../core/errors';
import { LOCK_AFTER_FAILURES } from '../../core/lockout';
import type { Page } from '../../core/pagination';
import { TIERS } from '../../core/tiers';
import { db } from '../../db/client';
import { auditLogs, userActivities, userSessions, users } from '../../db/schema';
import type { Principal } from '../../env';
import { audit } from '../audit/service';
import { getUser, type UserRow } from '../auth/service';
import { subscriptionEventFor } from '../ops/services/billing';
import { profileView } from '../users/service';

export function adminUserView(user: UserRow) {
  return {
    ...profileView(user),
    failed_login_count: user.failedLoginCount,
    locked_until: user.lockedUntil,
    is_locked: user.lockedUntil !== null && user.lockedUntil > new Date().toISOString(),
    admin_notes: user.adminNotes,
  };
}

export type AdminUserView = ReturnType<typeof adminUserView>;

export interface UserFilters {
  role?: 'user' | 'admin' | 'all' | undefined;
  status?: 'active' | 'suspended' | 'disabled' | undefined;
  active?: boolean | undefined;
  tier?: string | undefined;
  search?: string | undefined;
  locked?: boolean | undefined;
}

function userWhere(f: UserFilters): SQL | undefined {
  const now = new Date().toISOString();
  const conditions: (SQL | undefined)[] = [isNull(users.deletedAt)];
  if (f.role && f.role !== 'all') conditions.push(eq(users.role, f.role));
  if (f.status) conditions.push(eq(users.status, f.status));
  if (f.active !== undefined)
    conditions.push(f.active ? eq(users.status, 'active') : sql`${users.status} <> 'active'`);
  if (f.tier) conditions.push(eq(users.tier, f.tier));
  if (f.locked !== undefined) {
    conditions.push(
      f.locked ? gte(users.lockedUntil, now) : or(isNull(users.lockedUntil), lte(users.lockedUntil, now)),
    );
  }
  if (f.search) {
    const pattern = `%${f.search.toLowerCase().replaceAll(/[%_\\]/g, (m) => `\\${m}`)}%`;
    conditions.push(
      or(
        sql`${users.email} LIKE ${pattern} ESCAPE '\\'`,
        sql`lower(coalesce(${users.fullName}, '')) LIKE ${pattern} ESCAPE '\\'`,
        like(users.id, pattern),
      ),
    );
  }
  return and(...conditions);
}

/** Users with filters and paging, plus figures over all users (001's "with statistics"). */
export async function listUsers(env: Env, filters: UserFilters, page: Page) {
  const d = db(env);
  const where = userWhere(filters);
  const now = new Date().toISOString();
  const [rows, filtered, stats] = await Promise.all([
    d
      .select()
      .from(users)
      .where(where)
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(users).where(where).get(),
    d
      .select({
        total: count(),
        active: sql<number>`sum(${users.status} = 'active')`,
        admins: sql<number>`sum(${users.role} = 'admin')`,
        verified: sql<number>`sum(${users.isVerified})`,
        mfa: sql<number>`sum(${users.mfaEnabled})`,
        locked: sql<number>`sum(${users.lockedUntil} > ${now})`,
      })
      .from(users)
      .where(isNull(users.deletedAt))
      .get(),
  ]);
  return {
    total: filtered?.n ?? 0,
    users: rows.map(adminUserView),
    statistics: {
      total_users: stats?.total ?? 0,
      active_users: stats?.active ?? 0,
      admins: stats?.admins ?? 0,
      verified_users: stats?.verified ?? 0,
      mfa_enabled: stats?.mfa ?? 0,
      locked_accounts: stats?.locked ?? 0,
    },
  };
}

function sessionRow(s: typeof userSessions.$inferSelect) {
  return {
    id: s.id,
    user_id: s.userId,
    user_agent: s.userAgent,
    ip_address: s.ipAddress,
    country: s.country,
    is_active: s.isActive,
    created_at: s.createdAt,
    last_used_at: s.lastUsedAt,
    expires_at: s.expiresAt,
    revoked_at: s.revokedAt,
    revoked_reason: s.revokedReason,
  };
}

/** One user with their sessions, recent activity and the admin actions taken on them. */
export async function userDetail(env: Env, userId: string) {
  const user = await getUser(env, userId);
  const d = db(env);
  const [sessions, activities, audits] = await Promise.all([
    d
      .select()
      .from(userSessions)
      .where(eq(userSessions.userId, userId))
      .orderBy(desc(userSessions.createdAt))
      .limit(50),
    d
      .select()
      .from(userActivities)
      .where(eq(userActivities.userId, userId))
      .orderBy(desc(userActivities.createdAt), desc(userActivities.id))
      .limit(50),
    d
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetType, 'user'), eq(auditLogs.targetId, userId)))
      .orderBy(desc(auditLogs.createdAt))
      .limit(50),
  ]);
  return {
    user: adminUserView(user),
    sessions: sessions.map(sessionRow),
    recent_activity: activities.map((a) => ({
      id: a.id,
      action: a.action,
      details: a.details,
      ip_address: a.ipAddress,
      created_at: a.createdAt,
    })),
    audit_trail: audits.map(auditView),
  };
}

export interface AdminUserChange {
  role?: 'user' | 'admin' | undefined;
  status?: 'active' | 'suspended' | 'disabled' | undefined;
  is_active?: boolean | undefined;
  tier?: string | undefined;
  subscription_plan?: string | undefined;
  is_verified?: boolean | undefined;
  notes?: string | null | undefined;
  unlock?: boolean | undefined;
}

/**
 * An admin's change to a user: role, status, tier, verification, notes, unlock. Written with
 * its audit record in one batch, then pushed to the user's object so it applies on their
 * next request; suspending ends their sessions.
 */
export async function updateUser(
  env: Env,
  admin: Principal,
  userId: string,
  change: AdminUserChange,
  facts: RequestFacts & { requestId: string },
): Promise<AdminUserView> {
  const user = await getUser(env, userId);
  const tier = change.tier ?? change.subscription_plan;
  if (tier !== undefined)
    assert(
      TIERS.some((t) => t.code === tier),
      'VALIDATION_ERROR',
      `Unknown tier ${tier}`,
    );
  const status =
    change.status ?? (change.is_active === undefined ? undefined : change.is_active ? 'active' : 'suspended');
  if (userId === admin.userId) {
    assert(change.role !== 'user', 'VALIDATION_ERROR', 'Admins cannot remove their own admin role');
    assert(
      status === undefined || status === 'active',
      'VALIDATION_ERROR',
      'Admins cannot suspend themselves',
    );
  }
  const set = {
    ...(change.role !== undefined ? { role: change.role } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(tier !== undefined ? { tier } : {}),
    ...(change.is_verified !== undefined ? { isVerified: change.is_verified } : {}),
    ...(change.notes !== undefined ? { adminNotes: change.notes } : {}),
    ...(change.unlock ? { failedLoginCount: 0, lockedUntil: null } : {}),
    updatedAt: new Date().toISOString(),
  };
  const before = {
    role: user.role,
    status: user.status,
    tier: user.tier,
    is_verified: user.isVerified,
    locked_until: user.lockedUntil,
  };
  const d = db(env);
  // A tier change is a subscription event, priced with the configured plans (business metrics).
  const subscription =
    tier !== undefined
      ? await subscriptionEventFor(d, { userId, fromTier: user.tier, toTier: tier, actor: admin.userId })
      : null;
  const [updated] = await d.batch([
    d.update(users).set(set).where(eq(users.id, userId)).returning(),
    ...(subscription ? [subscription.insert] : []),
    audit(d, {
      actorUserId: admin.userId,
      action: 'user_update',
      targetType: 'user',
      targetId: userId,
      details: { before, changes: change },
      facts,
      requestId: facts.requestId,
    }),
  ]);
  const row = updated[0];
  if (!row) throw new ApiError('NOT_FOUND', `User ${userId} not found`);
  // The lock is counted in the user's object; D1 only mirrors it.
  if (change.unlock) await env.USER.getByName(userId).clearLockout(userId);
  await env.USER.getByName(userId).updateProfile({
    userId: row.id,
    email: row.email,
    role: row.role,
    tier: row.tier,
    status: row.status,
  });
  return adminUserView(row);
}

function auditView(a: typeof auditLogs.$inferSelect) {
  return {
    id: a.id,
    actor_user_id: a.actorUserId,
    action: a.action,
    target_type: a.targetType,
    target_id: a.targetId,
    details: a.details,
    ip_address: a.ipAddress,
    user_agent: a.userAgent,
    request_id: a.requestId,
    created_at: a.createdAt,
  };
}

/** The audit trail, newest first, filtered by actor or target user, action and dates. */
export async function listAuditLogs(
  env: Env,
  f: {
    user_id?: string | undefined;
    action_type?: string | undefined;
    start_date?: string | undefined;
    end_date?: string | undefined;
  },
  page: Page,
) {
  const d = db(env);
  const where = and(
    f.user_id
      ? or(
          eq(auditLogs.actorUserId, f.user_id),
          and(eq(auditLogs.targetType, 'user'), eq(auditLogs.targetId, f.user_id)),
        )
      : undefined,
    f.action_type ? eq(auditLogs.action, f.action_type) : undefined,
    f.start_date ? gte(auditLogs.createdAt, f.start_date) : undefined,
    f.end_date ? lte(auditLogs.createdAt, f.end_date) : undefined,
  );
  const [rows, total] = await Promise.all([
    d
      .select()
      .from(auditLogs)
      .where(where)
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(auditLogs).where(where).get(),
  ]);
  return { total: total?.n ?? 0, audit_logs: rows.map(auditView) };
}

/**
 * Patterns worth an admin's look, found in the activity log over a window: bursts of failed
 * sign-ins per account and per address, accounts used from many addresses, refresh-token
 * reuse, and accounts locked now.
 */
export async function suspiciousActivity(env: Env, hours: number) {
  const d = db(env);
  const since = new Date(Date.now() - hours * 3_600_000).toISOString();
  const now = new Date().toISOString();
  const recent = gte(userActivities.createdAt, since);
  const [byAccount, byAddress, manyAddresses, reuse, locked] = await Promise.all([
    d
      .select({
        user_id: userActivities.userId,
        email: users.email,
        failures: count(),
        last_at: sql<string>`max(${userActivities.createdAt})`,
      })
      .from(userActivities)
      .innerJoin(users, eq(users.id, userActivities.userId))
      .where(and(recent, eq(userActivities.action, 'login_failed')))
      .groupBy(userActivities.userId)
      .having(gte(count(), LOCK_AFTER_FAILURES))
      .orderBy(desc(count())),
    d
      .select({
        ip_address: userActivities.ipAddress,
        failures: count(),
        accounts: sql<number>`count(distinct ${userActivities.userId})`,
        last_at: sql<string>`max(${userActivities.createdAt})`,
      })
      .from(userActivities)
      .where(and(recent, eq(userActivities.action, 'login_failed')))
      .groupBy(userActivities.ipAddress)
      .having(gte(count(), LOCK_AFTER_FAILURES))
      .orderBy(desc(count())),
    d
      .select({
        user_id: userActivities.userId,
        email: users.email,
        addresses: sql<number>`count(distinct ${userActivities.ipAddress})`,
      })
      .from(userActivities)
      .innerJoin(users, eq(users.id, userActivities.userId))
      .where(and(recent, eq(userActivities.action, 'login')))
      .groupBy(userActivities.userId)
      .having(sql`count(distinct ${userActivities.ipAddress}) >= 3`),
    d
      .select({
        user_id: userActivities.userId,
        session_id: userActivities.sessionId,
        ip_address: userActivities.ipAddress,
        created_at: userActivities.createdAt,
      })
      .from(userActivities)
      .where(and(recent, eq(userActivities.action, 'refresh_token_reused')))
      .orderBy(desc(userActivities.createdAt))
      .limit(100),
    d
      .select({
        user_id: users.id,
        email: users.email,
        failed_login_count: users.failedLoginCount,
        locked_until: users.lockedUntil,
      })
      .from(users)
      .where(gte(users.lockedUntil, now)),
  ]);
  return {
    window_hours: hours,
    since,
    failed_login_bursts: byAccount,
    failed_logins_by_address: byAddress,
    many_addresses_per_account: manyAddresses,
    refresh_token_reuse: reuse,
    locked_accounts: locked,
    total_findings: byAccount.length + byAddress.length + manyAddresses.length + reuse.length + locked.length,
  };
}

/** Active sessions across all users (D1's mirror), most recently used first. */
export async function activeSessions(env: Env, page: Page, userId?: string) {
  const d = db(env);
  const now = new Date().toISOString();
  const where = and(
    eq(userSessions.isActive, true),
    gte(userSessions.expiresAt, now),
    userId ? eq(userSessions.userId, userId) : undefined,
  );
  const [rows, total] = await Promise.all([
    d
      .select({ session: userSessions, email: users.email, role: users.role })
      .from(userSessions)
      .innerJoin(users, eq(users.id, userSessions.userId))
      .where(where)
      .orderBy(desc(userSessions.lastUsedAt))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(userSessions).where(where).get(),
  ]);
  const nowMs = Date.now();
  return {
    total: total?.n ?? 0,
    sessions: rows.map((r) => ({
      ...sessionRow(r.session),
      email: r.email,
      role: r.role,
      duration_seconds: Math.round((nowMs - Date.parse(r.session.createdAt)) / 1000),
    })),
  };
}

/** An admin ends any user's session; it stops working on that user's next request. */
export async function terminateSessionAsAdmin(
  env: Env,
  admin: Principal,
  sessionId: string,
  facts: RequestFacts & { requestId: string },
) {
  const d = db(env);
  const session = await d.select().from(userSessions).where(eq(userSessions.id, sessionId)).get();
  if (!session) throw new ApiError('NOT_FOUND', `Session ${sessionId} not found`);
  const ended = await env.USER.getByName(session.userId).revokeSession(sessionId, 'terminated_by_admin');
  await d.batch([
    audit(d, {
      actorUserId: admin.userId,
      action: 'session_terminate',
      targetType: 'session',
      targetId: sessionId,
      details: { user_id: session.userId, was_active: ended },
      facts,
      requestId: facts.requestId,
    }),
  ]);
  return { session_id: sessionId, user_id: session.userId, terminated: ended };
}
