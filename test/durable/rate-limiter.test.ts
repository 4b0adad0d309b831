import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../durable/lib/rate-limiter';

const MINUTE = { rule: 'per-minute', key: 'per-minute', limit: 3, windowSeconds: 60 };
const HOUR = { rule: 'per-hour', key: 'per-hour', limit: 5, windowSeconds: 3600 };
const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);

/** The buckets as SQLite holds them. */
function storedBuckets(sql: SqlStorage) {
  return sql
    .exec<{ key: string; window_start: number; count: number }>(
      'SELECT key, window_start, count FROM rate_buckets ORDER BY key',
    )
    .toArray();
}

describe('the rate limiter', () => {
  it('counts a request in all its buckets with one write, each window starting again on its own', async () => {
    const rows = await runInDurableObject(env.CLIENT_ADDRESS.getByName('limiter-test'), async (_o, state) => {
      const limiter = new RateLimiter(state.storage.sql);
      const decisions = [T0, T0 + 1_000, T0 + 2_000, T0 + 3_000, T0 + 61_000, T0 + 62_000, T0 + 63_000].map(
        (now) => limiter.consume([MINUTE, HOUR], now),
      );
      const stored = storedBuckets(state.storage.sql);
      // A fresh limiter over the same storage reads what the first wrote.
      const reread = new RateLimiter(state.storage.sql).peek([MINUTE, HOUR], T0 + 63_000);
      return { decisions, stored, reread };
    });
    // The 4th request in the first minute is refused and counts in neither bucket.
    expect(rows.decisions.map((d) => d.allowed)).toEqual([true, true, true, false, true, true, false]);
    expect(rows.decisions[2]?.buckets.map((b) => b.used)).toEqual([3, 3]);
    // The next minute starts at 1 while the hour goes on: the 7th request is over the hour's 5.
    expect(rows.decisions[5]?.buckets.map((b) => b.used)).toEqual([2, 5]);
    expect(rows.stored).toEqual([
      { key: 'per-hour', window_start: T0, count: 5 },
      { key: 'per-minute', window_start: T0 + 60_000, count: 2 },
    ]);
    expect(rows.reread.map((b) => [b.used, b.remaining])).toEqual([
      [2, 1],
      [5, 0],
    ]);
  });

  it('decides deferred counts from memory exactly and writes them with one flush, before any written count', async () => {
    const out = await runInDurableObject(
      env.CLIENT_ADDRESS.getByName('limiter-defer-test'),
      async (_o, state) => {
        const sql = state.storage.sql;
        const stored = () => storedBuckets(sql);
        const limiter = new RateLimiter(sql);
        const deferred = [T0, T0 + 1_000, T0 + 2_000, T0 + 3_000].map(
          (now) => limiter.consume([MINUTE, HOUR], now, { defer: true }).allowed,
        );
        const beforeFlush = stored();
        const flushed = limiter.flush();
        const afterFlush = stored();
        const again = limiter.flush();
        // Two more deferred counts, then a written one: the written upsert adds to SQLite's
        // count, so the deferred ones are stored first and nothing is counted twice.
        limiter.consume([HOUR], T0 + 61_000, { defer: true });
        limiter.consume([HOUR], T0 + 62_000);
        const mixed = stored();
        const reread = new RateLimiter(sql).peek([MINUTE, HOUR], T0 + 62_000);
        return { deferred, beforeFlush, flushed, afterFlush, again, mixed, reread };
      },
    );
    // Exact from memory: the 4th request in the minute is refused and counts nowhere.
    expect(out.deferred).toEqual([true, true, true, false]);
    expect(out.beforeFlush).toEqual([]);
    expect(out.flushed).toBe(2);
    expect(out.afterFlush).toEqual([
      { key: 'per-hour', window_start: T0, count: 3 },
      { key: 'per-minute', window_start: T0, count: 3 },
    ]);
    expect(out.again).toBe(0);
    expect(out.mixed).toEqual([
      { key: 'per-hour', window_start: T0, count: 5 },
      { key: 'per-minute', window_start: T0, count: 3 },
    ]);
    expect(out.reread.map((b) => b.used)).toEqual([0, 5]);
  });
});
