import type { Bucket } from '../../src/core/rate-limits';

export interface BucketState {
  rule: string;
  limit: number;
  windowSeconds: number;
  used: number;
  remaining: number;
  /** Epoch seconds when the window ends and the count starts again. */
  resetAt: number;
}

export interface LimitDecision {
  allowed: boolean;
  buckets: BucketState[];
}

interface BucketRow {
  window_start: number;
  count: number;
}

/** Rows kept in memory at most (a guest shard holds many addresses' buckets); the rest are read again. */
const MEMORY_ROWS = 10_000;

/** Deferred counts are written at most this long after the first of them. */
const DEFERRED_WRITE_MS = 1_000;

/** Rows per statement when the deferred counts are stored: three bound parameters a row, under 100. */
const FLUSH_ROWS = 33;

/** The two multi-row upserts into `rate_buckets`: one row's VALUES, and what a conflict sets. */
const UPSERTS = {
  /** Counts one request in each row's bucket (a new window starts again at 1). */
  count: [
    '(?, ?, 1)',
    'count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END, window_start = excluded.window_start',
  ],
  /** Stores each row's count as memory holds it (the deferred counts). */
  store: ['(?, ?, ?)', 'window_start = excluded.window_start, count = excluded.count'],
} as const;

const upserts = { count: new Map<number, string>(), store: new Map<number, string>() };

/** The `kind` upsert of `n` rows, built once per row count. */
function upsertStatement(kind: keyof typeof UPSERTS, n: number): string {
  let text = upserts[kind].get(n);
  if (!text) {
    const [row, set] = UPSERTS[kind];
    text = `INSERT INTO rate_buckets (key, window_start, count) VALUES ${Array.from({ length: n }, () => row).join(', ')}
      ON CONFLICT (key) DO UPDATE SET ${set}`;
    upserts[kind].set(n, text);
  }
  return text;
}

/**
 * Fixed-window counters in a Durable Object's SQLite. A decision reads and writes
 * synchronously inside one call, and the object runs one call at a time, so with a limit
 * of N exactly N of any number of concurrent requests pass. A rejected request consumes
 * nothing, in any of its buckets.
 *
 * Reads come from an in-memory copy of the rows this object has read or written since it
 * started (all writes pass through here, one call at a time, so the copy is what SQLite holds
 * or is about to). A counted request costs one statement for all its buckets, or none when its
 * counts are deferred (`consume(..., { defer: true })`): the decision is made from memory as
 * exactly as ever, and `flush` writes the deferred counts later in one statement. What a
 * deferred count risks is only the time until the flush (at most DEFERRED_WRITE_MS): an
 * object that ends before it (a crash, a deployment) forgets those counts, and the window lets
 * that many more requests through. The per-request limits (a user's, in the user object, and
 * guests', in the shard objects) are deferred; the sign-in guards and refresh tokens are
 * written as they count.
 */
export class RateLimiter {
  private readonly rows = new Map<string, BucketRow | null>();
  /** Keys whose count in memory is ahead of SQLite (deferred counts), until `flush`. */
  private readonly deferred = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS rate_buckets (
      key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, count INTEGER NOT NULL)`);
  }

  private row(key: string): BucketRow | null {
    let row = this.rows.get(key);
    if (row === undefined) {
      row =
        this.sql
          .exec<{ window_start: number; count: number }>(
            'SELECT window_start, count FROM rate_buckets WHERE key = ?',
            key,
          )
          .toArray()[0] ?? null;
      this.remember(key, row);
    }
    return row;
  }

  private remember(key: string, row: BucketRow | null): void {
    this.rows.delete(key);
    this.rows.set(key, row);
    if (this.rows.size > MEMORY_ROWS) {
      const oldest = this.rows.keys().next().value as string;
      // A deferred count is stored before its row may be read from SQLite again.
      if (this.deferred.has(oldest)) this.flush();
      this.rows.delete(oldest);
    }
  }

  private state(bucket: Bucket, nowMs: number): BucketState {
    const windowStart = windowStartOf(bucket, nowMs);
    const row = this.row(bucket.key);
    const used = row && row.window_start === windowStart ? row.count : 0;
    return {
      rule: bucket.rule,
      limit: bucket.limit,
      windowSeconds: bucket.windowSeconds,
      used,
      remaining: Math.max(0, bucket.limit - used),
      resetAt: (windowStart + bucket.windowSeconds * 1000) / 1000,
    };
  }

  /**
   * Counts the request in every bucket if all have room; otherwise counts nothing. All of a
   * request's buckets are written by one statement (a guest's asset list counts in two), or,
   * with `defer`, by the next `flush`.
   */
  consume(buckets: Bucket[], nowMs = Date.now(), options: { defer?: boolean } = {}): LimitDecision {
    const states = buckets.map((b) => this.state(b, nowMs));
    if (states.some((s) => s.remaining <= 0)) return { allowed: false, buckets: states };
    // A written count adds to what SQLite holds, so deferred counts are stored first.
    if (!options.defer) this.flush();
    const args: (string | number)[] = [];
    for (const [i, bucket] of buckets.entries()) {
      const windowStart = windowStartOf(bucket, nowMs);
      const s = states[i];
      if (s) {
        s.used += 1;
        s.remaining -= 1;
        this.remember(bucket.key, { window_start: windowStart, count: s.used });
      }
      if (options.defer) this.deferred.add(bucket.key);
      else args.push(bucket.key, windowStart);
    }
    if (options.defer) this.flushTimer ??= setTimeout(() => this.flush(), DEFERRED_WRITE_MS);
    if (args.length) this.sql.exec(upsertStatement('count', buckets.length), ...args);
    return { allowed: true, buckets: states };
  }

  /** The buckets' state without counting anything. */
  peek(buckets: Bucket[], nowMs = Date.now()): BucketState[] {
    return buckets.map((b) => this.state(b, nowMs));
  }

  /**
   * Gives back one count in each bucket's current window (a request another object refused
   * after this one counted it). Never below zero; a window that has since rolled over is left alone.
   */
  refund(buckets: Bucket[], nowMs = Date.now()): void {
    this.flush();
    for (const bucket of buckets) {
      const windowStart = windowStartOf(bucket, nowMs);
      this.sql.exec(
        'UPDATE rate_buckets SET count = count - 1 WHERE key = ? AND window_start = ? AND count > 0',
        bucket.key,
        windowStart,
      );
      const row = this.rows.get(bucket.key);
      if (row && row.window_start === windowStart && row.count > 0)
        this.remember(bucket.key, { window_start: windowStart, count: row.count - 1 });
    }
  }

  /**
   * Drops buckets whose window ended before `beforeMs`: a shard holding many addresses' buckets
   * keeps only the live ones.
   */
  sweep(beforeMs: number): number {
    this.flush();
    for (const [key, row] of this.rows) if (!row || row.window_start < beforeMs) this.rows.delete(key);
    return this.sql.exec('DELETE FROM rate_buckets WHERE window_start < ?', beforeMs).rowsWritten;
  }

  /** Forgets a rule's history (admin reset). Returns whether there was any. */
  reset(key: string): boolean {
    const pending = this.deferred.delete(key);
    this.remember(key, null);
    return this.sql.exec('DELETE FROM rate_buckets WHERE key = ?', key).rowsWritten > 0 || pending;
  }

  /** Writes the deferred counts, as memory holds them. Returns how many rows it wrote. */
  flush(): number {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.deferred.size === 0) return 0;
    const rows: (string | number)[][] = [];
    for (const key of this.deferred) {
      const row = this.rows.get(key);
      if (row) rows.push([key, row.window_start, row.count]);
    }
    this.deferred.clear();
    for (let i = 0; i < rows.length; i += FLUSH_ROWS) {
      const chunk = rows.slice(i, i + FLUSH_ROWS);
      this.sql.exec(upsertStatement('store', chunk.length), ...chunk.flat());
    }
    return rows.length;
  }
}

function windowStartOf(bucket: Bucket, nowMs: number): number {
  const windowMs = bucket.windowSeconds * 1000;
  return Math.floor(nowMs / windowMs) * windowMs;
}
