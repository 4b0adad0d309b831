import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { scheduledSignals } from '../../src/domains/signals/generate';
import { seedMarket, setMarketClock } from '../helpers/market';
import { trainedModel } from '../helpers/models';
import { signUpAdmin } from '../helpers/users';
import { connect, ofType } from './client';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

let modelId = '';

beforeAll(async () => {
  await seedMarket(['BTC']);
  await setMarketClock('2024-01-01T06:00:00Z');
  modelId = await trainedModel(await signUpAdmin());
  // A fitted model whose intercept is pushed to p ≈ 0.95, so this run is sure to make a signal:
  // the test is about publishing, not about the model's (honestly small) edge.
  const row = await env.DB.prepare('SELECT artifact_key FROM ai_models WHERE id = ?')
    .bind(modelId)
    .first<{ artifact_key: string }>();
  const artifact = (await (await env.MODELS.get(row?.artifact_key ?? ''))?.json()) as {
    params: { intercept: number; weights: number[] };
  };
  artifact.params.intercept = 3;
  artifact.params.weights = artifact.params.weights.map(() => 0);
  const text = JSON.stringify(artifact);
  const sha = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  await env.MODELS.put(`models/${sha}.json`, text);
  await env.DB.prepare('UPDATE ai_models SET artifact_key = ?, artifact_hash = ? WHERE id = ?')
    .bind(`models/${sha}.json`, sha, modelId)
    .run();
});

describe('/ws/signals carries new model signals', () => {
  it('the scheduled run publishes each new public signal once, with its plan and model', async () => {
    const s = await connect('/ws/signals');
    await s.next(ofType('welcome'));
    const run = await scheduledSignals(env);
    expect(run.signals_created).toBe(1);
    const msg = await s.next(ofType('model_signal'));
    expect(msg).toMatchObject({
      symbol: 'BTC',
      direction: 'long',
      model_id: modelId,
      generated_at: '2024-01-01T00:00:00.000Z',
    });
    const plan = msg as unknown as { stop_loss: number; entry_price: number };
    expect(plan.stop_loss).toBeLessThan(plan.entry_price);
    const again = await scheduledSignals(env);
    expect(again.signals_created).toBe(0);
  });
});
