import { and, asc, eq, inArray, isNull, lt } from 'drizzle-orm';
import { marketNow } from '../../../core/market-clock';
import { db } from '../../../db/client';
import {
  portfolioFactorExposures,
  portfolios,
  riskBatchChunks,
  riskBatchRuns,
  riskSnapshots,
} from '../../../db/schema';
import { enqueueJob } from '../../../jobs/service';
import { portfolioValue } from '../../portfolios/services/summary';
import type { PortfolioValue } from '../../portfolios/services/valuation';
import { holdingsKey, runFactorBatch } from './factors';
import { dayOf } from './market';
import { isFresh, storeRiskSnapshot } from './snapshots';

/** Portfolios per chunk job: ~25 × (two regressions sets + one risk report) stays well inside a consumer's limits. */
export const DEFAULT_CHUNK_SIZE = 25;
/** How long a run's progress rows are kept (the jobs themselves follow the jobs purge). */
export const RUN_RETENTION_DAYS = 30;

/**
 * Plans the nightly risk batch as run `runId` (the fan-out job's id): records the run and its
 * chunks of portfolios, and queues one `risk.batch-chunk` job per chunk not yet queued. Safe to
 * run again (a retried fan-out re-queues only the chunks without a job).
 */
export async function fanOutRiskBatch(env: Env, runId: string, chunkSize = DEFAULT_CHUNK_SIZE) {
  const d = db(env);
  const asOfDay = dayOf(await marketNow(env));
  let run = await d.select().from(riskBatchRuns).where(eq(riskBatchRuns.id, runId)).get();
  if (!run) {
    const ids = (
      await d
        .select({ id: portfolios.id })
        .from(portfolios)
        .where(isNull(portfolios.deletedAt))
        .orderBy(asc(portfolios.id))
    ).map((r) => r.id);
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += chunkSize) chunks.push(ids.slice(i, i + chunkSize));
    const createdAt = new Date().toISOString();
    run = {
      id: runId,
      asOfDay,
      portfolios: ids.length,
      chunks: chunks.length,
      done: 0,
      skipped: 0,
      failed: 0,
      chunksFinished: 0,
      status: chunks.length ? 'running' : 'completed',
      createdAt,
      finishedAt: chunks.length ? null : createdAt,
    };
    // One statement per chunk (8 bound values each); the run row goes in the same batch, and
    // runs older than RUN_RETENTION_DAYS (with their chunks) are dropped.
    const expired = new Date(Date.now() - RUN_RETENTION_DAYS * 86_400_000).toISOString();
    await d.batch([
      d
        .delete(riskBatchChunks)
        .where(
          inArray(
            riskBatchChunks.runId,
            d
              .select({ id: riskBatchRuns.id })
              .from(riskBatchRuns)
              .where(lt(riskBatchRuns.createdAt, expired)),
          ),
        ),
      d.delete(riskBatchRuns).where(lt(riskBatchRuns.createdAt, expired)),
      d.insert(riskBatchRuns).values(run).onConflictDoNothing(),
      ...chunks.map((portfolioIds, chunk) =>
        d
          .insert(riskBatchChunks)
          .values({ runId, chunk, portfolioIds, status: 'queued' })
          .onConflictDoNothing(),
      ),
    ]);
  }
  const pending = await d
    .select({ chunk: riskBatchChunks.chunk })
    .from(riskBatchChunks)
    .where(and(eq(riskBatchChunks.runId, runId), isNull(riskBatchChunks.jobId)))
    .orderBy(asc(riskBatchChunks.chunk));
  for (const { chunk } of pending) {
    const jobId = await enqueueJob(env, { type: 'risk.batch-chunk', payload: { run_id: runId, chunk } });
    await d
      .update(riskBatchChunks)
      .set({ jobId })
      .where(and(eq(riskBatchChunks.runId, runId), eq(riskBatchChunks.chunk, chunk)));
  }
  return {
    run_id: runId,
    as_of_day: run.asOfDay,
    portfolios: run.portfolios,
    chunks: run.chunks,
    chunk_size: chunkSize,
  };
}

/** Whether both factor sets and the risk snapshot are already stored for these holdings on this market day. */
async function isCurrent(env: Env, value: PortfolioValue): Promise<boolean> {
  const d = db(env);
  const key = holdingsKey(value);
  const [snap, factors] = await Promise.all([
    d.select().from(riskSnapshots).where(eq(riskSnapshots.portfolioId, value.portfolio.id)).get(),
    d
      .select()
      .from(portfolioFactorExposures)
      .where(eq(portfolioFactorExposures.portfolioId, value.portfolio.id)),
  ]);
  return (
    snap !== undefined &&
    isFresh(snap, value, key) &&
    factors.length === 2 &&
    factors.every(
      (f) =>
        (f.summary as { holdings_key?: string }).holdings_key === key &&
        dayOf(Date.parse(f.asOf)) === dayOf(Date.parse(value.asOf)),
    )
  );
}

export interface ChunkContext {
  progress(percent: number, message?: string): Promise<void>;
  cancelRequested(): Promise<boolean>;
}

/**
 * Runs one chunk of a batch run: per portfolio, the factor regressions (both sets) and the risk
 * snapshot with the 95% summary, skipped when already current for its holdings and market day
 * (so a redelivered chunk, or a second run the same day, recomputes nothing). Then records the
 * chunk's counts and recomputes the run's totals from its chunks (sums, not increments, so a
 * retry cannot double-count).
 */
export async function runRiskBatchChunk(env: Env, runId: string, chunk: number, ctx: ChunkContext) {
  const d = db(env);
  const row = await d
    .select()
    .from(riskBatchChunks)
    .where(and(eq(riskBatchChunks.runId, runId), eq(riskBatchChunks.chunk, chunk)))
    .get();
  if (!row) throw new Error(`risk batch ${runId} has no chunk ${chunk}`);
  const ids = row.portfolioIds;
  const rows = ids.length
    ? await d
        .select()
        .from(portfolios)
        .where(and(inArray(portfolios.id, ids), isNull(portfolios.deletedAt)))
    : [];
  let done = 0;
  let skipped = ids.length - rows.length; // deleted since the run was planned
  let failed = 0;
  const failures: { portfolio_id: string; error: string }[] = [];
  const started = performance.now();
  // A cancel stops at the next portfolio: the chunk and its job end `cancelled`, and the run
  // ends `cancelled` once every chunk has finished one way or the other.
  let cancelled = false;
  for (const p of rows) {
    if (await ctx.cancelRequested()) {
      cancelled = true;
      break;
    }
    try {
      const value = await portfolioValue(env, p);
      if (await isCurrent(env, value)) skipped++;
      else {
        await runFactorBatch(env, p);
        await storeRiskSnapshot(env, value);
        done++;
      }
    } catch (err) {
      failed++;
      failures.push({ portfolio_id: p.id, error: err instanceof Error ? err.message : String(err) });
    }
    await ctx.progress(
      ((done + skipped + failed) / Math.max(1, ids.length)) * 100,
      `${done + skipped + failed} of ${ids.length} portfolios`,
    );
  }
  const elapsedMs = performance.now() - started;
  const finished = new Date().toISOString();
  const sum = (c: string) => `(SELECT COALESCE(SUM(${c}), 0) FROM risk_batch_chunks WHERE run_id = ?1)`;
  const finishedChunks = `(SELECT COUNT(*) FROM risk_batch_chunks WHERE run_id = ?1 AND status IN ('done', 'cancelled'))`;
  const anyCancelled = `EXISTS (SELECT 1 FROM risk_batch_chunks WHERE run_id = ?1 AND status = 'cancelled')`;
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE risk_batch_chunks SET status = ?, done = ?, skipped = ?, failed = ?, elapsed_ms = ?
       WHERE run_id = ? AND chunk = ?`,
    ).bind(cancelled ? 'cancelled' : 'done', done, skipped, failed, elapsedMs, runId, chunk),
    env.DB.prepare(
      `UPDATE risk_batch_runs SET done = ${sum('done')}, skipped = ${sum('skipped')}, failed = ${sum('failed')},
         chunks_finished = ${finishedChunks},
         status = CASE WHEN ${finishedChunks} < chunks THEN 'running'
           WHEN ${anyCancelled} THEN 'cancelled' ELSE 'completed' END,
         finished_at = CASE WHEN ${finishedChunks} >= chunks THEN ?2 ELSE NULL END
       WHERE id = ?1`,
    ).bind(runId, finished),
    // The fan-out job's own record shows the run's progress (processed / successful / failed items).
    env.DB.prepare(
      `UPDATE jobs SET result = json_set(COALESCE(result, '{}'),
         '$.processed', ${sum('done')} + ${sum('skipped')} + ${sum('failed')},
         '$.successful', ${sum('done')} + ${sum('skipped')}, '$.failed_items', ${sum('failed')},
         '$.chunks_finished', ${finishedChunks}), updated_at = ?2
       WHERE id = ?1 AND status = 'succeeded'`,
    ).bind(runId, finished),
  ]);
  return {
    run_id: runId,
    chunk,
    processed: done + skipped + failed,
    successful: done + skipped,
    computed: done,
    skipped,
    failed_items: failed,
    failures,
    elapsed_ms: elapsedMs,
    ...(cancelled ? { cancelled: true } : {}),
  };
}

/** A batch run's progress: its totals and its chunks' states. */
export async function riskBatchRun(env: Env, runId: string) {
  const d = db(env);
  const [run, chunks] = await Promise.all([
    d.select().from(riskBatchRuns).where(eq(riskBatchRuns.id, runId)).get(),
    d
      .select()
      .from(riskBatchChunks)
      .where(eq(riskBatchChunks.runId, runId))
      .orderBy(asc(riskBatchChunks.chunk)),
  ]);
  if (!run) return null;
  const processed = run.done + run.skipped + run.failed;
  return {
    ...run,
    progress: run.portfolios ? (processed / run.portfolios) * 100 : 100,
    chunkStates: chunks.map((c) => ({
      chunk: c.chunk,
      jobId: c.jobId,
      status: c.status,
      done: c.done,
      skipped: c.skipped,
      failed: c.failed,
      elapsedMs: c.elapsedMs,
    })),
  };
}
