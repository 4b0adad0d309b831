import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';

/** Accounts. Emails are stored normalized (trimmed, lower-cased); ids are `usr_...`. */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    username: text('username'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    fullName: text('full_name'),
    timezone: text('timezone').notNull().default('UTC'),
    language: text('language').notNull().default('en'),
    /** Free-form preferences (002's theme, notifications, riskSettings...), merged on update. */
    preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    referralCode: text('referral_code'),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: the cost travels with each hash. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['user', 'admin'] })
      .notNull()
      .default('user'),
    /** One of TIERS' codes (src/core/tiers.ts), checked in code so tests need no seeded rows. */
    tier: text('tier').notNull().default('free'),
    status: text('status', { enum: ['active', 'suspended', 'disabled'] })
      .notNull()
      .default('active'),
    isVerified: integer('is_verified', { mode: 'boolean' }).notNull().default(false),
    mfaEnabled: integer('mfa_enabled', { mode: 'boolean' }).notNull().default(false),
    /** The TOTP secret, AES-GCM encrypted with DATA_ENCRYPTION_KEY; set at enrolment. */
    mfaSecret: text('mfa_secret'),
    /** The last TOTP time step accepted, so a code cannot be replayed. */
    mfaLastStep: integer('mfa_last_step'),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: text('locked_until'),
    lastLoginAt: text('last_login_at'),
    loginCount: integer('login_count').notNull().default(0),
    adminNotes: text('admin_notes'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: text('deleted_at'),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    uniqueIndex('users_username_unique').on(t.username),
    index('users_role_status_idx').on(t.role, t.status),
    index('users_created_at_idx').on(t.createdAt),
  ],
);

/** Every admin change, who made it and from where (001/003 admin, 000 security). */
export const auditLogs = sqliteTable(
  'audit_logs',
  {
    id: text('id').primaryKey(),
    actorUserId: text('actor_user_id').references(() => users.id),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: text('details', { mode: 'json' }),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_logs_created_at_idx').on(t.createdAt),
    index('audit_logs_actor_idx').on(t.actorUserId, t.createdAt),
    index('audit_logs_target_idx').on(t.targetType, t.targetId),
  ],
);

/**
 * D1's record of sessions, for admins and for the user's session list. The truth for
 * authentication is the user's Durable Object, which writes this mirror as it changes.
 */
export const userSessions = sqliteTable(
  'user_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    userAgent: text('user_agent'),
    ipAddress: text('ip_address'),
    country: text('country'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    lastUsedAt: text('last_used_at'),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
    revokedReason: text('revoked_reason'),
  },
  (t) => [
    index('user_sessions_user_idx').on(t.userId, t.isActive),
    index('user_sessions_active_idx').on(t.isActive, t.lastUsedAt),
  ],
);

/** What users did (logins, failures, profile changes...), for their history and for anomaly checks. */
export const userActivities = sqliteTable(
  'user_activities',
  {
    id: text('id').primaryKey(),
    /** Null for failed logins with an unknown email. */
    userId: text('user_id').references(() => users.id),
    action: text('action').notNull(),
    details: text('details', { mode: 'json' }),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    sessionId: text('session_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('user_activities_user_idx').on(t.userId, t.createdAt),
    index('user_activities_action_idx').on(t.action, t.createdAt),
    index('user_activities_ip_idx').on(t.ipAddress, t.createdAt),
  ],
);

/** API keys for programmatic clients. Only a SHA-256 of the key is stored; it is shown once. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    /** The first characters of the key, so users can tell their keys apart. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: createdAt(),
    lastUsedAt: text('last_used_at'),
    expiresAt: text('expires_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_unique').on(t.keyHash), index('api_keys_user_idx').on(t.userId)],
);
