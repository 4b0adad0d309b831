import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { ApiError } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { db } from '../../../db/client';
import { type OPS_SEVERITIES, opsAlerts, opsIncidentEvents, opsIncidents } from '../../../db/schema';
import { audit } from '../../audit/service';

type Severity = (typeof OPS_SEVERITIES)[number];
type IncidentRow = typeof opsIncidents.$inferSelect;

export function incidentView(i: IncidentRow) {
  return {
    id: i.id,
    title: i.title,
    description: i.description,
    severity: i.severity,
    status: i.status,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    resolved_at: i.resolvedAt,
    assigned_to: i.assignedTo,
    created_by: i.createdBy,
    related_alerts: i.relatedAlerts,
    resolution: i.resolution,
    metadata: i.metadata ?? {},
  };
}

/** Open incidents (or all, with `status`), newest first. */
export async function listIncidents(
  env: Env,
  filter: { severity?: Severity | undefined; status?: 'open' | 'resolved' | 'all' },
) {
  const status = filter.status ?? 'open';
  const rows = await db(env)
    .select()
    .from(opsIncidents)
    .where(
      and(
        status === 'all' ? undefined : eq(opsIncidents.status, status),
        filter.severity ? eq(opsIncidents.severity, filter.severity) : undefined,
      ),
    )
    .orderBy(desc(opsIncidents.createdAt))
    .limit(500);
  return rows.map(incidentView);
}

export async function getIncident(env: Env, id: string) {
  const d = db(env);
  const [incident, events] = await Promise.all([
    d.select().from(opsIncidents).where(eq(opsIncidents.id, id)).get(),
    d
      .select()
      .from(opsIncidentEvents)
      .where(eq(opsIncidentEvents.incidentId, id))
      .orderBy(asc(opsIncidentEvents.id)),
  ]);
  if (!incident) throw new ApiError('NOT_FOUND', `No incident ${id}`);
  const alerts = incident.relatedAlerts.length
    ? await d
        .select({
          id: opsAlerts.id,
          rule: opsAlerts.ruleName,
          status: opsAlerts.status,
          severity: opsAlerts.severity,
        })
        .from(opsAlerts)
        .where(inArray(opsAlerts.id, incident.relatedAlerts.slice(0, 90)))
    : [];
  return {
    ...incidentView(incident),
    alerts: alerts.map((a) => ({ id: a.id, rule_name: a.rule, status: a.status, severity: a.severity })),
    timeline: events.map((e) => ({ timestamp: e.at, event: e.event, user: e.user, detail: e.detail })),
  };
}

export async function createIncident(
  env: Env,
  input: {
    title: string;
    severity: Severity;
    description?: string | undefined;
    related_alerts: string[];
    assigned_to?: string | undefined;
  },
  actor: { userId: string; requestId: string },
) {
  const d = db(env);
  if (input.related_alerts.length) {
    const found = await d
      .select({ id: opsAlerts.id })
      .from(opsAlerts)
      .where(inArray(opsAlerts.id, input.related_alerts));
    const known = new Set(found.map((f) => f.id));
    const missing = input.related_alerts.filter((a) => !known.has(a));
    if (missing.length)
      throw new ApiError('VALIDATION_ERROR', `Unknown alert ids: ${missing.join(', ')}`, {
        details: [
          { loc: ['body', 'related_alerts'], msg: `unknown: ${missing.join(', ')}`, type: 'unknown_alert' },
        ],
      });
  }
  const id = newId('incident');
  const now = new Date().toISOString();
  await d.batch([
    d.insert(opsIncidents).values({
      id,
      title: input.title,
      description: input.description ?? null,
      severity: input.severity,
      status: 'open',
      createdBy: actor.userId,
      assignedTo: input.assigned_to ?? null,
      relatedAlerts: input.related_alerts,
      createdAt: now,
      updatedAt: now,
    }),
    d.insert(opsIncidentEvents).values({
      incidentId: id,
      event: 'incident_created',
      user: actor.userId,
      detail: input.title,
      at: now,
    }),
    audit(d, {
      actorUserId: actor.userId,
      action: 'alerting.incident_created',
      targetType: 'incident',
      targetId: id,
      requestId: actor.requestId,
    }),
  ]);
  return { id, title: input.title, status: 'open' as const, created_at: now };
}

export async function resolveIncident(
  env: Env,
  id: string,
  resolution: string | undefined,
  actor: { userId: string; requestId: string },
) {
  const d = db(env);
  const incident = await d.select().from(opsIncidents).where(eq(opsIncidents.id, id)).get();
  if (!incident) throw new ApiError('NOT_FOUND', `No incident ${id}`);
  if (incident.status === 'resolved')
    return {
      success: true,
      message: 'Incident already resolved',
      resolved_at: incident.resolvedAt ?? incident.updatedAt,
    };
  const now = new Date().toISOString();
  await d.batch([
    d
      .update(opsIncidents)
      .set({ status: 'resolved', resolvedAt: now, resolution: resolution ?? null, updatedAt: now })
      .where(eq(opsIncidents.id, id)),
    d.insert(opsIncidentEvents).values({
      incidentId: id,
      event: 'incident_resolved',
      user: actor.userId,
      detail: resolution ?? null,
      at: now,
    }),
    audit(d, {
      actorUserId: actor.userId,
      action: 'alerting.incident_resolved',
      targetType: 'incident',
      targetId: id,
      requestId: actor.requestId,
    }),
  ]);
  return { success: true, message: 'Incident resolved', resolved_at: now };
}
