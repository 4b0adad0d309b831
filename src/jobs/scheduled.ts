import { config } from '../core/config';
import { describeError, log } from '../core/logger';
import { ensureDefaultModels } from '../domains/models/defaults';
import { evaluateRules } from '../domains/ops/services/alerting';
import { snapshotHealth } from '../domains/ops/services/system-health';
import { scheduledSignals } from '../domains/signals/generate';
import { ingestLive, ingestLiveDaily, ingestLiveHourly } from '../ingestion/live';
import { replayTick } from '../ingestion/replay';
import { D1SourceHealth } from '../ingestion/source-health';
import { purgeExpiredIdempotencyKeys } from '../middleware/idempotency';
import { enqueueJob, reapStaleJobs } from './service';

type Task = { name: string; run: (env: Env, scheduledTime: number) => Promise<unknown> };

const live = (env: Env) => config(env).MARKET_DATA_MODE === 'live';

/** Market data each minute: the replay source, or the live providers when MARKET_DATA_MODE=live. */
async function ingestQuotes(env: Env, time: number): Promise<unknown> {
  if (live(env)) return ingestLive(env, time);
  const health = new D1SourceHealth(env);
  const started = Date.now();
  try {
    const tick = await replayTick(env, time);
    await health.recordSuccess('replay', Date.now() - started);
    return (
      tick && {
        virtual_now: new Date(tick.virtualNow).toISOString(),
        quotes: tick.quotes,
        candles: tick.candles,
      }
    );
  } catch (err) {
    await health.recordFailure('replay', err instanceof Error ? err.message : String(err));
    throw err;
  }
}

/**
 * What each cron in wrangler.toml runs. Every task is safe to run twice for the same tick:
 * writes are upserts and claims are conditional.
 */
export const CRON_TASKS: Record<string, Task[]> = {
  '* * * * *': [
    { name: 'market-data.ingest', run: (env, time) => ingestQuotes(env, time) },
    { name: 'jobs.reap-stale', run: (env, time) => reapStaleJobs(env, time) },
    { name: 'ops.evaluate-alerts', run: (env, time) => evaluateRules(env, time) },
    { name: 'ops.health-snapshot', run: (env, time) => snapshotHealth(env, time) },
  ],
  '0 * * * *': [
    { name: 'idempotency.purge-expired', run: (env, time) => purgeExpiredIdempotencyKeys(env, time) },
    {
      name: 'market-data.hourly',
      run: (env, time) => (live(env) ? ingestLiveHourly(env, time) : Promise.resolve('replay')),
    },
    // Models: register and train the defaults once; then each hour store the predictions of the
    // last closed day (once per model, asset and day), score old ones, make and publish signals.
    {
      name: 'models.predict-and-signal',
      run: async (env) => ({
        default_models_queued: await ensureDefaultModels(env),
        ...(await scheduledSignals(env)),
      }),
    },
    { name: 'macro.snapshot', run: (env) => enqueueJob(env, { type: 'macro.snapshot' }) },
  ],
  '17 3 * * *': [
    {
      name: 'jobs.purge-finished',
      run: (env) => enqueueJob(env, { type: 'maintenance.purge-finished-jobs' }),
    },
    { name: 'prices.archive', run: (env) => enqueueJob(env, { type: 'prices.archive' }) },
    { name: 'risk.nightly-batch', run: (env) => enqueueJob(env, { type: 'risk.nightly-batch' }) },
    {
      name: 'market-data.daily',
      run: (env, time) => (live(env) ? ingestLiveDaily(env, time) : Promise.resolve('replay')),
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
