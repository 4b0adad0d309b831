import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../../src/index';
import { call, callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, signUpAdmin } from '../../helpers/users';

type Envelope<T> = { data: T };
type Job = {
  id: string;
  type: string;
  status: string;
  progress: number;
  result: Record<string, unknown> | null;
};

async function runJob(job: Job) {
  const batch = createMessageBatch('meridian-jobs', [
    { id: `m-${job.id}`, timestamp: new Date(), attempts: 1, body: { job_id: job.id, type: job.type } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  await getQueueResult(batch, ctx);
}

let admin: Awaited<ReturnType<typeof signUpAdmin>>;

beforeAll(async () => {
  await seedMarket(['BTC', 'SPY', 'DXY']);
  admin = await signUpAdmin();
});

describe('quality report', () => {
  it('finds gaps and OHLC inconsistencies in the data itself', async () => {
    const { body } = await callJson<
      Envelope<{
        series: { symbol: string; gaps: number; ohlc_inconsistent: number; candles: number; score: number }[];
      }>
    >('/api/v1/price-data/quality-report?timeframe=1d');
    const btc = body.data.series.find((s) => s.symbol === 'BTC');
    expect(btc).toMatchObject({ candles: 3393, gaps: 0 });
    const dxy = body.data.series.find((s) => s.symbol === 'DXY');
    // The dollar index history has holiday runs longer than a weekend and bars outside their range.
    expect(dxy?.gaps).toBeGreaterThan(0);
    expect(dxy?.score).toBeLessThan(btc?.score ?? 0);
  });

  it('flags misaligned, duplicated-looking candles and bad OHLC that an import slips in', async () => {
    await env.DB.prepare(
      "INSERT INTO price_data (asset_id, timeframe, open_time, open, high, low, close, volume, source, updated_at) VALUES ('ast_btc', '1d', ?, 100, 90, 95, 99, 1, 'test', 0)",
    )
      .bind(Date.UTC(2024, 11, 7) + 1000)
      .run();
    const { body } = await callJson<
      Envelope<{ series: { misaligned: number; ohlc_inconsistent: number }[] }>
    >('/api/v1/price-data/quality-report?asset_id=BTC');
    expect(body.data.series[0]).toMatchObject({ misaligned: 1, ohlc_inconsistent: expect.any(Number) });
    expect(body.data.series[0]?.ohlc_inconsistent).toBeGreaterThanOrEqual(1);
    await env.DB.prepare("DELETE FROM price_data WHERE source = 'test'").run();
  });

  it('summarizes per asset for admins', async () => {
    const { body } = await callJson<Envelope<{ assets: { symbol: string; issues: string[] }[] }>>(
      '/api/v1/admin/data-quality/assets',
      {
        as: admin.as,
      },
    );
    expect(body.data.assets.find((a) => a.symbol === 'DXY')?.issues.some((i) => /gaps/.test(i))).toBe(true);
  });
});

describe('data sources', () => {
  it('lists every source with its health and which is active', async () => {
    const { body } = await callJson<
      Envelope<{ mode: string; sources: { id: string; active: boolean; status: string }[] }>
    >('/api/v1/admin/macro/data-sources', { as: admin.as });
    expect(body.data.mode).toBe('replay');
    expect(body.data.sources.map((s) => s.id)).toEqual([
      'replay',
      'coingecko',
      'binance',
      'kraken',
      'alternative_me',
      'stooq',
    ]);
    expect(body.data.sources.find((s) => s.id === 'replay')?.active).toBe(true);
  });
});

describe('bulk import', () => {
  it('upserts valid rows and reports rejected ones with reasons; dry run writes nothing', async () => {
    const csv = [
      'timestamp,open,high,low,close,volume',
      '2030-01-01,10,12,9,11,100',
      '2030-01-02,11,13,10,12,100',
      '2030-01-03,11,10,10,12,100',
      'not-a-date,1,1,1,1,1',
      '2030-01-04T06:00:00Z,1,1,1,1,1',
    ].join('\n');
    const dry = await callJson<Envelope<{ accepted: number; written: number }>>(
      '/api/v1/admin/price-data/import?asset=SPY&dry_run=true',
      {
        method: 'POST',
        as: admin.as,
        body: csv,
        headers: { 'Content-Type': 'text/csv' },
      },
    );
    expect(dry.body.data).toMatchObject({ accepted: 2, written: 0 });
    const { body } = await callJson<
      Envelope<{
        received: number;
        accepted: number;
        written: number;
        rejected: { row: number; reason: string }[];
      }>
    >('/api/v1/admin/price-data/import?asset=SPY', {
      method: 'POST',
      as: admin.as,
      body: csv,
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(body.data).toMatchObject({ received: 5, accepted: 2, written: 2 });
    expect(body.data.rejected.map((r) => r.row)).toEqual([3, 4, 5]);
    expect(body.data.rejected[0]?.reason).toMatch(/inconsistent OHLC/);
    const json = await callJson<Envelope<{ accepted: number }>>('/api/v1/admin/price-data/import?asset=SPY', {
      method: 'POST',
      as: admin.as,
      body: { candles: [{ date: '2030-01-01', open: 10, high: 12, low: 9, close: 11.5, volume: 5 }] },
    });
    expect(json.body.data.accepted).toBe(1);
    const row = await env.DB.prepare(
      "SELECT close FROM price_data WHERE asset_id = 'ast_spy' AND open_time = ?",
    )
      .bind(Date.UTC(2030, 0, 1))
      .first();
    expect(row).toEqual({ close: 11.5 });
  });
});

describe('backfill and archive jobs', () => {
  it('backfill runs as a job with progress, is idempotent, and the candles read back', async () => {
    const user = await signUp();
    const denied = await callJson('/api/v1/admin/price-data/fetch', {
      method: 'POST',
      as: user.as,
      body: { assets: ['BTC'], start_date: '2023-11-01', end_date: '2023-11-03' },
    });
    expectError(denied.res, denied.body, 403, 'ADMIN_ACCESS_REQUIRED');
    const { res, body } = await callJson<Envelope<Job>>('/api/v1/admin/price-data/fetch', {
      method: 'POST',
      as: admin.as,
      body: { assets: ['BTC'], start_date: '2023-11-01', end_date: '2023-11-03' },
    });
    expect(res.status).toBe(202);
    await runJob(body.data);
    const done = await callJson<Envelope<Job>>(`/api/v1/jobs/${body.data.id}`, { as: admin.as });
    expect(done.body.data).toMatchObject({ status: 'succeeded', progress: 100, result: { written: 72 } });
    const hours = await callJson<
      Envelope<{ count: number; candles: { open: number; close: number; high: number; low: number }[] }>
    >('/api/v1/assets/BTC/price-history?timeframe=1h&start_date=2023-11-01&end_date=2023-11-03');
    expect(hours.body.data.count).toBe(72);
    const fourHours = await callJson<Envelope<{ count: number }>>(
      '/api/v1/assets/BTC/price-history?timeframe=4h&start_date=2023-11-01&end_date=2023-11-03',
    );
    expect(fourHours.body.data.count).toBe(18);
    // Running the same backfill again changes nothing.
    const again = await callJson<Envelope<Job>>('/api/v1/admin/price-data/fetch', {
      method: 'POST',
      as: admin.as,
      body: { assets: ['BTC'], start_date: '2023-11-01', end_date: '2023-11-03' },
    });
    await runJob(again.body.data);
    const count = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM price_data WHERE asset_id = 'ast_btc' AND timeframe = '1h'",
    ).first();
    expect(count).toEqual({ n: 72 });
    // Another user's job id answers 404.
    const foreign = await callJson(`/api/v1/jobs/${body.data.id}`, { as: user.as });
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
  });

  it('archives old intraday candles to R2 and reads them back through the same endpoint', async () => {
    const fetchJob = await callJson<Envelope<Job>>('/api/v1/admin/price-data/fetch', {
      method: 'POST',
      as: admin.as,
      body: { assets: ['SPY'], start_date: '2023-01-01', end_date: '2023-11-08' },
    });
    await runJob(fetchJob.body.data);
    const before = await callJson<Envelope<{ count: number; candles: { close: number }[] }>>(
      '/api/v1/assets/SPY/price-history?timeframe=1h&start_date=2023-02-01&end_date=2023-02-28&limit=10000',
    );
    const days = await callJson<Envelope<{ count: number }>>(
      '/api/v1/assets/SPY/price-history?start_date=2023-02-01&end_date=2023-02-28',
    );
    // 24 replayed hours per trading day (February 2023 had 19, Presidents' Day closed).
    expect(before.body.data.count).toBe(days.body.data.count * 24);
    expect(days.body.data.count).toBe(19);
    const cleanup = await callJson<Envelope<Job>>('/api/v1/admin/price-data/cleanup', {
      method: 'POST',
      as: admin.as,
    });
    await runJob(cleanup.body.data);
    const job = await callJson<Envelope<Job>>(`/api/v1/jobs/${cleanup.body.data.id}`, { as: admin.as });
    expect(job.body.data.status).toBe('succeeded');
    expect(job.body.data.result?.candles).toBeGreaterThan(0);
    const inD1 = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM price_data WHERE asset_id = 'ast_spy' AND timeframe = '1h' AND open_time < ?",
    )
      .bind(Date.UTC(2023, 2, 1))
      .first<{ n: number }>();
    expect(inD1?.n).toBe(0);
    const files = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM price_data_archive WHERE asset_id = 'ast_spy'",
    ).first<{ n: number }>();
    expect(files?.n).toBeGreaterThan(0);
    const after = await call(
      '/api/v1/assets/SPY/price-history?timeframe=1h&start_date=2023-02-01&end_date=2023-02-28&limit=10000',
      {
        headers: { 'Cache-Control': 'no-cache' },
      },
    );
    const afterBody = (await after.json()) as Envelope<{ count: number; candles: { close: number }[] }>;
    expect(afterBody.data.count).toBe(before.body.data.count);
    expect(afterBody.data.candles).toEqual(before.body.data.candles);
  });
});

describe('macro backfill and validation jobs', () => {
  it('backfills crypto history over a range from the replay source as a job', async () => {
    const { res, body } = await callJson<Envelope<Job>>(
      '/api/v1/admin/macro/backfill?start_date=2023-10-01&end_date=2023-10-02',
      {
        method: 'POST',
        as: admin.as,
      },
    );
    expect(res.status).toBe(202);
    await runJob(body.data);
    const done = await callJson<Envelope<Job>>(`/api/v1/jobs/${body.data.id}`, { as: admin.as });
    expect(done.body.data).toMatchObject({
      status: 'succeeded',
      result: { written: 48, per_asset: { BTC: 48 } },
    });
    const unsupported = await callJson(
      '/api/v1/admin/macro/backfill?start_date=2023-10-01&end_date=2023-10-02&data_sources=glassnode',
      {
        method: 'POST',
        as: admin.as,
      },
    );
    expectError(unsupported.res, unsupported.body, 400, 'VALIDATION_ERROR');
  });

  it('validates data quality as a job and keeps the report as its result', async () => {
    const { body } = await callJson<Envelope<Job>>('/api/v1/admin/data-quality/validate', {
      method: 'POST',
      as: admin.as,
    });
    await runJob(body.data);
    const done = await callJson<Envelope<Job>>(`/api/v1/jobs/${body.data.id}`, { as: admin.as });
    expect(done.body.data.status).toBe('succeeded');
    expect(done.body.data.result).toMatchObject({
      series: expect.any(Number),
      average_score: expect.any(Number),
    });
  });
});

describe('backfill from a provider', () => {
  it('pages Binance klines into candles (recorded response), idempotently', async () => {
    const pages: string[] = [];
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      pages.push(url.pathname);
      const start = Number(url.searchParams.get('startTime'));
      // Two real-shaped daily klines from the requested start (the shape of the recorded GetKlines.json).
      const rows = [0, 1].map((i) => {
        const t = start + i * 86_400_000;
        return [
          t,
          '100.0',
          '110.0',
          '95.0',
          '105.0',
          '12.5',
          t + 86_399_999,
          '1300.0',
          42,
          '6.0',
          '630.0',
          '0',
        ];
      });
      return new Response(JSON.stringify(rows), { headers: { 'Content-Type': 'application/json' } });
    });
    try {
      const body = {
        assets: ['BTC'],
        start_date: '2021-01-01',
        end_date: '2021-01-02',
        source: 'binance',
        timeframe: '1d',
      };
      const first = await callJson<Envelope<Job>>('/api/v1/admin/price-data/fetch', {
        method: 'POST',
        as: admin.as,
        body,
      });
      await runJob(first.body.data);
      const done = await callJson<Envelope<Job>>(`/api/v1/jobs/${first.body.data.id}`, { as: admin.as });
      expect(done.body.data).toMatchObject({ status: 'succeeded', result: { written: 2 } });
      expect(pages).toEqual(['/api/v3/klines']);
      const row = await env.DB.prepare(
        "SELECT close, source FROM price_data WHERE asset_id = 'ast_btc' AND timeframe = '1d' AND open_time = ?",
      )
        .bind(Date.UTC(2021, 0, 1))
        .first();
      expect(row).toEqual({ close: 105, source: 'binance' });
      const again = await callJson<Envelope<Job>>('/api/v1/admin/price-data/fetch', {
        method: 'POST',
        as: admin.as,
        body,
      });
      await runJob(again.body.data);
      const count = await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM price_data WHERE source = 'binance'",
      ).first();
      expect(count).toEqual({ n: 2 });
    } finally {
      spy.mockRestore();
    }
  });
});
