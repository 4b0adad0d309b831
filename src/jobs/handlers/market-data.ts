import { z } from 'zod';
import { TIMEFRAMES } from '../../db/schema/market';
import { resolveAsset } from '../../domains/assets/service';
import { archiveOldIntraday } from '../../domains/prices/archive';
import { qualityReport } from '../../domains/prices/quality';
import { backfillFromProvider } from '../../ingestion/live';
import { replayBackfill } from '../../ingestion/replay';
import { bumpDataVersion } from '../../ingestion/state';
import { defineJob } from './types';

/** Where a backfill can take candles from: the offline replay of the history, or a live provider. */
export const BACKFILL_SOURCES = ['replay', 'binance', 'stooq'] as const;

/**
 * Backfills candles for assets over a date range. `replay` derives hourly and 4-hour
 * candles from the daily history (works offline); `binance` and `stooq` fetch from the
 * providers. Idempotent: upserts only.
 */
export const backfillPrices = defineJob({
  payload: z.object({
    assets: z.array(z.string()).min(1).max(100),
    start: z.number().int(),
    end: z.number().int(),
    source: z.enum(BACKFILL_SOURCES).default('replay'),
    timeframe: z.enum(TIMEFRAMES).default('1h'),
  }),
  async run(ctx, payload) {
    let written = 0;
    const perAsset: Record<string, number> = {};
    const share = (i: number, within: number) => ((i + within) / payload.assets.length) * 100;
    for (const [i, key] of payload.assets.entries()) {
      if (await ctx.cancelRequested()) return { written, per_asset: perAsset, cancelled: true };
      const asset = await resolveAsset(ctx.env, key);
      const n =
        payload.source === 'replay'
          ? await replayBackfill(ctx.env, asset.id, payload.start, payload.end, (done, total) =>
              ctx.progress(share(i, total ? done / total : 1), `${asset.symbol}: ${done}/${total} days`),
            )
          : await backfillFromProvider(
              ctx.env,
              {
                assetId: asset.id,
                externalIds: asset.externalIds,
                source: payload.source,
                timeframe: payload.timeframe,
                start: payload.start,
                end: payload.end,
              },
              (done) => ctx.progress(share(i, 0), `${asset.symbol}: ${done} candles`),
            );
      perAsset[asset.symbol] = n;
      written += n;
      await ctx.progress(share(i, 1), `${asset.symbol} done`);
    }
    await bumpDataVersion(ctx.env);
    return { written, per_asset: perAsset };
  },
});

/** Moves old intraday candles to R2 (see archive.ts). */
export const archivePrices = defineJob({
  payload: z.object({}),
  async run(ctx) {
    const result = await archiveOldIntraday(ctx.env);
    await ctx.progress(100, `${result.candles} candles in ${result.files} files`);
    return result;
  },
});

/** The quality of every series of every timeframe, stored as the job's result. */
export const validateDataQuality = defineJob({
  payload: z.object({ timeframes: z.array(z.enum(TIMEFRAMES)).default(['1d', '4h', '1h']) }),
  async run(ctx, payload) {
    const reports = [];
    for (const [i, timeframe] of payload.timeframes.entries()) {
      reports.push(...(await qualityReport(ctx.env, { timeframe })));
      await ctx.progress(((i + 1) / payload.timeframes.length) * 100, `${timeframe} checked`);
    }
    const scores = reports.map((r) => r.score);
    return {
      series: reports.length,
      average_score: scores.length
        ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10
        : null,
      with_gaps: reports.filter((r) => r.gaps > 0).length,
      with_ohlc_issues: reports.filter((r) => r.ohlc_inconsistent > 0).length,
      stale: reports.filter((r) => r.stale).length,
      reports,
    };
  },
});
