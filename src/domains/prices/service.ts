import { and, asc, desc, eq, gt, gte, lte, sql } from 'drizzle-orm';
import { chunkForParams, db } from '../../db/client';
import { corporateActions, priceData, quotes, type Timeframe } from '../../db/schema';
import type { Candle, Quote } from '../../providers/types';
import type { AssetRow } from '../assets/service';
import { readArchived } from './archive';
import { candleColumns } from './columns';
import { forgetServedQuotes } from './market-cap';

export { candleColumns };

export interface StoredCandle extends Candle {
  source: string;
}

export interface HistoryQuery {
  timeframe: Timeframe;
  start?: number | undefined;
  end?: number | undefined;
  limit?: number | undefined;
  /** Newest first when true; the limit then keeps the most recent candles. */
  newestFirst?: boolean | undefined;
}

/**
 * Candles for one asset and timeframe in [start, end], from D1 and, for ranges older than
 * what D1 keeps, from the R2 archive, merged in time order.
 */
export async function candles(env: Env, asset: AssetRow, q: HistoryQuery): Promise<StoredCandle[]> {
  const where = and(
    eq(priceData.assetId, asset.id),
    eq(priceData.timeframe, q.timeframe),
    q.start !== undefined ? gte(priceData.openTime, q.start) : undefined,
    q.end !== undefined ? lte(priceData.openTime, q.end) : undefined,
  );
  // D1 and the archive at once: the archive's index read does not wait for the candles.
  const [rows, archived] = await Promise.all([
    db(env)
      .select({ ...candleColumns, source: priceData.source })
      .from(priceData)
      .where(where)
      .orderBy(q.newestFirst ? desc(priceData.openTime) : asc(priceData.openTime))
      .limit(q.limit ?? 100_000),
    readArchived(env, asset.id, q.timeframe, q.start, q.end),
  ]);
  if (!archived.length) return rows;
  const seen = new Set(rows.map((r) => r.openTime));
  const merged = [...rows, ...archived.filter((c) => !seen.has(c.openTime))];
  merged.sort((a, b) => (q.newestFirst ? b.openTime - a.openTime : a.openTime - b.openTime));
  return q.limit ? merged.slice(0, q.limit) : merged;
}

/**
 * Split-adjusted copies of `rows`: prices before each split's ex-date divided by its ratio,
 * volumes multiplied, so a series reads continuously across splits.
 */
export async function adjustForSplits<T extends Candle>(env: Env, assetId: string, rows: T[]): Promise<T[]> {
  const splits = await db(env)
    .select({ exDate: corporateActions.exDate, ratio: corporateActions.ratio })
    .from(corporateActions)
    .where(and(eq(corporateActions.assetId, assetId), eq(corporateActions.actionType, 'split')));
  if (!splits.length) return rows;
  const events = splits.map((s) => ({ at: Date.parse(`${s.exDate}T00:00:00Z`), ratio: s.ratio }));
  return rows.map((c) => {
    const factor = events.filter((e) => c.openTime < e.at).reduce((f, e) => f * e.ratio, 1);
    if (factor === 1) return c;
    return {
      ...c,
      open: c.open / factor,
      high: c.high / factor,
      low: c.low / factor,
      close: c.close / factor,
      volume: c.volume * factor,
    };
  });
}

/** Up to this many statements go in one D1 batch. */
const BATCH_STATEMENTS = 200;

/**
 * Upserts candles in D1 batches. Each batch (up to 2,000 candles) is atomic; a larger set
 * interrupted between batches is completed by running it again, since writing the same
 * candles twice changes nothing. Returns rows written.
 */
export async function upsertCandles(
  env: Env,
  assetId: string,
  timeframe: Timeframe,
  rows: Candle[],
  source: string,
): Promise<number> {
  if (!rows.length) return 0;
  const d = db(env);
  const now = Date.now();
  const statements = chunkForParams(rows, 10).map((chunk) =>
    d
      .insert(priceData)
      .values(
        chunk.map((c) => ({
          assetId,
          timeframe,
          openTime: c.openTime,
          open: c.open,
          high: c.high,
          low: c.low,
          close: c.close,
          volume: c.volume,
          source,
          updatedAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: [priceData.assetId, priceData.timeframe, priceData.openTime],
        set: {
          open: sql`excluded.open`,
          high: sql`excluded.high`,
          low: sql`excluded.low`,
          close: sql`excluded.close`,
          volume: sql`excluded.volume`,
          source: sql`excluded.source`,
          updatedAt: sql`excluded.updated_at`,
        },
      }),
  );
  for (let i = 0; i < statements.length; i += BATCH_STATEMENTS) {
    const slice = statements.slice(i, i + BATCH_STATEMENTS);
    const [first, ...rest] = slice;
    if (first) await d.batch([first, ...rest]);
  }
  return rows.length;
}

/** Writes latest quotes; only a newer `asOf` replaces a stored one. Returns the assets whose quote changed. */
export async function upsertQuotes(
  env: Env,
  entries: { assetId: string; quote: Quote; source: string }[],
): Promise<string[]> {
  if (!entries.length) return [];
  const d = db(env);
  const statements = entries.map(({ assetId, quote, source }) =>
    d
      .insert(quotes)
      .values({
        assetId,
        price: quote.price,
        open24h: quote.open24h,
        high24h: quote.high24h,
        low24h: quote.low24h,
        change24h: quote.change24h,
        changePct24h: quote.changePct24h,
        volume24h: quote.volume24h,
        marketCap: quote.marketCap,
        source,
        asOf: quote.asOf,
      })
      .onConflictDoUpdate({
        target: quotes.assetId,
        set: {
          price: sql`excluded.price`,
          open24h: sql`excluded.open_24h`,
          high24h: sql`excluded.high_24h`,
          low24h: sql`excluded.low_24h`,
          change24h: sql`excluded.change_24h`,
          changePct24h: sql`excluded.change_pct_24h`,
          volume24h: sql`excluded.volume_24h`,
          marketCap: sql`coalesce(excluded.market_cap, ${quotes.marketCap})`,
          source: sql`excluded.source`,
          asOf: sql`excluded.as_of`,
        },
        setWhere: sql`excluded.as_of > ${quotes.asOf} OR excluded.price <> ${quotes.price}`,
      })
      .returning({ assetId: quotes.assetId }),
  );
  const changed: string[] = [];
  for (let i = 0; i < statements.length; i += BATCH_STATEMENTS) {
    const [first, ...rest] = statements.slice(i, i + BATCH_STATEMENTS);
    if (!first) continue;
    const results = await d.batch([first, ...rest]);
    for (const r of results) for (const row of r) changed.push(row.assetId);
  }
  // This isolate's readers see the new quotes at once.
  if (changed.length) forgetServedQuotes();
  return changed;
}

const DAY = 86_400_000;

/** The same UTC date and time one calendar year before `t` (29 February → 1 March). */
export function oneYearBefore(t: number): number {
  const d = new Date(t);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return d.getTime();
}

/** Start (exclusive) of the `days` calendar days ending at `t`. */
export const daysBefore = (t: number, days: number): number => t - days * DAY;

export interface YearRange {
  high: number | null;
  low: number | null;
}

/**
 * The 52-week range at `at`: highest high and lowest low of the daily candles of the
 * calendar year ending at `at` (after the same date a year earlier, up to `at`), whatever
 * the asset trades on (365 bars for crypto, ~252 for equities). One aggregate read.
 */
export async function yearRange(env: Env, assetId: string, at: number): Promise<YearRange> {
  const [row] = await db(env)
    .select({
      high: sql<number | null>`max(${priceData.high})`,
      low: sql<number | null>`min(${priceData.low})`,
    })
    .from(priceData)
    .where(
      and(
        eq(priceData.assetId, assetId),
        eq(priceData.timeframe, '1d'),
        gt(priceData.openTime, oneYearBefore(at)),
        lte(priceData.openTime, at),
      ),
    );
  return { high: row?.high ?? null, low: row?.low ?? null };
}

/** The last `n` daily closes at or before `at`, oldest first: for daily changes and returns. */
export async function recentDailyCloses(env: Env, assetId: string, n: number, at?: number) {
  const rows = await db(env)
    .select({
      openTime: priceData.openTime,
      close: priceData.close,
      high: priceData.high,
      low: priceData.low,
      volume: priceData.volume,
    })
    .from(priceData)
    .where(
      and(
        eq(priceData.assetId, assetId),
        eq(priceData.timeframe, '1d'),
        at !== undefined ? lte(priceData.openTime, at) : undefined,
      ),
    )
    .orderBy(desc(priceData.openTime))
    .limit(n);
  return rows.reverse();
}
