import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';

/**
 * The operations plane's state (the telemetry itself lives in the TelemetrySink Durable
 * Object): alert rules evaluated every minute on the telemetry's minute aggregates, the
 * alerts they raise, incidents that group alerts with a timeline, and the system health
 * snapshot taken each minute. Times are ISO 8601 UTC (wall time).
 */

export const OPS_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const OPS_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;

export const opsAlertRules = sqliteTable('ops_alert_rules', {
  name: text('name').primaryKey(),
  metric: text('metric').notNull(),
  operator: text('operator', { enum: OPS_OPERATORS }).notNull(),
  threshold: real('threshold').notNull(),
  severity: text('severity', { enum: OPS_SEVERITIES }).notNull(),
  channels: text('channels', { mode: 'json' }).$type<string[]>().notNull(),
  /** The window the metric is computed over, in seconds (at least one minute). */
  durationSeconds: integer('duration_seconds').notNull(),
  /** After an alert of this rule resolves, no new one for this long. */
  cooldownSeconds: integer('cooldown_seconds').notNull(),
  description: text('description'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  builtin: integer('builtin', { mode: 'boolean' }).notNull().default(false),
  createdBy: text('created_by'),
  lastTriggeredAt: text('last_triggered_at'),
  lastEvaluatedAt: text('last_evaluated_at'),
  lastValue: real('last_value'),
  triggerCount: integer('trigger_count').notNull().default(0),
  /** Firings skipped because the rule was cooling down. */
  suppressedCount: integer('suppressed_count').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const opsAlerts = sqliteTable(
  'ops_alerts',
  {
    id: text('id').primaryKey(),
    ruleName: text('rule_name').notNull(),
    metric: text('metric').notNull(),
    currentValue: real('current_value').notNull(),
    /** The largest value seen while the alert fired. */
    peakValue: real('peak_value').notNull(),
    threshold: real('threshold').notNull(),
    operator: text('operator').notNull(),
    severity: text('severity', { enum: OPS_SEVERITIES }).notNull(),
    message: text('message').notNull(),
    status: text('status', { enum: ['firing', 'resolved'] }).notNull(),
    acknowledgedAt: text('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    resolvedAt: text('resolved_at'),
    /** `system` when the condition cleared, else the admin's user id. */
    resolvedBy: text('resolved_by'),
    /** Evaluations that found the condition still true (deduplicated into this alert). */
    occurrences: integer('occurrences').notNull().default(1),
    lastSeenAt: text('last_seen_at').notNull(),
    incidentId: text('incident_id'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index('ops_alerts_rule_status_idx').on(t.ruleName, t.status),
    index('ops_alerts_status_created_idx').on(t.status, t.createdAt),
    index('ops_alerts_created_idx').on(t.createdAt),
  ],
);

export const opsIncidents = sqliteTable(
  'ops_incidents',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    description: text('description'),
    severity: text('severity', { enum: OPS_SEVERITIES }).notNull(),
    status: text('status', { enum: ['open', 'resolved'] }).notNull(),
    createdBy: text('created_by').notNull(),
    assignedTo: text('assigned_to'),
    relatedAlerts: text('related_alerts', { mode: 'json' }).$type<string[]>().notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
    resolution: text('resolution'),
    resolvedAt: text('resolved_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('ops_incidents_status_created_idx').on(t.status, t.createdAt)],
);

export const opsIncidentEvents = sqliteTable(
  'ops_incident_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: text('incident_id').notNull(),
    event: text('event').notNull(),
    user: text('user').notNull(),
    detail: text('detail'),
    at: text('at').notNull(),
  },
  (t) => [index('ops_incident_events_incident_idx').on(t.incidentId, t.id)],
);

/** One row per minute: the state of every dependency, for /system health history. */
export const opsHealthSnapshots = sqliteTable('ops_health_snapshots', {
  minute: text('minute').primaryKey(),
  status: text('status', { enum: ['healthy', 'degraded', 'unhealthy'] }).notNull(),
  checks: text('checks', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
});

/**
 * What each subscription tier costs, as admins configure it (business metrics price tier
 * changes with it). A tier with no row is free.
 */
export const planPrices = sqliteTable('plan_prices', {
  tier: text('tier').primaryKey(),
  monthlyPrice: real('monthly_price').notNull(),
  currency: text('currency').notNull().default('USD'),
  updatedBy: text('updated_by'),
  updatedAt: updatedAt(),
});

/**
 * Every change of a user's tier, with the plan's monthly price at that moment: the source of
 * MRR, ARR, churn and revenue. Written in the same batch as the change.
 */
export const subscriptionEvents = sqliteTable(
  'subscription_events',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    fromTier: text('from_tier').notNull(),
    toTier: text('to_tier').notNull(),
    /** The new tier's monthly price when the change happened (0 for a free tier). */
    monthlyPrice: real('monthly_price').notNull(),
    previousMonthlyPrice: real('previous_monthly_price').notNull(),
    currency: text('currency').notNull(),
    kind: text('kind', { enum: ['new', 'upgrade', 'downgrade', 'cancel', 'change'] }).notNull(),
    actor: text('actor'),
    occurredAt: text('occurred_at').notNull(),
  },
  (t) => [
    index('subscription_events_user_idx').on(t.userId, t.occurredAt),
    index('subscription_events_occurred_idx').on(t.occurredAt),
  ],
);
