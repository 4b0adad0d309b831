import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newId } from '../../src/core/ids';
import worker from '../../src/index';
import { JOB_HANDLERS } from '../../src/jobs/handlers';
import { defineJob } from '../../src/jobs/handlers/types';
import { backoffSeconds, enqueueJob, reapStaleJobs, STALE_HEARTBEAT_MS } from '../../src/jobs/service';

interface JobRow {
  status: string;
  attempts: number;
  progress: number;
  result: string | null;
  error: string | null;
  finished_at: string | null;
}

const calls = new Map<string, number>();

beforeAll(() => {
  // Test-only job types, registered the way real ones are.
  JOB_HANDLERS['test.flaky'] = defineJob({
    payload: z.object({ fail_times: z.number().int() }),
    async run(ctx, payload) {
      const n = (calls.get(ctx.jobId) ?? 0) + 1;
      calls.set(ctx.jobId, n);
      if (n <= payload.fail_times) throw new Error(`failure ${n}`);
      await ctx.progress(50, 'half way');
      return { calls: n };
    },
  });
});

async function job(id: string): Promise<JobRow> {
  const row = await env.DB.prepare('SELECT * FROM jobs WHERE id = ?').bind(id).first<JobRow>();
  if (!row) throw new Error(`no job ${id}`);
  return row;
}

async function insertJob(
  type: string,
  payload: unknown,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const id = newId('job');
  const columns = ['id', 'type', 'payload', ...Object.keys(fields)];
  const values = [id, type, JSON.stringify(payload), ...Object.values(fields)];
  await env.DB.prepare(
    `INSERT INTO jobs (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  )
    .bind(...values)
    .run();
  return id;
}

async function deliver(queue: string, id: string, type: string, attempts = 1) {
  const batch = createMessageBatch(queue, [
    { id: `msg-${id}-${attempts}`, timestamp: new Date(), attempts, body: { job_id: id, type } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe('job queue consumer', () => {
  it('runs an enqueued job to success with its result and progress', async () => {
    const old = await insertJob(
      'test.flaky',
      { fail_times: 0 },
      {
        status: 'succeeded',
        finished_at: new Date(Date.now() - 40 * 86_400_000).toISOString(),
      },
    );
    const recent = await insertJob(
      'test.flaky',
      { fail_times: 0 },
      {
        status: 'succeeded',
        finished_at: new Date().toISOString(),
      },
    );
    const id = await enqueueJob(env, { type: 'maintenance.purge-finished-jobs' });
    expect((await job(id)).status).toBe('queued');
    const result = await deliver('meridian-jobs', id, 'maintenance.purge-finished-jobs');
    expect(result.explicitAcks).toEqual([`msg-${id}-1`]);
    const done = await job(id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, progress: 100 });
    expect(JSON.parse(done.result ?? '{}').deleted).toBeGreaterThanOrEqual(1);
    expect(await env.DB.prepare('SELECT 1 FROM jobs WHERE id = ?').bind(old).first()).toBeNull();
    expect(await env.DB.prepare('SELECT 1 FROM jobs WHERE id = ?').bind(recent).first()).not.toBeNull();
  });

  it('ignores a duplicate delivery of a finished job', async () => {
    const id = await insertJob('test.flaky', { fail_times: 0 });
    await deliver('meridian-jobs', id, 'test.flaky');
    const before = await job(id);
    const result = await deliver('meridian-jobs', id, 'test.flaky', 2);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await job(id)).toEqual(before);
    expect(calls.get(id)).toBe(1);
  });

  it('retries a failing attempt with backoff, then succeeds', async () => {
    const id = await insertJob('test.flaky', { fail_times: 1 });
    const first = await deliver('meridian-jobs', id, 'test.flaky');
    expect(first.retryMessages).toHaveLength(1);
    expect(first.retryMessages[0]?.msgId).toBe(`msg-${id}-1`);
    expect(await job(id)).toMatchObject({
      status: 'retrying',
      attempts: 1,
      error: 'failure 1',
      finished_at: null,
    });
    await deliver('meridian-jobs', id, 'test.flaky', 2);
    expect(await job(id)).toMatchObject({ status: 'succeeded', attempts: 2, result: '{"calls":2}' });
  });

  it('fails a job for good after its last attempt', async () => {
    const id = await insertJob('test.flaky', { fail_times: 9 }, { max_attempts: 2 });
    await deliver('meridian-jobs', id, 'test.flaky');
    const last = await deliver('meridian-jobs', id, 'test.flaky', 2);
    expect(last.explicitAcks).toHaveLength(1);
    const row = await job(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 2, error: 'failure 2' });
    expect(row.finished_at).not.toBeNull();
  });

  it('fails an invalid payload or an unknown type without retrying', async () => {
    const bad = await insertJob('test.flaky', { fail_times: 'x' });
    await deliver('meridian-jobs', bad, 'test.flaky');
    expect((await job(bad)).error).toMatch(/^Invalid payload/);
    const unknown = await insertJob('nope.nothing', {});
    await deliver('meridian-jobs', unknown, 'nope.nothing');
    expect(await job(unknown)).toMatchObject({ status: 'failed', error: 'Unknown job type nope.nothing' });
  });

  it('acks a message that is not a job message', async () => {
    const batch = createMessageBatch('meridian-jobs', [
      { id: 'junk', timestamp: new Date(), attempts: 1, body: 42 },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['junk']);
  });

  it('records a job cancelled before it started as cancelled, without running it', async () => {
    const id = await insertJob('test.flaky', { fail_times: 0 }, { cancel_requested: 1 });
    await deliver('meridian-jobs', id, 'test.flaky');
    expect((await job(id)).status).toBe('cancelled');
    expect(calls.get(id)).toBeUndefined();
  });

  it('marks a dead-lettered job failed, keeping its last error', async () => {
    const id = await insertJob('test.flaky', {}, { status: 'retrying', error: 'D1 unavailable' });
    await deliver('meridian-jobs-dlq', id, 'test.flaky', 6);
    expect(await job(id)).toMatchObject({
      status: 'failed',
      error: 'D1 unavailable | dead-lettered after 6 deliveries',
    });
  });
});

describe('retry backoff', () => {
  it('doubles from about 10 s per attempt, with jitter, capped at 10 minutes', () => {
    for (let i = 0; i < 50; i++) {
      expect(backoffSeconds(1)).toBeGreaterThanOrEqual(7);
      expect(backoffSeconds(1)).toBeLessThanOrEqual(13);
      expect(backoffSeconds(3)).toBeGreaterThanOrEqual(30);
      expect(backoffSeconds(3)).toBeLessThanOrEqual(50);
      expect(backoffSeconds(20)).toBeLessThanOrEqual(750);
    }
  });
});

describe('stale job reaper', () => {
  it('re-queues a running job whose heartbeat stopped, and leaves live ones alone', async () => {
    const now = Date.now();
    const dead = await insertJob(
      'test.flaky',
      { fail_times: 0 },
      {
        status: 'running',
        attempts: 1,
        heartbeat_at: now - STALE_HEARTBEAT_MS - 1000,
      },
    );
    const exhausted = await insertJob(
      'test.flaky',
      { fail_times: 0 },
      {
        status: 'running',
        attempts: 5,
        heartbeat_at: now - STALE_HEARTBEAT_MS - 1000,
      },
    );
    const live = await insertJob(
      'test.flaky',
      { fail_times: 0 },
      { status: 'running', attempts: 1, heartbeat_at: now },
    );
    expect(await reapStaleJobs(env, now)).toBe(2);
    expect((await job(dead)).status).toBe('retrying');
    expect((await job(exhausted)).status).toBe('failed');
    expect((await job(live)).status).toBe('running');
    expect(await reapStaleJobs(env, now)).toBe(0);
    await deliver('meridian-jobs', dead, 'test.flaky', 2);
    expect(await job(dead)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});
