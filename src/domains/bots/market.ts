import type { AssetRow } from '../assets/service';
import { candles } from '../prices/service';
import type { Bar } from './engine/strategies';

export const TIMEFRAME_MS = { '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 } as const;
export type BotTimeframeName = keyof typeof TIMEFRAME_MS;

/** Bars per year for annualizing: crypto trades every hour of every day (365 days). */
export const PERIODS_PER_YEAR = { '1h': 8760, '4h': 2190, '1d': 365 } as const;

/**
 * Closed bars of an asset in [start, end] (open times), as the market clock at `now` knows
 * them: a bar counts only once it has closed (openTime + length <= now), so nothing decides
 * on a candle still forming or on data after the clock.
 */
export async function closedBars(
  env: Env,
  asset: AssetRow,
  timeframe: BotTimeframeName,
  range: { start?: number; end?: number; now: number; limit?: number; newestFirst?: boolean },
): Promise<Bar[]> {
  const size = TIMEFRAME_MS[timeframe];
  const lastOpen = range.now - size;
  const end = range.end === undefined ? lastOpen : Math.min(range.end, lastOpen);
  const rows = await candles(env, asset, {
    timeframe,
    start: range.start,
    end,
    limit: range.limit,
    newestFirst: range.newestFirst,
  });
  const bars = rows
    .filter((c) => c.openTime + size <= range.now)
    .map((c) => ({
      openTime: c.openTime,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
    }));
  if (range.newestFirst) bars.reverse();
  return bars;
}
