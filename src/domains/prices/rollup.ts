import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { db } from '../../db/client';
import { priceData, type Timeframe } from '../../db/schema';
import type { Candle } from '../../providers/types';
import { upsertCandles } from './service';
import { bucketStart, ROLLUP_SOURCE, TIMEFRAME_MS } from './timeframes';

/** Aggregates candles into `tf` buckets: first open, highest high, lowest low, last close, summed volume. */
export function aggregate(rows: Candle[], tf: Timeframe): Candle[] {
  const out = new Map<number, Candle>();
  for (const r of [...rows].sort((a, b) => a.openTime - b.openTime)) {
    const key = bucketStart(tf, r.openTime);
    const c = out.get(key);
    if (!c)
      out.set(key, {
        openTime: key,
        open: r.open,
        high: r.high,
        low: r.low,
        close: r.close,
        volume: r.volume,
      });
    else {
      c.high = Math.max(c.high, r.high);
      c.low = Math.min(c.low, r.low);
      c.close = r.close;
      c.volume += r.volume;
    }
  }
  return [...out.values()];
}

/**
 * Rebuilds the `tf` candles covering [from, to] from the finer timeframe they roll up from
 * (4h from 1h, 1w from 1d...). Whole buckets are recomputed, so rerunning is harmless.
 */
export async function rollUp(
  env: Env,
  assetId: string,
  tf: Timeframe,
  from: number,
  to: number,
): Promise<number> {
  const source = ROLLUP_SOURCE[tf];
  if (!source) return 0;
  const start = bucketStart(tf, from);
  const end = bucketStart(tf, to) + TIMEFRAME_MS[tf] - 1;
  const rows = await db(env)
    .select({
      openTime: priceData.openTime,
      open: priceData.open,
      high: priceData.high,
      low: priceData.low,
      close: priceData.close,
      volume: priceData.volume,
    })
    .from(priceData)
    .where(
      and(
        eq(priceData.assetId, assetId),
        eq(priceData.timeframe, source),
        gte(priceData.openTime, start),
        lte(priceData.openTime, end),
      ),
    )
    .orderBy(asc(priceData.openTime));
  return upsertCandles(env, assetId, tf, aggregate(rows, tf), 'rollup');
}
