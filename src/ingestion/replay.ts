import { and, eq, gte, lte } from 'drizzle-orm';
import { config } from '../core/config';
import { db } from '../db/client';
import { assets, priceData } from '../db/schema';
import { rollUp } from '../domains/prices/rollup';
import { candleColumns, upsertCandles, upsertQuotes } from '../domains/prices/service';
import { publish } from '../events/bus';
import type { Candle, Quote } from '../providers/types';
import { bumpDataVersion, forgetDataVersion, getState, initState, setState } from './state';

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

export interface ReplayClock {
  /** Virtual time now, epoch ms. */
  now: number;
  start: number;
  end: number;
  speed: number;
}

/**
 * The replay's virtual clock: anchored at its first tick (kept in D1, so restarts carry on),
 * running `REPLAY_SPEED` times real time from `REPLAY_START`, and looping back to the
 * start when it passes the end of the shipped history.
 */
export async function replayClock(env: Env, realNow = Date.now()): Promise<ReplayClock | null> {
  const cfg = config(env);
  const start = Date.parse(`${cfg.REPLAY_START}T00:00:00Z`);
  const endRow = await env.DB.prepare(
    "SELECT max(open_time) AS t FROM price_data WHERE timeframe = '1d' AND source = 'history'",
  ).first<{
    t: number | null;
  }>();
  if (endRow?.t == null) return null;
  const end = endRow.t + DAY;
  const anchorReal = Number(await initState(env, 'replay.anchor_real', String(realNow)));
  const elapsed = Math.max(0, realNow - anchorReal) * cfg.REPLAY_SPEED;
  const span = Math.max(DAY, end - start);
  return { now: start + (elapsed % span), start, end, speed: cfg.REPLAY_SPEED };
}

interface DayCandle extends Candle {
  assetId: string;
}

export interface ReplayTick {
  virtualNow: number;
  quotes: number;
  candles: number;
  changed: string[];
}

/**
 * One replay tick: quotes at the virtual now and the hourly candles completed since the
 * last tick, for every asset with history at that date, written through the same upserts
 * live ingestion uses, then `prices.updated`. Running it twice for the same moment writes
 * the same rows and publishes nothing new.
 */
export async function replayTick(env: Env, realNow = Date.now()): Promise<ReplayTick | null> {
  const clock = await replayClock(env, realNow);
  if (!clock) return null;
  const v = clock.now;
  const day = Math.floor(v / DAY) * DAY;
  const d = db(env);
  const rows = await d
    .select({ ...candleColumns, assetId: priceData.assetId, symbol: assets.symbol })
    .from(priceData)
    .innerJoin(assets, eq(assets.id, priceData.assetId))
    .where(
      and(
        eq(priceData.timeframe, '1d'),
        gte(priceData.openTime, day - 10 * DAY),
        lte(priceData.openTime, day),
        eq(assets.isActive, true),
        // Users' own series are their data, not the market's: the replay leaves them alone.
        eq(assets.ownerId, ''),
      ),
    )
    .orderBy(priceData.assetId, priceData.openTime);
  const byAsset = new Map<string, { symbol: string; days: DayCandle[] }>();
  for (const r of rows) {
    const entry = byAsset.get(r.assetId) ?? { symbol: r.symbol, days: [] };
    entry.days.push(r);
    byAsset.set(r.assetId, entry);
  }

  const lastHour = Number((await getState(env, 'replay.last_hour')) ?? '0');
  const currentHour = Math.floor(v / HOUR) * HOUR;
  // Hours completed since the last tick (at most two days' worth after a long pause); none when the clock looped back.
  const firstHour =
    lastHour && lastHour < currentHour ? Math.max(lastHour, currentHour - 48 * HOUR) : currentHour - HOUR;

  const quoteEntries: { assetId: string; quote: Quote; source: string }[] = [];
  let candleCount = 0;
  const symbols = new Map<string, string>();
  for (const [assetId, { symbol, days }] of byAsset) {
    const today = days.at(-1);
    if (!today) continue;
    symbols.set(assetId, symbol);
    const trading = today.openTime === day;
    const priceAt = (t: number): number => {
      const dayStart = Math.floor(t / DAY) * DAY;
      const candle = [...days].reverse().find((c) => c.openTime <= dayStart);
      if (!candle) return today.close;
      return candle.openTime === dayStart ? pathPrice(candle, (t - dayStart) / DAY) : candle.close;
    };
    const price = priceAt(v);
    const before = priceAt(v - DAY);
    const samples = Array.from({ length: 25 }, (_, i) => priceAt(v - DAY + i * HOUR));
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
        volume24h: trading ? today.volume : 0,
        marketCap: null,
        asOf: v,
      },
    });
    const hourly: Candle[] = [];
    for (let h = firstHour; h < currentHour; h += HOUR) {
      const dayStart = Math.floor(h / DAY) * DAY;
      const candle = days.find((c) => c.openTime === dayStart);
      if (!candle) continue; // not a trading day for this asset
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
  // Once per virtual day, the week so far rolls up into its weekly candle.
  const lastDay = Number((await getState(env, 'replay.last_day')) ?? '0');
  if (lastDay !== day) {
    for (const assetId of byAsset.keys()) await rollUp(env, assetId, '1w', day, day);
    await setState(env, 'replay.last_day', String(day));
  }
  const changed = await upsertQuotes(env, quoteEntries);
  await setState(env, 'replay.last_hour', String(currentHour));
  if (changed.length || candleCount) {
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
  return { virtualNow: v, quotes: quoteEntries.length, candles: candleCount, changed };
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
