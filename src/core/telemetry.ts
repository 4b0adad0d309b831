import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Telemetry's shared vocabulary: what one request records, how SQL is normalized into a
 * shape, and the log-scale latency histogram every percentile comes from. Pure code: the
 * middleware writes these records, the sink (durable/telemetry.ts) stores them, the ops
 * domain reads them.
 */

/** One D1 statement a request ran, with the timing and row counts D1 returned in `meta`. */
export interface StatementRecord {
  /** Normalized SQL: literals replaced by `?`, IN lists and VALUES tuples collapsed. */
  shape: string;
  /** D1's `meta.duration` (execution time inside the database), or wall time for `raw()`. */
  duration_ms: number;
  /** Wall time seen by the Worker, including the round trip. */
  wall_ms: number;
  rows_read: number;
  rows_written: number;
  /** `meta` when D1 reported it; `wall` for `raw()` (D1 returns no meta for it). */
  source: 'meta' | 'wall';
  /** D1's `served_by_*`: `primary`, or the region of the read replica that answered. */
  served_by?: string;
  error?: string;
}

/** A cache lookup made while serving the request. */
export interface CacheRecord {
  /** Key prefix: the path's first segments, e.g. `/api/v1/assets`. */
  prefix: string;
  /** The full key pattern (path without query). */
  key: string;
  outcome: 'hit' | 'miss' | 'bypass';
  bytes: number;
  version: string;
  /** Time spent asking the Cache API (0 when bypassed). */
  lookup_ms: number;
}

/** An application log line (core/logger's `log()`) emitted while serving the request. */
export interface LogLine {
  ts: number;
  level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';
  module: string;
  message: string;
}

/** One request as the sink stores it. */
export interface RequestRecord {
  ts: number;
  request_id: string;
  trace_id: string;
  method: string;
  /** The matched route template (`/api/v1/jobs/{job_id}`), or `(unmatched)`. */
  route: string;
  path: string;
  status: number;
  duration_ms: number;
  user_id: string | null;
  cache: CacheRecord[];
  statements: StatementRecord[];
  logs: LogLine[];
}

/** What the middleware collects while a request runs. */
export interface Trace {
  statements: StatementRecord[];
  cache: CacheRecord[];
  logs: LogLine[];
}

const current = new AsyncLocalStorage<Trace>();

/** Runs `fn` with `trace` as the current request's trace (D1 calls and logs land in it). */
export function withTrace<T>(trace: Trace, fn: () => Promise<T>): Promise<T> {
  return current.run(trace, fn);
}

/** The trace of the request being served, if telemetry is on for it. */
export function currentTrace(): Trace | undefined {
  return current.getStore();
}

/** Notes a cache outcome on the current request; a no-op outside a traced request. */
export function noteCache(record: CacheRecord): void {
  currentTrace()?.cache.push(record);
}

const LEVELS: Record<string, LogLine['level']> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
};

/** Notes an application log line on the current request; a no-op outside a traced request. */
export function noteLog(level: string, event: string, fields: Record<string, unknown>): void {
  const trace = currentTrace();
  if (!trace || trace.logs.length >= 50) return;
  // Drizzle's "Failed query" message carries the bound parameters: never stored.
  const parts = [fields.error_message, fields.cause_message]
    .filter((m): m is string => typeof m === 'string')
    .map((m) => m.replace(/\nparams: [\s\S]*$/, ''));
  const message = parts.length ? `${event}: ${parts.join(' — caused by: ')}`.slice(0, 2000) : event;
  trace.logs.push({ ts: Date.now(), level: LEVELS[level] ?? 'INFO', module: event, message });
}

/**
 * Normalizes SQL into its shape: string and number literals become `?`, whitespace collapses,
 * `IN (?, ?, ...)` becomes `IN (?...)` and repeated `VALUES (...)` tuples collapse to one, so
 * the same query with different arguments or batch sizes is one shape.
 */
const shapes = new Map<string, string>();

/** `normalizeSql` remembered per statement text: an isolate runs the same few statements over and over. */
export function sqlShape(sql: string): string {
  let shape = shapes.get(sql);
  if (shape === undefined) {
    shape = normalizeSql(sql);
    if (shapes.size >= 1_000) shapes.clear();
    shapes.set(sql, shape);
  }
  return shape;
}

export function normalizeSql(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?...)')
    .replace(/(\(\?\.\.\.\)|\(\?\))(?:\s*,\s*(?:\(\?\.\.\.\)|\(\?\)))+/g, '$1...')
    .trim()
    .slice(0, 1000);
}

// --- latency histogram ---------------------------------------------------------------

/** Bucket `i` holds durations in (BASE·GROWTH^(i-1), BASE·GROWTH^i] ms: 10% relative width. */
const HIST_BASE_MS = 0.1;
const HIST_GROWTH = 1.1;

/** A sparse latency histogram: bucket index → count. */
export type Histogram = Record<string, number>;

export function bucketOf(ms: number): number {
  if (!(ms > HIST_BASE_MS)) return 0;
  return Math.ceil(Math.log(ms / HIST_BASE_MS) / Math.log(HIST_GROWTH));
}

export function bucketUpperMs(index: number): number {
  return HIST_BASE_MS * HIST_GROWTH ** index;
}

export function addToHistogram(hist: Histogram, ms: number, count = 1): void {
  const k = String(bucketOf(ms));
  hist[k] = (hist[k] ?? 0) + count;
}

export function mergeHistograms(into: Histogram, from: Histogram): Histogram {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/**
 * The q-quantile (0..1) of a histogram: the upper bound of the bucket holding the ⌈q·n⌉-th
 * value, capped at the largest value seen. At most 10% above the exact value.
 */
export function histogramQuantile(hist: Histogram, q: number, maxMs?: number): number | null {
  const entries = Object.entries(hist)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((a, b) => a[0] - b[0]);
  const n = entries.reduce((s, [, v]) => s + v, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (const [k, v] of entries) {
    seen += v;
    if (seen >= rank) {
      const upper = bucketUpperMs(k);
      return round2(maxMs === undefined ? upper : Math.min(upper, maxMs));
    }
  }
  return null;
}

export const HISTOGRAM_METHOD =
  'log-scale histogram, 10% buckets from 0.1 ms; a percentile is its bucket’s upper bound, capped at the maximum seen';

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The last day `dayOf` named: a batch's records are nearly always of one day. */
const lastDay = { day: Number.NaN, name: '' };

/** UTC day of a timestamp (ms), the sink's shard name. */
export function dayOf(ts: number): string {
  const day = Math.floor(ts / 86_400_000);
  if (day !== lastDay.day) {
    lastDay.day = day;
    lastDay.name = new Date(day * 86_400_000).toISOString().slice(0, 10);
  }
  return lastDay.name;
}

/** The telemetry shard names (UTC days) covering [start, end], oldest first. */
export function shardDays(start: number, end: number): string[] {
  const out: string[] = [];
  const first = Date.parse(`${dayOf(start)}T00:00:00Z`);
  for (let t = first; t <= end; t += 86_400_000) out.push(dayOf(t));
  return out;
}

/** How long the sink keeps records, in days: an older shard deletes itself. */
export const TELEMETRY_RETENTION_DAYS = 7;

/** How long a day's telemetry archive stays in R2 after the day, in days. */
export const TELEMETRY_ARCHIVE_RETENTION_DAYS = 90;

/** Where a day's telemetry goes in R2 (ARCHIVE) when its shard passes retention: gzip NDJSON. */
export const TELEMETRY_ARCHIVE_PREFIX = 'telemetry/';
export function telemetryArchiveKey(day: string): string {
  return `${TELEMETRY_ARCHIVE_PREFIX}${day}.ndjson.gz`;
}
