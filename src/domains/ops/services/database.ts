import { round2 } from '../../../core/telemetry';
import { minuteRows, statementStats } from './profiling';
import { acrossShards, iso, type TimeRange } from './sink';

/**
 * Database performance in D1's terms. D1 has no connection pool and no read replicas in
 * PostgreSQL's sense: the Worker reaches one D1 database over the binding, each statement a
 * request. So the seed's pool fields are answered with their D1 equivalents, and every
 * response says so in `d1_equivalent`: busy time (sum of D1's meta.duration) as utilization,
 * the round trip on top of execution (wall − meta.duration) as wait time, failed statements
 * as connection errors. Index analysis runs `EXPLAIN QUERY PLAN` on every recorded
 * statement shape.
 */

export const D1_NOTE =
  'D1 has no connection pool: pool_size is the one D1 binding; utilization is the share of the window spent executing statements (sum of D1 meta.duration); wait time is the mean round trip on top of execution (wall time minus meta.duration); connection errors are failed statements.';

export async function poolMetrics(env: Env, range: TimeRange) {
  const stats = await statementStats(env, range);
  let count = 0;
  let busy = 0;
  let errors = 0;
  for (const s of stats) {
    count += s.count;
    busy += s.sum_ms;
    errors += s.errors;
  }
  const wait = await waitTime(env, range);
  const windowMs = Math.max(1, range.end - range.start);
  const rows = await minuteRows(env, range);
  const activeMinute = rows.filter((r) => r.minute >= range.end - 60_000).reduce((s, r) => s + r.db_count, 0);
  return {
    pool_size: 1,
    active_connections: activeMinute > 0 ? 1 : 0,
    idle_connections: activeMinute > 0 ? 0 : 1,
    max_pool_size: 1,
    utilization_percent: round2((busy / windowMs) * 100),
    wait_time_avg_ms: wait,
    connection_errors: errors,
    statements: count,
    statements_last_minute: activeMinute,
    busy_ms: round2(busy),
    rows_read: stats.reduce((s, x) => s + x.rows_read, 0),
    rows_written: stats.reduce((s, x) => s + x.rows_written, 0),
    database_size_bytes: await databaseSize(env),
    time_range: { start: iso(range.start), end: iso(range.end) },
    d1_equivalent: D1_NOTE,
  };
}

async function waitTime(env: Env, range: TimeRange): Promise<number> {
  const parts = await acrossShards(env, range, (s) => s.statementWait(range.start, range.end));
  const n = parts.reduce((s, p) => s + p.count, 0);
  return n ? round2(parts.reduce((s, p) => s + p.sum, 0) / n) : 0;
}

/** D1's database size: page count × page size (what `meta.size_after` reports). */
export async function databaseSize(env: Env): Promise<number | null> {
  const r = await env.DB.prepare('SELECT 1').run();
  const size = (r.meta as { size_after?: number }).size_after;
  return typeof size === 'number' ? size : null;
}

export async function poolHealth(env: Env, range: TimeRange) {
  const m = await poolMetrics(env, range);
  const warnings: string[] = [];
  const recommendations: string[] = [];
  const errorRate = m.statements ? m.connection_errors / m.statements : 0;
  if (errorRate > 0.01) warnings.push(`${m.connection_errors} of ${m.statements} statements failed`);
  if (m.wait_time_avg_ms > 50) warnings.push(`mean round trip above execution is ${m.wait_time_avg_ms} ms`);
  if (m.utilization_percent > 50) {
    warnings.push(`D1 was executing statements ${m.utilization_percent}% of the window`);
    recommendations.push('Shard hot tables or move reads to D1 read replication (sessions API)');
  }
  if (!warnings.length) recommendations.push('D1 load is within bounds; no action needed');
  const status =
    errorRate > 0.05 || m.utilization_percent > 80 ? 'unhealthy' : warnings.length ? 'degraded' : 'healthy';
  return {
    status,
    warnings,
    recommendations,
    metrics: {
      utilization_percent: m.utilization_percent,
      wait_time_avg_ms: m.wait_time_avg_ms,
      statements: m.statements,
      connection_errors: m.connection_errors,
    },
    d1_equivalent: D1_NOTE,
  };
}

export async function poolHistory(env: Env, range: TimeRange, limit: number) {
  const rows = await minuteRows(env, range);
  const by = new Map<number, { db_count: number; db_ms: number; requests: number }>();
  for (const r of rows) {
    const e = by.get(r.minute) ?? { db_count: 0, db_ms: 0, requests: 0 };
    e.db_count += r.db_count;
    e.db_ms += r.db_ms;
    e.requests += r.count;
    by.set(r.minute, e);
  }
  const history = [...by]
    .sort((a, b) => b[0] - a[0])
    .slice(0, limit)
    .map(([minute, e]) => ({
      timestamp: iso(minute),
      pool_size: 1,
      active_connections: e.db_count > 0 ? 1 : 0,
      utilization_percent: round2((e.db_ms / 60_000) * 100),
      statements: e.db_count,
      busy_ms: round2(e.db_ms),
      requests: e.requests,
    }));
  const u = history.map((h) => h.utilization_percent);
  return {
    history,
    summary: {
      avg_utilization: u.length ? round2(u.reduce((s, x) => s + x, 0) / u.length) : 0,
      max_utilization: u.length ? Math.max(...u) : 0,
      min_utilization: u.length ? Math.min(...u) : 0,
    },
    interval: '1 minute',
    d1_equivalent: D1_NOTE,
  };
}

/**
 * Read replication as the requests saw it: every statement a request runs goes through its D1
 * session (`core/d1-session.ts`) and telemetry keeps which copy answered (D1's
 * `served_by_primary` and `served_by_region`). A replica is reported when it served at least
 * one statement in the window. D1 reports no replica lag to a Worker, so lag is absent, with
 * the reason, rather than guessed.
 */
export async function readReplicaHealth(env: Env, range: TimeRange) {
  const parts = await acrossShards(env, range, (s) => s.servedBy(range.start, range.end));
  const by = new Map<string, { count: number; last_ts: number }>();
  for (const row of parts.flat()) {
    const seen = by.get(row.served_by) ?? { count: 0, last_ts: 0 };
    by.set(row.served_by, { count: seen.count + row.count, last_ts: Math.max(seen.last_ts, row.last_ts) });
  }
  const replicas = [...by].filter(([copy]) => copy !== 'primary').sort((a, b) => a[0].localeCompare(b[0]));
  return {
    read_replicas_enabled: replicas.length > 0,
    read_replica_count: replicas.length,
    health: Object.fromEntries(
      replicas.map(([region, seen]) => [
        region,
        { status: 'serving', lag_seconds: null, statements: seen.count, last_served_at: iso(seen.last_ts) },
      ]),
    ),
    statements_by_primary: by.get('primary')?.count ?? 0,
    statements_by_replicas: replicas.reduce((s, [, seen]) => s + seen.count, 0),
    time_range: { start: iso(range.start), end: iso(range.end) },
    lag_note:
      'D1 does not report replica lag to a Worker; sessions keep reads sequentially consistent instead.',
    d1_equivalent:
      "D1 read replication through the Sessions API: each request's statements run in one session, started at the client's x-d1-bookmark, on any replica for a guest's read, else on the primary; replicas are enabled per database in Cloudflare's dashboard. A replica is listed when it served a statement in the window.",
  };
}

// --- index analysis ----------------------------------------------------------------------

interface IndexDef {
  index_name: string;
  table_name: string;
  columns: string[];
  unique: boolean;
}

/** Every index the schema defines (SQLite's automatic ones excluded). */
export async function listIndexes(env: Env, table?: string): Promise<IndexDef[]> {
  const rows = await env.DB.prepare(
    `SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' AND tbl_name NOT LIKE '\\_cf%' ESCAPE '\\' AND tbl_name NOT LIKE 'd1\\_%' ESCAPE '\\'${table ? ' AND tbl_name = ?' : ''} ORDER BY tbl_name, name`,
  )
    .bind(...(table ? [table] : []))
    .all<{ name: string; tbl_name: string; sql: string | null }>();
  return rows.results.map((r) => ({
    index_name: r.name,
    table_name: r.tbl_name,
    columns: columnsOf(r.sql),
    unique: /^\s*CREATE\s+UNIQUE/i.test(r.sql ?? ''),
  }));
}

function columnsOf(sql: string | null): string[] {
  const m = sql ? /\(([^)]*)\)\s*(WHERE.*)?$/is.exec(sql) : null;
  return m?.[1] ? m[1].split(',').map((c) => c.trim().replace(/["`]/g, '').split(/\s+/)[0] ?? '') : [];
}

export interface PlannedShape {
  shape: string;
  count: number;
  avg_ms: number;
  rows_read: number;
  plan: string[];
  /** Index names the plan uses. */
  uses: string[];
  /** Tables the plan scans without an index. */
  scans: string[];
}

const planCache = new Map<string, string[] | null>();

/** The shape back as runnable SQL: collapsed lists become one placeholder. */
function runnable(shape: string): string {
  return shape.replace(/\(\?\.\.\.\)/g, '(?)').replace(/\)\.\.\./g, ')');
}

async function planOf(env: Env, shape: string): Promise<string[] | null> {
  if (planCache.has(shape)) return planCache.get(shape) ?? null;
  let plan: string[] | null = null;
  const sql = runnable(shape);
  const params = (sql.match(/\?/g) ?? []).length;
  if (
    /^(SELECT|WITH|UPDATE|DELETE|INSERT)\b/i.test(sql) &&
    params <= 100 &&
    !/sqlite_master|EXPLAIN/i.test(sql)
  ) {
    try {
      const r = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...Array.from({ length: params }, () => null))
        .all<{ detail: string }>();
      plan = r.results.map((x) => x.detail);
    } catch {
      plan = null;
    }
  }
  if (planCache.size > 2000) planCache.clear();
  planCache.set(shape, plan);
  return plan;
}

/** Every recorded statement shape in the range with its query plan. */
export async function plannedShapes(env: Env, range: TimeRange): Promise<PlannedShape[]> {
  const stats = await statementStats(env, range);
  const out: PlannedShape[] = [];
  for (const s of stats) {
    const plan = await planOf(env, s.shape);
    if (!plan) continue;
    const uses = new Set<string>();
    const scans = new Set<string>();
    for (const line of plan) {
      const idx = /USING (?:COVERING )?INDEX (\S+)/.exec(line);
      if (idx?.[1]) uses.add(idx[1]);
      const scan = /^SCAN (\S+)(?: AS \S+)?$/.exec(line.trim());
      if (scan?.[1] && !/^(CONSTANT|SUBQUERY)/.test(scan[1])) scans.add(scan[1]);
    }
    out.push({
      shape: s.shape,
      count: s.count,
      avg_ms: round2(s.sum_ms / s.count),
      rows_read: s.rows_read,
      plan,
      uses: [...uses],
      scans: [...scans],
    });
  }
  return out;
}

export async function indexUsage(env: Env, table: string, range: TimeRange) {
  const [indexes, shapes] = await Promise.all([listIndexes(env, table), plannedShapes(env, range)]);
  return {
    table_name: table,
    indexes: indexes.map((ix) => {
      const using = shapes.filter((s) => s.uses.includes(ix.index_name));
      return {
        index_name: ix.index_name,
        columns: ix.columns,
        unique: ix.unique,
        scans: using.reduce((s, x) => s + x.count, 0),
        tuples_read: using.reduce((s, x) => s + x.rows_read, 0),
        tuples_fetched: using.reduce((s, x) => s + x.rows_read, 0),
        size_bytes: null,
        queries: using.slice(0, 5).map((s) => ({ query: s.shape, count: s.count, plan: s.plan })),
      };
    }),
    shapes_analyzed: shapes.length,
    time_range: { start: iso(range.start), end: iso(range.end) },
    method:
      'scans = executions of recorded statement shapes whose EXPLAIN QUERY PLAN uses the index; tuples = D1 rows_read of those executions. D1 exposes no per-index size (size_bytes null).',
  };
}

export async function unusedIndexes(env: Env, minScans: number, range: TimeRange) {
  const [indexes, shapes] = await Promise.all([listIndexes(env), plannedShapes(env, range)]);
  return indexes
    .map((ix) => ({
      ix,
      scans: shapes.filter((s) => s.uses.includes(ix.index_name)).reduce((s, x) => s + x.count, 0),
    }))
    .filter((x) => x.scans < minScans)
    .map(({ ix, scans }) => ({
      index_name: ix.index_name,
      table_name: ix.table_name,
      columns: ix.columns,
      scans,
      size_bytes: null,
      recommendation: ix.unique
        ? 'Unique index: it enforces a constraint, keep it even if no recorded query reads through it'
        : scans === 0
          ? `No recorded query (of ${shapes.length} shapes) used this index: consider dropping it if that holds over a longer window`
          : `Used by ${scans} recorded executions only: check it is worth its write cost`,
      evidence: {
        shapes_analyzed: shapes.length,
        time_range: { start: iso(range.start), end: iso(range.end) },
      },
    }));
}

export async function missingIndexes(env: Env, range: TimeRange) {
  const shapes = await plannedShapes(env, range);
  const out: {
    table_name: string;
    column_name: string | null;
    query_count: number;
    avg_query_time_ms: number;
    rows_read: number;
    recommendation: string;
    evidence: { query: string; plan: string[] };
  }[] = [];
  for (const s of shapes) {
    for (const table of s.scans) {
      const column = filterColumn(s.shape, table);
      out.push({
        table_name: table,
        column_name: column,
        query_count: s.count,
        avg_query_time_ms: s.avg_ms,
        rows_read: s.rows_read,
        recommendation: column
          ? `Full scan of ${table} filtered on ${column}: consider an index on ${table}(${column})`
          : `Full scan of ${table} with no filter column: fine for a small table, otherwise add a WHERE clause or LIMIT on an indexed column`,
        evidence: { query: s.shape, plan: s.plan },
      });
    }
  }
  return out.sort((a, b) => b.rows_read - a.rows_read);
}

/** The first column the shape filters `table` on (`WHERE "t"."col" = ?` or `col = ?`), if any. */
function filterColumn(shape: string, table: string): string | null {
  const where = /\bWHERE\b(.*)$/is.exec(shape)?.[1];
  if (!where) return null;
  const qualified = new RegExp(`"?${table}"?\\."?(\\w+)"?\\s*(?:=|<|>|<=|>=|IN|LIKE|BETWEEN|IS)`, 'i').exec(
    where,
  );
  if (qualified?.[1]) return qualified[1];
  const bare = /"?(\w+)"?\s*(?:=|<=|>=|<|>|\bIN\b|\bLIKE\b|\bBETWEEN\b)\s*\(?\?/i.exec(where);
  return bare?.[1] ?? null;
}

export async function tableExists(env: Env, table: string): Promise<boolean> {
  const r = await env.DB.prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = ?")
    .bind(table)
    .first<{ one: number }>();
  return r !== null;
}
