import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../src/index';
import { callJson } from './api';
import type { TestUser } from './users';

/** Runs the queued jobs of a type through the Queue consumer, as production would. */
export async function runQueuedJobs(type: string): Promise<string[]> {
  const rows = await env.DB.prepare(
    "SELECT id, type FROM jobs WHERE type = ? AND status IN ('queued', 'retrying')",
  )
    .bind(type)
    .all<{ id: string; type: string }>();
  for (const job of rows.results) {
    const batch = createMessageBatch('meridian-jobs', [
      { id: `m-${job.id}`, timestamp: new Date(), attempts: 1, body: { job_id: job.id, type: job.type } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
  }
  return rows.results.map((r) => r.id);
}

/** Registers a model through the admin API and trains it through the queue; returns its id. */
export async function trainedModel(admin: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const created = await callJson<{ data: { id: string } }>('/api/v1/admin/ai/models', {
    method: 'POST',
    as: admin.as,
    body: {
      name: 'Test logit',
      architecture: 'logistic_regression',
      asset_ids: ['BTC'],
      horizon_days: 1,
      hyperparameters: { l2: 10, folds: 3 },
      ...body,
    },
  });
  if (created.res.status !== 201)
    throw new Error(`create failed ${created.res.status} ${JSON.stringify(created.body)}`);
  const id = created.body.data.id;
  const train = await callJson(`/api/v1/ai/models/${id}/train`, {
    method: 'POST',
    as: admin.as,
    body: { seed: 7 },
  });
  if (train.res.status !== 202)
    throw new Error(`train failed ${train.res.status} ${JSON.stringify(train.body)}`);
  await runQueuedJobs('models.train');
  return id;
}

/**
 * A signal row as the generator writes it (entry at the BTC close of the day before
 * `generatedAt`, 2×800 stop), for tests of the lifecycle that must not depend on a model's edge.
 */
export async function insertTestSignal(
  modelId: string,
  ownerId: string,
  generatedAt: number,
  direction: 'long' | 'short' = 'long',
): Promise<string> {
  const id = `sig_test${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const close =
    (
      await env.DB.prepare(
        "SELECT close FROM price_data WHERE asset_id = (SELECT id FROM assets WHERE symbol = 'BTC') AND timeframe = '1d' AND open_time = ?",
      )
        .bind(generatedAt - 86_400_000)
        .first<{ close: number }>()
    )?.close ?? 40_000;
  const sign = direction === 'long' ? 1 : -1;
  await env.DB.prepare(
    `INSERT INTO trading_signals (id, owner_id, asset_id, model_id, model_version, direction, quality, confidence, entry_price, stop_loss, take_profit_1, take_profit_2, atr, position_size_pct, risk_level, confluence, market_context, generated_at, expires_at)
     VALUES (?, ?, (SELECT id FROM assets WHERE symbol = 'BTC'), ?, 1, ?, 'medium', 0.58, ?, ?, ?, ?, 800, 40, 'medium', '[]', '{}', ?, ?)`,
  )
    .bind(
      id,
      ownerId,
      modelId,
      direction,
      close,
      close - sign * 1600,
      close + sign * 1600,
      close + sign * 3200,
      generatedAt,
      generatedAt + 3 * 86_400_000,
    )
    .run();
  return id;
}
