import { newId } from '../core/ids';
import { describeError, log } from '../core/logger';
import { JOB_HANDLERS } from './handlers';
import type { JobMessage } from './messages';

/** A running attempt that has not reported for this long is presumed dead and re-queued. */
export const STALE_HEARTBEAT_MS = 5 * 60_000;

export interface EnqueueInput {
  type: string;
  payload?: unknown;
  userId?: string | null;
  maxAttempts?: number;
}

const nowIso = () => new Date().toISOString();

/**
 * Records a job and sends its message. The row is written first, so a job is never running
 * without a record; if the send fails the row is marked failed and the error rethrown.
 */
export async function enqueueJob(env: Env, input: EnqueueInput): Promise<string> {
  if (!JOB_HANDLERS[input.type]) throw new Error(`Unknown job type ${input.type}`);
  const id = newId('job');
  await env.DB.prepare('INSERT INTO jobs (id, type, user_id, payload, max_attempts) VALUES (?, ?, ?, ?, ?)')
    .bind(id, input.type, input.userId ?? null, JSON.stringify(input.payload ?? {}), input.maxAttempts ?? 5)
    .run();
  try {
    await env.JOBS.send({ job_id: id, type: input.type } satisfies JobMessage);
  } catch (err) {
    await env.DB.prepare(
      "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ?",
    )
      .bind(`Could not enqueue: ${err instanceof Error ? err.message : String(err)}`, nowIso(), nowIso(), id)
      .run();
    throw err;
  }
  return id;
}

export type Outcome = { kind: 'ack' } | { kind: 'retry'; delaySeconds: number };

interface ClaimedJob {
  id: string;
  type: string;
  payload: string | null;
  attempts: number;
  max_attempts: number;
}

/** Exponential backoff with jitter: 10 s, 20 s, 40 s ... capped at 10 minutes. */
export function backoffSeconds(attempt: number): number {
  const base = Math.min(600, 10 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

function stoppedByCancel(result: unknown): boolean {
  return (
    typeof result === 'object' && result !== null && (result as { cancelled?: unknown }).cancelled === true
  );
}

/**
 * Runs the job a message names, at most once at a time: the claim is one conditional UPDATE,
 * so a duplicate delivery of a running or finished job does nothing.
 */
export async function runJob(env: Env, message: JobMessage): Promise<Outcome> {
  const now = nowIso();
  const job = await env.DB.prepare(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, heartbeat_at = ?,
       started_at = COALESCE(started_at, ?), updated_at = ?
     WHERE id = ? AND status IN ('queued', 'retrying') AND cancel_requested = 0
     RETURNING id, type, payload, attempts, max_attempts`,
  )
    .bind(Date.now(), now, now, message.job_id)
    .first<ClaimedJob>();
  if (!job) {
    // Cancelled before it started: record it; anything else (finished, running elsewhere,
    // unknown id) is a duplicate or stale delivery.
    await env.DB.prepare(
      `UPDATE jobs SET status = 'cancelled', finished_at = ?, updated_at = ?
       WHERE id = ? AND status IN ('queued', 'retrying') AND cancel_requested = 1`,
    )
      .bind(now, now, message.job_id)
      .run();
    return { kind: 'ack' };
  }

  const handler = JOB_HANDLERS[job.type];
  const finish = async (
    status: 'succeeded' | 'failed' | 'retrying' | 'cancelled',
    fields: { result?: unknown; error?: string },
  ) => {
    const at = nowIso();
    await env.DB.prepare(
      `UPDATE jobs SET status = ?, result = ?, error = ?, progress = CASE WHEN ? = 'succeeded' THEN 100 ELSE progress END,
         finished_at = CASE WHEN ? = 'retrying' THEN NULL ELSE ? END, heartbeat_at = NULL, updated_at = ?
       WHERE id = ? AND status = 'running'`,
    )
      .bind(
        status,
        fields.result === undefined ? null : JSON.stringify(fields.result),
        fields.error ?? null,
        status,
        status,
        at,
        at,
        job.id,
      )
      .run();
  };

  if (!handler) {
    await finish('failed', { error: `Unknown job type ${job.type}` });
    return { kind: 'ack' };
  }
  const parsed = handler.payload.safeParse(job.payload ? JSON.parse(job.payload) : {});
  if (!parsed.success) {
    await finish('failed', { error: `Invalid payload: ${parsed.error.message}` });
    return { kind: 'ack' };
  }

  try {
    const result = await handler.run(
      {
        env,
        jobId: job.id,
        progress: async (percent, progressMessage) => {
          await env.DB.prepare(
            'UPDATE jobs SET progress = ?, progress_message = ?, heartbeat_at = ?, updated_at = ? WHERE id = ?',
          )
            .bind(Math.max(0, Math.min(100, percent)), progressMessage ?? null, Date.now(), nowIso(), job.id)
            .run();
        },
        cancelRequested: async () => {
          const row = await env.DB.prepare('SELECT cancel_requested AS c FROM jobs WHERE id = ?')
            .bind(job.id)
            .first<{ c: number }>();
          return row?.c === 1;
        },
      },
      parsed.data,
    );
    // A handler that stopped at a checkpoint because cancellation was asked says so in its
    // result: the job ends cancelled (with what it had done), not succeeded.
    await finish(stoppedByCancel(result) ? 'cancelled' : 'succeeded', { result: result ?? null });
    return { kind: 'ack' };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log('warn', 'job.attempt_failed', {
      job_id: job.id,
      type: job.type,
      attempt: job.attempts,
      ...describeError(err),
    });
    if (job.attempts < job.max_attempts) {
      await finish('retrying', { error });
      return { kind: 'retry', delaySeconds: backoffSeconds(job.attempts) };
    }
    await finish('failed', { error });
    return { kind: 'ack' };
  }
}

/** The dead-letter consumer's verdict: a job whose messages kept failing is failed for good. */
export async function deadLetter(env: Env, message: JobMessage, deliveries: number): Promise<void> {
  const at = nowIso();
  await env.DB.prepare(
    `UPDATE jobs SET status = 'failed', error = COALESCE(error || ' | ', '') || ?, finished_at = ?, heartbeat_at = NULL,
       updated_at = ?
     WHERE id = ? AND status NOT IN ('succeeded', 'failed', 'cancelled')`,
  )
    .bind(`dead-lettered after ${deliveries} deliveries`, at, at, message.job_id)
    .run();
}

/**
 * Re-queues jobs whose running attempt stopped reporting (an isolate died mid-job). Safe to
 * run any number of times: each stale job is moved by one conditional UPDATE.
 */
export async function reapStaleJobs(env: Env, now = Date.now()): Promise<number> {
  const stale = await env.DB.prepare(
    `UPDATE jobs SET status = CASE WHEN attempts < max_attempts THEN 'retrying' ELSE 'failed' END,
       error = 'attempt stopped reporting', heartbeat_at = NULL, updated_at = ?,
       finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE ? END
     WHERE status = 'running' AND heartbeat_at < ?
     RETURNING id, type, status`,
  )
    .bind(nowIso(), nowIso(), now - STALE_HEARTBEAT_MS)
    .all<{ id: string; type: string; status: string }>();
  const requeue = stale.results.filter((j) => j.status === 'retrying');
  if (requeue.length) {
    await env.JOBS.sendBatch(
      requeue.map((j) => ({ body: { job_id: j.id, type: j.type } satisfies JobMessage })),
    );
  }
  return stale.results.length;
}
