import { isNull } from 'drizzle-orm';
import { z } from 'zod';
import { db } from '../../db/client';
import { portfolios } from '../../db/schema';
import { portfolioValue } from '../../domains/portfolios/services/summary';
import { runFactorBatch } from '../../domains/risk/services/factors';
import { runReportJob } from '../../domains/risk/services/reports';
import { storeRiskSnapshot } from '../../domains/risk/services/snapshots';
import { defineJob } from './types';

/** Renders a requested portfolio report into R2 (issue 16). */
export const renderRiskReport = defineJob({
  payload: z.object({ report_id: z.string().min(1) }),
  async run(ctx, payload) {
    await ctx.progress(10, 'rendering');
    return runReportJob(ctx.env, payload.report_id);
  },
});

/**
 * The nightly risk batch: factor regressions (both sets) and the risk snapshot of every
 * portfolio, in pages; each portfolio's writes are idempotent upserts.
 */
export const nightlyRiskBatch = defineJob({
  payload: z.object({ page_size: z.number().int().min(1).max(500).default(100) }),
  async run(ctx, payload) {
    const rows = await db(ctx.env).select().from(portfolios).where(isNull(portfolios.deletedAt));
    let done = 0;
    let failed = 0;
    for (const p of rows) {
      if (await ctx.cancelRequested()) break;
      try {
        await runFactorBatch(ctx.env, p);
        await storeRiskSnapshot(ctx.env, await portfolioValue(ctx.env, p));
        done++;
      } catch {
        failed++;
      }
      if (done % payload.page_size === 0)
        await ctx.progress((done / rows.length) * 100, `${done} portfolios`);
    }
    return { portfolios: rows.length, done, failed };
  },
});
