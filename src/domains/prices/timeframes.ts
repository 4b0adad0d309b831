import type { Timeframe } from '../../db/schema/market';
import { TIMEFRAME_MS } from '../../providers/common';
import type { Candle } from '../../providers/types';

/** Length of each timeframe in ms, shared with the provider adapters. Weekly candles open on Monday 00:00 UTC. */
export { TIMEFRAME_MS };

/** 1970-01-01 was a Thursday; weeks start on Monday, 4 days later. */
const WEEK_OFFSET = 4 * 86_400_000;

/** The open time of the candle of `tf` containing `time`. */
export function bucketStart(tf: Timeframe, time: number): number {
  const size = TIMEFRAME_MS[tf];
  if (tf === '1w') return Math.floor((time - WEEK_OFFSET) / size) * size + WEEK_OFFSET;
  return Math.floor(time / size) * size;
}

/** Which finer timeframe each coarser one is rolled up from. */
export const ROLLUP_SOURCE: Partial<Record<Timeframe, Timeframe>> = {
  '5m': '1m',
  '15m': '5m',
  '1h': '15m',
  '4h': '1h',
  '1d': '1h',
  '1w': '1d',
};

export const INTRADAY: readonly Timeframe[] = ['1m', '5m', '15m', '1h', '4h'];

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
