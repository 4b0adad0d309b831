import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 120_000 });

import { marketNow } from '../../../src/core/market-clock';
import { refreshSnapshots, storedRegime } from '../../../src/domains/macro/service';
import { scheduledSignals } from '../../../src/domains/signals/generate';
import { replayTick } from '../../../src/ingestion/replay';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket, setMarketClock } from '../../helpers/market';
import { runQueuedJobs, trainedModel } from '../../helpers/models';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

type Env<T> = { data: T };
interface Model {
  id: string;
  status: string;
  version: number;
  artifact: { key: string; sha256: string } | null;
  metrics: {
    out_of_sample: { n: number; accuracy: number; roc_auc: number; brier: number };
    folds: { train_end: string; validation_start: string }[];
    feature_importance: { feature: string }[];
    strategy: { total_return: number; always_long_return: number };
  } | null;
  track_record: {
    walk_forward: { accuracy: number } | null;
    live: { predictions_made: number; predictions_scored: number; accuracy: number | null };
  };
  absent_features: { feature: string; reason: string }[];
}

let admin: TestUser;
let user: TestUser;
let modelId: string;

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  await setMarketClock('2024-01-01T06:00:00Z');
  admin = await signUpAdmin();
  user = await signUp();
  modelId = await trainedModel(admin);
});

describe('model registry and training', () => {
  it('trains through the queue: walk-forward metrics, importance, a content-hashed artifact in R2', async () => {
    const { res, body } = await callJson<Env<Model>>(`/api/v1/ai/models/${modelId}`);
    expect(res.status).toBe(200);
    const m = body.data;
    expect(m.status).toBe('active');
    expect(m.version).toBe(1);
    expect(m.artifact?.key).toBe(`models/${m.artifact?.sha256}.json`);
    const obj = await env.MODELS.get(m.artifact?.key ?? '');
    const text = (await obj?.text()) ?? '';
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    expect(digest).toBe(m.artifact?.sha256);
    expect(m.metrics?.out_of_sample.n).toBeGreaterThan(500);
    // Daily BTC direction is close to a coin flip: an honest model is near 50%, never far above.
    expect(m.metrics?.out_of_sample.accuracy).toBeGreaterThan(0.4);
    expect(m.metrics?.out_of_sample.accuracy).toBeLessThan(0.6);
    expect(m.metrics?.feature_importance.length).toBe(9);
    for (const f of m.metrics?.folds ?? [])
      expect(Date.parse(f.train_end)).toBeLessThan(Date.parse(f.validation_start));
    expect(m.track_record.walk_forward?.accuracy).toBe(m.metrics?.out_of_sample.accuracy);
    // regime_prob, funding and Fear & Greed are served now (opt-in); social sentiment is absent with its reason.
    expect(m.absent_features.map((a) => a.feature)).toContain('social_sentiment');
    for (const f of ['regime_prob', 'fear_greed', 'funding_rate'])
      expect(m.absent_features.map((a) => a.feature)).not.toContain(f);
  });

  it('trained twice with one seed gives the identical artifact', async () => {
    const before = (await callJson<Env<Model>>(`/api/v1/ai/models/${modelId}`)).body.data;
    const train = await callJson(`/api/v1/ai/models/${modelId}/train`, {
      method: 'POST',
      as: admin.as,
      body: { seed: 7 },
    });
    expect(train.res.status).toBe(202);
    await runQueuedJobs('models.train');
    const after = (await callJson<Env<Model>>(`/api/v1/ai/models/${modelId}`)).body.data;
    expect(after.version).toBe(2);
    expect(after.artifact?.sha256).toBe(before.artifact?.sha256);
  });

  it('boosted trees train too, and the training-jobs list shows progress and results', async () => {
    const gbt = await trainedModel(admin, {
      name: 'Test gbt',
      architecture: 'gradient_boosted_trees',
      hyperparameters: { trees: 20, max_depth: 2, folds: 3 },
    });
    const m = (await callJson<Env<Model>>(`/api/v1/ai/models/${gbt}`)).body.data;
    expect(m.status).toBe('active');
    const jobs = await callJson<
      Env<{ job_id: string; model_id: string; status: string; progress: number }[]>
    >(`/api/v1/ai/training-jobs?model_id=${gbt}`, { as: user.as });
    expect(jobs.res.status).toBe(200);
    expect(jobs.body.data[0]).toMatchObject({ model_id: gbt, status: 'succeeded', progress: 100 });
    const guest = await callJson('/api/v1/ai/training-jobs');
    expectError(guest.res, guest.body, 401, 'AUTHENTICATION_ERROR');
  });

  it('bad input changes nothing: unknown feature, future window, unknown model, train while training, non-admin', async () => {
    const count = async () =>
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM ai_models').first<{ n: number }>())?.n;
    const n0 = await count();
    const bad = await callJson('/api/v1/admin/ai/models', {
      method: 'POST',
      as: admin.as,
      body: {
        name: 'x',
        architecture: 'logistic_regression',
        asset_ids: ['BTC'],
        features: ['rsi_14', 'social_sentiment'],
      },
    });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    expect(JSON.stringify(bad.body)).toMatch(/social/);
    const future = await callJson('/api/v1/admin/ai/models', {
      method: 'POST',
      as: admin.as,
      body: {
        name: 'x',
        architecture: 'logistic_regression',
        asset_ids: ['BTC'],
        training_end: '2030-01-01',
      },
    });
    expectError(future.res, future.body, 400, 'VALIDATION_ERROR');
    const badArch = await callJson('/api/v1/admin/ai/models', {
      method: 'POST',
      as: admin.as,
      body: { name: 'x', architecture: 'lstm', asset_ids: ['BTC'] },
    });
    expectError(badArch.res, badArch.body, 400, 'VALIDATION_ERROR');
    const unknownAsset = await callJson('/api/v1/admin/ai/models', {
      method: 'POST',
      as: admin.as,
      body: { name: 'x', architecture: 'logistic_regression', asset_ids: ['NOPE'] },
    });
    expectError(unknownAsset.res, unknownAsset.body, 400, 'VALIDATION_ERROR');
    const notAdmin = await callJson('/api/v1/admin/ai/models', {
      method: 'POST',
      as: user.as,
      body: { name: 'x', architecture: 'logistic_regression', asset_ids: ['BTC'] },
    });
    expectError(notAdmin.res, notAdmin.body, 403, 'ADMIN_ACCESS_REQUIRED');
    expect(await count()).toBe(n0);

    const unknown = await callJson('/api/v1/ai/models/mdl_nope/train', {
      method: 'POST',
      as: admin.as,
      body: {},
    });
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');
    const userTrain = await callJson(`/api/v1/ai/models/${modelId}/train`, {
      method: 'POST',
      as: user.as,
      body: {},
    });
    expectError(userTrain.res, userTrain.body, 403, 'ADMIN_ACCESS_REQUIRED');

    const first = await callJson<Env<{ job_id: string }>>(`/api/v1/ai/models/${modelId}/train`, {
      method: 'POST',
      as: admin.as,
      body: {},
    });
    expect(first.res.status).toBe(202);
    const jobsBefore = (
      await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs WHERE type = 'models.train'").first<{
        n: number;
      }>()
    )?.n;
    const second = await callJson(`/api/v1/ai/models/${modelId}/train`, {
      method: 'POST',
      as: admin.as,
      body: {},
    });
    expectError(second.res, second.body, 409, 'INTEGRITY_ERROR');
    const update = await callJson(`/api/v1/admin/ai/models/${modelId}`, {
      method: 'PUT',
      as: admin.as,
      body: { name: 'renamed' },
    });
    expectError(update.res, update.body, 409, 'INTEGRITY_ERROR');
    expect(
      (
        await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs WHERE type = 'models.train'").first<{
          n: number;
        }>()
      )?.n,
    ).toBe(jobsBefore);
    await runQueuedJobs('models.train');
    const m = (await callJson<Env<Model>>(`/api/v1/ai/models/${modelId}`)).body.data;
    expect(m.status).toBe('active');
  });

  it('a training job cancelled before it ran releases the model, which can be trained again', async () => {
    const first = await callJson<Env<{ job_id: string }>>(`/api/v1/ai/models/${modelId}/train`, {
      method: 'POST',
      as: admin.as,
      body: {},
    });
    expect(first.res.status).toBe(202);
    await env.DB.prepare("UPDATE jobs SET status = 'cancelled', cancel_requested = 1 WHERE id = ?")
      .bind(first.body.data.job_id)
      .run();
    const again = await callJson<Env<{ job_id: string }>>(`/api/v1/ai/models/${modelId}/train`, {
      method: 'POST',
      as: admin.as,
      body: {},
    });
    expect(again.res.status).toBe(202);
    await runQueuedJobs('models.train');
    expect((await callJson<Env<Model>>(`/api/v1/ai/models/${modelId}`)).body.data.status).toBe('active');
  });

  it('admin update: rename, retire; an untrained model cannot be activated', async () => {
    const created = await callJson<Env<Model>>('/api/v1/admin/ai/models', {
      method: 'POST',
      as: admin.as,
      body: { name: 'draft', architecture: 'logistic_regression', asset_ids: ['ETH'] },
    });
    expect(created.res.status).toBe(201);
    expect(created.body.data.status).toBe('draft');
    const act = await callJson(`/api/v1/admin/ai/models/${created.body.data.id}`, {
      method: 'PUT',
      as: admin.as,
      body: { status: 'active' },
    });
    expectError(act.res, act.body, 409, 'INTEGRITY_ERROR');
    const ok = await callJson<Env<Model & { name: string }>>(
      `/api/v1/admin/models/${created.body.data.id}/config`,
      { method: 'PUT', as: admin.as, body: { name: 'renamed', hyperparameters: { l2: 3 } } },
    );
    expect(ok.res.status).toBe(200);
    expect(ok.body.data.name).toBe('renamed');
    const list = await callJson<Env<Model[]>>(
      '/api/v1/ai/models?architecture=logistic_regression&status=draft',
    );
    expect(list.body.data.map((m) => m.id)).toContain(created.body.data.id);
  });
});

describe('predictions on the market clock, scored later', () => {
  it('stores one prediction per model, asset and day; scores it once the next close is known', async () => {
    const first = await scheduledSignals(env);
    expect(first.predicted).toBeGreaterThan(0);
    const again = await scheduledSignals(env);
    expect(again.predicted).toBe(0); // once per model, asset and day
    const preds = await callJson<
      Env<{
        predictions: {
          prediction_date: string;
          decision_time: string;
          probability_up: number;
          outcome: unknown;
        }[];
      }>
    >(`/api/v1/ai/models/${modelId}/predictions?asset_id=BTC`);
    expect(preds.res.status).toBe(200);
    const p = preds.body.data.predictions[0];
    expect(p?.prediction_date).toBe('2023-12-31');
    expect(Date.parse(p?.decision_time ?? '')).toBeLessThanOrEqual(Date.parse('2024-01-01T06:00:00Z'));
    expect(p?.outcome).toBeNull();

    await setMarketClock('2024-01-03T06:00:00Z');
    await replayTick(env);
    const later = await scheduledSignals(env);
    expect(later.scored).toBeGreaterThan(0);
    const perf = await callJson<
      Env<{
        live_by_month: { month: string; predictions_scored: number }[];
        track_record: Model['track_record'];
      }>
    >(`/api/v1/ai/models/${modelId}/performance`);
    expect(perf.res.status).toBe(200);
    expect(perf.body.data.track_record.live.predictions_scored).toBeGreaterThan(0);
    expect(perf.body.data.live_by_month[0]?.month).toBe('2023-12');
    const scored = await callJson<
      Env<{ predictions: { prediction_date: string; outcome: { went_up: boolean } | null }[] }>
    >(`/api/v1/ai/models/${modelId}/predictions?asset_id=BTC&start_date=2023-12-31&end_date=2023-12-31`);
    expect(scored.body.data.predictions[0]?.outcome).not.toBeNull();
    const badRange = await callJson(
      `/api/v1/ai/models/${modelId}/predictions?start_date=2024-01-05&end_date=2024-01-01`,
    );
    expectError(badRange.res, badRange.body, 400, 'VALIDATION_ERROR');
    const unknown = await callJson('/api/v1/ai/models/mdl_nope/predictions');
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');
  }, 60_000);

  it('market regime: the Markov model from the stored macro snapshot (absent before one), the trend rule labelled as a rule', async () => {
    type Regime = Env<{
      regime: {
        markov_switching: {
          available: boolean;
          reason?: string;
          probabilities?: Record<string, number>;
          method?: string;
          as_of?: string;
        };
        trend_rule: { available: boolean; method: string; trend: string };
      };
    }>;
    const before = await storedRegime(env, await marketNow(env));
    if (!before) {
      const { body } = await callJson<Regime>('/api/v1/ai/market-regime');
      expect(body.data.regime.markov_switching.available).toBe(false);
      expect(body.data.regime.markov_switching.reason).toMatch(/macro snapshot/);
      await refreshSnapshots(env);
    }
    const { res, body } = await callJson<Regime>('/api/v1/ai/market-regime');
    expect(res.status).toBe(200);
    const m = body.data.regime.markov_switching;
    expect(m.available).toBe(true);
    expect(Object.values(m.probabilities ?? {}).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(m.method).toMatch(/FILTERED/);
    expect(Date.parse(m.as_of ?? '')).toBeLessThanOrEqual(await marketNow(env));
    expect(body.data.regime.trend_rule.available).toBe(true);
    expect(body.data.regime.trend_rule.method).toMatch(/^rule/);
    const sectors = await callJson<Env<{ sectors: { sector: string }[] }>>('/api/v1/ai/sector-analysis');
    expect(sectors.res.status).toBe(200);
    expect(sectors.body.data.sectors.length).toBeGreaterThan(0);
  }, 120_000);
});
