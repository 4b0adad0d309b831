import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';
import { users } from './users';

/**
 * Stored outcomes of requests sent with an `Idempotency-Key` (IETF draft). Scoped to the
 * caller, so two clients choosing the same key never see each other's responses. Times
 * are epoch milliseconds, compared in SQL.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of method, path and body: the same key with another request answers 422. */
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['processing', 'completed'] }).notNull(),
    responseStatus: integer('response_status'),
    responseHeaders: text('response_headers', { mode: 'json' }).$type<Record<string, string>>(),
    responseBody: text('response_body'),
    /** Set instead of `response_body` when the body is too large for one D1 statement. */
    responseBodyR2Key: text('response_body_r2_key'),
    lockedAt: integer('locked_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
);

export const JOB_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Background jobs run by the Queue consumer. The row is the truth: the message only names
 * it, so a duplicate delivery of a finished job does nothing.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    status: text('status', { enum: JOB_STATUSES }).notNull().default('queued'),
    userId: text('user_id').references(() => users.id),
    payload: text('payload', { mode: 'json' }).$type<unknown>(),
    result: text('result', { mode: 'json' }).$type<unknown>(),
    error: text('error'),
    progress: real('progress').notNull().default(0),
    progressMessage: text('progress_message'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    cancelRequested: integer('cancel_requested', { mode: 'boolean' }).notNull().default(false),
    /** Epoch ms of the last sign of life from the running attempt; stale ones are re-queued. */
    heartbeatAt: integer('heartbeat_at'),
    createdAt: createdAt(),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('jobs_status_heartbeat_idx').on(t.status, t.heartbeatAt),
    index('jobs_user_created_idx').on(t.userId, t.createdAt),
    index('jobs_type_created_idx').on(t.type, t.createdAt),
  ],
);
