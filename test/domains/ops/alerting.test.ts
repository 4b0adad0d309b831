import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateRules } from '../../../src/domains/ops/services/alerting';
import { D1SourceHealth } from '../../../src/ingestion/source-health';
import { CRON_TASKS } from '../../../src/jobs/scheduled';
import { call, callJson } from '../../helpers/api';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  admin = await signUpAdmin();
  user = await signUp();
});

interface Alert {
  id: string;
  rule_name: string;
  current_value: number;
  occurrences: number;
  acknowledged: boolean;
  resolved: boolean;
  resolved_by: string | null;
  incident_id: string | null;
  severity: string;
}

async function failRequests(n: number) {
  await env.DB.prepare('ALTER TABLE jobs RENAME TO jobs_offline').run();
  try {
    for (let i = 0; i < n; i++) expect((await call('/api/v1/jobs', { as: user.as })).status).toBe(500);
  } finally {
    await env.DB.prepare('ALTER TABLE jobs_offline RENAME TO jobs').run();
  }
}

describe('alerting and incidents', () => {
  it('the minute cron evaluates the rules', () => {
    expect(CRON_TASKS['* * * * *']?.map((t) => t.name)).toContain('ops.evaluate-alerts');
    expect(CRON_TASKS['* * * * *']?.map((t) => t.name)).toContain('ops.health-snapshot');
  });

  it('seeds the default rules', async () => {
    const { res, body } = await callJson<{ name: string; metric: string; builtin: boolean }[]>(
      '/api/alerting/rules',
      {
        as: admin.as,
      },
    );
    expect(res.status).toBe(200);
    const names = body.map((r) => r.name);
    for (const n of [
      'high_error_rate',
      'high_p95_latency',
      'job_backlog',
      'data_staleness',
      'provider_circuit_open',
    ])
      expect(names).toContain(n);
  });

  it('a failing route and a provider outage fire deduplicated alerts grouped in one incident, notify admins, then resolve', async () => {
    await failRequests(8);
    const health = new D1SourceHealth(env);
    for (let i = 0; i < 5; i++) await health.recordFailure('coingecko', 'upstream timed out');

    const first = await evaluateRules(env);
    expect(first.errors).toEqual([]);
    expect(first.fired).toHaveLength(2);

    const active = await callJson<Alert[]>('/api/alerting/alerts', { as: admin.as });
    const byRule = new Map(active.body.map((a) => [a.rule_name, a]));
    const errorAlert = byRule.get('high_error_rate');
    const circuitAlert = byRule.get('provider_circuit_open');
    expect(errorAlert?.current_value).toBeGreaterThan(0.05);
    expect(circuitAlert?.current_value).toBe(1);
    expect(errorAlert?.incident_id).toBeTruthy();
    expect(circuitAlert?.incident_id).toBe(errorAlert?.incident_id);

    const incident = await callJson<{
      related_alerts: string[];
      timeline: { event: string }[];
      status: string;
    }>(`/api/alerting/incidents/${errorAlert?.incident_id}`, { as: admin.as });
    expect(incident.res.status).toBe(200);
    expect(incident.body.related_alerts).toHaveLength(2);
    const events = incident.body.timeline.map((t) => t.event);
    expect(events.filter((e) => e !== 'notified')).toEqual(['incident_created', 'alert_added']);
    // Each alert's in-app delivery to the admins is on the timeline.
    expect(events.filter((e) => e === 'notified')).toHaveLength(2);

    const notes = await callJson<{ data: { notifications: { type: string; title: string }[] } }>(
      '/api/v1/notifications',
      { as: admin.as },
    );
    expect(
      notes.body.data.notifications.filter((n) => n.type === 'system_alert').length,
    ).toBeGreaterThanOrEqual(2);

    // Still breaching: the same alerts, counted again, no new ones.
    const second = await evaluateRules(env);
    expect(second.fired).toEqual([]);
    expect(second.deduplicated).toHaveLength(2);

    const ack = await callJson<{ success: boolean }>(`/api/alerting/alerts/${errorAlert?.id}/acknowledge`, {
      method: 'POST',
      as: admin.as,
    });
    expect(ack.res.status).toBe(200);

    // The provider recovers: its alert resolves by itself.
    await health.recordSuccess('coingecko', 120);
    const third = await evaluateRules(env);
    expect(third.resolved).toEqual([circuitAlert?.id]);

    // An admin resolves the error-rate alert by rule name; the incident's last alert closes it.
    const resolved = await callJson<{ success: boolean; message: string }>(
      '/api/alerting/alerts/high_error_rate/resolve',
      {
        method: 'POST',
        as: admin.as,
      },
    );
    expect(resolved.res.status).toBe(200);
    const after = await callJson<{ status: string; timeline: { event: string }[] }>(
      `/api/alerting/incidents/${errorAlert?.incident_id}`,
      { as: admin.as },
    );
    expect(after.body.status).toBe('resolved');
    expect(after.body.timeline.map((t) => t.event)).toContain('incident_resolved');

    // Still breaching, but cooling down: suppressed.
    const fourth = await evaluateRules(env);
    expect(fourth.suppressed).toContain('high_error_rate');
    expect(fourth.fired).toEqual([]);

    const history = await callJson<Alert[]>('/api/alerting/alerts/history?limit=10', { as: admin.as });
    const h = history.body.filter((a) => ['high_error_rate', 'provider_circuit_open'].includes(a.rule_name));
    expect(h.every((a) => a.resolved)).toBe(true);
    expect(h.find((a) => a.rule_name === 'provider_circuit_open')?.resolved_by).toBe('system');
    expect(h.find((a) => a.rule_name === 'high_error_rate')?.occurrences).toBe(3);

    const fatigue = await callJson<{
      total_alerts_24h: number;
      alerts_by_severity: Record<string, number>;
      mean_time_to_acknowledge_seconds: number | null;
      suppressed_by_cooldown: Record<string, number>;
      fatigue_score: number;
    }>('/api/alerting/fatigue-stats', { as: admin.as });
    expect(fatigue.body.total_alerts_24h).toBe(2);
    expect(fatigue.body.alerts_by_severity.high).toBe(2);
    expect(fatigue.body.mean_time_to_acknowledge_seconds).not.toBeNull();
    expect(fatigue.body.suppressed_by_cooldown.high_error_rate).toBe(1);
    expect(fatigue.body.fatigue_score).toBe(0.5);
    const rules = await callJson<{ name: string; trigger_count: number }[]>('/api/alerting/rules', {
      as: admin.as,
    });
    expect(rules.body.find((r) => r.name === 'high_error_rate')?.trigger_count).toBe(1);
  });

  it('a queue backlog fires a custom rule', async () => {
    const created = await callJson<{ success: boolean; rule: string; created: boolean }>(
      '/api/alerting/rules',
      {
        method: 'POST',
        as: admin.as,
        body: {
          name: 'test_backlog',
          metric: 'job_backlog',
          threshold: 2,
          operator: 'gt',
          severity: 'critical',
          duration: 60,
          cooldown: 0,
        },
      },
    );
    expect(created.res.status).toBe(200);
    expect(created.body.created).toBe(true);
    await env.DB.batch(
      [1, 2, 3].map((i) =>
        env.DB.prepare(
          "INSERT INTO jobs (id, type, status, payload) VALUES (?, 'prices.backfill', 'queued', '{}')",
        ).bind(`job_backlogtest${i}`),
      ),
    );
    const r = await evaluateRules(env);
    const alerts = await callJson<Alert[]>('/api/alerting/alerts?severity=critical', { as: admin.as });
    const a = alerts.body.find((x) => x.rule_name === 'test_backlog');
    expect(a?.current_value).toBeGreaterThanOrEqual(3);
    expect(r.fired).toContain(a?.id);
    await env.DB.prepare("DELETE FROM jobs WHERE id LIKE 'job_backlogtest%'").run();
  });

  it('incidents opened by hand group existing alerts, have a timeline and resolve', async () => {
    const history = await callJson<Alert[]>('/api/alerting/alerts/history', { as: admin.as });
    const alertId = history.body[0]?.id ?? '';
    const created = await callJson<{ id: string; status: string }>('/api/alerting/incidents', {
      method: 'POST',
      as: admin.as,
      body: { title: 'Degraded API', severity: 'high', description: 'Latency up', related_alerts: [alertId] },
    });
    expect(created.res.status).toBe(201);
    const open = await callJson<{ id: string }[]>('/api/alerting/incidents', { as: admin.as });
    expect(open.body.map((i) => i.id)).toContain(created.body.id);
    const done = await callJson<{ success: boolean; resolved_at: string }>(
      `/api/alerting/incidents/${created.body.id}/resolve?resolution=rolled%20back`,
      { method: 'POST', as: admin.as },
    );
    expect(done.res.status).toBe(200);
    const detail = await callJson<{
      status: string;
      resolution: string;
      timeline: { event: string; user: string }[];
    }>(`/api/alerting/incidents/${created.body.id}`, { as: admin.as });
    expect(detail.body.status).toBe('resolved');
    expect(detail.body.resolution).toBe('rolled back');
    expect(detail.body.timeline.map((t) => t.event)).toEqual(['incident_created', 'incident_resolved']);
    expect(detail.body.timeline[1]?.user).toBe(admin.id);
  });

  it('refuses bad input and unknown ids', async () => {
    const badMetric = await call('/api/alerting/rules', {
      method: 'POST',
      as: admin.as,
      body: { name: 'x', metric: 'cpu_temperature', threshold: 1 },
    });
    expect(badMetric.status).toBe(400);
    const badWindow = await call('/api/alerting/rules', {
      method: 'POST',
      as: admin.as,
      body: { name: 'x', metric: 'error_rate', threshold: 1, duration: 5 },
    });
    expect(badWindow.status).toBe(400);
    const unknownAlert = await call('/api/alerting/incidents', {
      method: 'POST',
      as: admin.as,
      body: { title: 't', severity: 'low', related_alerts: ['oal_nope'] },
    });
    expect(unknownAlert.status).toBe(400);
    expect((await call('/api/alerting/incidents/inc_nope', { as: admin.as })).status).toBe(404);
    expect(
      (await call('/api/alerting/alerts/oal_nope/acknowledge', { method: 'POST', as: admin.as })).status,
    ).toBe(404);
    expect(
      (await call('/api/alerting/alerts/nothing_firing/resolve', { method: 'POST', as: admin.as })).status,
    ).toBe(404);
    expect((await call('/api/alerting/alerts?severity=extreme', { as: admin.as })).status).toBe(400);
  });
});
