import { z } from 'zod';
import { defineJob } from './types';

/** Finished jobs kept this long for their history; failures longer, for investigation. */
const KEEP_FINISHED_DAYS = 30;
const KEEP_FAILED_DAYS = 90;

/** Deletes old finished jobs in small batches, reporting progress between them. */
export const purgeFinishedJobs = defineJob({
  payload: z.object({
    keep_finished_days: z.number().int().positive().default(KEEP_FINISHED_DAYS),
    keep_failed_days: z.number().int().positive().default(KEEP_FAILED_DAYS),
  }),
  async run(ctx, payload) {
    const now = Date.now();
    const cutoff = (days: number) => new Date(now - days * 86_400_000).toISOString();
    const rules = [
      { statuses: "'succeeded', 'cancelled'", before: cutoff(payload.keep_finished_days) },
      { statuses: "'failed'", before: cutoff(payload.keep_failed_days) },
    ];
    let deleted = 0;
    for (const [i, rule] of rules.entries()) {
      const result = await ctx.env.DB.prepare(
        `DELETE FROM jobs WHERE status IN (${rule.statuses}) AND finished_at < ? AND id <> ?`,
      )
        .bind(rule.before, ctx.jobId)
        .run();
      deleted += result.meta.changes;
      await ctx.progress(((i + 1) / rules.length) * 100, `${deleted} jobs deleted`);
    }
    return { deleted };
  },
});
