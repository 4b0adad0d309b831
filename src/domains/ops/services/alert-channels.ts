import { eq } from 'drizzle-orm';
import { describeError, log } from '../../../core/logger';
import { db } from '../../../db/client';
import { opsIncidentEvents, users } from '../../../db/schema';
import { createNotification } from '../../notifications/service';

/**
 * Where a firing alert goes. Every admin gets an in-app `system_alert` notification (the
 * notification system also pushes it to subscribed devices); a rule's `slack` and `email`
 * channels are webhooks a deployment configures (OPS_SLACK_WEBHOOK_URL: a Slack incoming
 * webhook; OPS_EMAIL_WEBHOOK_URL: a relay taking {to, subject, text}). Each external delivery,
 * or why it was skipped, is written to the incident's timeline. Delivery never fails the
 * evaluation: errors are recorded and logged.
 */

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface FiredAlert {
  id: string;
  ruleName: string;
  severity: Severity;
  message: string;
  incidentId: string;
  channels: readonly string[];
}

const WEBHOOK_TIMEOUT_MS = 5000;

async function post(url: string, body: unknown): Promise<string> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.ok ? `delivered (HTTP ${res.status})` : `failed (HTTP ${res.status})`;
  } catch (err) {
    log('warn', 'alerting.webhook_failed', describeError(err));
    return `failed (${err instanceof Error ? err.message : String(err)})`;
  }
}

export async function notifyAlert(env: Env, alert: FiredAlert, now: number): Promise<Record<string, string>> {
  const admins = await db(env)
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(eq(users.role, 'admin'));
  const priority = alert.severity === 'critical' ? 'urgent' : alert.severity === 'high' ? 'high' : 'normal';
  const title = `Alert: ${alert.ruleName}`;
  const outcomes: Record<string, string> = {};
  const inApp = await Promise.allSettled(
    admins.map((a) =>
      createNotification(env, {
        userId: a.id,
        type: 'system_alert',
        category: 'system',
        priority,
        title,
        message: alert.message,
        data: { alert_id: alert.id, incident_id: alert.incidentId, severity: alert.severity },
        dedupeKey: `ops-alert:${alert.id}`,
      }),
    ),
  );
  outcomes.in_app = `${inApp.filter((r) => r.status === 'fulfilled').length} of ${admins.length} admins`;
  const text = `[${alert.severity.toUpperCase()}] ${alert.ruleName}: ${alert.message} (alert ${alert.id}, incident ${alert.incidentId})`;
  if (alert.channels.includes('slack'))
    outcomes.slack = env.OPS_SLACK_WEBHOOK_URL
      ? await post(env.OPS_SLACK_WEBHOOK_URL, { text })
      : 'skipped: OPS_SLACK_WEBHOOK_URL is not configured';
  if (alert.channels.includes('email'))
    outcomes.email = env.OPS_EMAIL_WEBHOOK_URL
      ? await post(env.OPS_EMAIL_WEBHOOK_URL, { to: admins.map((a) => a.email), subject: title, text })
      : 'skipped: OPS_EMAIL_WEBHOOK_URL is not configured';
  const at = new Date(now).toISOString();
  await db(env)
    .insert(opsIncidentEvents)
    .values(
      Object.entries(outcomes).map(([channel, outcome]) => ({
        incidentId: alert.incidentId,
        event: 'notified',
        user: 'system',
        detail: `${alert.id} ${channel}: ${outcome}`,
        at,
      })),
    );
  return outcomes;
}
