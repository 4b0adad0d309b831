import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { evaluateRules } from '../../../src/domains/ops/services/alerting';
import { callJson } from '../../helpers/api';
import { signUpAdmin, type TestUser } from '../../helpers/users';

let admin: TestUser;

beforeAll(async () => {
  admin = await signUpAdmin();
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface Incident {
  timeline: { event: string; detail: string | null }[];
}
interface Alert {
  id: string;
  rule_name: string;
  incident_id: string | null;
}

async function ruleFiringNow(name: string, channels: string[]) {
  // request_rate >= 0 holds every minute: the rule fires at the next evaluation.
  const res = await callJson('/api/alerting/rules', {
    method: 'POST',
    as: admin.as,
    body: {
      name,
      metric: 'request_rate',
      threshold: 0,
      operator: 'gte',
      severity: 'high',
      channels,
      duration: 60,
    },
  });
  expect(res.res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

async function timelineOf(rule: string): Promise<Incident['timeline']> {
  const alerts = await callJson<Alert[]>('/api/alerting/alerts', { as: admin.as });
  const alert = alerts.body.find((a) => a.rule_name === rule);
  expect(alert?.incident_id).toBeTruthy();
  const incident = await callJson<Incident>(`/api/alerting/incidents/${alert?.incident_id}`, {
    as: admin.as,
  });
  return incident.body.timeline.filter(
    (t) => t.event === 'notified' && t.detail?.startsWith(alert?.id ?? '-'),
  );
}

describe('alert channels', () => {
  it('a rule naming slack and email posts to the configured webhooks and records each delivery', async () => {
    await ruleFiringNow('channels_configured', ['in_app', 'slack', 'email']);
    const posted: { url: string; body: Record<string, unknown> }[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      posted.push({ url, body: JSON.parse(String(init?.body)) as Record<string, unknown> });
      return new Response('ok', { status: url.includes('slack') ? 200 : 502 });
    });
    const configured = {
      ...env,
      OPS_SLACK_WEBHOOK_URL: 'https://hooks.slack.test/services/T000/B000/XXXX',
      OPS_EMAIL_WEBHOOK_URL: 'https://mail-relay.test/send',
    } as Env;
    const result = await evaluateRules(configured);
    expect(result.errors).toEqual([]);

    const slack = posted.find((p) => p.url.startsWith('https://hooks.slack.test/'));
    expect(String(slack?.body.text)).toMatch(/^\[HIGH\] channels_configured: request_rate is/);
    const email = posted.find((p) => p.url === 'https://mail-relay.test/send');
    expect(email?.body.subject).toBe('Alert: channels_configured');
    expect(email?.body.to).toContain(admin.email);

    const details = (await timelineOf('channels_configured')).map((t) => t.detail ?? '');
    expect(details.some((d) => /in_app: \d+ of \d+ admins/.test(d))).toBe(true);
    expect(details.some((d) => d.includes('slack: delivered (HTTP 200)'))).toBe(true);
    // A relay that answers 502 is recorded as a failed delivery; the evaluation carries on.
    expect(details.some((d) => d.includes('email: failed (HTTP 502)'))).toBe(true);
  });

  it('an unconfigured channel is recorded as skipped, and nothing is sent', async () => {
    await ruleFiringNow('channels_unconfigured', ['slack']);
    const spy = vi.spyOn(globalThis, 'fetch');
    await evaluateRules({ ...env, OPS_SLACK_WEBHOOK_URL: '', OPS_EMAIL_WEBHOOK_URL: '' } as Env);
    expect(spy).not.toHaveBeenCalled();
    const details = (await timelineOf('channels_unconfigured')).map((t) => t.detail ?? '');
    expect(details.some((d) => d.includes('slack: skipped: OPS_SLACK_WEBHOOK_URL is not configured'))).toBe(
      true,
    );
  });
});
