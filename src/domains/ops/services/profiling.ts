import type { MinuteRow, StatementStat } from '../../../../durable/telemetry';
import {
  HISTOGRAM_METHOD,
  type Histogram,
  histogramQuantile,
  mergeHistograms,
  round2,
} from '../../../core/telemetry';
import { acrossShards, iso, type TimeRange } from './sink';

/**
 * Performance profiling from the recorded telemetry: per route (minute aggregates) and per
 * normalized D1 statement (each statement the requests ran), percentiles from the merged
 * latency histograms.
 */

export const PROFILING_METHOD = {
  latency: HISTOGRAM_METHOD,
  statement_duration:
    "D1's meta.duration (time inside the database) per statement; raw() statements carry wall time (D1 returns no meta for them)",
  clock: 'wall time (UTC): telemetry records when our system did something, not market time',
};

export interface EndpointStat {
  method: string;
  path: string;
  count: number;
  errors: number;
  client_errors: number;
  error_rate: number;
  avg_ms: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number;
  db_statements: number;
  avg_db_ms: number;
}

function endpointStatsOf(rows: MinuteRow[]): EndpointStat[] {
  const by = new Map<
    string,
    { method: string; route: string; hist: Histogram } & Omit<
      MinuteRow,
      'hist' | 'minute' | 'method' | 'route'
    >
  >();
  for (const r of rows) {
    const k = `${r.method} ${r.route}`;
    const e = by.get(k) ?? {
      method: r.method,
      route: r.route,
      hist: {},
      count: 0,
      errors: 0,
      client_errors: 0,
      sum_ms: 0,
      max_ms: 0,
      db_count: 0,
      db_ms: 0,
    };
    e.count += r.count;
    e.errors += r.errors;
    e.client_errors += r.client_errors;
    e.sum_ms += r.sum_ms;
    e.max_ms = Math.max(e.max_ms, r.max_ms);
    e.db_count += r.db_count;
    e.db_ms += r.db_ms;
    mergeHistograms(e.hist, r.hist);
    by.set(k, e);
  }
  return [...by.values()].map((e) => ({
    method: e.method,
    path: e.route,
    count: e.count,
    errors: e.errors,
    client_errors: e.client_errors,
    error_rate: e.count ? round6(e.errors / e.count) : 0,
    avg_ms: e.count ? round2(e.sum_ms / e.count) : 0,
    p50_ms: histogramQuantile(e.hist, 0.5, e.max_ms),
    p95_ms: histogramQuantile(e.hist, 0.95, e.max_ms),
    p99_ms: histogramQuantile(e.hist, 0.99, e.max_ms),
    max_ms: round2(e.max_ms),
    db_statements: e.db_count,
    avg_db_ms: e.count ? round2(e.db_ms / e.count) : 0,
  }));
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Minute aggregates of every shard in the range. */
export async function minuteRows(
  env: Env,
  range: TimeRange,
  filter: { method?: string; route?: string } = {},
) {
  const parts = await acrossShards(env, range, (s) => s.minuteAggregates(range.start, range.end, filter));
  return parts.flat();
}

/** Statistics per endpoint (method + route template), busiest first. */
export async function endpointStatistics(
  env: Env,
  range: TimeRange,
  filter: { method?: string | undefined; path?: string | undefined },
): Promise<EndpointStat[]> {
  const rows = await minuteRows(env, range, {
    ...(filter.method ? { method: filter.method.toUpperCase() } : {}),
    ...(filter.path ? { route: filter.path } : {}),
  });
  return endpointStatsOf(rows).sort((a, b) => b.count - a.count);
}

/** Endpoints whose p95 is at or above `thresholdMs`, slowest p95 first. */
export async function slowEndpoints(env: Env, range: TimeRange, thresholdMs: number, limit: number) {
  const [stats, slowest] = await Promise.all([
    endpointStatistics(env, range, {}),
    acrossShards(env, range, (s) => s.slowestPerRoute(range.start, range.end)),
  ]);
  const worst = new Map<string, { status: number; ts: number; duration_ms: number }>();
  for (const r of slowest.flat()) {
    const k = `${r.method} ${r.route}`;
    const w = worst.get(k);
    if (!w || r.duration_ms > w.duration_ms) worst.set(k, r);
  }
  return stats
    .filter((s) => (s.p95_ms ?? 0) >= thresholdMs)
    .sort((a, b) => (b.p95_ms ?? 0) - (a.p95_ms ?? 0))
    .slice(0, limit)
    .map((s) => {
      const w = worst.get(`${s.method} ${s.path}`);
      return {
        method: s.method,
        path: s.path,
        p95_ms: s.p95_ms ?? 0,
        p99_ms: s.p99_ms ?? 0,
        avg_ms: s.avg_ms,
        max_ms: s.max_ms,
        count: s.count,
        status_code: w?.status ?? 0,
        timestamp: iso(w?.ts ?? range.end),
      };
    });
}

/** The slowest recorded statements at or above `thresholdMs`, slowest first. */
export async function slowQueries(env: Env, range: TimeRange, thresholdMs: number, limit: number) {
  const parts = await acrossShards(env, range, (s) =>
    s.slowStatements(range.start, range.end, thresholdMs, limit),
  );
  return parts
    .flat()
    .sort((a, b) => b.duration_ms - a.duration_ms)
    .slice(0, limit)
    .map((q) => ({
      query: q.shape,
      duration_ms: round2(q.duration_ms),
      // Arguments are never recorded (they can hold personal data); the shape stands for them.
      params: null,
      rows_read: q.rows_read,
      rows_written: q.rows_written,
      endpoint: q.route,
      request_id: q.request_id,
      timestamp: iso(q.ts),
    }));
}

export interface QueryStat {
  query: string;
  count: number;
  total_ms: number;
  avg_ms: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number;
  rows_read: number;
  rows_written: number;
  avg_rows_read: number;
  errors: number;
  endpoints: string[];
  last_seen: string;
}

/** Statement statistics merged across shards, per normalized shape. */
export async function statementStats(env: Env, range: TimeRange, shape?: string): Promise<StatementStat[]> {
  const parts = await acrossShards(env, range, (s) => s.statementStats(range.start, range.end, shape));
  const by = new Map<string, StatementStat>();
  for (const s of parts.flat()) {
    const e = by.get(s.shape);
    if (!e) {
      by.set(s.shape, { ...s, hist: { ...s.hist }, routes: [...s.routes] });
      continue;
    }
    e.count += s.count;
    e.sum_ms += s.sum_ms;
    e.max_ms = Math.max(e.max_ms, s.max_ms);
    e.rows_read += s.rows_read;
    e.rows_written += s.rows_written;
    e.errors += s.errors;
    e.last_ts = Math.max(e.last_ts, s.last_ts);
    mergeHistograms(e.hist, s.hist);
    for (const r of s.routes) if (!e.routes.includes(r) && e.routes.length < 10) e.routes.push(r);
  }
  return [...by.values()];
}

/** Per-statement statistics, most total time first. */
export async function queryStatistics(env: Env, range: TimeRange, shape?: string): Promise<QueryStat[]> {
  const stats = await statementStats(env, range, shape);
  return stats
    .map((s) => ({
      query: s.shape,
      count: s.count,
      total_ms: round2(s.sum_ms),
      avg_ms: round2(s.sum_ms / s.count),
      p50_ms: histogramQuantile(s.hist, 0.5, s.max_ms),
      p95_ms: histogramQuantile(s.hist, 0.95, s.max_ms),
      p99_ms: histogramQuantile(s.hist, 0.99, s.max_ms),
      max_ms: round2(s.max_ms),
      rows_read: s.rows_read,
      rows_written: s.rows_written,
      avg_rows_read: round2(s.rows_read / s.count),
      errors: s.errors,
      endpoints: s.routes,
      last_seen: iso(s.last_ts),
    }))
    .sort((a, b) => b.total_ms - a.total_ms);
}

/** The whole picture over a range: traffic, latency, errors, D1 load, the worst offenders. */
export async function profilingSummary(
  env: Env,
  range: TimeRange,
  thresholds: { endpointMs: number; queryMs: number },
) {
  const [rows, queries, slowQ] = await Promise.all([
    minuteRows(env, range),
    queryStatistics(env, range),
    slowQueries(env, range, thresholds.queryMs, 5),
  ]);
  const endpoints = endpointStatsOf(rows);
  const all: Histogram = {};
  let count = 0;
  let errors = 0;
  let sum = 0;
  let max = 0;
  for (const r of rows) {
    mergeHistograms(all, r.hist);
    count += r.count;
    errors += r.errors;
    sum += r.sum_ms;
    max = Math.max(max, r.max_ms);
  }
  const statementCount = queries.reduce((s, q) => s + q.count, 0);
  return {
    time_range: { start: iso(range.start), end: iso(range.end) },
    requests: {
      count,
      errors,
      error_rate: count ? round6(errors / count) : 0,
      avg_ms: count ? round2(sum / count) : 0,
      p50_ms: histogramQuantile(all, 0.5, max),
      p95_ms: histogramQuantile(all, 0.95, max),
      p99_ms: histogramQuantile(all, 0.99, max),
      max_ms: round2(max),
      endpoints: endpoints.length,
    },
    queries: {
      count: statementCount,
      distinct_shapes: queries.length,
      total_ms: round2(queries.reduce((s, q) => s + q.total_ms, 0)),
      rows_read: queries.reduce((s, q) => s + q.rows_read, 0),
      rows_written: queries.reduce((s, q) => s + q.rows_written, 0),
      per_request: count ? round2(statementCount / count) : 0,
    },
    slowest_endpoints: endpoints
      .sort((a, b) => (b.p95_ms ?? 0) - (a.p95_ms ?? 0))
      .slice(0, 5)
      .map((e) => ({ method: e.method, path: e.path, p95_ms: e.p95_ms ?? 0, count: e.count })),
    slowest_queries: slowQ.map((q) => ({ query: q.query, duration_ms: q.duration_ms, endpoint: q.endpoint })),
    heaviest_queries: queries
      .slice(0, 5)
      .map((q) => ({ query: q.query, total_ms: q.total_ms, count: q.count })),
    thresholds: { slow_endpoint_ms: thresholds.endpointMs, slow_query_ms: thresholds.queryMs },
    method: PROFILING_METHOD,
  };
}

/** Deletes recorded requests, statements and log lines older than `maxAgeHours`. */
export async function clearOldEntries(env: Env, maxAgeHours: number) {
  const now = Date.now();
  const before = now - maxAgeHours * 3_600_000;
  const range = { start: now - 8 * 86_400_000, end: now };
  const parts = await acrossShards(env, range, (s) => s.clearBefore(before));
  const deleted = parts.reduce(
    (s, p) => ({
      requests: s.requests + p.requests,
      statements: s.statements + p.statements,
      logs: s.logs + p.logs,
    }),
    { requests: 0, statements: 0, logs: 0 },
  );
  return {
    cleared: deleted.requests + deleted.statements + deleted.logs,
    deleted,
    max_age_hours: maxAgeHours,
    cutoff: iso(before),
  };
}
