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

/**
 * Fixed-window counters in a Durable Object's SQLite. A decision reads and writes
 * synchronously inside one call, and the object runs one call at a time, so with a limit
 * of N exactly N of any number of concurrent requests pass. A rejected request consumes
 * nothing, in any of its buckets.
 *
 * Every write goes to SQLite; reads come from an in-memory copy of the rows this object has
 * read or written since it started (all writes pass through here, one call at a time, so the
 * copy is always what SQLite holds). A counted request then costs one statement per bucket.
 */
/** Rows kept in memory at most (a guest shard holds many addresses' buckets); the rest are read again. */
const MEMORY_ROWS = 10_000;

const countStatements = new Map<number, string>();

/** The upsert that counts one request in `n` buckets (a new window starts again at 1). */
function countStatement(n: number): string {
  let text = countStatements.get(n);
  if (!text) {
    text = `INSERT INTO rate_buckets (key, window_start, count) VALUES ${Array.from({ length: n }, () => '(?, ?, 1)').join(', ')}
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
        window_start = excluded.window_start`;
    countStatements.set(n, text);
  }
  return text;
}

export class RateLimiter {
  private readonly rows = new Map<string, BucketRow | null>();

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
    if (this.rows.size > MEMORY_ROWS) this.rows.delete(this.rows.keys().next().value as string);
  }

  private state(bucket: Bucket, nowMs: number): BucketState {
    const windowMs = bucket.windowSeconds * 1000;
    const windowStart = Math.floor(nowMs / windowMs) * windowMs;
    const row = this.row(bucket.key);
    const used = row && row.window_start === windowStart ? row.count : 0;
    return {
      rule: bucket.rule,
      limit: bucket.limit,
      windowSeconds: bucket.windowSeconds,
      used,
      remaining: Math.max(0, bucket.limit - used),
      resetAt: (windowStart + windowMs) / 1000,
    };
  }

  /**
   * Counts the request in every bucket if all have room; otherwise counts nothing. All of a
   * request's buckets are written by one statement (a guest's asset list counts in two).
   */
  consume(buckets: Bucket[], nowMs = Date.now()): LimitDecision {
    const states = buckets.map((b) => this.state(b, nowMs));
    if (states.some((s) => s.remaining <= 0)) return { allowed: false, buckets: states };
    const args: (string | number)[] = [];
    for (const [i, bucket] of buckets.entries()) {
      const windowStart = Math.floor(nowMs / (bucket.windowSeconds * 1000)) * bucket.windowSeconds * 1000;
      args.push(bucket.key, windowStart);
      const s = states[i];
      if (s) {
        s.used += 1;
        s.remaining -= 1;
        this.remember(bucket.key, { window_start: windowStart, count: s.used });
      }
    }
    if (buckets.length) this.sql.exec(countStatement(buckets.length), ...args);
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
    for (const bucket of buckets) {
      const windowStart = Math.floor(nowMs / (bucket.windowSeconds * 1000)) * bucket.windowSeconds * 1000;
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
    for (const [key, row] of this.rows) if (!row || row.window_start < beforeMs) this.rows.delete(key);
    return this.sql.exec('DELETE FROM rate_buckets WHERE window_start < ?', beforeMs).rowsWritten;
  }

  /** Forgets a rule's history (admin reset). Returns whether there was any. */
  reset(key: string): boolean {
    this.remember(key, null);
    return this.sql.exec('DELETE FROM rate_buckets WHERE key = ?', key).rowsWritten > 0;
  }
}
