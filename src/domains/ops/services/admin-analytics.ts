import { round2 } from '../../../core/telemetry';
import { jobsStatus } from './background-jobs';
import { revenueMetrics, tradeMetrics, userAcquisition, userMetrics } from './business';
import { poolMetrics } from './database';
import { endpointStatistics, profilingSummary } from './profiling';
import { acrossShards, type TimeRange } from './sink';
import { currentHealth, healthHistory, systemStatus } from './system-health';

/**
 * 000's and 001's admin monitoring and analytics, composed from the same services as the
 * ops plane. Times in these bodies are wall time, named as such (`generated_at`, `since`,
 * `created_at`, `joined_at`); windows are stated in minutes or days.
 */

const DAY = 86_400_000;

function window(minutes: number): TimeRange {
  const now = Date.now();
  return { start: now - minutes * 60_000, end: now };
}

export async function adminSystemHealth(env: Env) {
  const health = await currentHealth(env);
  return { ...health, generated_at: new Date().toISOString() };
}

export const HEALTH_PARTS = ['services', 'providers', 'jobs', 'traffic'] as const;

export async function adminHealthHistory(
  env: Env,
  range: { start: number; end: number },
  parts: readonly string[],
  limit: number,
) {
  const hours = Math.max(1, Math.ceil((Date.now() - range.start) / 3_600_000));
  const h = await healthHistory(env, hours, limit);
  const snapshots = h.snapshots
    .filter((s) => Date.parse(s.minute) <= range.end)
    .map((s) => {
      const checks = s.checks as Record<string, unknown>;
      return {
        created_at: s.minute,
        status: s.status,
        ...Object.fromEntries(parts.map((p) => [p, checks[p] ?? null])),
      };
    });
  return { snapshots, summary: h.summary, interval: '1 minute (cron snapshot)', retention_days: 7 };
}

/** 001's `/admin/system`: health, alerting, jobs and the last 24 hours' traffic at a glance. */
export async function adminSystem(env: Env) {
  const range = window(24 * 60);
  const [status, jobs, summary] = await Promise.all([
    systemStatus(env),
    jobsStatus(env),
    profilingSummary(env, range, { endpointMs: 500, queryMs: 100 }),
  ]);
  return {
    status: status.status,
    services: status.services,
    providers: status.providers,
    alerts: status.alerts,
    jobs: {
      active_workers: jobs.active_workers,
      pending_tasks: jobs.pending_tasks,
      completed_tasks_24h: jobs.completed_tasks_24h,
      failed_tasks_24h: jobs.failed_tasks_24h,
      dead_letters: jobs.dead_letters,
    },
    traffic_24h: {
      requests: summary.requests.count,
      error_rate: summary.requests.error_rate,
      p50_ms: summary.requests.p50_ms,
      p95_ms: summary.requests.p95_ms,
      p99_ms: summary.requests.p99_ms,
      d1_statements: summary.queries.count,
    },
    generated_at: status.generated_at,
  };
}

/** 001's `/admin/system/metrics`: requests, D1, users and the busiest endpoints. */
export async function adminSystemMetrics(env: Env, minutes: number) {
  const range = window(minutes);
  const [summary, db, users, endpoints] = await Promise.all([
    profilingSummary(env, range, { endpointMs: 500, queryMs: 100 }),
    poolMetrics(env, range),
    userMetrics(env),
    endpointStatistics(env, range, {}),
  ]);
  const { time_range: _t, ...requests } = summary;
  const { time_range: _d, ...database } = db;
  return {
    window_minutes: minutes,
    requests: requests.requests,
    queries: requests.queries,
    slowest_endpoints: requests.slowest_endpoints,
    database,
    user_engagement: {
      total_users: users.total_users,
      active_users_24h: users.active_users_24h,
      active_users_7d: users.active_users_7d,
      new_users_7d: users.new_users_7d,
    },
    api_usage: endpoints.slice(0, 20).map((e) => ({
      method: e.method,
      path: e.path,
      count: e.count,
      error_rate: e.error_rate,
      p95_ms: e.p95_ms,
    })),
    method: requests.method,
    generated_at: new Date().toISOString(),
  };
}

const PERIODS: Record<string, number> = { '1d': 1, '7d': 7, '30d': 30 };

export function periodDays(period: string): number {
  return PERIODS[period] ?? 7;
}

/** Requests per hour or day with errors, mean latency and distinct signed-in users. */
export async function usageSeries(env: Env, days: number, granularity: 'hour' | 'day') {
  const bucketMs = granularity === 'hour' ? 3_600_000 : DAY;
  const now = Date.now();
  const range = { start: Math.floor((now - days * DAY) / bucketMs) * bucketMs, end: now };
  const parts = await acrossShards(env, range, (s) => s.usageBuckets(range.start, range.end, bucketMs));
  const rows = parts.flat().sort((a, b) => a.bucket - b.bucket);
  const series = rows.map((r) => ({
    since: new Date(r.bucket).toISOString(),
    requests: r.requests,
    errors: r.errors,
    error_rate: r.requests ? round2((r.errors / r.requests) * 10_000) / 10_000 : 0,
    avg_ms: r.requests ? round2(r.sum_ms / r.requests) : 0,
    active_users: r.users,
  }));
  const users = await userMetrics(env);
  return {
    period_days: days,
    granularity,
    series,
    totals: {
      requests: series.reduce((s, x) => s + x.requests, 0),
      errors: series.reduce((s, x) => s + x.errors, 0),
    },
    user_engagement: {
      active_users_24h: users.active_users_24h,
      active_users_7d: users.active_users_7d,
      active_users_30d: users.active_users_30d,
    },
    method:
      'From the telemetry sink: every request in the window; active_users counts distinct signed-in callers per bucket (buckets align to UTC and never span two day shards).',
  };
}

export async function adminPerformance(env: Env, minutes: number) {
  const range = window(minutes);
  const [summary, jobs] = await Promise.all([
    profilingSummary(env, range, { endpointMs: 500, queryMs: 100 }),
    jobsStatus(env),
  ]);
  const { time_range: _t, ...rest } = summary;
  return {
    window_minutes: minutes,
    ...rest,
    jobs: { pending_tasks: jobs.pending_tasks, failed_tasks_24h: jobs.failed_tasks_24h },
    models: null,
    models_note:
      'No model registry is deployed in this build: AI accuracy statistics come with the models work.',
    generated_at: new Date().toISOString(),
  };
}

export async function adminAnalyticsOverview(env: Env) {
  const now = Date.now();
  const [users, trades, revenue, usage] = await Promise.all([
    userMetrics(env, now),
    tradeMetrics(env, 30, now),
    revenueMetrics(env, now - 30 * DAY, now),
    profilingSummary(env, window(24 * 60), { endpointMs: 500, queryMs: 100 }),
  ]);
  return {
    users: {
      total_users: users.total_users,
      active_users_24h: users.active_users_24h,
      active_users_30d: users.active_users_30d,
      new_users_30d: users.new_users_30d,
      by_tier: users.by_tier,
    },
    trading: { trades_30d: trades.total_trades, trading_users_30d: trades.trading_users },
    revenue: {
      mrr: revenue.mrr,
      arr: revenue.arr,
      paying_users: revenue.paying_users,
      churn_rate_30d: revenue.churn_rate,
    },
    api_24h: {
      requests: usage.requests.count,
      error_rate: usage.requests.error_rate,
      p95_ms: usage.requests.p95_ms,
    },
    generated_at: new Date(now).toISOString(),
  };
}

export async function adminUserAnalytics(env: Env, days: number) {
  const [users, acquisition] = await Promise.all([userMetrics(env), userAcquisition(env, days)]);
  return {
    ...users,
    registrations: acquisition.daily_registrations.map((d) => ({
      joined_at: d.date,
      registrations: d.registrations,
    })),
    registrations_by_client: acquisition.by_client,
    period_days: days,
  };
}

export async function adminApiUsage(env: Env, days: number) {
  const range = { start: Date.now() - days * DAY, end: Date.now() };
  const [endpoints, top] = await Promise.all([
    endpointStatistics(env, range, {}),
    acrossShards(env, range, (s) => s.topUsers(range.start, range.end, 20)),
  ]);
  const byUser = new Map<string, { requests: number; errors: number }>();
  for (const u of top.flat()) {
    const e = byUser.get(u.user_id) ?? { requests: 0, errors: 0 };
    e.requests += u.requests;
    e.errors += u.errors;
    byUser.set(u.user_id, e);
  }
  const total = endpoints.reduce((s, e) => s + e.count, 0);
  return {
    period_days: days,
    total_requests: total,
    error_rate: total ? round2((endpoints.reduce((s, e) => s + e.errors, 0) / total) * 10_000) / 10_000 : 0,
    endpoints: endpoints.slice(0, 100),
    top_users: [...byUser]
      .sort((a, b) => b[1].requests - a[1].requests)
      .slice(0, 20)
      .map(([user_id, v]) => ({ user_id, ...v })),
    method:
      'From the telemetry sink (every request), not from user_activities (which records account events only).',
  };
}

const ASSET_PARAMS = new Set([
  'asset_id',
  'symbol',
  'pair',
  'asset',
  'token',
  'ticker',
  'coin_id',
  'asset_symbol',
]);

/** The asset a request asked for: the path segment under an asset-named route parameter. */
function assetOf(route: string, path: string): string | null {
  const r = route.split('/');
  const p = path.replace(/^\/api\/v2\//, '/api/').split('/');
  for (let i = 0; i < r.length; i++) {
    const m = /^\{(\w+)\}$/.exec(r[i] ?? '');
    if (m?.[1] && ASSET_PARAMS.has(m[1]) && p[i])
      return decodeURIComponent(p[i] ?? '')
        .toUpperCase()
        .replace(/-USD$/, '');
  }
  return null;
}

export async function adminAssetAnalytics(env: Env, days: number) {
  const range = { start: Date.now() - days * DAY, end: Date.now() };
  const [paths, assets] = await Promise.all([
    acrossShards(env, range, (s) => s.parameterizedPaths(range.start, range.end)),
    env.DB.prepare(
      'SELECT asset_type, COUNT(*) AS n, SUM(is_active) AS active FROM assets GROUP BY asset_type',
    ).all<{
      asset_type: string;
      n: number;
      active: number;
    }>(),
  ]);
  const counts = new Map<string, { requests: number; endpoints: Set<string> }>();
  for (const row of paths.flat()) {
    const asset = assetOf(row.route, row.path);
    if (!asset) continue;
    const e = counts.get(asset) ?? { requests: 0, endpoints: new Set() };
    e.requests += row.n;
    e.endpoints.add(row.route);
    counts.set(asset, e);
  }
  return {
    period_days: days,
    most_accessed: [...counts]
      .sort((a, b) => b[1].requests - a[1].requests)
      .slice(0, 50)
      .map(([asset, v]) => ({ asset, requests: v.requests, endpoints: [...v.endpoints].slice(0, 10) })),
    catalog: Object.fromEntries(assets.results.map((a) => [a.asset_type, { total: a.n, active: a.active }])),
    method:
      'Successful requests to routes with an asset parameter (asset_id, symbol, pair...), counted per asset from the telemetry sink.',
  };
}
