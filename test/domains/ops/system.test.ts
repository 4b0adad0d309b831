import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotHealth } from '../../../src/domains/ops/services/system-health';
import { call, callJson } from '../../helpers/api';
import { seedMarket } from '../../helpers/market';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  admin = await signUpAdmin();
  user = await signUp();
}, 120_000);

type Env1<T> = { success: boolean; data: T };

describe('000/001 admin monitoring and analytics', () => {
  it('snapshots health each minute and serves the history', async () => {
    const now = Date.now();
    await snapshotHealth(env, now - 60_000);
    await snapshotHealth(env, now);
    await snapshotHealth(env, now); // a rerun of the same minute replaces it
    const h = await callJson<
      Env1<{
        snapshots: { created_at: string; status: string; jobs?: unknown; traffic?: unknown }[];
        summary: { snapshots: number };
      }>
    >('/api/v1/admin/system/health/history?metrics=jobs', { as: admin.as });
    expect(h.res.status).toBe(200);
    expect(h.body.data.summary.snapshots).toBe(2);
    expect(h.body.data.snapshots[0]?.jobs).toBeDefined();
    expect(h.body.data.snapshots[0]?.traffic).toBeUndefined();
    expect((await call('/api/v1/admin/system/health/history?metrics=cpu', { as: admin.as })).status).toBe(
      400,
    );
  });

  it('serves health, system overview, metrics and analytics from real traffic', async () => {
    for (const p of ['/api/v1/assets/BTC', '/api/v1/assets/BTC', '/api/v1/assets/ETH'])
      await call(p, { as: user.as });
    const health = await callJson<Env1<{ status: string; services: { service: string }[] }>>(
      '/api/v1/admin/system/health',
      {
        as: admin.as,
      },
    );
    expect(health.res.status).toBe(200);
    expect(health.body.data.services.map((s) => s.service)).toContain('d1');

    const sys = await callJson<Env1<{ traffic_24h: { requests: number }; alerts: { firing: number } }>>(
      '/api/v1/admin/system',
      {
        as: admin.as,
      },
    );
    expect(sys.body.data.traffic_24h.requests).toBeGreaterThan(3);

    const metrics = await callJson<Env1<{ requests: { count: number }; api_usage: { path: string }[] }>>(
      '/api/v1/admin/system/metrics',
      { as: admin.as },
    );
    expect(metrics.body.data.api_usage.map((a) => a.path)).toContain('/api/v1/assets/{asset_id}');

    const usage = await callJson<
      Env1<{ series: { requests: number; active_users: number }[]; totals: { requests: number } }>
    >('/api/v1/admin/analytics/usage?period=1d&granularity=hour', { as: admin.as });
    expect(usage.body.data.totals.requests).toBeGreaterThan(3);
    expect(
      Math.max(...usage.body.data.series.map((s) => s.active_users)),
      JSON.stringify(usage.body.data.series),
    ).toBeGreaterThanOrEqual(2);

    const assets = await callJson<Env1<{ most_accessed: { asset: string; requests: number }[] }>>(
      '/api/v1/admin/analytics/assets',
      { as: admin.as },
    );
    expect(assets.body.data.most_accessed[0]).toMatchObject({ asset: 'BTC', requests: 2 });
    expect(assets.body.data.most_accessed[1]).toMatchObject({ asset: 'ETH', requests: 1 });

    const api = await callJson<Env1<{ top_users: { user_id: string }[]; endpoints: unknown[] }>>(
      '/api/v1/admin/analytics/api-usage',
      { as: admin.as },
    );
    expect(api.body.data.top_users.map((u) => u.user_id)).toContain(user.id);

    const users = await callJson<Env1<{ total_users: number; registrations: { registrations: number }[] }>>(
      '/api/v1/admin/analytics/users?days=3',
      { as: admin.as },
    );
    expect(users.body.data.total_users).toBe(2);
    expect(users.body.data.registrations.reduce((s, r) => s + r.registrations, 0)).toBe(2);

    for (const p of ['/api/v1/admin/analytics', '/api/v1/admin/analytics/performance']) {
      const r = await call(p, { as: admin.as });
      expect(r.status, p).toBe(200);
      expect((await call(p, { as: user.as })).status, p).toBe(403);
    }
  });
});

describe('004 batch administration and system endpoints', () => {
  it('lists, summarizes and cancels batch jobs; system jobs and status', async () => {
    const at = new Date(Date.now() - 120_000).toISOString();
    const done = new Date(Date.now() - 30_000).toISOString();
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO jobs (id, type, status, payload, started_at, finished_at, result) VALUES ('job_b1', 'prices.backfill', 'succeeded', '{"portfolio_id":"pf_x"}', ?, ?, '{"processed": 10}')`,
      ).bind(at, done),
      env.DB.prepare(
        "INSERT INTO jobs (id, type, status, payload, started_at, finished_at, error) VALUES ('job_b2', 'prices.backfill', 'failed', '{}', ?, ?, 'upstream 429 rate limit for job_01ABCDEFGHJK')",
      ).bind(at, done),
      env.DB.prepare(
        "INSERT INTO jobs (id, type, status, payload) VALUES ('job_b3', 'data-quality.validate', 'queued', '{}')",
      ),
    ]);
    const status = await callJson<{
      jobs: { id: string; status: string; duration_seconds: number | null; processed_items: number | null }[];
      summary: Record<string, number>;
    }>('/api/v1/admin/batch/jobs/status', { as: admin.as });
    expect(status.res.status).toBe(200);
    expect(status.body.summary).toMatchObject({ completed: 1, failed: 1, pending: 1 });
    expect(status.body.jobs.find((j) => j.id === 'job_b1')).toMatchObject({
      status: 'completed',
      duration_seconds: 90,
      processed_items: 10,
    });
    const filtered = await callJson<{ jobs: { id: string }[] }>(
      '/api/v1/admin/batch/jobs/status?portfolio_id=pf_x',
      { as: admin.as },
    );
    expect(filtered.body.jobs.map((j) => j.id)).toEqual(['job_b1']);

    const summary = await callJson<{
      job_statistics: { total_jobs: number; success_rate: number };
      error_analysis: { top_error_types: { error_pattern: string }[] };
      recommendations: string[];
    }>('/api/v1/admin/batch/jobs/summary', { as: admin.as });
    expect(summary.body.job_statistics.total_jobs).toBe(3);
    expect(summary.body.job_statistics.success_rate).toBeCloseTo(33.33, 1);
    expect(summary.body.error_analysis.top_error_types[0]?.error_pattern).toBe(
      'upstream N rate limit for <id>',
    );
    expect(summary.body.recommendations.join(' ')).toMatch(/Rate-limit/);

    const cancel = await callJson<{ job_details: { new_status: string; previous_status: string } }>(
      '/api/v1/admin/batch/jobs/job_b3/cancel',
      { method: 'DELETE', as: admin.as },
    );
    expect(cancel.res.status).toBe(200);
    expect(cancel.body.job_details).toMatchObject({ previous_status: 'pending', new_status: 'cancelled' });
    expect(
      (await call('/api/v1/admin/batch/jobs/job_b1/cancel', { method: 'DELETE', as: admin.as })).status,
    ).toBe(409);
    expect(
      (await call('/api/v1/admin/batch/jobs/job_nope/cancel', { method: 'DELETE', as: admin.as })).status,
    ).toBe(404);
    expect((await call('/api/v1/admin/batch/jobs/status?days_back=0', { as: admin.as })).status).toBe(422);

    const jobs = await callJson<{ jobs: { id: string }[]; total: number }>(
      '/api/v1/system/jobs?type=prices.backfill',
      { as: admin.as },
    );
    expect(jobs.body.total).toBe(2);
    const one = await callJson<{ id: string; status: string }>('/api/v1/system/jobs/job_b3', {
      as: admin.as,
    });
    expect(one.body.status).toBe('cancelled');
    expect((await call('/api/v1/system/jobs/job_nope', { as: admin.as })).status).toBe(404);
    const st = await callJson<{ status: string; alerts: { firing: number }; services: unknown[] }>(
      '/api/v1/system/status',
      {
        as: admin.as,
      },
    );
    expect(st.res.status).toBe(200);
    expect(st.body.services.length).toBeGreaterThan(3);
    expect((await call('/api/v1/system/status', { as: user.as })).status).toBe(403);
  });
});
