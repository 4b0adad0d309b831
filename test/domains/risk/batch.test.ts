// biome-ignore-all lint/style/noNonNullAssertion: lookups of rows the test itself created

import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { riskBatchRun, runRiskBatchChunk } from '../../../src/domains/risk/services/batch';
import { enqueueJob, runJob } from '../../../src/jobs/service';
import { callJson } from '../../helpers/api';
import { seedFactors } from '../../helpers/factors';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

/** Issue 16: the nightly factor and risk batch, fanned out over the Queue in chunks of portfolios. */
let owner: TestUser;
const mine: string[] = [];

async function addPosition(portfolioId: string, body: Record<string, unknown>) {
  const r = await callJson(`/api/v1/management/portfolios/${portfolioId}/positions`, {
    method: 'POST',
    as: owner.as,
    body,
  });
  expect(r.res.status, JSON.stringify(r.body)).toBe(201);
}

beforeAll(async () => {
  await seedMarket(['SPY', 'BTC']);
  await seedFactors(['AAPL', 'MTUM', 'QUAL', 'USMV', 'VLUE', 'VYM', 'IWM']);
  owner = await signUp();
  for (const [i, symbol] of ['SPY', 'AAPL', 'BTC'].entries()) {
    const created = await callJson<{ id: string }>('/api/v1/management/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: `Batch ${i}`, type: 'HNW' },
    });
    mine.push(created.body.id);
    await addPosition(created.body.id, {
      symbol,
      quantity: symbol === 'BTC' ? 0.5 : 10,
      entry_price: symbol === 'BTC' ? 27000 : 150,
      entry_date: '2023-06-01',
    });
  }
}, 120_000);

/** Runs the fan-out job and every chunk job it queued (the queue's own consumer may run them too: claims are conditional). */
async function runBatch(chunkSize: number) {
  const jobId = await enqueueJob(env, { type: 'risk.nightly-batch', payload: { chunk_size: chunkSize } });
  await runJob(env, { job_id: jobId, type: 'risk.nightly-batch' });
  let run = await riskBatchRun(env, jobId);
  expect(run, 'the fan-out records its run').not.toBeNull();
  for (const c of run!.chunkStates) {
    expect(c.jobId).toMatch(/^job_/);
    await runJob(env, { job_id: c.jobId!, type: 'risk.batch-chunk' });
  }
  // A chunk the queue's consumer claimed first finishes there: wait for it (bounded).
  for (let i = 0; i < 200 && run!.status !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    run = await riskBatchRun(env, jobId);
  }
  expect(run!.status).toBe('completed');
  return { jobId, run: run! };
}

const storedAt = async (portfolioId: string) =>
  env.DB.prepare(
    `SELECT s.calculated_at AS snapshot, s.as_of AS as_of, m.calculated_at AS summary,
       (SELECT COUNT(*) FROM portfolio_factor_exposures f WHERE f.portfolio_id = s.portfolio_id) AS factor_sets
     FROM risk_snapshots s JOIN risk_summaries m ON m.portfolio_id = s.portfolio_id AND m.confidence = '0.95'
     WHERE s.portfolio_id = ?`,
  )
    .bind(portfolioId)
    .first<{ snapshot: string; as_of: string; summary: string; factor_sets: number }>();

describe('risk.nightly-batch fans out over the queue', () => {
  it('splits the portfolios into chunk jobs, stores every portfolio’s figures and sums the progress', {
    timeout: 120_000,
  }, async () => {
    const { jobId, run } = await runBatch(2);
    expect(run.chunks).toBe(Math.ceil(run.portfolios / 2));
    expect(run.chunkStates).toHaveLength(run.chunks);
    expect(run.chunksFinished).toBe(run.chunks);
    expect(run.done + run.skipped + run.failed).toBe(run.portfolios);
    expect(run.progress).toBe(100);
    expect(run.failed).toBe(0);
    for (const id of mine) {
      const row = await storedAt(id);
      expect(row, id).not.toBeNull();
      expect(row!.factor_sets).toBe(2);
      expect(row!.as_of.slice(0, 10)).toBe(run.asOfDay);
    }
    // The fan-out job's record carries the run's progress, as 004's batch status shows it.
    const job = await env.DB.prepare('SELECT status, result FROM jobs WHERE id = ?')
      .bind(jobId)
      .first<{ status: string; result: string }>();
    expect(job!.status).toBe('succeeded');
    const result = JSON.parse(job!.result) as Record<string, number>;
    expect(result.processed).toBe(run.portfolios);
    expect(result.chunks_finished).toBe(run.chunks);
    // The stored summary is what the route then serves.
    const served = await callJson<{ risk_summary: { served_from_storage: boolean; calculated_at: string } }>(
      `/api/v1/data/portfolios/${mine[0]}/risk-summary`,
      { as: owner.as },
    );
    expect(served.body.risk_summary.served_from_storage).toBe(true);
    expect(served.body.risk_summary.calculated_at).toBe((await storedAt(mine[0]!))!.summary);
  });

  it('is idempotent per (portfolio, market day): a second run recomputes only changed holdings', {
    timeout: 120_000,
  }, async () => {
    // Mark the stored rows: a recomputation would overwrite the mark.
    await env.DB.prepare(`UPDATE risk_snapshots SET calculated_at = 'mark' WHERE portfolio_id IN (?, ?, ?)`)
      .bind(...mine)
      .run();
    await addPosition(mine[2]!, { symbol: 'SPY', quantity: 1, entry_price: 400, entry_date: '2023-06-01' });
    const { run } = await runBatch(1);
    expect(run.chunks).toBe(run.portfolios);
    expect(run.done).toBeGreaterThanOrEqual(1);
    expect((await storedAt(mine[0]!))!.snapshot).toBe('mark');
    expect((await storedAt(mine[1]!))!.snapshot).toBe('mark');
    expect((await storedAt(mine[2]!))!.snapshot).not.toBe('mark');
    // Redelivering a finished chunk does nothing (its job's claim is conditional).
    const before = await riskBatchRun(env, run.id);
    for (const c of run.chunkStates) await runJob(env, { job_id: c.jobId!, type: 'risk.batch-chunk' });
    expect(await riskBatchRun(env, run.id)).toEqual(before);
  });

  it('stops at the next portfolio when cancelled: the chunk, its result and the run say cancelled', {
    timeout: 120_000,
  }, async () => {
    // A run of our own, not queued, so only this call runs its one chunk.
    const runId = `run_cancel_${crypto.randomUUID().slice(0, 8)}`;
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO risk_batch_runs (id, as_of_day, portfolios, chunks, status, created_at)
         VALUES (?, '2024-01-01', 3, 1, 'running', ?)`,
      ).bind(runId, new Date().toISOString()),
      env.DB.prepare(
        `INSERT INTO risk_batch_chunks (run_id, chunk, portfolio_ids, status) VALUES (?, 0, ?, 'queued')`,
      ).bind(runId, JSON.stringify(mine)),
    ]);
    let asked = 0;
    const result = await runRiskBatchChunk(env, runId, 0, {
      progress: async () => {},
      // Cancelled after the first portfolio.
      cancelRequested: async () => asked++ >= 1,
    });
    expect(result).toMatchObject({ processed: 1, cancelled: true });
    const run = await riskBatchRun(env, runId);
    expect(run?.chunkStates.map((c) => c.status)).toEqual(['cancelled']);
    expect(run).toMatchObject({ status: 'cancelled', chunksFinished: 1 });
    expect(run!.done + run!.skipped + run!.failed).toBe(1);
  });
});
