import { ApiError } from '../../../core/errors';
import { round2 } from '../../../core/telemetry';
import type { Principal } from '../../../env';
import { cancelJob, getOwnedJob } from '../../jobs/service';

/**
 * 004's batch administration over the `jobs` table: a batch job is a job; its name is the
 * job type; processed items come from the job's result when it reports them.
 */

const DAY = 86_400_000;

interface JobRow {
  id: string;
  type: string;
  status: string;
  user_id: string | null;
  payload: string | null;
  result: string | null;
  error: string | null;
  progress: number;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** 004's statuses: completed, running, failed, pending, cancelled. */
const STATUS_004: Record<string, string> = {
  succeeded: 'completed',
  running: 'running',
  failed: 'failed',
  queued: 'pending',
  retrying: 'pending',
  cancelled: 'cancelled',
};
const FROM_004: Record<string, string[]> = {
  completed: ['succeeded'],
  running: ['running'],
  failed: ['failed'],
  pending: ['queued', 'retrying'],
  cancelled: ['cancelled'],
};
export const BATCH_STATUSES = ['completed', 'running', 'failed', 'pending', 'cancelled'] as const;

function parse(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return {};
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function durationSeconds(r: JobRow): number | null {
  if (!r.started_at || !r.finished_at) return null;
  return round2((Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000);
}

export function batchJobView(r: JobRow) {
  const result = parse(r.result);
  const payload = parse(r.payload);
  const processed = num(result.processed) ?? num(result.attempted) ?? num(result.deleted) ?? null;
  const failed = num(result.failed_items) ?? (Array.isArray(result.failures) ? result.failures.length : null);
  const successful =
    num(result.successful) ??
    num(result.warmed) ??
    (processed !== null && failed !== null ? processed - failed : processed);
  return {
    id: r.id,
    job_name: r.type,
    status: STATUS_004[r.status] ?? r.status,
    portfolio_id: typeof payload.portfolio_id === 'string' ? payload.portfolio_id : null,
    started_at: r.started_at,
    completed_at: r.finished_at,
    duration_seconds: durationSeconds(r),
    processed_items: processed,
    successful_items: successful,
    failed_items: failed,
    error_message: r.error,
    progress: r.progress,
    metadata: { attempts: r.attempts, created_at: r.created_at, user_id: r.user_id },
  };
}

const COLUMNS =
  'id, type, status, user_id, payload, result, error, progress, attempts, created_at, started_at, finished_at';

export async function batchJobsStatus(
  env: Env,
  f: {
    job_name?: string | undefined;
    status?: string | undefined;
    portfolio_id?: string | undefined;
    days_back: number;
  },
  now = Date.now(),
) {
  const where = ['created_at >= ?'];
  const args: (string | number)[] = [new Date(now - f.days_back * DAY).toISOString()];
  if (f.job_name) {
    where.push('type = ?');
    args.push(f.job_name);
  }
  if (f.status) {
    const internal = FROM_004[f.status] ?? [];
    where.push(`status IN (${internal.map(() => '?').join(', ')})`);
    args.push(...internal);
  }
  if (f.portfolio_id) {
    where.push("json_extract(payload, '$.portfolio_id') = ?");
    args.push(f.portfolio_id);
  }
  const rows = await env.DB.prepare(
    `SELECT ${COLUMNS} FROM jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC LIMIT 500`,
  )
    .bind(...args)
    .all<JobRow>();
  const jobs = rows.results.map(batchJobView);
  const count = (s: string) => jobs.filter((j) => j.status === s).length;
  return {
    jobs,
    summary: {
      total_jobs: jobs.length,
      completed: count('completed'),
      running: count('running'),
      failed: count('failed'),
      pending: count('pending'),
      cancelled: count('cancelled'),
    },
    filters_applied: {
      days_back: f.days_back,
      job_name: f.job_name ?? null,
      status: f.status ?? null,
      portfolio_id: f.portfolio_id ?? null,
    },
    last_updated: new Date(now).toISOString(),
  };
}

function stats(rows: JobRow[]) {
  const total = rows.length;
  const completed = rows.filter((r) => r.status === 'succeeded').length;
  const failed = rows.filter((r) => r.status === 'failed').length;
  const durations = rows.map(durationSeconds).filter((d): d is number => d !== null);
  return {
    total,
    completed,
    failed,
    success_rate: total ? round2((completed / total) * 100) : 0,
    avg_duration: durations.length ? round2(durations.reduce((s, d) => s + d, 0) / durations.length) : null,
  };
}

/** The error's pattern: the message with ids, numbers and quoted values blanked. */
function errorPattern(error: string): string {
  return error
    .replace(/\b[a-z]+_[0-9A-Za-z]{10,}\b/g, '<id>')
    .replace(/'[^']*'|"[^"]*"/g, '<value>')
    .replace(/\d+/g, 'N')
    .slice(0, 120);
}

export async function batchJobsSummary(env: Env, daysBack: number, now = Date.now()) {
  const since = now - 2 * daysBack * DAY;
  const rows = (
    await env.DB.prepare(`SELECT ${COLUMNS} FROM jobs WHERE created_at >= ? ORDER BY created_at`)
      .bind(new Date(since).toISOString())
      .all<JobRow>()
  ).results;
  const periodStart = now - daysBack * DAY;
  const current = rows.filter((r) => Date.parse(r.created_at) >= periodStart);
  const previous = rows.filter((r) => Date.parse(r.created_at) < periodStart);
  const all = stats(current);
  const byType: Record<string, ReturnType<typeof stats>> = {};
  for (const type of new Set(current.map((r) => r.type)))
    byType[type] = stats(current.filter((r) => r.type === type));
  const daily = new Map<string, { total: number; completed: number; failed: number }>();
  for (let d = Math.floor(periodStart / DAY) * DAY; d <= now; d += DAY)
    daily.set(new Date(d).toISOString().slice(0, 10), { total: 0, completed: 0, failed: 0 });
  for (const r of current) {
    const e = daily.get(r.created_at.slice(0, 10));
    if (!e) continue;
    e.total++;
    if (r.status === 'succeeded') e.completed++;
    if (r.status === 'failed') e.failed++;
  }
  const errors = new Map<string, number>();
  for (const r of current)
    if (r.status === 'failed' && r.error)
      errors.set(errorPattern(r.error), (errors.get(errorPattern(r.error)) ?? 0) + 1);
  const failedTotal = [...errors.values()].reduce((s, n) => s + n, 0);
  const prevAvg = stats(previous).avg_duration;
  const mostFailed = Object.entries(byType).sort((a, b) => b[1].failed - a[1].failed)[0];
  const recommendations: string[] = [];
  if (all.total && all.success_rate < 90)
    recommendations.push('Success rate is below 90%: look at the top error patterns');
  if ([...errors.keys()].some((e) => /rate limit|429/i.test(e)))
    recommendations.push('Rate-limit errors: spread the jobs out or lower their per-task limits');
  if ([...errors.keys()].some((e) => /stopped reporting|timed out|timeout/i.test(e)))
    recommendations.push('Attempts time out or stop reporting: split the work into smaller checkpoints');
  if (!recommendations.length) recommendations.push('No action needed');
  return {
    period: {
      start_date: new Date(periodStart).toISOString().slice(0, 10),
      end_date: new Date(now).toISOString().slice(0, 10),
      days_covered: daysBack,
    },
    job_statistics: {
      total_jobs: all.total,
      completed_jobs: all.completed,
      running_jobs: current.filter((r) => r.status === 'running').length,
      failed_jobs: all.failed,
      pending_jobs: current.filter((r) => r.status === 'queued' || r.status === 'retrying').length,
      cancelled_jobs: current.filter((r) => r.status === 'cancelled').length,
      success_rate: all.success_rate,
      avg_duration_seconds: all.avg_duration,
    },
    by_job_type: byType,
    performance_trends: {
      daily_job_counts: [...daily].reverse().map(([date, v]) => ({ date, ...v })),
      avg_duration_trend: {
        current_period: all.avg_duration,
        previous_period: prevAvg,
        improvement_percent:
          all.avg_duration !== null && prevAvg
            ? round2(((prevAvg - all.avg_duration) / prevAvg) * 100)
            : null,
      },
    },
    error_analysis: {
      top_error_types: [...errors]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([error_pattern, count]) => ({
          error_pattern,
          count,
          percentage: round2((count / failedTotal) * 100),
        })),
      most_failed_job_type: mostFailed && mostFailed[1].failed > 0 ? mostFailed[0] : null,
    },
    recommendations,
    last_updated: new Date(now).toISOString(),
  };
}

/** Cancels a batch job: a queued one never runs, a running one stops at its next checkpoint. */
export async function cancelBatchJob(env: Env, admin: Principal, id: string) {
  const before = await getOwnedJob(env, admin, id);
  if (['succeeded', 'failed', 'cancelled'].includes(before.status))
    throw new ApiError('INTEGRITY_ERROR', `Job ${id} already ${before.status}: nothing to cancel`);
  const after = await cancelJob(env, admin, id);
  const now = Date.now();
  // A queued job is cancelled outright; a running one is marked and stops at its checkpoint.
  if (before.status === 'queued' || before.status === 'retrying') {
    await env.DB.prepare(
      "UPDATE jobs SET status = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'retrying')",
    )
      .bind(new Date(now).toISOString(), new Date(now).toISOString(), id)
      .run();
  }
  return {
    message:
      before.status === 'running'
        ? 'Cancellation requested: the job stops at its next checkpoint'
        : 'Batch job cancelled successfully',
    job_details: {
      id,
      job_name: before.type,
      previous_status: STATUS_004[before.status] ?? before.status,
      new_status: before.status === 'running' ? 'cancelling' : 'cancelled',
      cancelled_at: new Date(now).toISOString(),
      runtime_before_cancellation: before.startedAt
        ? Math.round((now - Date.parse(before.startedAt)) / 1000)
        : 0,
      progress: after.progress,
      cancel_requested: true,
    },
    cleanup_actions:
      before.status === 'running'
        ? [
            'Cancellation flag set on the job: it stops at its next checkpoint and ends cancelled with what it had done',
            'Its queue message is acknowledged once it stops: no retry runs',
          ]
        : ['Job marked cancelled: its queue message is acknowledged without running'],
    impact_assessment: {
      affected_portfolios:
        typeof (before.payload as { portfolio_id?: unknown } | null)?.portfolio_id === 'string' ? 1 : 0,
      // Job writes are idempotent upserts of whole rows, so a stop between steps leaves no half-written row.
      data_consistency_status: 'maintained',
      rollback_required: false,
    },
  };
}
