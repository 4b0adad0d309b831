import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../../helpers/api';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  admin = await signUpAdmin();
  user = await signUp();
});

const OPS_PREFIXES = [
  '/api/logs',
  '/api/performance-profiling',
  '/api/database',
  '/api/cache',
  '/api/alerting',
  '/api/background-jobs/status',
  '/api/background-jobs/tasks',
  '/api/background-jobs/stats',
  '/api/background-jobs/queue-depth',
  '/api/background-jobs/batching',
  '/api/business-metrics',
  // 000/001/004 admin monitoring, analytics and batch administration.
  '/api/v1/admin/system',
  '/api/v1/admin/analytics',
  '/api/v1/admin/batch',
  '/api/v1/system/',
];

type Doc = { paths: Record<string, Record<string, unknown>> };

async function opsOperations(): Promise<{ method: string; path: string }[]> {
  const doc = (await (await call('/openapi.json')).json()) as Doc;
  return Object.entries(doc.paths)
    .filter(([p]) => OPS_PREFIXES.some((x) => p.startsWith(x)))
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
}

function fill(path: string): string {
  return path.replaceAll(/\{([^}]+)\}/g, (_m, name: string) => (name === 'pattern' ? 'assets:*' : 'x_1'));
}

describe('the ops plane is admin only', () => {
  it('answers 401 to guests and 403 to users on every operation, 2xx or 404 to admins', async () => {
    const ops = await opsOperations();
    expect(ops.length).toBeGreaterThanOrEqual(25);
    for (const { method, path } of ops) {
      const body = method === 'GET' ? undefined : {};
      const guest = await call(fill(path), { method, ...(body ? { body } : {}) });
      expect(guest.status, `${method} ${path} guest`).toBe(401);
      const u = await call(fill(path), { method, as: user.as, ...(body ? { body } : {}) });
      expect(u.status, `${method} ${path} user`).toBe(403);
    }
  }, 120_000);
});

interface LogEntry {
  level: string;
  message: string;
  request_id: string | null;
  route?: string;
  status_code?: number;
  module: string;
}

describe('faults show up in logs and profiling', () => {
  it('a failing route: 500s are ERROR lines with the cause, counted in statistics and endpoint stats', async () => {
    await env.DB.prepare('ALTER TABLE jobs RENAME TO jobs_offline').run();
    let failedId = '';
    try {
      const res = await call('/api/v1/jobs', { as: user.as });
      expect(res.status).toBe(500);
      failedId = res.headers.get('X-Request-Id') ?? '';
    } finally {
      await env.DB.prepare('ALTER TABLE jobs_offline RENAME TO jobs').run();
    }
    const search = await callJson<{ results: LogEntry[]; total: number }>(
      `/api/logs/search?level=ERROR&request_id=${failedId}`,
      { as: admin.as },
    );
    expect(search.res.status).toBe(200);
    const modules = search.body.results.map((r) => r.module);
    expect(modules).toContain('http');
    expect(modules).toContain('request.failed');
    const cause = search.body.results.find((r) => r.module === 'request.failed');
    expect(cause?.message).toMatch(/no such table: jobs/);
    expect(cause?.route).toBe('GET /api/v1/jobs');

    const fts = await callJson<{ results: LogEntry[] }>(
      '/api/logs/search?query=no%20such%20table&log_file=errors',
      {
        as: admin.as,
      },
    );
    expect(fts.body.results.some((r) => r.request_id === failedId)).toBe(true);

    const tail = await callJson<LogEntry[]>('/api/logs/tail?log_file=errors&lines=5', { as: admin.as });
    expect(tail.res.status).toBe(200);
    expect(tail.body.at(-1)?.level).toMatch(/ERROR|CRITICAL/);

    const stats = await callJson<{
      total_logs: number;
      by_level: Record<string, number>;
      error_rate: number;
    }>('/api/logs/statistics', { as: admin.as });
    expect(stats.body.by_level.ERROR).toBeGreaterThanOrEqual(2);
    expect(stats.body.error_rate).toBeGreaterThan(0);
    expect(stats.body.total_logs).toBeGreaterThan(stats.body.by_level.ERROR ?? 0);

    const ep = await callJson<{
      endpoints: { method: string; path: string; errors: number; count: number; p95_ms: number }[];
    }>('/api/performance-profiling/endpoint-statistics?method=GET&path=/api/v1/jobs', { as: admin.as });
    expect(ep.body.endpoints).toHaveLength(1);
    expect(ep.body.endpoints[0]?.errors).toBeGreaterThanOrEqual(1);

    const statements = await callJson<{ slow_queries: { query: string; request_id: string }[] }>(
      '/api/performance-profiling/slow-queries?threshold_ms=0&limit=1000',
      { as: admin.as },
    );
    expect(statements.body.slow_queries.some((q) => q.request_id === failedId)).toBe(true);
  });

  it('a slow query: a scan over many rows is the slowest statement of its request, with its rows read', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => i);
    for (let i = 0; i < rows.length; i += 500) {
      await env.DB.batch(
        rows
          .slice(i, i + 500)
          .map((n) =>
            env.DB.prepare(
              "INSERT INTO audit_logs (id, action, target_type, target_id) VALUES (?, 'bulk.test', 'thing', ?)",
            ).bind(`audit_bulk_${n}`, `t${n}`),
          ),
      );
    }
    const res = await call('/api/logs/search?log_file=audit&query=nomatchanywhere', { as: admin.as });
    expect(res.status).toBe(200);
    const id = res.headers.get('X-Request-Id') ?? '';
    const slow = await callJson<{
      slow_queries: { query: string; request_id: string; rows_read: number; duration_ms: number }[];
    }>('/api/performance-profiling/slow-queries?threshold_ms=0&limit=1000', { as: admin.as });
    const mine = slow.body.slow_queries.filter((q) => q.request_id === id);
    const scan = mine.find((q) => /LIKE/.test(q.query));
    expect(scan?.rows_read).toBeGreaterThanOrEqual(3000);
    const qs = await callJson<{
      queries: { query: string; count: number; p95_ms: number; rows_read: number }[];
    }>(`/api/performance-profiling/query-statistics?query=${encodeURIComponent(scan?.query ?? '')}`, {
      as: admin.as,
    });
    expect(qs.body.queries).toHaveLength(1);
    expect(qs.body.queries[0]?.rows_read).toBeGreaterThanOrEqual(3000);

    const summary = await callJson<{
      requests: { count: number; p95_ms: number };
      queries: { count: number };
    }>('/api/performance-profiling/summary', { as: admin.as });
    expect(summary.body.requests.count).toBeGreaterThan(5);
    expect(summary.body.queries.count).toBeGreaterThan(5);
  });

  it('index reports come from the recorded statements’ query plans', async () => {
    const usage = await callJson<{
      indexes: { index_name: string; scans: number; queries: { plan: string[] }[] }[];
    }>('/api/database/indexes/usage?table_name=audit_logs', { as: admin.as });
    expect(usage.res.status).toBe(200);
    const created = usage.body.indexes.find((i) => i.index_name === 'audit_logs_created_at_idx');
    expect(created?.scans).toBeGreaterThanOrEqual(1);
    expect(created?.queries[0]?.plan.join(' ')).toMatch(/audit_logs_created_at_idx/);

    const unused = await callJson<{ index_name: string; scans: number }[]>(
      '/api/database/indexes/unused?min_scans=1',
      {
        as: admin.as,
      },
    );
    expect(unused.body.some((i) => i.index_name === 'audit_logs_target_idx')).toBe(true);
    expect(unused.body.some((i) => i.index_name === 'audit_logs_created_at_idx')).toBe(false);

    const missing = await callJson<{ table_name: string; evidence: { plan: string[] } }[]>(
      '/api/database/indexes/missing',
      { as: admin.as },
    );
    expect(missing.res.status).toBe(200);
    for (const m of missing.body)
      expect(m.evidence.plan.some((l) => l.startsWith(`SCAN ${m.table_name}`))).toBe(true);

    const unknown = await call('/api/database/indexes/usage?table_name=nope', { as: admin.as });
    expect(unknown.status).toBe(404);
  });

  it('database pool endpoints answer in D1 terms and say so', async () => {
    const m = await callJson<{
      statements: number;
      busy_ms: number;
      d1_equivalent: string;
      connection_errors: number;
    }>('/api/database/pool/metrics', { as: admin.as });
    expect(m.body.statements).toBeGreaterThan(0);
    expect(m.body.connection_errors).toBeGreaterThanOrEqual(1);
    expect(m.body.d1_equivalent).toMatch(/no connection pool/);
    const h = await callJson<{ history: { statements: number }[] }>('/api/database/pool/history', {
      as: admin.as,
    });
    expect(h.body.history.length).toBeGreaterThan(0);
    const health = await callJson<{ status: string }>('/api/database/pool/health', { as: admin.as });
    expect(['healthy', 'degraded', 'unhealthy']).toContain(health.body.status);
    const rr = await callJson<{ read_replicas_enabled: boolean; statements_by_primary: number }>(
      '/api/database/read-replicas/health',
      { as: admin.as },
    );
    // Locally D1 has no replicas: every recorded statement was served by the primary.
    expect(rr.body.read_replicas_enabled).toBe(false);
    expect(rr.body.statements_by_primary).toBeGreaterThan(0);
  });
});

describe('bad input', () => {
  it('refuses lines over 1000, reversed ranges and unknown streams', async () => {
    expect((await call('/api/logs/tail?lines=1001', { as: admin.as })).status).toBe(400);
    expect((await call('/api/logs/tail?lines=0', { as: admin.as })).status).toBe(400);
    expect((await call('/api/logs/search?log_file=kernel', { as: admin.as })).status).toBe(400);
    expect(
      (
        await call('/api/logs/search?start_time=2026-01-02T00:00:00Z&end_time=2026-01-01T00:00:00Z', {
          as: admin.as,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call('/api/performance-profiling/clear-old-entries?max_age_hours=0', {
          method: 'POST',
          as: admin.as,
        })
      ).status,
    ).toBe(400);
  });

  it('clears old entries', async () => {
    const res = await callJson<{ cleared: number; max_age_hours: number }>(
      '/api/performance-profiling/clear-old-entries?max_age_hours=1',
      { method: 'POST', as: admin.as },
    );
    expect(res.res.status).toBe(200);
    expect(res.body.max_age_hours).toBe(1);
  });
});
