import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { db } from '../../db/client';
import { priceData, type Timeframe } from '../../db/schema';
import { candleColumns, upsertCandles } from './service';
import { aggregate, bucketStart, ROLLUP_SOURCE, TIMEFRAME_MS } from './timeframes';

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
    .select(candleColumns)
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
