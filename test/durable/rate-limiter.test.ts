import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../durable/lib/rate-limiter';

const MINUTE = { rule: 'per-minute', key: 'per-minute', limit: 3, windowSeconds: 60 };
const HOUR = { rule: 'per-hour', key: 'per-hour', limit: 5, windowSeconds: 3600 };
const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);

describe('the rate limiter', () => {
  it('counts a request in all its buckets with one write, each window starting again on its own', async () => {
    const rows = await runInDurableObject(env.CLIENT_ADDRESS.getByName('limiter-test'), async (_o, state) => {
      const limiter = new RateLimiter(state.storage.sql);
      const decisions = [T0, T0 + 1_000, T0 + 2_000, T0 + 3_000, T0 + 61_000, T0 + 62_000, T0 + 63_000].map(
        (now) => limiter.consume([MINUTE, HOUR], now),
      );
      const stored = state.storage.sql
        .exec<{ key: string; window_start: number; count: number }>(
          'SELECT key, window_start, count FROM rate_buckets ORDER BY key',
        )
        .toArray();
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
});
