import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { ApiError } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { describeError, log } from '../../../core/logger';
import { db } from '../../../db/client';
import {
  OPS_SEVERITIES,
  opsAlertRules,
  opsAlerts,
  opsIncidentEvents,
  opsIncidents,
} from '../../../db/schema';
import { audit } from '../../audit/service';
import { notifyAlert } from './alert-channels';
import { type AlertMetric, metricValue } from './alert-metrics';

/**
 * Alerting: rules (metric, operator, threshold, window, severity, cooldown) evaluated every
 * minute by the cron on the telemetry's aggregates. One firing alert per rule at a time
 * (later evaluations that still breach update it: deduplication); when the condition clears
 * the alert resolves by itself; after it resolves the rule cools down before firing again.
 * A new alert joins the open incident raised by the evaluator in the last 30 minutes, or opens
 * one; admins are notified through the notification system and the rule's channels (alert-channels.ts).
 */

type Severity = (typeof OPS_SEVERITIES)[number];
type Operator = 'gt' | 'gte' | 'lt' | 'lte' | 'eq';
type Rule = typeof opsAlertRules.$inferSelect;
type AlertRow = typeof opsAlerts.$inferSelect;

/** The rules every deployment starts with (inserted where missing; admins may change or disable them). */
export const DEFAULT_RULES: {
  name: string;
  metric: AlertMetric;
  operator: Operator;
  threshold: number;
  severity: Severity;
  durationSeconds: number;
  cooldownSeconds: number;
  description: string;
}[] = [
  {
    name: 'high_error_rate',
    metric: 'error_rate',
    operator: 'gt',
    threshold: 0.05,
    severity: 'high',
    durationSeconds: 300,
    cooldownSeconds: 600,
    description: 'More than 5% of requests answered 5xx over 5 minutes',
  },
  {
    name: 'high_p95_latency',
    metric: 'p95_latency_ms',
    operator: 'gt',
    threshold: 2000,
    severity: 'medium',
    durationSeconds: 300,
    cooldownSeconds: 600,
    description: 'p95 request latency above 2 s over 5 minutes',
  },
  {
    name: 'job_backlog',
    metric: 'job_backlog',
    operator: 'gt',
    threshold: 100,
    severity: 'medium',
    durationSeconds: 60,
    cooldownSeconds: 900,
    description: 'More than 100 jobs waiting in the queue',
  },
  {
    name: 'data_staleness',
    metric: 'data_staleness_seconds',
    operator: 'gt',
    threshold: 900,
    severity: 'high',
    durationSeconds: 60,
    cooldownSeconds: 900,
    description: 'No market-data ingestion succeeded for 15 minutes',
  },
  {
    name: 'provider_circuit_open',
    metric: 'provider_circuit_open',
    operator: 'gt',
    threshold: 0,
    severity: 'high',
    durationSeconds: 60,
    cooldownSeconds: 600,
    description: 'A market-data provider’s circuit breaker is open',
  },
];

/**
 * Inserts the default rules where missing (INSERT OR IGNORE: an admin's edits stay), batched
 * with each read of the rules: one statement, so a database that is new (or was emptied) has
 * them at its first read, not an isolate's.
 */
function seedDefaultRules(d: ReturnType<typeof db>) {
  return d
    .insert(opsAlertRules)
    .values(DEFAULT_RULES.map((r) => ({ ...r, channels: ['in_app'], builtin: true, createdBy: 'system' })))
    .onConflictDoNothing();
}

export function breaches(op: string, value: number, threshold: number): boolean {
  switch (op) {
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
    case 'lt':
      return value < threshold;
    case 'lte':
      return value <= threshold;
    default:
      return value === threshold;
  }
}

const OP_TEXT: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=' };

// --- rules ----------------------------------------------------------------------------------

export function ruleView(r: Rule) {
  return {
    name: r.name,
    metric: r.metric,
    threshold: r.threshold,
    operator: r.operator,
    severity: r.severity,
    channels: r.channels,
    duration: r.durationSeconds,
    cooldown: r.cooldownSeconds,
    enabled: r.enabled,
    builtin: r.builtin,
    description: r.description,
    last_triggered: r.lastTriggeredAt,
    last_evaluated: r.lastEvaluatedAt,
    last_value: r.lastValue,
    trigger_count: r.triggerCount,
    suppressed_count: r.suppressedCount,
  };
}

export async function listRules(env: Env) {
  const d = db(env);
  const [, rows] = await d.batch([
    seedDefaultRules(d),
    d.select().from(opsAlertRules).orderBy(opsAlertRules.name),
  ]);
  return rows.map(ruleView);
}

export interface RuleInput {
  name: string;
  metric: AlertMetric;
  threshold: number;
  operator: Operator;
  severity: Severity;
  channels: string[];
  duration: number;
  cooldown: number;
  description?: string | undefined;
  enabled: boolean;
}

/** Creates a rule, or replaces the one with that name (audited). */
export async function upsertRule(env: Env, input: RuleInput, actor: { userId: string; requestId: string }) {
  const d = db(env);
  const values = {
    name: input.name,
    metric: input.metric,
    operator: input.operator,
    threshold: input.threshold,
    severity: input.severity,
    channels: input.channels,
    durationSeconds: input.duration,
    cooldownSeconds: input.cooldown,
    description: input.description ?? null,
    enabled: input.enabled,
    createdBy: actor.userId,
  };
  const [, [existed]] = await d.batch([
    seedDefaultRules(d),
    d.select({ name: opsAlertRules.name }).from(opsAlertRules).where(eq(opsAlertRules.name, input.name)),
  ]);
  await d.batch([
    d
      .insert(opsAlertRules)
      .values(values)
      .onConflictDoUpdate({
        target: opsAlertRules.name,
        set: { ...values, createdBy: sql`${opsAlertRules.createdBy}`, updatedAt: new Date().toISOString() },
      }),
    audit(d, {
      actorUserId: actor.userId,
      action: existed ? 'alerting.rule_updated' : 'alerting.rule_created',
      targetType: 'alert_rule',
      targetId: input.name,
      details: values,
      requestId: actor.requestId,
    }),
  ]);
  return { success: true, rule: input.name, created: !existed };
}

// --- evaluation -----------------------------------------------------------------------------

export interface EvaluationResult {
  evaluated: number;
  fired: string[];
  deduplicated: string[];
  resolved: string[];
  suppressed: string[];
  errors: string[];
}

/** Evaluates every enabled rule at `now`. Safe to run twice for a minute: it only converges. */
export async function evaluateRules(env: Env, now = Date.now()): Promise<EvaluationResult> {
  const d = db(env);
  const nowIso = new Date(now).toISOString();
  const [, rules, firing] = await d.batch([
    seedDefaultRules(d),
    d.select().from(opsAlertRules).where(eq(opsAlertRules.enabled, true)),
    d.select().from(opsAlerts).where(eq(opsAlerts.status, 'firing')),
  ]);
  const firingByRule = new Map(firing.map((a) => [a.ruleName, a]));
  const cache = new Map();
  const result: EvaluationResult = {
    evaluated: 0,
    fired: [],
    deduplicated: [],
    resolved: [],
    suppressed: [],
    errors: [],
  };
  for (const rule of rules) {
    try {
      const { value, basis } = await metricValue(
        env,
        rule.metric as AlertMetric,
        rule.durationSeconds,
        now,
        cache,
      );
      result.evaluated++;
      const active = firingByRule.get(rule.name);
      const breaching = value !== null && breaches(rule.operator, value, rule.threshold);
      await d
        .update(opsAlertRules)
        .set({ lastEvaluatedAt: nowIso, lastValue: value })
        .where(eq(opsAlertRules.name, rule.name));
      if (breaching && value !== null) {
        if (active) {
          await d
            .update(opsAlerts)
            .set({
              currentValue: value,
              peakValue: Math.max(active.peakValue, value),
              occurrences: sql`${opsAlerts.occurrences} + 1`,
              lastSeenAt: nowIso,
              metadata: { ...(active.metadata ?? {}), basis },
            })
            .where(eq(opsAlerts.id, active.id));
          result.deduplicated.push(active.id);
          continue;
        }
        const last = await d
          .select({ resolvedAt: opsAlerts.resolvedAt })
          .from(opsAlerts)
          .where(eq(opsAlerts.ruleName, rule.name))
          .orderBy(desc(opsAlerts.createdAt))
          .get();
        if (last?.resolvedAt && now - Date.parse(last.resolvedAt) < rule.cooldownSeconds * 1000) {
          await d
            .update(opsAlertRules)
            .set({ suppressedCount: sql`${opsAlertRules.suppressedCount} + 1` })
            .where(eq(opsAlertRules.name, rule.name));
          result.suppressed.push(rule.name);
          continue;
        }
        result.fired.push(await fire(env, rule, value, basis, now));
      } else if (active && !breaching) {
        await resolveAlert(
          env,
          active,
          'system',
          now,
          value === null ? 'no data in the window' : `value ${value}`,
        );
        result.resolved.push(active.id);
      }
    } catch (err) {
      result.errors.push(rule.name);
      log('error', 'alerting.rule_failed', { rule: rule.name, ...describeError(err) });
    }
  }
  return result;
}

async function fire(
  env: Env,
  rule: Rule,
  value: number,
  basis: Record<string, unknown>,
  now: number,
): Promise<string> {
  const d = db(env);
  const nowIso = new Date(now).toISOString();
  const id = newId('opsAlert', now);
  const message = `${rule.metric} is ${value} (${OP_TEXT[rule.operator] ?? rule.operator} ${rule.threshold} over ${rule.durationSeconds}s)${rule.description ? `: ${rule.description}` : ''}`;
  // Join the evaluator's open incident of the last 30 minutes, else open one.
  const open = await d
    .select()
    .from(opsIncidents)
    .where(
      and(
        eq(opsIncidents.status, 'open'),
        eq(opsIncidents.createdBy, 'system'),
        gte(opsIncidents.createdAt, new Date(now - 30 * 60_000).toISOString()),
      ),
    )
    .orderBy(desc(opsIncidents.createdAt))
    .get();
  const incidentId = open?.id ?? newId('incident', now);
  const writes = [
    d.insert(opsAlerts).values({
      id,
      ruleName: rule.name,
      metric: rule.metric,
      currentValue: value,
      peakValue: value,
      threshold: rule.threshold,
      operator: rule.operator,
      severity: rule.severity,
      message,
      status: 'firing',
      lastSeenAt: nowIso,
      incidentId,
      metadata: { basis, window_seconds: rule.durationSeconds },
      createdAt: nowIso,
    }),
    d
      .update(opsAlertRules)
      .set({ lastTriggeredAt: nowIso, triggerCount: sql`${opsAlertRules.triggerCount} + 1` })
      .where(eq(opsAlertRules.name, rule.name)),
    open
      ? d
          .update(opsIncidents)
          .set({
            relatedAlerts: [...open.relatedAlerts, id],
            severity: worse(open.severity, rule.severity),
            updatedAt: nowIso,
          })
          .where(eq(opsIncidents.id, open.id))
      : d.insert(opsIncidents).values({
          id: incidentId,
          title: `${rule.name}: ${rule.description ?? rule.metric}`,
          description: message,
          severity: rule.severity,
          status: 'open',
          createdBy: 'system',
          relatedAlerts: [id],
          metadata: { first_rule: rule.name },
          createdAt: nowIso,
          updatedAt: nowIso,
        }),
    d
      .insert(opsIncidentEvents)
      .values(
        open
          ? { incidentId, event: 'alert_added', user: 'system', detail: `${id} ${message}`, at: nowIso }
          : { incidentId, event: 'incident_created', user: 'system', detail: `${id} ${message}`, at: nowIso },
      ),
  ] as const;
  await d.batch(writes);
  await notifyAlert(
    env,
    { id, ruleName: rule.name, severity: rule.severity, message, incidentId, channels: rule.channels },
    now,
  );
  return id;
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
function worse(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

async function resolveAlert(env: Env, alert: AlertRow, by: string, now: number, why: string) {
  const d = db(env);
  const nowIso = new Date(now).toISOString();
  await d.batch([
    d
      .update(opsAlerts)
      .set({ status: 'resolved', resolvedAt: nowIso, resolvedBy: by })
      .where(and(eq(opsAlerts.id, alert.id), eq(opsAlerts.status, 'firing'))),
    ...(alert.incidentId
      ? [
          d.insert(opsIncidentEvents).values({
            incidentId: alert.incidentId,
            event: 'alert_resolved',
            user: by,
            detail: `${alert.id} (${alert.ruleName}) resolved: ${why}`,
            at: nowIso,
          }),
        ]
      : []),
  ]);
  if (alert.incidentId) await maybeResolveIncident(env, alert.incidentId, now);
}

/** An incident the evaluator opened resolves by itself when its last alert resolves. */
async function maybeResolveIncident(env: Env, incidentId: string, now: number) {
  const d = db(env);
  const incident = await d.select().from(opsIncidents).where(eq(opsIncidents.id, incidentId)).get();
  if (incident?.status !== 'open' || incident.createdBy !== 'system') return;
  const still = await d
    .select({ id: opsAlerts.id })
    .from(opsAlerts)
    .where(and(inArray(opsAlerts.id, incident.relatedAlerts.slice(0, 90)), eq(opsAlerts.status, 'firing')))
    .get();
  if (still) return;
  const nowIso = new Date(now).toISOString();
  await d.batch([
    d
      .update(opsIncidents)
      .set({ status: 'resolved', resolvedAt: nowIso, resolution: 'All alerts cleared', updatedAt: nowIso })
      .where(eq(opsIncidents.id, incidentId)),
    d.insert(opsIncidentEvents).values({
      incidentId,
      event: 'incident_resolved',
      user: 'system',
      detail: 'All alerts cleared',
      at: nowIso,
    }),
  ]);
}

// --- alerts ---------------------------------------------------------------------------------

export function alertView(a: AlertRow) {
  return {
    id: a.id,
    rule_name: a.ruleName,
    metric: a.metric,
    current_value: a.currentValue,
    peak_value: a.peakValue,
    threshold: a.threshold,
    operator: a.operator,
    severity: a.severity,
    message: a.message,
    timestamp: a.createdAt,
    last_seen: a.lastSeenAt,
    occurrences: a.occurrences,
    acknowledged: a.acknowledgedAt !== null,
    acknowledged_at: a.acknowledgedAt,
    acknowledged_by: a.acknowledgedBy,
    resolved: a.status === 'resolved',
    resolved_at: a.resolvedAt,
    resolved_by: a.resolvedBy,
    incident_id: a.incidentId,
    metadata: a.metadata ?? {},
  };
}

export async function activeAlerts(env: Env, severity?: Severity) {
  const rows = await db(env)
    .select()
    .from(opsAlerts)
    .where(and(eq(opsAlerts.status, 'firing'), severity ? eq(opsAlerts.severity, severity) : undefined))
    .orderBy(desc(opsAlerts.createdAt));
  return rows.map(alertView);
}

export async function alertHistory(env: Env, limit: number, severity?: Severity) {
  const rows = await db(env)
    .select()
    .from(opsAlerts)
    .where(severity ? eq(opsAlerts.severity, severity) : undefined)
    .orderBy(desc(opsAlerts.createdAt))
    .limit(limit);
  return rows.map(alertView);
}

export async function acknowledgeAlert(env: Env, id: string, actor: { userId: string; requestId: string }) {
  const d = db(env);
  const alert = await d.select().from(opsAlerts).where(eq(opsAlerts.id, id)).get();
  if (!alert) throw new ApiError('NOT_FOUND', `No alert ${id}`);
  if (alert.acknowledgedAt)
    return { success: true, message: 'Alert already acknowledged', acknowledged_at: alert.acknowledgedAt };
  const nowIso = new Date().toISOString();
  await d.batch([
    d
      .update(opsAlerts)
      .set({ acknowledgedAt: nowIso, acknowledgedBy: actor.userId })
      .where(eq(opsAlerts.id, id)),
    ...(alert.incidentId
      ? [
          d.insert(opsIncidentEvents).values({
            incidentId: alert.incidentId,
            event: 'alert_acknowledged',
            user: actor.userId,
            detail: id,
            at: nowIso,
          }),
        ]
      : []),
    audit(d, {
      actorUserId: actor.userId,
      action: 'alerting.alert_acknowledged',
      targetType: 'ops_alert',
      targetId: id,
      requestId: actor.requestId,
    }),
  ]);
  return { success: true, message: 'Alert acknowledged', acknowledged_at: nowIso };
}

/** Resolves the firing alert of a rule (002 resolves by rule name); an alert id works too. */
export async function resolveByRule(
  env: Env,
  ruleOrId: string,
  actor: { userId: string; requestId: string },
) {
  const d = db(env);
  const alert =
    (await d
      .select()
      .from(opsAlerts)
      .where(and(eq(opsAlerts.ruleName, ruleOrId), eq(opsAlerts.status, 'firing')))
      .get()) ??
    (await d
      .select()
      .from(opsAlerts)
      .where(and(eq(opsAlerts.id, ruleOrId), eq(opsAlerts.status, 'firing')))
      .get());
  if (!alert) throw new ApiError('NOT_FOUND', `No firing alert for rule '${ruleOrId}'`);
  await resolveAlert(env, alert, actor.userId, Date.now(), 'resolved by an admin');
  await audit(d, {
    actorUserId: actor.userId,
    action: 'alerting.alert_resolved',
    targetType: 'ops_alert',
    targetId: alert.id,
    requestId: actor.requestId,
  });
  return { success: true, message: `Alert for rule '${alert.ruleName}' resolved`, alert_id: alert.id };
}

/**
 * Alert fatigue over the last 24 hours: volume by severity and rule, flapping rules (an alert
 * that cleared by itself within 10 minutes, three times or more), time to acknowledge, and
 * the fatigue score: the share of alerts nobody acknowledged that cleared by themselves.
 */
export async function fatigueStats(env: Env, now = Date.now()) {
  const since = new Date(now - 86_400_000).toISOString();
  const rows = await db(env).select().from(opsAlerts).where(gte(opsAlerts.createdAt, since));
  const bySeverity: Record<string, number> = Object.fromEntries(OPS_SEVERITIES.map((s) => [s, 0]));
  const byRule = new Map<string, { count: number; flaps: number }>();
  let noise = 0;
  const ackTimes: number[] = [];
  for (const a of rows) {
    bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
    const r = byRule.get(a.ruleName) ?? { count: 0, flaps: 0 };
    r.count++;
    const selfResolved = a.resolvedBy === 'system' && a.resolvedAt !== null;
    if (selfResolved && a.resolvedAt && Date.parse(a.resolvedAt) - Date.parse(a.createdAt) <= 10 * 60_000)
      r.flaps++;
    if (selfResolved && !a.acknowledgedAt) noise++;
    if (a.acknowledgedAt) ackTimes.push((Date.parse(a.acknowledgedAt) - Date.parse(a.createdAt)) / 1000);
    byRule.set(a.ruleName, r);
  }
  const suppressed = await db(env)
    .select({ name: opsAlertRules.name, n: opsAlertRules.suppressedCount })
    .from(opsAlertRules);
  return {
    total_alerts_24h: rows.length,
    alerts_by_severity: bySeverity,
    fatigue_score: rows.length ? Math.round((noise / rows.length) * 1000) / 1000 : 0,
    most_frequent_rules: [...byRule]
      .sort((a, b) => b[1].count - a[1].count)
      .slice(0, 10)
      .map(([rule_name, r]) => ({ rule_name, count: r.count })),
    flapping_rules: [...byRule]
      .filter(([, r]) => r.flaps >= 3)
      .map(([rule_name, r]) => ({ rule_name, flaps: r.flaps })),
    mean_time_to_acknowledge_seconds: ackTimes.length
      ? Math.round(ackTimes.reduce((s, x) => s + x, 0) / ackTimes.length)
      : null,
    acknowledged: ackTimes.length,
    suppressed_by_cooldown: Object.fromEntries(suppressed.filter((s) => s.n > 0).map((s) => [s.name, s.n])),
    method:
      'fatigue_score = alerts of the last 24 h that cleared by themselves without being acknowledged ÷ all alerts of the last 24 h; flapping = 3+ alerts of a rule that each cleared within 10 minutes',
  };
}
