import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketClock } from '../../src/core/market-clock';
import { type PricesUpdated, subscribe } from '../../src/events/bus';
import worker from '../../src/index';
import { hourlyFromDaily, pathPrice, replayTick } from '../../src/ingestion/replay';
import { call, callJson } from '../helpers/api';
import { seedMarket } from '../helpers/market';

const events: PricesUpdated[] = [];
const unsubscribe = subscribe('prices.updated', async (_env, event) => {
  events.push(event);
});
afterAll(unsubscribe);

// Anchor the replay clock: REPLAY_START 2024-01-01, 60x, so one real minute is one market hour.
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const MINUTE = 60_000;

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH', 'SPY']);
  await env.DB.prepare(
    "INSERT INTO market_state (key, value, updated_at) VALUES ('replay.anchor_real', ?, 0)",
  )
    .bind(String(T0))
    .run();
});

describe('the replay path', () => {
  const day = { openTime: 0, open: 100, high: 120, low: 90, close: 110, volume: 2400 };

  it('passes through the open, the low, the high and the close of an up day', () => {
    expect(pathPrice(day, 0)).toBe(100);
    expect(pathPrice(day, 1 / 3)).toBeCloseTo(90, 9);
    expect(pathPrice(day, 2 / 3)).toBeCloseTo(120, 9);
    expect(pathPrice(day, 1)).toBe(110);
  });

  it('forms 24 hourly candles that stay inside the day and add up to it', () => {
    const hours = hourlyFromDaily(day);
    expect(hours).toHaveLength(24);
    expect(hours[0]?.open).toBe(100);
    expect(hours.at(-1)?.close).toBeCloseTo(110, 9);
    expect(Math.max(...hours.map((h) => h.high))).toBeCloseTo(120, 9);
    expect(Math.min(...hours.map((h) => h.low))).toBeCloseTo(90, 9);
    expect(hours.reduce((s, h) => s + h.volume, 0)).toBeCloseTo(2400, 9);
  });
});

describe('replay ingestion', () => {
  it('runs a virtual clock from REPLAY_START at REPLAY_SPEED and holds at the end of history', async () => {
    const clock = await marketClock(env, T0 + 90_000);
    expect(new Date(clock.now).toISOString()).toBe('2024-01-01T01:30:00.000Z');
    // BTC's shipped history ends 2024-12-07: the clock stops at that day's close, never loops.
    expect(new Date(clock.end ?? 0).toISOString()).toBe('2024-12-08T00:00:00.000Z');
    const past = await marketClock(env, T0 + (400 * 86_400_000) / 60);
    expect(past.now).toBe(clock.end);
  });

  it('moves quotes, forms hourly candles and publishes prices.updated; the same tick twice changes nothing', async () => {
    events.length = 0;
    const first = await replayTick(env, T0 + 10 * MINUTE);
    expect(first?.changed.sort()).toEqual(['ast_btc', 'ast_eth', 'ast_spy']);
    const btcAt10 = await callJson<{ price: number; timestamp: string; source: string }>(
      '/api/markets/BTC-USD/price',
    );
    expect(btcAt10.body).toMatchObject({ timestamp: '2024-01-01T10:00:00.000Z', source: 'replay' });

    const repeat = await replayTick(env, T0 + 10 * MINUTE);
    expect(repeat?.changed).toEqual([]);
    expect(events).toHaveLength(1);

    const later = await replayTick(env, T0 + 13 * MINUTE);
    expect(later?.candles).toBeGreaterThan(0);
    const btcAt13 = await callJson<{ price: number }>('/api/markets/BTC-USD/price');
    expect(btcAt13.body.price).not.toBe(btcAt10.body.price);
    expect(events).toHaveLength(2);
    expect(events[1]?.assets.find((a) => a.symbol === 'BTC')?.price).toBe(btcAt13.body.price);

    const hours = await callJson<{ data: { candles: { timestamp: string; open: number; close: number }[] } }>(
      '/api/v1/assets/BTC/price-history?timeframe=1h&start_date=2024-01-01&end_date=2024-01-01',
    );
    expect(hours.body.data.candles.map((c) => c.timestamp.slice(11, 13))).toEqual(['09', '10', '11', '12']);
    // Each formed hour ends where the next begins: one continuous path.
    const [h9, h10] = hours.body.data.candles;
    expect(h10?.open).toBeCloseTo(h9?.close ?? 0, 9);
  });

  it('invalidates cached market data when new prices land', async () => {
    const before = await call('/api/v1/assets?asset_type=crypto');
    const etag = before.headers.get('ETag') ?? '';
    const version = before.headers.get('X-Data-Version');
    expect(
      (await call('/api/v1/assets?asset_type=crypto', { headers: { 'If-None-Match': etag } })).status,
    ).toBe(304);
    await replayTick(env, T0 + 15 * MINUTE);
    // Other isolates notice within 5 s; `Cache-Control: no-cache` asks for the version now.
    const after = await call('/api/v1/assets?asset_type=crypto', {
      headers: { 'If-None-Match': etag, 'Cache-Control': 'no-cache' },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get('X-Data-Version')).not.toBe(version);
    expect(after.headers.get('ETag')).not.toBe(etag);
  });

  it('ingests a day when the clock passes its close and rolls it into the weekly candle, Monday to Sunday', async () => {
    const history = (tf: string) =>
      callJson<{ data: { candles: { timestamp: string; open: number; high: number; close: number }[] } }>(
        `/api/v1/assets/BTC/price-history?timeframe=${tf}&start_date=2024-01-01&end_date=2024-01-07`,
        { headers: { 'Cache-Control': 'no-cache' } },
      );
    // 2024-01-01 has not closed yet: no daily candle, and no weekly one for its week.
    expect((await history('1d')).body.data.candles).toEqual([]);
    expect((await history('1w')).body.data.candles).toEqual([]);
    const tick = await replayTick(env, T0 + 26 * MINUTE); // 2024-01-02 02:00
    expect(tick?.days).toBe(2); // BTC's and ETH's 2024-01-01 (New Year's Day: SPY did not trade)
    const daily = (await history('1d')).body.data.candles;
    expect(daily.map((c) => c.timestamp)).toEqual(['2024-01-01T00:00:00.000Z']);
    const week = (await history('1w')).body.data.candles;
    // 2024-01-01 was a Monday; the week rolls up every daily candle of it present so far.
    expect(week[0]?.timestamp).toBe('2024-01-01T00:00:00.000Z');
    expect(week[0]?.open).toBe(daily[0]?.open);
    expect(week[0]?.close).toBe(daily[0]?.close);
  });

  it('is what the minute cron runs', async () => {
    const ctx = createExecutionContext();
    worker.scheduled(
      createScheduledController({ cron: '* * * * *', scheduledTime: T0 + 30 * MINUTE }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const btc = await callJson<{ timestamp: string }>('/api/markets/BTC-USD/price');
    expect(btc.body.timestamp).toBe('2024-01-02T06:00:00.000Z');
  });
});

describe('timeframe buckets', () => {
  it('start weeks on Monday 00:00 UTC and aggregate first open, extremes, last close and summed volume', async () => {
    const { aggregate, bucketStart } = await import('../../src/domains/prices/timeframes');
    expect(new Date(bucketStart('1w', Date.UTC(2024, 0, 7, 23))).toISOString()).toBe(
      '2024-01-01T00:00:00.000Z',
    );
    expect(new Date(bucketStart('4h', Date.UTC(2024, 0, 7, 23, 59))).toISOString()).toBe(
      '2024-01-07T20:00:00.000Z',
    );
    const week = aggregate(
      [
        { openTime: Date.UTC(2024, 0, 2), open: 2, high: 5, low: 1, close: 3, volume: 10 },
        { openTime: Date.UTC(2024, 0, 1), open: 1, high: 4, low: 0.5, close: 2, volume: 5 },
      ],
      '1w',
    );
    expect(week).toEqual([
      { openTime: Date.UTC(2024, 0, 1), open: 1, high: 5, low: 0.5, close: 3, volume: 15 },
    ]);
  });
});
