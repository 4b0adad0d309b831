import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { CRON_TASKS } from '../../src/jobs/scheduled';

async function runCron(cron: string, scheduledTime = Date.now()) {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ cron, scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('cron triggers', () => {
  it('has tasks for exactly the crons wrangler.toml declares', async () => {
    expect(Object.keys(CRON_TASKS).sort()).toEqual(['* * * * *', '0 * * * *', '17 3 * * *'].sort());
  });

  it('daily maintenance enqueues the purge job', async () => {
    await runCron('17 3 * * *');
    const row = await env.DB.prepare(
      "SELECT status FROM jobs WHERE type = 'maintenance.purge-finished-jobs' ORDER BY created_at DESC LIMIT 1",
    ).first<{ status: string }>();
    expect(row?.status).toBe('queued');
  });

  it('hourly run purges expired idempotency keys, and running it twice changes nothing more', async () => {
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (scope, key, fingerprint, state, locked_at, expires_at) VALUES ('addr:test', 'old', 'f', 'completed', ?, ?)",
    )
      .bind(now - 90_000_000, now - 3_600_000)
      .run();
    await runCron('0 * * * *', now);
    await runCron('0 * * * *', now);
    expect(await env.DB.prepare("SELECT 1 FROM idempotency_keys WHERE key = 'old'").first()).toBeNull();
  });
});

describe('daily maintenance', () => {
  it('also queues the archive of old intraday candles', async () => {
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ cron: '17 3 * * *', scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const row = await env.DB.prepare("SELECT status FROM jobs WHERE type = 'prices.archive'").first<{
      status: string;
    }>();
    expect(row?.status).toBe('queued');
  });
});
