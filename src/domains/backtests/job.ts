import { z } from 'zod';
import { defineJob } from '../../jobs/handlers/types';
import { executeBacktest } from './service';

/** Runs a queued backtest; a redelivery of a finished one does nothing new. */
export const runBacktestJob = defineJob({
  payload: z.object({ backtest_id: z.string() }),
  async run(ctx, payload) {
    await ctx.progress(5, 'loading candles');
    const row = await executeBacktest(ctx.env, payload.backtest_id);
    return { backtest_id: row.id, status: row.status, summary: row.summary };
  },
});
