import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/core/telemetry';

function record(i: number, ts: number): RequestRecord {
  return {
    ts,
    request_id: `req-${i}`,
    trace_id: `trace-${i}`,
    method: 'GET',
    route: i % 2 ? '/api/v1/assets/{asset_id}' : '/api/v1/users/me',
    path: i % 2 ? `/api/v1/assets/A${i % 7}` : '/api/v1/users/me',
    status: i % 50 === 0 ? 500 : 200,
    duration_ms: 5 + (i % 100),
    user_id: `usr_${i % 10}`,
    cache: [
      {
        prefix: 'assets',
        key: `/api/v1/assets/A${i % 7}`,
        outcome: i % 3 ? 'hit' : 'miss',
        bytes: 1000,
        version: '1',
        lookup_ms: 1,
      },
    ],
    statements: [
      {
        shape: 'select * from "users" where "id" = ?',
        duration_ms: 0.3,
        wall_ms: 1,
        rows_read: 1,
        rows_written: 0,
        source: 'meta',
      },
      {
        shape: 'select * from "assets" where "symbol" = ?',
        duration_ms: 0.5,
        wall_ms: 1.2,
        rows_read: 1,
        rows_written: 0,
        source: 'meta',
      },
      {
        shape: 'select "value" from "market_state" where "key" = ?',
        duration_ms: 0.1,
        wall_ms: 0.8,
        rows_read: 1,
        rows_written: 0,
        source: 'wall',
      },
    ],
    logs:
      i % 50 === 0
        ? [{ ts, level: 'ERROR', module: 'request.failed', message: `request.failed: boom number ${i}` }]
        : [],
  };
}

describe('TelemetrySink', () => {
  it('ingests batches, searches with FTS5, aggregates per minute, and forgets its day after retention', async () => {
    const day = '2026-01-05';
    const stub = env.TELEMETRY.getByName(`telemetry:${day}`);
    const t0 = Date.parse(`${day}T10:00:00Z`);
    const total = 2000;
    const started = performance.now();
    for (let b = 0; b < total; b += 100)
      await stub.ingest(Array.from({ length: 100 }, (_, k) => record(b + k, t0 + (b + k) * 30)));
    const seconds = (performance.now() - started) / 1000;
    const rate = total / seconds;
    console.log(
      `telemetry sink ingest: ${total} records (3 statements, 1 cache event each) in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} records/s`,
    );
    expect(rate).toBeGreaterThan(100);

    const size = await stub.size();
    expect(size.requests).toBe(total);
    expect(size.statements).toBe(total * 3);
    const found = await stub.searchLogs({
      start: t0,
      end: t0 + 86_400_000,
      stream: 'errors',
      text: 'boom',
      limit: 100,
      offset: 0,
    });
    expect(found.total).toBe(total / 50);
    const minutes = await stub.minuteAggregates(t0, t0 + 86_400_000);
    expect(minutes.reduce((s, m) => s + m.count, 0)).toBe(total);
    expect(minutes.reduce((s, m) => s + m.errors, 0)).toBe(total / 50);

    await runDurableObjectAlarm(stub);
    expect((await stub.size()).requests).toBe(0);
  }, 120_000);
});
