import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { TelemetrySink } from '../../durable/telemetry';
import { type RequestRecord, telemetryArchiveKey } from '../../src/core/telemetry';

function record(i: number, ts: number): RequestRecord {
  return {
    ts,
    request_id: `req-archive-${i}`,
    trace_id: `trace-${i}`,
    method: 'GET',
    route: '/api/v1/assets/{asset_id}',
    path: `/api/v1/assets/A${i}`,
    status: i % 10 === 0 ? 500 : 200,
    duration_ms: 10 + i,
    user_id: null,
    cache: [
      {
        prefix: 'assets',
        key: `/api/v1/assets/A${i}`,
        outcome: 'miss',
        bytes: 10,
        version: '1',
        lookup_ms: 1,
      },
    ],
    statements: [
      {
        shape: 'select * from "assets" where "id" = ?',
        duration_ms: 0.4,
        wall_ms: 1,
        rows_read: 1,
        rows_written: 0,
        source: 'meta',
      },
    ],
    logs: i % 10 === 0 ? [{ ts, level: 'ERROR', module: 'request.failed', message: `boom ${i}` }] : [],
  };
}

async function lines(key: string): Promise<{ table: string; row: Record<string, unknown> }[]> {
  const object = await env.ARCHIVE.get(key);
  if (!object) throw new Error(`no archive ${key}`);
  const text = await new Response(object.body.pipeThrough(new DecompressionStream('gzip'))).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { table: string; row: Record<string, unknown> });
}

describe('telemetry archive', () => {
  it('a day past retention goes to R2 before its shard is emptied; archives past theirs are deleted', async () => {
    const day = '2026-02-10';
    const stub = env.TELEMETRY.getByName(`telemetry:${day}`);
    const t0 = Date.parse(`${day}T08:00:00Z`);
    await stub.ingest(Array.from({ length: 30 }, (_, i) => record(i, t0 + i * 20_000)));
    // Two older archives: one 91 days before the day (past the 90-day archive retention), one 89.
    const expired = telemetryArchiveKey('2025-11-11');
    const kept = telemetryArchiveKey('2025-11-13');
    await env.ARCHIVE.put(expired, 'x');
    await env.ARCHIVE.put(kept, 'x');

    await runDurableObjectAlarm(stub);

    const rows = await lines(telemetryArchiveKey(day));
    const count = (table: string) => rows.filter((r) => r.table === table).length;
    expect(count('requests')).toBe(30);
    expect(count('statements')).toBe(30);
    expect(count('cache_events')).toBe(30);
    expect(count('logs')).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.table === 'logs' && String(r.row.message).includes('boom'))).toHaveLength(3);
    // The minute aggregates hold every request (30 records, 20 s apart: 10 minutes).
    const minutes = rows.filter((r) => r.table === 'minutes');
    expect(minutes.reduce((s, m) => s + Number(m.row.count), 0)).toBe(30);
    expect(rows.find((r) => r.table === 'requests')?.row.request_id).toBe('req-archive-0');
    const head = await env.ARCHIVE.head(telemetryArchiveKey(day));
    expect(JSON.parse(head?.customMetadata?.rows ?? '{}')).toMatchObject({ requests: 30, statements: 30 });

    expect((await stub.size()).requests).toBe(0);
    expect(await env.ARCHIVE.head(expired)).toBeNull();
    expect(await env.ARCHIVE.head(kept)).not.toBeNull();

    // Running the alarm again (a retry after the deletion) never overwrites the archive with nothing.
    await runInDurableObject(stub, (sink: TelemetrySink) => sink.alarm());
    expect(await lines(telemetryArchiveKey(day))).toHaveLength(rows.length);
  });
});
