import {
  addToHistogram,
  type Histogram,
  type RequestRecord,
  round2,
  TELEMETRY_ARCHIVE_PREFIX,
  TELEMETRY_ARCHIVE_RETENTION_DAYS,
  TELEMETRY_RETENTION_DAYS,
  telemetryArchiveKey,
} from '../src/core/telemetry';
import { MeridianObject } from './lib/base';

/**
 * The telemetry sink: one object per UTC day (`telemetry:YYYY-MM-DD`), so no object is global
 * and retention is dropping whole days. Each keeps that day's requests, their log lines
 * (searchable through FTS5), D1 statements and cache outcomes in SQLite, and rolls every
 * request into minute aggregates (counts, errors, a latency histogram) the alert rules and
 * percentiles read. An alarm deletes the day's data once it is older than the retention.
 */

export interface LogQuery {
  start: number;
  end: number;
  /** `app`: every line; `errors`: ERROR and CRITICAL only. */
  stream: 'app' | 'errors';
  level?: string;
  text?: string;
  user_id?: string;
  request_id?: string;
  trace_id?: string;
  limit: number;
  offset: number;
}

export interface LogRow {
  id: number;
  ts: number;
  level: string;
  message: string;
  module: string;
  user_id: string | null;
  request_id: string;
  trace_id: string;
  route: string;
  method: string;
  status: number;
  duration_ms: number;
}

export interface MinuteRow {
  minute: number;
  method: string;
  route: string;
  count: number;
  errors: number;
  client_errors: number;
  sum_ms: number;
  max_ms: number;
  db_count: number;
  db_ms: number;
  hist: Histogram;
}

export interface StatementStat {
  shape: string;
  count: number;
  sum_ms: number;
  max_ms: number;
  rows_read: number;
  rows_written: number;
  errors: number;
  hist: Histogram;
  routes: string[];
  last_ts: number;
}

export interface SlowStatement {
  shape: string;
  duration_ms: number;
  rows_read: number;
  rows_written: number;
  route: string;
  request_id: string;
  ts: number;
}

export interface SlowRequest {
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  request_id: string;
  ts: number;
}

export interface CacheStat {
  prefix: string;
  key: string;
  hits: number;
  misses: number;
  bypasses: number;
  bytes: number;
  lookup_ms: number;
  last_ts: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL, level TEXT NOT NULL, module TEXT NOT NULL, message TEXT NOT NULL,
  user_id TEXT, request_id TEXT NOT NULL, trace_id TEXT NOT NULL,
  method TEXT NOT NULL, route TEXT NOT NULL, status INTEGER NOT NULL, duration_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_ts ON logs (ts);
CREATE INDEX IF NOT EXISTS logs_request ON logs (request_id);
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5 (message, route, content='logs', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS logs_ai AFTER INSERT ON logs BEGIN
  INSERT INTO logs_fts (rowid, message, route) VALUES (new.id, new.message, new.route);
END;
CREATE TRIGGER IF NOT EXISTS logs_ad AFTER DELETE ON logs BEGIN
  INSERT INTO logs_fts (logs_fts, rowid, message, route) VALUES ('delete', old.id, old.message, old.route);
END;
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL, request_id TEXT NOT NULL, method TEXT NOT NULL, route TEXT NOT NULL, path TEXT NOT NULL,
  status INTEGER NOT NULL, duration_ms REAL NOT NULL, user_id TEXT, db_count INTEGER NOT NULL, db_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_ts ON requests (ts);
CREATE INDEX IF NOT EXISTS requests_duration ON requests (duration_ms);
CREATE TABLE IF NOT EXISTS statements (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL, request_id TEXT NOT NULL, route TEXT NOT NULL, shape TEXT NOT NULL,
  duration_ms REAL NOT NULL, wall_ms REAL NOT NULL, rows_read INTEGER NOT NULL, rows_written INTEGER NOT NULL,
  source TEXT NOT NULL, error TEXT, served_by TEXT
);
CREATE INDEX IF NOT EXISTS statements_ts ON statements (ts);
CREATE INDEX IF NOT EXISTS statements_duration ON statements (duration_ms);
CREATE TABLE IF NOT EXISTS cache_events (
  ts INTEGER NOT NULL, prefix TEXT NOT NULL, key TEXT NOT NULL, outcome TEXT NOT NULL,
  bytes INTEGER NOT NULL, version TEXT NOT NULL, lookup_ms REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS cache_events_ts ON cache_events (ts);
CREATE TABLE IF NOT EXISTS minutes (
  minute INTEGER NOT NULL, method TEXT NOT NULL, route TEXT NOT NULL,
  count INTEGER NOT NULL, errors INTEGER NOT NULL, client_errors INTEGER NOT NULL,
  sum_ms REAL NOT NULL, max_ms REAL NOT NULL, db_count INTEGER NOT NULL, db_ms REAL NOT NULL,
  hist TEXT NOT NULL,
  PRIMARY KEY (minute, method, route)
);
`;

const LOG_COLUMNS = [
  'ts',
  'level',
  'module',
  'message',
  'user_id',
  'request_id',
  'trace_id',
  'method',
  'route',
  'status',
  'duration_ms',
] as const;

function levelOf(status: number): string {
  if (status >= 500) return 'ERROR';
  if (status >= 400) return 'WARNING';
  return 'INFO';
}

export class TelemetrySink extends MeridianObject {
  protected readonly kind = 'telemetry';

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(SCHEMA);
      // Shards made before D1 sessions recorded which copy served a statement.
      const columns = ctx.storage.sql.exec("SELECT name FROM pragma_table_info('statements')").toArray();
      if (!columns.some((c) => c.name === 'served_by')) {
        ctx.storage.sql.exec('ALTER TABLE statements ADD COLUMN served_by TEXT');
      }
    });
  }

  private get sql() {
    return this.ctx.storage.sql;
  }

  /**
   * Stores a batch of request records (one transaction: the object runs one call at a time)
   * and rolls them into the minute aggregates. Arms the retention alarm. Returns how many
   * records it stored.
   */
  async ingest(records: RequestRecord[]): Promise<number> {
    const minutes = new Map<string, MinuteRow>();
    this.ctx.storage.transactionSync(() => {
      const requestRows: unknown[][] = [];
      const logRows: unknown[][] = [];
      const statementRows: unknown[][] = [];
      const cacheRows: unknown[][] = [];
      const logRow = (r: RequestRecord, ts: number, level: string, module: string, message: string) =>
        logRows.push([
          ts,
          level,
          module,
          message,
          r.user_id,
          r.request_id,
          r.trace_id,
          r.method,
          r.route,
          r.status,
          r.duration_ms,
        ]);
      for (const r of records) {
        const dbMs = r.statements.reduce((s, x) => s + x.duration_ms, 0);
        requestRows.push([
          r.ts,
          r.request_id,
          r.method,
          r.route,
          r.path,
          r.status,
          r.duration_ms,
          r.user_id,
          r.statements.length,
          dbMs,
        ]);
        logRow(
          r,
          r.ts,
          levelOf(r.status),
          'http',
          `${r.method} ${r.path} ${r.status} ${round2(r.duration_ms)}ms`,
        );
        for (const line of r.logs) logRow(r, line.ts, line.level, line.module, line.message);
        for (const x of r.statements)
          statementRows.push([
            r.ts,
            r.request_id,
            `${r.method} ${r.route}`,
            x.shape,
            x.duration_ms,
            x.wall_ms,
            x.rows_read,
            x.rows_written,
            x.source,
            x.error ?? null,
            x.served_by ?? null,
          ]);
        for (const c of r.cache)
          cacheRows.push([r.ts, c.prefix, c.key, c.outcome, c.bytes, c.version, c.lookup_ms]);
        const minute = Math.floor(r.ts / 60_000) * 60_000;
        const key = `${minute} ${r.method} ${r.route}`;
        let m = minutes.get(key);
        if (!m) {
          const existing = this.sql
            .exec<Omit<MinuteRow, 'hist'> & { hist: string }>(
              'SELECT * FROM minutes WHERE minute = ? AND method = ? AND route = ?',
              minute,
              r.method,
              r.route,
            )
            .toArray()[0];
          m = existing
            ? { ...existing, hist: JSON.parse(existing.hist) as Histogram }
            : {
                minute,
                method: r.method,
                route: r.route,
                count: 0,
                errors: 0,
                client_errors: 0,
                sum_ms: 0,
                max_ms: 0,
                db_count: 0,
                db_ms: 0,
                hist: {},
              };
          minutes.set(key, m);
        }
        m.count++;
        if (r.status >= 500) m.errors++;
        else if (r.status >= 400) m.client_errors++;
        m.sum_ms += r.duration_ms;
        m.max_ms = Math.max(m.max_ms, r.duration_ms);
        m.db_count += r.statements.length;
        m.db_ms += dbMs;
        addToHistogram(m.hist, r.duration_ms);
      }
      // One statement per table for the whole batch (rows as JSON arrays), not one per row.
      this.insertRows(
        'requests',
        [
          'ts',
          'request_id',
          'method',
          'route',
          'path',
          'status',
          'duration_ms',
          'user_id',
          'db_count',
          'db_ms',
        ],
        requestRows,
      );
      this.insertRows('logs', LOG_COLUMNS, logRows);
      this.insertRows(
        'statements',
        [
          'ts',
          'request_id',
          'route',
          'shape',
          'duration_ms',
          'wall_ms',
          'rows_read',
          'rows_written',
          'source',
          'error',
          'served_by',
        ],
        statementRows,
      );
      this.insertRows(
        'cache_events',
        ['ts', 'prefix', 'key', 'outcome', 'bytes', 'version', 'lookup_ms'],
        cacheRows,
      );
      for (const m of minutes.values()) {
        this.sql.exec(
          'INSERT OR REPLACE INTO minutes (minute, method, route, count, errors, client_errors, sum_ms, max_ms, db_count, db_ms, hist) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
          m.minute,
          m.method,
          m.route,
          m.count,
          m.errors,
          m.client_errors,
          m.sum_ms,
          m.max_ms,
          m.db_count,
          m.db_ms,
          JSON.stringify(m.hist),
        );
      }
    });
    if ((await this.ctx.storage.getAlarm()) === null) {
      const day = this.ctx.id.name?.replace(/^telemetry:/, '');
      const dayStart = day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Date.now();
      await this.ctx.storage.setAlarm(dayStart + (TELEMETRY_RETENTION_DAYS + 1) * 86_400_000);
    }
    return records.length;
  }

  /** Inserts rows (arrays in `columns` order) with one statement: `json_each` over their JSON. */
  private insertRows(table: string, columns: readonly string[], rows: unknown[][]): void {
    if (!rows.length) return;
    this.sql.exec(
      `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.map((_, i) => `value ->> ${i}`).join(', ')} FROM json_each(?)`,
      JSON.stringify(rows),
    );
  }

  /**
   * The retention alarm: the whole day is past retention, so it is archived to R2 and then
   * everything goes; archives past their own retention are deleted. Safe to rerun: the archive
   * is rewritten under the same key, and a failed upload throws before anything is deleted
   * (the alarm is retried).
   */
  override async alarm(): Promise<void> {
    const day = this.day();
    // An emptied shard (a rerun after the deletion) has nothing to archive: never overwrite.
    const held = this.sql
      .exec<{ n: number }>('SELECT (SELECT COUNT(*) FROM requests) + (SELECT COUNT(*) FROM minutes) AS n')
      .one().n;
    if (day && held > 0) {
      await this.archive(day);
      await this.expireArchives(
        Date.parse(`${day}T00:00:00Z`) - TELEMETRY_ARCHIVE_RETENTION_DAYS * 86_400_000,
      );
    }
    await this.ctx.storage.deleteAll();
    // The object lives on after deleteAll (its constructor will not run again): an empty
    // schema keeps late calls answering, with nothing in it.
    this.sql.exec(SCHEMA);
  }

  private day(): string | null {
    const day = this.ctx.id.name?.replace(/^telemetry:/, '');
    return day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : null;
  }

  /**
   * Writes the day's rows (requests, statements, log lines, cache events, minute aggregates)
   * to R2 as gzip NDJSON, one `{"table": ..., "row": {...}}` per line, read in pages so the
   * object never holds a whole table at once (only its compressed output). Returns the key
   * and the rows written per table.
   */
  async archive(day: string): Promise<{ key: string; rows: Record<string, number>; bytes: number }> {
    const gzip = new CompressionStream('gzip');
    const writer = gzip.writable.getWriter();
    const compressed = new Response(gzip.readable).arrayBuffer();
    const encoder = new TextEncoder();
    const rows: Record<string, number> = {};
    const PAGE = 2000;
    for (const [table, order] of [
      ['requests', 'id'],
      ['statements', 'id'],
      ['logs', 'id'],
      ['cache_events', 'rowid'],
      ['minutes', 'minute, method, route'],
    ] as const) {
      rows[table] = 0;
      for (let offset = 0; ; offset += PAGE) {
        const page = this.sql
          .exec(`SELECT * FROM ${table} ORDER BY ${order} LIMIT ? OFFSET ?`, PAGE, offset)
          .toArray();
        if (!page.length) break;
        await writer.write(
          encoder.encode(`${page.map((row) => JSON.stringify({ table, row })).join('\n')}\n`),
        );
        rows[table] += page.length;
        if (page.length < PAGE) break;
      }
    }
    await writer.close();
    const body = await compressed;
    const key = telemetryArchiveKey(day);
    await this.env.ARCHIVE.put(key, body, {
      httpMetadata: { contentType: 'application/x-ndjson', contentEncoding: 'gzip' },
      customMetadata: { day, rows: JSON.stringify(rows) },
    });
    return { key, rows, bytes: body.byteLength };
  }

  /** Deletes the archives of days before `before` (keys sort by day, so the listing stops early). */
  private async expireArchives(before: number): Promise<number> {
    let deleted = 0;
    let cursor: string | undefined;
    for (;;) {
      const page = await this.env.ARCHIVE.list({ prefix: TELEMETRY_ARCHIVE_PREFIX, cursor, limit: 1000 });
      const old = page.objects
        .map((o) => o.key)
        .filter(
          (k) =>
            Date.parse(
              `${k.slice(TELEMETRY_ARCHIVE_PREFIX.length, TELEMETRY_ARCHIVE_PREFIX.length + 10)}T00:00:00Z`,
            ) < before,
        );
      if (old.length) await this.env.ARCHIVE.delete(old);
      deleted += old.length;
      if (old.length < page.objects.length || !page.truncated) break;
      cursor = page.cursor;
    }
    return deleted;
  }

  /** Log lines matching the filters, newest first, with the total. FTS5 for `text`. */
  async searchLogs(q: LogQuery): Promise<{ total: number; rows: LogRow[] }> {
    const where: string[] = ['l.ts >= ?', 'l.ts <= ?'];
    const args: (string | number)[] = [q.start, q.end];
    if (q.stream === 'errors') where.push("l.level IN ('ERROR', 'CRITICAL')");
    if (q.level) {
      where.push('l.level = ?');
      args.push(q.level);
    }
    if (q.user_id) {
      where.push('l.user_id = ?');
      args.push(q.user_id);
    }
    if (q.request_id) {
      where.push('l.request_id = ?');
      args.push(q.request_id);
    }
    if (q.trace_id) {
      where.push('l.trace_id = ?');
      args.push(q.trace_id);
    }
    if (q.text) {
      where.push('l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)');
      args.push(ftsQuery(q.text));
    }
    const clause = where.join(' AND ');
    const total = this.sql
      .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM logs l WHERE ${clause}`, ...args)
      .one().n;
    const rows = this.sql
      .exec<LogRow & Record<string, SqlStorageValue>>(
        `SELECT l.* FROM logs l WHERE ${clause} ORDER BY l.ts DESC, l.id DESC LIMIT ? OFFSET ?`,
        ...args,
        q.limit,
        q.offset,
      )
      .toArray();
    return { total, rows };
  }

  /** Log line counts by level over [start, end]. */
  async logLevels(start: number, end: number): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of this.sql.exec<{ level: string; n: number }>(
      'SELECT level, COUNT(*) AS n FROM logs WHERE ts >= ? AND ts <= ? GROUP BY level',
      start,
      end,
    ))
      out[r.level] = r.n;
    return out;
  }

  /** Minute aggregates over [start, end], optionally for one method and route. */
  async minuteAggregates(start: number, end: number, filter: { method?: string; route?: string } = {}) {
    const where = ['minute >= ?', 'minute <= ?'];
    const args: (string | number)[] = [Math.floor(start / 60_000) * 60_000, end];
    if (filter.method) {
      where.push('method = ?');
      args.push(filter.method);
    }
    if (filter.route) {
      where.push('route = ?');
      args.push(filter.route);
    }
    return this.sql
      .exec<Omit<MinuteRow, 'hist'> & { hist: string }>(
        `SELECT * FROM minutes WHERE ${where.join(' AND ')} ORDER BY minute`,
        ...args,
      )
      .toArray()
      .map((r) => ({ ...r, hist: JSON.parse(r.hist) as Histogram }));
  }

  /** Per-shape statement statistics over [start, end] with each shape's duration histogram. */
  async statementStats(start: number, end: number, shape?: string): Promise<StatementStat[]> {
    const byShape = new Map<string, StatementStat & { routeSet: Set<string> }>();
    const rows = this.sql.exec<{
      shape: string;
      duration_ms: number;
      rows_read: number;
      rows_written: number;
      route: string;
      error: string | null;
      ts: number;
    }>(
      `SELECT shape, duration_ms, rows_read, rows_written, route, error, ts FROM statements WHERE ts >= ? AND ts <= ?${shape ? ' AND shape = ?' : ''}`,
      ...(shape ? [start, end, shape] : [start, end]),
    );
    for (const r of rows) {
      let s = byShape.get(r.shape);
      if (!s) {
        s = {
          shape: r.shape,
          count: 0,
          sum_ms: 0,
          max_ms: 0,
          rows_read: 0,
          rows_written: 0,
          errors: 0,
          hist: {},
          routes: [],
          routeSet: new Set(),
          last_ts: 0,
        };
        byShape.set(r.shape, s);
      }
      s.count++;
      s.sum_ms += r.duration_ms;
      s.max_ms = Math.max(s.max_ms, r.duration_ms);
      s.rows_read += r.rows_read;
      s.rows_written += r.rows_written;
      if (r.error) s.errors++;
      s.last_ts = Math.max(s.last_ts, r.ts);
      if (s.routeSet.size < 10) s.routeSet.add(r.route);
      addToHistogram(s.hist, r.duration_ms);
    }
    return [...byShape.values()].map(({ routeSet, ...s }) => ({ ...s, routes: [...routeSet] }));
  }

  /** Sum and count of each statement's round trip above its D1 execution time (wall − meta.duration). */
  async statementWait(start: number, end: number): Promise<{ sum: number; count: number }> {
    return this.sql
      .exec<{ sum: number; count: number }>(
        "SELECT COALESCE(SUM(MAX(wall_ms - duration_ms, 0)), 0) AS sum, COUNT(*) AS count FROM statements WHERE ts >= ? AND ts <= ? AND source = 'meta'",
        start,
        end,
      )
      .one();
  }

  /** Statements by the copy of the database that served them (`primary` or a replica's region). */
  async servedBy(
    start: number,
    end: number,
  ): Promise<{ served_by: string; count: number; last_ts: number }[]> {
    return this.sql
      .exec<{ served_by: string; count: number; last_ts: number }>(
        'SELECT served_by, COUNT(*) AS count, MAX(ts) AS last_ts FROM statements WHERE ts >= ? AND ts <= ? AND served_by IS NOT NULL GROUP BY served_by',
        start,
        end,
      )
      .toArray();
  }

  /** The slowest statements at or above `thresholdMs`, slowest first. */
  async slowStatements(
    start: number,
    end: number,
    thresholdMs: number,
    limit: number,
  ): Promise<SlowStatement[]> {
    return this.sql
      .exec<SlowStatement & Record<string, SqlStorageValue>>(
        'SELECT shape, duration_ms, rows_read, rows_written, route, request_id, ts FROM statements WHERE ts >= ? AND ts <= ? AND duration_ms >= ? ORDER BY duration_ms DESC LIMIT ?',
        start,
        end,
        thresholdMs,
        limit,
      )
      .toArray();
  }

  /** The slowest requests at or above `thresholdMs`, slowest first. */
  async slowRequests(start: number, end: number, thresholdMs: number, limit: number): Promise<SlowRequest[]> {
    return this.sql
      .exec<SlowRequest & Record<string, SqlStorageValue>>(
        'SELECT method, route, status, duration_ms, request_id, ts FROM requests WHERE ts >= ? AND ts <= ? AND duration_ms >= ? ORDER BY duration_ms DESC LIMIT ?',
        start,
        end,
        thresholdMs,
        limit,
      )
      .toArray();
  }

  /** Per method and route, the slowest request's status and duration over [start, end]. */
  async slowestPerRoute(start: number, end: number): Promise<SlowRequest[]> {
    // SQLite takes the bare columns of a MAX() aggregate from the row holding the maximum.
    return this.sql
      .exec<SlowRequest & Record<string, SqlStorageValue>>(
        'SELECT method, route, status, MAX(duration_ms) AS duration_ms, request_id, ts FROM requests WHERE ts >= ? AND ts <= ? GROUP BY method, route',
        start,
        end,
      )
      .toArray();
  }

  /** Requests per time bucket (`bucketMs` wide, aligned to the epoch) with distinct users. */
  async usageBuckets(start: number, end: number, bucketMs: number) {
    return this.sql
      .exec<{ bucket: number; requests: number; errors: number; sum_ms: number; users: number }>(
        `SELECT CAST(ts / ? AS INTEGER) * ? AS bucket, COUNT(*) AS requests, SUM(status >= 500) AS errors,
                SUM(duration_ms) AS sum_ms, COUNT(DISTINCT user_id) AS users
         FROM requests WHERE ts >= ? AND ts <= ? GROUP BY bucket ORDER BY bucket`,
        bucketMs,
        bucketMs,
        start,
        end,
      )
      .toArray();
  }

  /** The busiest callers over [start, end]: requests and errors per user. */
  async topUsers(start: number, end: number, limit: number) {
    return this.sql
      .exec<{ user_id: string; requests: number; errors: number }>(
        'SELECT user_id, COUNT(*) AS requests, SUM(status >= 500) AS errors FROM requests WHERE ts >= ? AND ts <= ? AND user_id IS NOT NULL GROUP BY user_id ORDER BY requests DESC LIMIT ?',
        start,
        end,
        limit,
      )
      .toArray();
  }

  /** Requests per concrete path of routes with path parameters (to count what was asked for). */
  async parameterizedPaths(start: number, end: number) {
    return this.sql
      .exec<{ route: string; path: string; n: number }>(
        "SELECT route, path, COUNT(*) AS n FROM requests WHERE ts >= ? AND ts <= ? AND route LIKE '%{%' AND status < 400 GROUP BY route, path ORDER BY n DESC LIMIT 5000",
        start,
        end,
      )
      .toArray();
  }

  /** Cache outcomes per key over [start, end]. */
  async cacheStats(start: number, end: number): Promise<CacheStat[]> {
    return this.sql
      .exec<CacheStat & Record<string, SqlStorageValue>>(
        `SELECT prefix, key,
          SUM(outcome = 'hit') AS hits, SUM(outcome = 'miss') AS misses, SUM(outcome = 'bypass') AS bypasses,
          SUM(bytes) AS bytes, SUM(lookup_ms) AS lookup_ms, MAX(ts) AS last_ts
         FROM cache_events WHERE ts >= ? AND ts <= ? GROUP BY prefix, key`,
        start,
        end,
      )
      .toArray();
  }

  /** Deletes cache outcomes recorded before `before` (the analytics reset). Returns how many. */
  async resetCache(before: number): Promise<number> {
    return this.sql.exec('DELETE FROM cache_events WHERE ts < ?', before).rowsWritten;
  }

  /** Deletes requests, statements and log lines older than `before`. Returns rows deleted. */
  async clearBefore(before: number): Promise<{ requests: number; statements: number; logs: number }> {
    // Counted before deleting: rowsWritten would include the FTS index's own writes.
    const count = (t: string) =>
      this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t} WHERE ts < ?`, before).one().n;
    return this.ctx.storage.transactionSync(() => {
      const counts = { requests: count('requests'), statements: count('statements'), logs: count('logs') };
      this.sql.exec('DELETE FROM requests WHERE ts < ?', before);
      this.sql.exec('DELETE FROM statements WHERE ts < ?', before);
      this.sql.exec('DELETE FROM logs WHERE ts < ?', before);
      this.sql.exec('DELETE FROM cache_events WHERE ts < ?', before);
      this.sql.exec('DELETE FROM minutes WHERE minute + 60000 <= ?', before);
      return counts;
    });
  }

  /** Row counts and SQLite size of this shard. */
  async size(): Promise<{ requests: number; statements: number; logs: number; bytes: number }> {
    const n = (t: string) => this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`).one().n;
    return {
      requests: n('requests'),
      statements: n('statements'),
      logs: n('logs'),
      bytes: this.sql.databaseSize,
    };
  }
}

/** Each word of free text becomes a quoted FTS5 term (AND): user text never reaches FTS syntax. */
function ftsQuery(text: string): string {
  const terms = text
    .split(/\s+/)
    .map((t) => t.replace(/"/g, ''))
    .filter((t) => t.length > 0)
    .slice(0, 16);
  return terms.length ? terms.map((t) => `"${t}"`).join(' ') : '""';
}
