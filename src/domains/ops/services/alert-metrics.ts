import {
  HISTOGRAM_METHOD,
  type Histogram,
  histogramQuantile,
  mergeHistograms,
  round2,
} from '../../../core/telemetry';
import { minuteRows } from './profiling';
import { acrossShards, type TimeRange } from './sink';

/**
 * The metrics alert rules watch, each computed over the rule's window ending now: from the
 * telemetry's minute aggregates (requests), its statements (D1), and D1's own tables (jobs,
 * data sources). A metric with nothing to measure (no traffic) is null and never fires.
 */
export const ALERT_METRICS = {
  error_rate: 'Share of requests answered 5xx in the window (0..1)',
  p95_latency_ms: `p95 request duration in the window, ms (${HISTOGRAM_METHOD})`,
  p99_latency_ms: 'p99 request duration in the window, ms',
  avg_latency_ms: 'Mean request duration in the window, ms',
  request_rate: 'Requests per minute over the window',
  endpoint_duration: 'The slowest endpoint’s p95 in the window, ms',
  query_duration: 'The slowest D1 statement in the window (meta.duration), ms',
  db_busy_percent: 'Share of the window D1 spent executing statements, %',
  job_backlog: 'Jobs queued or retrying now',
  job_failures: 'Jobs that failed for good in the window',
  data_staleness_seconds: 'Seconds since the last successful market-data ingestion (any source)',
  provider_circuit_open: 'Market-data sources whose circuit breaker is open now',
} as const;

export type AlertMetric = keyof typeof ALERT_METRICS;
export const ALERT_METRIC_NAMES = Object.keys(ALERT_METRICS) as [AlertMetric, ...AlertMetric[]];

export interface MetricValue {
  value: number | null;
  /** What the value was computed from. */
  basis: Record<string, unknown>;
}

type Cache = Map<string, Promise<MetricValue>>;

/** Computes one metric over [now - windowSeconds, now]; shares work across rules with `cache`. */
export function metricValue(env: Env, metric: AlertMetric, windowSeconds: number, now: number, cache: Cache) {
  const key = `${metric}:${windowSeconds}`;
  let p = cache.get(key);
  if (!p) {
    p = compute(env, metric, { start: now - windowSeconds * 1000, end: now }, cache, windowSeconds);
    cache.set(key, p);
  }
  return p;
}

async function traffic(env: Env, range: TimeRange, cache: Cache, windowSeconds: number) {
  const key = `traffic:${windowSeconds}`;
  let p = cache.get(key) as
    | Promise<MetricValue & { rows?: Awaited<ReturnType<typeof minuteRows>> }>
    | undefined;
  if (!p) {
    p = minuteRows(env, range).then((rows) => ({ value: null, basis: {}, rows }));
    cache.set(key, p);
  }
  return (await p).rows ?? [];
}

async function compute(
  env: Env,
  metric: AlertMetric,
  range: TimeRange,
  cache: Cache,
  windowSeconds: number,
): Promise<MetricValue> {
  const windowBasis = { window_seconds: windowSeconds };
  switch (metric) {
    case 'error_rate':
    case 'p95_latency_ms':
    case 'p99_latency_ms':
    case 'avg_latency_ms':
    case 'request_rate':
    case 'endpoint_duration':
    case 'db_busy_percent': {
      const rows = await traffic(env, range, cache, windowSeconds);
      let count = 0;
      let errors = 0;
      let sum = 0;
      let max = 0;
      let dbMs = 0;
      const hist: Histogram = {};
      const byRoute = new Map<string, { hist: Histogram; max: number }>();
      for (const r of rows) {
        count += r.count;
        errors += r.errors;
        sum += r.sum_ms;
        max = Math.max(max, r.max_ms);
        dbMs += r.db_ms;
        mergeHistograms(hist, r.hist);
        const k = `${r.method} ${r.route}`;
        const e = byRoute.get(k) ?? { hist: {}, max: 0 };
        mergeHistograms(e.hist, r.hist);
        e.max = Math.max(e.max, r.max_ms);
        byRoute.set(k, e);
      }
      const basis = { ...windowBasis, requests: count, errors };
      if (metric === 'request_rate') return { value: round2(count / (windowSeconds / 60)), basis };
      if (metric === 'db_busy_percent')
        return {
          value: round2((dbMs / (windowSeconds * 1000)) * 100),
          basis: { ...basis, db_ms: round2(dbMs) },
        };
      if (count === 0) return { value: null, basis };
      if (metric === 'error_rate') return { value: Math.round((errors / count) * 1e6) / 1e6, basis };
      if (metric === 'avg_latency_ms') return { value: round2(sum / count), basis };
      if (metric === 'p95_latency_ms') return { value: histogramQuantile(hist, 0.95, max), basis };
      if (metric === 'p99_latency_ms') return { value: histogramQuantile(hist, 0.99, max), basis };
      let worst: { route: string; p95: number } | null = null;
      for (const [route, e] of byRoute) {
        const p95 = histogramQuantile(e.hist, 0.95, e.max) ?? 0;
        if (!worst || p95 > worst.p95) worst = { route, p95 };
      }
      return { value: worst?.p95 ?? null, basis: { ...basis, endpoint: worst?.route ?? null } };
    }
    case 'query_duration': {
      const parts = await acrossShards(env, range, (s) => s.slowStatements(range.start, range.end, 0, 1));
      const top = parts.flat().sort((a, b) => b.duration_ms - a.duration_ms)[0];
      return {
        value: top ? round2(top.duration_ms) : null,
        basis: { ...windowBasis, query: top?.shape ?? null, endpoint: top?.route ?? null },
      };
    }
    case 'job_backlog': {
      const row = await env.DB.prepare(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs WHERE status IN ('queued', 'retrying')",
      ).first<{ n: number; oldest: string | null }>();
      return { value: row?.n ?? 0, basis: { oldest_queued_at: row?.oldest ?? null } };
    }
    case 'job_failures': {
      const row = await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM jobs WHERE status = 'failed' AND finished_at >= ?",
      )
        .bind(new Date(range.start).toISOString())
        .first<{ n: number }>();
      return { value: row?.n ?? 0, basis: windowBasis };
    }
    case 'data_staleness_seconds': {
      const row = await env.DB.prepare(
        'SELECT MAX(last_success_at) AS last, COUNT(*) AS sources FROM data_sources WHERE enabled = 1',
      ).first<{ last: string | null; sources: number }>();
      if (!row?.last) return { value: null, basis: { sources: row?.sources ?? 0, last_success_at: null } };
      return {
        value: Math.max(0, Math.round((range.end - Date.parse(row.last)) / 1000)),
        basis: { sources: row.sources, last_success_at: row.last },
      };
    }
    case 'provider_circuit_open': {
      const rows = await env.DB.prepare("SELECT id FROM data_sources WHERE circuit_state = 'open'").all<{
        id: string;
      }>();
      return { value: rows.results.length, basis: { open: rows.results.map((r) => r.id) } };
    }
  }
}
