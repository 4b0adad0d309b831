import type { LogRow } from '../../../../durable/telemetry';
import { acrossShards, iso, type TimeRange } from './sink';

/**
 * The three log streams of 002's `log_file`: `app` is every request line and every
 * application log line the sink recorded; `errors` the ERROR and CRITICAL ones; `audit` the
 * audit log of admin changes in D1.
 */
export type LogStream = 'app' | 'errors' | 'audit';

export interface LogEntry {
  timestamp: string;
  level: string;
  message: string;
  user_id: string | null;
  request_id: string | null;
  trace_id: string | null;
  module: string;
  line: number | null;
  route?: string;
  status_code?: number;
  duration_ms?: number;
}

export interface LogFilters {
  query?: string | undefined;
  level?: string | undefined;
  user_id?: string | undefined;
  request_id?: string | undefined;
  trace_id?: string | undefined;
}

function fromRow(r: LogRow): LogEntry {
  return {
    timestamp: iso(r.ts),
    level: r.level,
    message: r.message,
    user_id: r.user_id,
    request_id: r.request_id,
    trace_id: r.trace_id || null,
    module: r.module,
    line: null,
    route: `${r.method} ${r.route}`,
    status_code: r.status,
    duration_ms: Math.round(r.duration_ms * 100) / 100,
  };
}

/** Matching lines newest first, with the total across the range. */
export async function searchLogs(
  env: Env,
  stream: LogStream,
  range: TimeRange,
  filters: LogFilters,
  page: { limit: number; offset: number },
): Promise<{ total: number; results: LogEntry[] }> {
  if (stream === 'audit') return searchAudit(env, range, filters, page);
  const parts = await acrossShards(env, range, (s) =>
    s.searchLogs({
      start: range.start,
      end: range.end,
      stream,
      ...(filters.level ? { level: filters.level } : {}),
      ...(filters.query ? { text: filters.query } : {}),
      ...(filters.user_id ? { user_id: filters.user_id } : {}),
      ...(filters.request_id ? { request_id: filters.request_id } : {}),
      ...(filters.trace_id ? { trace_id: filters.trace_id } : {}),
      // Each shard gives its first offset+limit; the merged page comes from those.
      limit: page.offset + page.limit,
      offset: 0,
    }),
  );
  const total = parts.reduce((s, p) => s + p.total, 0);
  const rows = parts
    .flatMap((p) => p.rows)
    .sort((a, b) => b.ts - a.ts || b.id - a.id)
    .slice(page.offset, page.offset + page.limit);
  return { total, results: rows.map(fromRow) };
}

interface AuditRow {
  id: string;
  actor_user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  created_at: string;
}

async function searchAudit(
  env: Env,
  range: TimeRange,
  filters: LogFilters,
  page: { limit: number; offset: number },
): Promise<{ total: number; results: LogEntry[] }> {
  // Audit entries are all INFO: a level filter other than INFO matches none.
  if (filters.level && filters.level !== 'INFO') return { total: 0, results: [] };
  const where = ['created_at >= ?', 'created_at <= ?'];
  const args: (string | number)[] = [iso(range.start), iso(range.end)];
  if (filters.user_id) {
    where.push('actor_user_id = ?');
    args.push(filters.user_id);
  }
  if (filters.request_id) {
    where.push('request_id = ?');
    args.push(filters.request_id);
  }
  if (filters.trace_id) where.push('0');
  if (filters.query) {
    where.push(
      "(action || ' ' || COALESCE(target_type, '') || ' ' || COALESCE(target_id, '')) LIKE ? ESCAPE '\\'",
    );
    args.push(`%${filters.query.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  }
  const clause = where.join(' AND ');
  const [count, rows] = await env.DB.batch([
    env.DB.prepare(`SELECT COUNT(*) AS n FROM audit_logs WHERE ${clause}`).bind(...args),
    env.DB.prepare(
      `SELECT id, actor_user_id, action, target_type, target_id, request_id, created_at FROM audit_logs WHERE ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
    ).bind(...args, page.limit, page.offset),
  ]);
  const total = (count?.results[0] as { n: number } | undefined)?.n ?? 0;
  return {
    total,
    results: ((rows?.results ?? []) as AuditRow[]).map((r) => ({
      timestamp: r.created_at,
      level: 'INFO',
      message: `${r.action} ${r.target_type ?? ''} ${r.target_id ?? ''}`.trim(),
      user_id: r.actor_user_id,
      request_id: r.request_id,
      trace_id: null,
      module: 'audit',
      line: null,
    })),
  };
}

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

/** Counts by level and the error rate ((ERROR + CRITICAL) / all) over a range. */
export async function logStatistics(env: Env, stream: LogStream, range: TimeRange) {
  const byLevel: Record<string, number> = Object.fromEntries(LEVELS.map((l) => [l, 0]));
  if (stream === 'audit') {
    const row = await env.DB.prepare(
      'SELECT COUNT(*) AS n FROM audit_logs WHERE created_at >= ? AND created_at <= ?',
    )
      .bind(iso(range.start), iso(range.end))
      .first<{ n: number }>();
    byLevel.INFO = row?.n ?? 0;
  } else {
    const parts = await acrossShards(env, range, (s) => s.logLevels(range.start, range.end));
    for (const p of parts) for (const [k, v] of Object.entries(p)) byLevel[k] = (byLevel[k] ?? 0) + v;
    if (stream === 'errors') for (const l of ['DEBUG', 'INFO', 'WARNING']) byLevel[l] = 0;
  }
  const total = Object.values(byLevel).reduce((s, v) => s + v, 0);
  const errors = (byLevel.ERROR ?? 0) + (byLevel.CRITICAL ?? 0);
  return {
    total_logs: total,
    by_level: byLevel,
    error_rate: total ? Math.round((errors / total) * 1e6) / 1e6 : 0,
    time_range: { start: iso(range.start), end: iso(range.end) },
  };
}
