import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../../src/jobs/service';
import { call, callJson } from '../../helpers/api';
import { seedMarket } from '../../helpers/market';
import { signUpAdmin, type TestUser } from '../../helpers/users';

let admin: TestUser;

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  admin = await signUpAdmin();
});

interface Analytics {
  total_operations: number;
  redis_hits: number;
  misses: number;
  hit_rate: number;
  by_prefix: Record<string, { hits: number; misses: number }>;
}

describe('cache management from recorded cache outcomes', () => {
  it('counts hits and misses per prefix, bumps a prefix version and invalidates all', async () => {
    const first = await call('/api/v1/assets?limit=5');
    expect(first.status).toBe(200);
    const second = await call('/api/v1/assets?limit=5');
    expect(second.status).toBe(200);

    const a = await callJson<Analytics>('/api/cache/analytics', { as: admin.as });
    expect(a.res.status).toBe(200);
    expect(a.body.by_prefix.assets?.misses).toBe(1);
    expect(a.body.by_prefix.assets?.hits).toBe(1);
    expect(a.body.hit_rate).toBeGreaterThan(0);

    const p = await callJson<{ operations: number; keys: { key: string }[] }>(
      `/api/cache/analytics/pattern/${encodeURIComponent('assets:*')}`,
      { as: admin.as },
    );
    expect(p.body.operations).toBe(2);
    expect(p.body.keys[0]?.key).toBe('/api/v1/assets?limit=5');

    const v = await callJson<{ versions: Record<string, number>; data_version: string }>(
      '/api/cache/versions',
      {
        as: admin.as,
      },
    );
    expect(v.body.versions.assets).toBe(1);

    const inc = await callJson<{ new_version: number; prefix: string }>(
      '/api/cache/versions/assets/increment?reason=test',
      { method: 'POST', as: admin.as },
    );
    expect(inc.res.status).toBe(200);
    expect(inc.body.new_version).toBe(2);
    const third = await call('/api/v1/assets?limit=5', { headers: { 'Cache-Control': 'no-cache' } });
    expect(third.headers.get('X-Data-Version')).toMatch(/\.2$/);
    const after = await callJson<Analytics>('/api/cache/analytics', { as: admin.as });
    expect(after.body.by_prefix.assets?.misses).toBe(2);

    const all = await callJson<{ success: boolean; data_version: string }>(
      '/api/cache/versions/invalidate-all',
      {
        method: 'POST',
        as: admin.as,
      },
    );
    expect(all.res.status).toBe(200);
    expect(all.body.data_version).not.toBe(v.body.data_version);

    const metrics = await callJson<{ hits: number; misses: number }>('/api/cache/metrics', { as: admin.as });
    expect(metrics.body.hits).toBe(1);
    expect(metrics.body.misses).toBe(2);

    const audit = await callJson<{ results: { message: string }[] }>(
      '/api/logs/search?log_file=audit&query=cache',
      {
        as: admin.as,
      },
    );
    expect(audit.body.results.map((r) => r.message)).toContain('cache.version_increment cache_prefix assets');
  });

  it('the preloader warms the most requested keys as a job', async () => {
    const stats = await callJson<{ frequently_accessed: { key: string; access_count: number }[] }>(
      '/api/cache/preloader/stats',
      { as: admin.as },
    );
    expect(stats.body.frequently_accessed[0]?.key).toBe('/api/v1/assets?limit=5');
    const pre = await callJson<{ job_id: string; stats: { keys_preloaded: number } }>(
      '/api/cache/preloader/preload-frequent?min_access_count=2',
      { method: 'POST', as: admin.as },
    );
    expect(pre.res.status).toBe(200);
    expect(pre.body.stats.keys_preloaded).toBe(1);
    await runJob(env, { job_id: pre.body.job_id, type: 'cache.preload' });
    const job = await env.DB.prepare('SELECT status, result FROM jobs WHERE id = ?')
      .bind(pre.body.job_id)
      .first<{ status: string; result: string }>();
    expect(job?.status).toBe('succeeded');
    expect(JSON.parse(job?.result ?? '{}')).toMatchObject({ warmed: 1, attempted: 1 });
    // The warmed entry is a hit for the next client.
    const next = await callJson<Analytics>('/api/cache/analytics', { as: admin.as });
    const before = next.body.by_prefix.assets?.hits ?? 0;
    await call('/api/v1/assets?limit=5');
    const later = await callJson<Analytics>('/api/cache/analytics', { as: admin.as });
    expect(later.body.by_prefix.assets?.hits).toBe(before + 1);
    const after = await callJson<{ preload_success_rate: number }>('/api/cache/preloader/stats', {
      as: admin.as,
    });
    expect(after.body.preload_success_rate).toBe(1);
  });

  it('resets the analytics', async () => {
    const r = await callJson<{ success: boolean; events_deleted: number }>('/api/cache/analytics/reset', {
      method: 'POST',
      as: admin.as,
    });
    expect(r.body.events_deleted).toBeGreaterThan(0);
    const a = await callJson<Analytics>('/api/cache/analytics', { as: admin.as });
    expect(a.body.total_operations).toBe(0);
  });

  it('refuses a bad prefix and window', async () => {
    expect(
      (await call('/api/cache/versions/Bad%20Prefix/increment', { method: 'POST', as: admin.as })).status,
    ).toBe(400);
    expect((await call('/api/cache/analytics?time_window_minutes=0', { as: admin.as })).status).toBe(400);
  });
});

describe('background jobs', () => {
  it('shows a queue backlog by priority, the active tasks, per-task stats, and flushes batches', async () => {
    const at = new Date(Date.now() - 120_000).toISOString();
    const done = new Date(Date.now() - 60_000).toISOString();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO jobs (id, type, status, payload) VALUES ('job_bq1', 'notifications.push', 'queued', '{}')",
      ),
      env.DB.prepare(
        "INSERT INTO jobs (id, type, status, payload) VALUES ('job_bq2', 'prices.backfill', 'queued', '{}')",
      ),
      env.DB.prepare(
        "INSERT INTO jobs (id, type, status, payload, started_at, progress) VALUES ('job_bq3', 'prices.archive', 'running', '{}', ?, 40)",
      ).bind(at),
      env.DB.prepare(
        "INSERT INTO jobs (id, type, status, payload, started_at, finished_at) VALUES ('job_bq4', 'prices.archive', 'succeeded', '{}', ?, ?)",
      ).bind(at, done),
      env.DB.prepare(
        "INSERT INTO jobs (id, type, status, payload, started_at, finished_at, error) VALUES ('job_bq5', 'prices.archive', 'failed', '{}', ?, ?, 'dead-lettered after 6 deliveries')",
      ).bind(at, done),
    ]);
    const depth = await callJson<{ high_priority: number; normal_priority: number; total: number }>(
      '/api/background-jobs/queue-depth',
      { as: admin.as },
    );
    expect(depth.body.high_priority).toBeGreaterThanOrEqual(1);
    expect(depth.body.normal_priority).toBeGreaterThanOrEqual(1);

    const status = await callJson<{
      active_workers: number;
      pending_tasks: number;
      failed_tasks_24h: number;
      dead_letters: number;
    }>('/api/background-jobs/status', { as: admin.as });
    expect(status.body.active_workers).toBeGreaterThanOrEqual(1);
    expect(status.body.pending_tasks).toBeGreaterThanOrEqual(2);
    expect(status.body.dead_letters).toBeGreaterThanOrEqual(1);

    const tasks = await callJson<{ job_id: string; status: string; progress: number }[]>(
      '/api/background-jobs/tasks',
      {
        as: admin.as,
      },
    );
    expect(tasks.body.find((t) => t.job_id === 'job_bq3')).toMatchObject({
      status: 'started',
      progress: 0.4,
    });

    const stats = await callJson<{
      per_task: { task_name: string; succeeded: number; failed: number; avg_execution_time_ms: number }[];
    }>('/api/background-jobs/stats', { as: admin.as });
    const archive = stats.body.per_task.find((t) => t.task_name === 'prices.archive');
    expect(archive).toMatchObject({ succeeded: 1, failed: 1 });
    expect(archive?.avg_execution_time_ms).toBeCloseTo(60_000, -2);

    const batches = await callJson<{ batches: Record<string, { task_count: number }> }>(
      '/api/background-jobs/batching/stats',
      { as: admin.as },
    );
    expect(batches.body.batches.notifications?.task_count).toBeGreaterThanOrEqual(1);
    const flush = await callJson<{ results: Record<string, { tasks_executed: number; status: string }> }>(
      '/api/background-jobs/batching/flush',
      { method: 'POST', as: admin.as },
    );
    expect(flush.res.status).toBe(200);
    expect(flush.body.results.alerts?.tasks_executed).toBeGreaterThanOrEqual(5);
    expect(flush.body.results.notifications?.tasks_executed).toBeGreaterThanOrEqual(1);
    const after = await callJson<{ batches: Record<string, { task_count: number }> }>(
      '/api/background-jobs/batching/stats',
      { as: admin.as },
    );
    expect(after.body.batches.alerts?.task_count).toBe(0);
    await env.DB.prepare("DELETE FROM jobs WHERE id LIKE 'job_bq%'").run();
  });
});
