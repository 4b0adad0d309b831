import { describeError, log } from '../core/logger';
import { purgeExpiredIdempotencyKeys } from '../middleware/idempotency';
import { enqueueJob, reapStaleJobs } from './service';

type Task = { name: string; run: (env: Env, scheduledTime: number) => Promise<unknown> };

/**
 * What each cron in wrangler.toml runs. Later issues add ingestion and roll-up tasks here.
 * Every task is safe to run twice for the same tick.
 */
export const CRON_TASKS: Record<string, Task[]> = {
  '* * * * *': [{ name: 'jobs.reap-stale', run: (env, time) => reapStaleJobs(env, time) }],
  '0 * * * *': [
    { name: 'idempotency.purge-expired', run: (env, time) => purgeExpiredIdempotencyKeys(env, time) },
  ],
  '17 3 * * *': [
    {
      name: 'jobs.purge-finished',
      run: (env) => enqueueJob(env, { type: 'maintenance.purge-finished-jobs' }),
    },
  ],
};

/** Runs the cron's tasks side by side; one failing does not stop the others. */
export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const tasks = CRON_TASKS[controller.cron];
  if (!tasks) {
    log('warn', 'cron.unknown', { cron: controller.cron });
    return;
  }
  const results = await Promise.allSettled(tasks.map((t) => t.run(env, controller.scheduledTime)));
  results.forEach((r, i) => {
    const name = tasks[i]?.name;
    if (r.status === 'fulfilled')
      log('info', 'cron.task_done', { cron: controller.cron, task: name, result: r.value });
    else log('error', 'cron.task_failed', { cron: controller.cron, task: name, ...describeError(r.reason) });
  });
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed) throw new Error(`${failed} of ${tasks.length} cron tasks failed`);
}
