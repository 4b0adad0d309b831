import { z } from 'zod';
import { DEFAULT_CHUNK_SIZE, fanOutRiskBatch, runRiskBatchChunk } from '../../domains/risk/services/batch';
import { runReportJob } from '../../domains/risk/services/reports';
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
 * The nightly risk batch's fan-out: records the run (this job's id) and queues one
 * `risk.batch-chunk` job per chunk of portfolios. The run's progress is summed from its
 * chunks into `risk_batch_runs` and into this job's result (processed / successful / failed).
 */
export const nightlyRiskBatch = defineJob({
  // At most 90 ids per chunk: a chunk's portfolio read binds each id (D1: 100 parameters).
  payload: z.object({ chunk_size: z.number().int().min(1).max(90).default(DEFAULT_CHUNK_SIZE) }),
  async run(ctx, payload) {
    await ctx.progress(0, 'planning chunks');
    return fanOutRiskBatch(ctx.env, ctx.jobId, payload.chunk_size);
  },
});

/**
 * One chunk of the nightly risk batch: factor regressions and the risk snapshot of each of its
 * portfolios, idempotent per (portfolio, market day, holdings).
 */
export const riskBatchChunk = defineJob({
  payload: z.object({ run_id: z.string().min(1), chunk: z.number().int().min(0) }),
  async run(ctx, payload) {
    return runRiskBatchChunk(ctx.env, payload.run_id, payload.chunk, ctx);
  },
});
