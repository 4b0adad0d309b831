import { round2 } from '../../../core/telemetry';
import type { JobMessage } from '../../../jobs/messages';
import { drainTelemetry, pendingTelemetry } from '../../../middleware/telemetry';
import { evaluateRules } from './alerting';

/**
 * Background jobs in the seed's Celery terms, answered from the `jobs` table and the one
 * Cloudflare Queue (`meridian-jobs`, dead letters to `meridian-jobs-dlq`). The Queue has no
 * priorities, so the seed's priority queues are job types grouped by urgency (PRIORITY_OF),
 * and "workers" are consumer invocations running a job now.
 */

const PRIORITY_OF: Record<string, 'high_priority' | 'normal_priority' | 'low_priority'> = {
  'notifications.push': 'high_priority',
  'notifications.broadcast': 'high_priority',
  'prices.backfill': 'normal_priority',
  'data-quality.validate': 'normal_priority',
  'prices.archive': 'low_priority',
  'maintenance.purge-finished-jobs': 'low_priority',
  'cache.preload': 'low_priority',
};

function priorityOf(type: string) {
  return PRIORITY_OF[type] ?? 'normal_priority';
}

export const QUEUE_NOTE =
  'One Cloudflare Queue (meridian-jobs; dead letters to meridian-jobs-dlq). Priorities group job types by urgency; active workers are consumer invocations running a job now.';

export async function jobsStatus(env: Env, now = Date.now()) {
  const since = new Date(now - 86_400_000).toISOString();
  const row = await env.DB.prepare(
    `SELECT SUM(status = 'running') AS running, SUM(status IN ('queued', 'retrying')) AS pending,
       SUM(status = 'succeeded' AND finished_at >= ?1) AS done, SUM(status = 'failed' AND finished_at >= ?1) AS failed,
       SUM(status = 'failed' AND error LIKE '%dead-lettered%') AS dead, MIN(CASE WHEN status IN ('queued', 'retrying') THEN created_at END) AS oldest
     FROM jobs`,
  )
    .bind(since)
    .first<{
      running: number | null;
      pending: number | null;
      done: number | null;
      failed: number | null;
      dead: number | null;
      oldest: string | null;
    }>();
  return {
    celery_available: Boolean(env.JOBS),
    queue_available: Boolean(env.JOBS),
    active_workers: row?.running ?? 0,
    pending_tasks: row?.pending ?? 0,
    completed_tasks_24h: row?.done ?? 0,
    failed_tasks_24h: row?.failed ?? 0,
    dead_letters: row?.dead ?? 0,
    oldest_pending_age_seconds: row?.oldest
      ? Math.max(0, Math.round((now - Date.parse(row.oldest)) / 1000))
      : null,
    note: QUEUE_NOTE,
  };
}

const STATUS_NAME: Record<string, string> = { queued: 'pending', retrying: 'retry', running: 'started' };

export async function activeTasks(env: Env, limit: number) {
  const rows = await env.DB.prepare(
    "SELECT id, status, type, created_at, started_at, progress, progress_message, attempts FROM jobs WHERE status IN ('queued', 'retrying', 'running') ORDER BY created_at LIMIT ?",
  )
    .bind(limit)
    .all<{
      id: string;
      status: string;
      type: string;
      created_at: string;
      started_at: string | null;
      progress: number;
      progress_message: string | null;
      attempts: number;
    }>();
  return rows.results.map((r) => ({
    job_id: r.id,
    status: STATUS_NAME[r.status] ?? r.status,
    task_name: r.type,
    priority: priorityOf(r.type),
    created_at: r.created_at,
    started_at: r.started_at,
    progress: round2(r.progress / 100),
    progress_message: r.progress_message,
    attempts: r.attempts,
  }));
}

export async function queueDepth(env: Env) {
  const rows = await env.DB.prepare(
    "SELECT type, COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'retrying') GROUP BY type",
  ).all<{ type: string; n: number }>();
  const depth = { high_priority: 0, normal_priority: 0, low_priority: 0 };
  const byTask: Record<string, number> = {};
  for (const r of rows.results) {
    depth[priorityOf(r.type)] += r.n;
    byTask[r.type] = r.n;
  }
  return {
    ...depth,
    total: depth.high_priority + depth.normal_priority + depth.low_priority,
    by_task: byTask,
  };
}

/** Per-task counts and durations (started → finished) of jobs finished in the last `days`. */
export async function jobStats(env: Env, days: number, now = Date.now()) {
  const since = new Date(now - days * 86_400_000).toISOString();
  const rows = await env.DB.prepare(
    `SELECT type, status, (julianday(finished_at) - julianday(started_at)) * 86400000.0 AS ms
     FROM jobs WHERE finished_at >= ? AND status IN ('succeeded', 'failed', 'cancelled')`,
  )
    .bind(since)
    .all<{ type: string; status: string; ms: number | null }>();
  const per = new Map<
    string,
    { count: number; succeeded: number; failed: number; cancelled: number; ms: number[] }
  >();
  for (const r of rows.results) {
    const e = per.get(r.type) ?? { count: 0, succeeded: 0, failed: 0, cancelled: 0, ms: [] };
    e.count++;
    if (r.status === 'succeeded') e.succeeded++;
    else if (r.status === 'failed') e.failed++;
    else e.cancelled++;
    if (r.ms !== null && r.ms >= 0) e.ms.push(r.ms);
    per.set(r.type, e);
  }
  const allMs = [...per.values()].flatMap((e) => e.ms);
  const tasks = [...per].map(([task_name, e]) => {
    const sorted = [...e.ms].sort((a, b) => a - b);
    return {
      task_name,
      count: e.count,
      succeeded: e.succeeded,
      failed: e.failed,
      cancelled: e.cancelled,
      avg_execution_time_ms: sorted.length ? round2(sorted.reduce((s, x) => s + x, 0) / sorted.length) : null,
      p95_execution_time_ms: sorted.length
        ? round2(sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0)
        : null,
      max_execution_time_ms: sorted.length ? round2(sorted[sorted.length - 1] ?? 0) : null,
    };
  });
  return {
    task_statistics: {
      total_tasks: rows.results.length,
      successful_tasks: tasks.reduce((s, t) => s + t.succeeded, 0),
      failed_tasks: tasks.reduce((s, t) => s + t.failed, 0),
      cancelled_tasks: tasks.reduce((s, t) => s + t.cancelled, 0),
      avg_execution_time_ms: allMs.length ? round2(allMs.reduce((s, x) => s + x, 0) / allMs.length) : 0,
    },
    per_task: tasks.sort((a, b) => b.count - a.count),
    queue_metrics: await queueDepth(env).then(({ high_priority, normal_priority, low_priority }) => ({
      high_priority,
      normal_priority,
      low_priority,
    })),
    window_days: days,
    timestamp: new Date(now).toISOString(),
    method: 'execution time = finished_at − started_at of the last attempt; p95 by nearest rank',
  };
}

// --- batching -------------------------------------------------------------------------------

/**
 * The batches work waits in before it runs: this isolate's telemetry buffer (flushed to the
 * sink every 250 ms or 50 records), alert rules due for their minute's evaluation, and
 * notification jobs queued for more than a minute (the Queue batches deliveries).
 */
export async function batchingStats(env: Env, now = Date.now()) {
  const telemetry = pendingTelemetry();
  const [rules, notifications] = await Promise.all([
    env.DB.prepare(
      'SELECT COUNT(*) AS n, MIN(last_evaluated_at) AS oldest FROM ops_alert_rules WHERE enabled = 1 AND (last_evaluated_at IS NULL OR last_evaluated_at < ?)',
    )
      .bind(new Date(now - 60_000).toISOString())
      .first<{ n: number; oldest: string | null }>(),
    env.DB.prepare(
      "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs WHERE status IN ('queued', 'retrying') AND type LIKE 'notifications.%'",
    ).first<{ n: number; oldest: string | null }>(),
  ]);
  const status = (n: number) => (n > 0 ? 'pending' : 'empty');
  return {
    batches: {
      telemetry: {
        task_count: telemetry.records,
        created_at: telemetry.oldest === null ? null : new Date(telemetry.oldest).toISOString(),
        status: status(telemetry.records),
        description: 'Request records buffered in this isolate for the telemetry sink',
      },
      alerts: {
        task_count: rules?.n ?? 0,
        created_at: rules?.oldest ?? null,
        status: status(rules?.n ?? 0),
        description: 'Alert rules due for evaluation (not evaluated in the last minute)',
      },
      notifications: {
        task_count: notifications?.n ?? 0,
        created_at: notifications?.oldest ?? null,
        status: status(notifications?.n ?? 0),
        description: 'Notification deliveries and broadcasts waiting in the queue',
      },
    },
    timestamp: new Date(now).toISOString(),
  };
}

/**
 * Flushes every batch now: sends the telemetry buffer to the sink, evaluates the alert rules,
 * and re-sends the queue messages of waiting notification jobs (a duplicate delivery of a job
 * already running or done does nothing: the consumer's claim is conditional).
 */
export async function flushBatches(env: Env, now = Date.now()) {
  const before = pendingTelemetry().records;
  await drainTelemetry();
  const evaluation = await evaluateRules(env, now);
  const waiting = await env.DB.prepare(
    "SELECT id, type FROM jobs WHERE status IN ('queued', 'retrying') AND type LIKE 'notifications.%' ORDER BY created_at LIMIT 100",
  ).all<{ id: string; type: string }>();
  if (waiting.results.length) {
    await env.JOBS.sendBatch(
      waiting.results.map((j) => ({ body: { job_id: j.id, type: j.type } satisfies JobMessage })),
    );
  }
  return {
    success: true,
    results: {
      telemetry: { tasks_executed: before, status: 'completed' },
      alerts: {
        tasks_executed: evaluation.evaluated,
        status: evaluation.errors.length ? 'partial' : 'completed',
        fired: evaluation.fired.length,
        resolved: evaluation.resolved.length,
      },
      notifications: { tasks_executed: waiting.results.length, status: 'completed' },
    },
    timestamp: new Date(now).toISOString(),
  };
}
