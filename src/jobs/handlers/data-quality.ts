import { z } from 'zod';
import { marketClock } from '../../core/market-clock';
import { runQualityRefresh } from '../../domains/ops/services/batch-quality';
import { ingestLive } from '../../ingestion/live';
import { replayBackfill, replayTick } from '../../ingestion/replay';
import { defineJob } from './types';

/**
 * 004's data-quality refresh: brings the held assets' prices up to the market clock and
 * reassesses every portfolio (or one). Stops at its next checkpoint when cancelled.
 */
export const refreshDataQuality = defineJob({
  payload: z.object({ portfolio_id: z.string().min(1).max(64).nullable().default(null) }),
  run: (ctx, payload) =>
    runQualityRefresh(ctx, payload, {
      tick: async (env) => {
        if ((await marketClock(env)).mode !== 'replay') return ingestLive(env, Date.now());
        const t = await replayTick(env);
        return (
          t && {
            virtual_now: new Date(t.virtualNow).toISOString(),
            quotes: t.quotes,
            candles: t.candles,
            days: t.days,
          }
        );
      },
      backfill: (env, assetId, from, to) => replayBackfill(env, assetId, from, to),
    }),
});
