import { and, eq, gte, lt, lte } from 'drizzle-orm';
import { marketClock } from '../core/market-clock';
import { db } from '../db/client';
import { priceData, replayCandles } from '../db/schema';
import { rollUp } from '../domains/prices/rollup';
import { candleColumns, upsertCandles, upsertQuotes } from '../domains/prices/service';
import { publish } from '../events/bus';
import type { Candle, Quote } from '../providers/types';
import { ingestIntelUntil } from './intel';
import { bumpDataVersion, forgetDataVersion, getState, setState } from './state';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Where a day's price is at fraction `f` (0..1) of the day: a path through open, the
 * extreme against the day's direction, the other extreme, and close, at thirds. It
 * respects the real candle (its open, high, low and close are all on the path) and is
 * deterministic, so replaying the same moment twice gives the same price.
 */
export function pathPrice(c: Candle, f: number): number {
  const up = c.close >= c.open;
  const points: [number, number][] = [
    [0, c.open],
    [1 / 3, up ? c.low : c.high],
    [2 / 3, up ? c.high : c.low],
    [1, c.close],
  ];
  const x = Math.min(1, Math.max(0, f));
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i] as [number, number];
    const [x0, y0] = points[i - 1] as [number, number];
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return c.close;
}

interface DayCandle extends Candle {
  assetId: string;
  symbol: string;
}

export interface ReplayTick {
  virtualNow: number;
  quotes: number;
  candles: number;
  /** Daily candles moved from the replay store into the served tables by this tick. */
  days: number;
  changed: string[];
}

/** The most days of closes one tick ingests after a long pause; the next tick takes the rest. */
const MAX_CATCH_UP_DAYS = 31;

/**
 * Moves the daily candles whose close the market clock has passed (open time before `today`)
 * from the replay store into `price_data`, through the upsert live ingestion uses, and rolls
 * them into their weekly candles. The cursor `replay.daily_until` advances only after the
 * writes, so a crash halfway repeats idempotent upserts and loses nothing.
 */
async function ingestClosedDays(env: Env, start: number, today: number): Promise<number> {
  const cursor = Number((await getState(env, 'replay.daily_until')) ?? start);
  if (cursor >= today) return 0;
  const until = Math.min(today, cursor + MAX_CATCH_UP_DAYS * DAY);
  const rows = await db(env)
    .select()
    .from(replayCandles)
    .where(and(gte(replayCandles.openTime, cursor), lt(replayCandles.openTime, until)))
    .orderBy(replayCandles.assetId, replayCandles.openTime);
  const byAsset = new Map<string, Candle[]>();
  for (const r of rows) {
    const list = byAsset.get(r.assetId) ?? [];
    list.push(r);
    byAsset.set(r.assetId, list);
  }
  let written = 0;
  for (const [assetId, candles] of byAsset) {
    written += await upsertCandles(env, assetId, '1d', candles, 'history');
    const first = candles[0];
    const last = candles.at(-1);
    if (first && last) await rollUp(env, assetId, '1w', first.openTime, last.openTime);
  }
  await setState(env, 'replay.daily_until', String(until));
  return written;
}

/**
 * The daily candles the replay path runs through over [from, to]: closed days from
 * `price_data`, the current day (and any not yet ingested) from the replay store. Only the
 * market's own series: users' private series are their data, and the replay leaves them alone.
 */
async function pathCandles(env: Env, from: number, to: number): Promise<DayCandle[]> {
  const { results } = await env.DB.prepare(
    `SELECT p.asset_id AS assetId, a.symbol AS symbol, p.open_time AS openTime, p.open, p.high, p.low, p.close, p.volume
     FROM (
       SELECT asset_id, open_time, open, high, low, close, volume FROM price_data
        WHERE timeframe = '1d' AND open_time BETWEEN ?1 AND ?2
       UNION
       SELECT asset_id, open_time, open, high, low, close, volume FROM replay_candles
        WHERE open_time BETWEEN ?1 AND ?2
     ) p JOIN assets a ON a.id = p.asset_id
     WHERE a.is_active = 1 AND a.owner_id = ''
     ORDER BY p.asset_id, p.open_time`,
  )
    .bind(from, to)
    .all<DayCandle>();
  return results;
}

/**
 * One replay tick at market time `clock.now`: first the daily candles whose close the clock
 * has passed move into the served tables (with their weekly roll-ups); then quotes at the
 * virtual now and the hourly candles completed since the last tick, for every asset trading
 * near that date, written through the same upserts live ingestion uses; then `prices.updated`.
 * Nothing it writes is later than the clock. Running it twice for the same moment writes the
 * same rows and publishes nothing new.
 */
export async function replayTick(env: Env, realNow = Date.now()): Promise<ReplayTick | null> {
  const clock = await marketClock(env, realNow);
  if (clock.mode !== 'replay' || clock.start == null || clock.end == null) return null;
  const v = clock.now;
  const day = Math.floor(v / DAY) * DAY;
  const days = await ingestClosedDays(env, clock.start, day);
  // Market caps, supply, index levels: every other shipped series the clock has reached.
  await ingestIntelUntil(env, v);

  const byAsset = new Map<string, { symbol: string; days: DayCandle[] }>();
  for (const r of await pathCandles(env, day - 10 * DAY, day)) {
    const entry = byAsset.get(r.assetId) ?? { symbol: r.symbol, days: [] };
    // The two stores agree on a day both hold; keep one.
    if (entry.days.at(-1)?.openTime !== r.openTime) entry.days.push(r);
    byAsset.set(r.assetId, entry);
  }

  const lastHour = Number((await getState(env, 'replay.last_hour')) ?? '0');
  const currentHour = Math.floor(v / HOUR) * HOUR;
  // Hours completed since the last tick (at most two days' worth after a long pause).
  const firstHour =
    lastHour && lastHour < currentHour ? Math.max(lastHour, currentHour - 48 * HOUR) : currentHour - HOUR;

  const quoteEntries: { assetId: string; quote: Quote; source: string }[] = [];
  let candleCount = 0;
  const symbols = new Map<string, string>();
  for (const [assetId, { symbol, days: candles }] of byAsset) {
    symbols.set(assetId, symbol);
    const dayOf = (t: number): DayCandle | undefined => {
      const dayStart = Math.floor(t / DAY) * DAY;
      return candles.find((c) => c.openTime === dayStart);
    };
    const priceAt = (t: number): number => {
      const dayStart = Math.floor(t / DAY) * DAY;
      const candle = candles.findLast((c) => c.openTime <= dayStart);
      if (!candle) return candles[0]?.open ?? 0;
      return candle.openTime === dayStart ? pathPrice(candle, (t - dayStart) / DAY) : candle.close;
    };
    const price = priceAt(v);
    const before = priceAt(v - DAY);
    const samples = Array.from({ length: 25 }, (_, i) => priceAt(v - DAY + i * HOUR));
    // Volume traded over the last 24 hours along the path: each hour carries 1/24 of its day.
    const volume = Array.from({ length: 24 }, (_, i) => (dayOf(v - (i + 1) * HOUR)?.volume ?? 0) / 24).reduce(
      (sum, x) => sum + x,
      0,
    );
    quoteEntries.push({
      assetId,
      source: 'replay',
      quote: {
        providerSymbol: symbol,
        price,
        open24h: before,
        high24h: Math.max(...samples),
        low24h: Math.min(...samples),
        change24h: price - before,
        changePct24h: before !== 0 ? ((price - before) / before) * 100 : null,
        volume24h: volume,
        marketCap: null,
        asOf: v,
      },
    });
    const hourly: Candle[] = [];
    for (let h = firstHour; h < currentHour; h += HOUR) {
      const candle = dayOf(h);
      if (!candle) continue; // not a trading day for this asset
      const dayStart = candle.openTime;
      const pts = Array.from({ length: 13 }, (_, i) =>
        pathPrice(candle, (h - dayStart + i * 5 * 60_000) / DAY),
      );
      hourly.push({
        openTime: h,
        open: pts[0] ?? candle.open,
        high: Math.max(...pts),
        low: Math.min(...pts),
        close: pts[12] ?? candle.close,
        volume: candle.volume / 24,
      });
    }
    if (hourly.length) {
      candleCount += await upsertCandles(env, assetId, '1h', hourly, 'replay');
      const from = hourly[0]?.openTime ?? currentHour;
      await rollUp(env, assetId, '4h', from, currentHour - 1);
    }
  }
  const changed = await upsertQuotes(env, quoteEntries);
  await setState(env, 'replay.last_hour', String(currentHour));
  if (changed.length || candleCount || days) {
    await bumpDataVersion(env);
    forgetDataVersion();
  }
  if (changed.length) {
    const byId = new Map(quoteEntries.map((q) => [q.assetId, q.quote]));
    await publish(env, {
      type: 'prices.updated',
      source: 'replay',
      at: v,
      assets: changed.map((assetId) => ({
        assetId,
        symbol: symbols.get(assetId) ?? assetId,
        price: byId.get(assetId)?.price ?? 0,
        changePct24h: byId.get(assetId)?.changePct24h ?? null,
      })),
    });
  }
  return { virtualNow: v, quotes: quoteEntries.length, candles: candleCount, days, changed };
}

/** The hourly candles the replay path gives one daily candle. */
export function hourlyFromDaily(day: Candle): Candle[] {
  return Array.from({ length: 24 }, (_, h) => {
    const pts = Array.from({ length: 13 }, (_, i) => pathPrice(day, (h * HOUR + i * 5 * 60_000) / DAY));
    return {
      openTime: day.openTime + h * HOUR,
      open: pts[0] ?? day.open,
      high: Math.max(...pts),
      low: Math.min(...pts),
      close: pts[12] ?? day.close,
      volume: day.volume / 24,
    };
  });
}

/**
 * Backfills hourly (and 4-hour) candles of one asset over [from, to] from its daily
 * history along the replay path: the offline source for `POST /admin/price-data/fetch`.
 * Upserts only, so running it again writes the same rows.
 */
export async function replayBackfill(
  env: Env,
  assetId: string,
  from: number,
  to: number,
  progress?: (done: number, total: number) => Promise<void>,
): Promise<number> {
  const days = await db(env)
    .select(candleColumns)
    .from(priceData)
    .where(
      and(
        eq(priceData.assetId, assetId),
        eq(priceData.timeframe, '1d'),
        gte(priceData.openTime, from),
        lte(priceData.openTime, to),
      ),
    )
    .orderBy(priceData.openTime);
  let written = 0;
  const step = 30;
  for (let i = 0; i < days.length; i += step) {
    const slice = days.slice(i, i + step);
    written += await upsertCandles(env, assetId, '1h', slice.flatMap(hourlyFromDaily), 'replay');
    const first = slice[0];
    const last = slice.at(-1);
    if (first && last) await rollUp(env, assetId, '4h', first.openTime, last.openTime + DAY - 1);
    await progress?.(Math.min(days.length, i + step), days.length);
  }
  return written;
}
