import { z } from 'zod';
import { marketNow } from '../../core/market-clock';
import { DAY } from '../../domains/macro/data';
import { backfillDaily, macroMessage, refreshSnapshots, sectorsMessage } from '../../domains/macro/service';
import { publishSafely, publishTopic } from '../../live/publisher';
import { defineJob } from './types';

/** Days of `daily` rows the snapshot job keeps filled behind the market clock. */
const KEEP_DAILY_DAYS = 400;

/**
 * The `metrics_snapshot` job: the macro and sector snapshots of the current market hour, and
 * the `daily` rows of the last KEEP_DAILY_DAYS market days. Upserts only: running it twice
 * for the same hour changes nothing.
 */
export const macroSnapshot = defineJob({
  payload: z.object({ daily_days: z.number().int().min(0).max(KEEP_DAILY_DAYS).default(KEEP_DAILY_DAYS) }),
  async run(ctx, payload) {
    await ctx.progress(5, 'computing the macro and sector snapshots');
    const res = await refreshSnapshots(ctx.env);
    // Live: /ws/macro and /ws/sectors get the new snapshot's headline and rotation.
    await publishSafely('macro.snapshot', [
      publishTopic(ctx.env, 'macro', macroMessage(res.snapshot_time, res.macro)),
      publishTopic(ctx.env, 'sectors', sectorsMessage(res.snapshot_time, res.sectors)),
    ]);
    await ctx.progress(50, 'filling daily snapshots');
    const day = Math.floor((await marketNow(ctx.env)) / DAY);
    const daily = payload.daily_days
      ? await backfillDaily(ctx.env, day - payload.daily_days + 1, day, (p) => ctx.progress(50 + p / 2), {
          skipStoredBefore: day - 7,
        })
      : { days: 0, written: 0 };
    return { snapshot_time: res.snapshot_time, data_version: res.data_version, daily };
  },
});

/** Historical `daily` snapshots for a range of market days (000 POST /admin/macro/backfill). */
export const macroBackfill = defineJob({
  payload: z.object({ start: z.number().int(), end: z.number().int() }),
  async run(ctx, payload) {
    const from = Math.floor(payload.start / DAY);
    const to = Math.floor(payload.end / DAY);
    const out = await backfillDaily(ctx.env, from, to, (p) => ctx.progress(p, 'writing daily snapshots'));
    return { ...out, from: new Date(from * DAY).toISOString(), to: new Date(to * DAY).toISOString() };
  },
});

/** 000 POST /admin/sectors/{id}/refresh-analysis: recomputes the sector snapshot (all sectors share one pass). */
export const sectorsRefresh = defineJob({
  payload: z.object({ sector_id: z.string() }),
  async run(ctx, payload) {
    await ctx.progress(10, `recomputing sector analysis (${payload.sector_id})`);
    const res = await refreshSnapshots(ctx.env);
    const s = res.sectors.sectors.find((x) => x.id === payload.sector_id);
    return {
      snapshot_time: res.snapshot_time,
      sector_id: payload.sector_id,
      index_level: s?.index_level ?? null,
      performance: s?.performance ?? null,
    };
  },
});
