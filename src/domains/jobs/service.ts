import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { ApiError } from '../../core/errors';
import type { Page } from '../../core/pagination';
import { db } from '../../db/client';
import { jobs } from '../../db/schema';
import type { Principal } from '../../env';

type JobRow = typeof jobs.$inferSelect;

export function jobView(j: JobRow) {
  return {
    id: j.id,
    job_id: j.id,
    type: j.type,
    status: j.status,
    progress: j.progress,
    progress_message: j.progressMessage,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    cancel_requested: j.cancelRequested,
    payload: j.payload,
    result: j.result,
    error: j.error,
    user_id: j.userId,
    created_at: j.createdAt,
    started_at: j.startedAt,
    finished_at: j.finishedAt,
    updated_at: j.updatedAt,
  };
}

/** The caller's job (admins: anyone's); another user's job id answers 404. */
export async function getOwnedJob(env: Env, principal: Principal, id: string) {
  const mine: SQL | undefined = principal.role === 'admin' ? undefined : eq(jobs.userId, principal.userId);
  const row = await db(env)
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), mine))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Job ${id} not found`);
  return row;
}

export async function listJobs(
  env: Env,
  principal: Principal,
  filters: { status?: JobRow['status'] | undefined; type?: string | undefined; all?: boolean | undefined },
  page: Page,
) {
  const where = and(
    principal.role === 'admin' && filters.all ? undefined : eq(jobs.userId, principal.userId),
    filters.status ? eq(jobs.status, filters.status) : undefined,
    filters.type ? eq(jobs.type, filters.type) : undefined,
  );
  const d = db(env);
  const [rows, total] = await Promise.all([
    d
      .select()
      .from(jobs)
      .where(where)
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(jobs).where(where).get(),
  ]);
  return { total: total?.n ?? 0, jobs: rows.map(jobView) };
}

/**
 * Asks a job to stop: a queued one is cancelled before it runs; a running one stops at its
 * next check. Finished jobs answer 409.
 */
export async function cancelJob(env: Env, principal: Principal, id: string) {
  const job = await getOwnedJob(env, principal, id);
  if (['succeeded', 'failed', 'cancelled'].includes(job.status)) {
    throw new ApiError('INTEGRITY_ERROR', `Job ${id} already ${job.status}`);
  }
  const [row] = await db(env)
    .update(jobs)
    .set({ cancelRequested: true, updatedAt: new Date().toISOString() })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running', 'retrying'])))
    .returning();
  return jobView(row ?? job);
}
