import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

import { call, callJson } from '../../helpers/api';
import { seedMarket, setMarketClock } from '../../helpers/market';
import { trainedModel } from '../../helpers/models';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

interface MlPerformance {
  models: {
    model_id: string;
    status: string;
    walk_forward: { accuracy: number | null; roc_auc: number | null } | null;
    live_in_window: { predictions_scored: number; accuracy: number | null; brier: number | null };
  }[];
  comparison: { models_compared: number; best_live_accuracy: { model_id: string; accuracy: number } | null };
  accuracy_over_time: {
    period_start: string;
    model_id: string;
    predictions_scored: number;
    accuracy: number;
  }[];
  training_jobs: { total: number; by_status: Record<string, number> };
  method: string;
  data_points: number;
  as_of: string;
}

let admin: TestUser;
let user: TestUser;
let modelId: string;
const CLOCK = '2024-01-01T06:00:00Z';

/** A scored prediction of the model for BTC, decided at the close of `day`. */
async function scored(
  day: string,
  p: number,
  up: 0 | 1,
  outcomeTime = Date.parse(`${day}T00:00:00Z`) + 2 * 86_400_000,
) {
  await env.DB.prepare(
    `INSERT INTO model_predictions (id, model_id, model_version, asset_id, prediction_date, decision_time, horizon_days,
       probability_up, close_at_decision, features, outcome_time, realized_return, outcome_up, scored_at)
     VALUES (?, ?, 1, 'ast_test_btc', ?, ?, 1, ?, 100, '{}', ?, ?, ?, '2024-01-01T00:00:00Z')`,
  )
    .bind(
      `prd_${day}_${modelId}`,
      modelId,
      day,
      Date.parse(`${day}T00:00:00Z`) + 86_400_000,
      p,
      outcomeTime,
      up ? 0.01 : -0.01,
      up,
    )
    .run();
}

beforeAll(async () => {
  await seedMarket(['BTC']);
  await setMarketClock(CLOCK);
  admin = await signUpAdmin();
  user = await signUp();
  modelId = await trainedModel(admin);
  // November: 3 of 4 right; December: 1 of 2 right; one whose outcome lies after the clock.
  await scored('2023-11-06', 0.7, 1);
  await scored('2023-11-07', 0.6, 1);
  await scored('2023-11-08', 0.3, 0);
  await scored('2023-11-09', 0.8, 0);
  await scored('2023-12-04', 0.55, 1);
  await scored('2023-12-05', 0.4, 1);
  await scored('2023-12-30', 0.9, 1, Date.parse('2024-01-02T00:00:00Z'));
});

describe('000 admin ML performance analytics', () => {
  it('compares models and scores live accuracy per month from the registry, up to the market clock', async () => {
    const { res, body } = await callJson<{ data: MlPerformance }>(
      `/api/v1/admin/analytics/ml-performance?days=90&granularity=month&model_id=${modelId}`,
      { as: admin.as },
    );
    expect(res.status, JSON.stringify(body)).toBe(200);
    const d = body.data;
    expect(d.models).toHaveLength(1);
    const [m] = d.models;
    expect(m?.status).toBe('active');
    // The training's own walk-forward validation sits beside the live record.
    expect(m?.walk_forward?.accuracy).toEqual(expect.any(Number));
    expect(m?.live_in_window).toMatchObject({ predictions_scored: 6, accuracy: 0.6667 });
    // Brier: mean of (p - outcome)^2 over the six scored before the clock.
    const brier = [0.09, 0.16, 0.09, 0.64, 0.2025, 0.36].reduce((s, x) => s + x, 0) / 6;
    expect(m?.live_in_window.brier).toBeCloseTo(brier, 4);
    expect(d.accuracy_over_time).toEqual([
      expect.objectContaining({ period_start: '2023-11-01', predictions_scored: 4, accuracy: 0.75 }),
      expect.objectContaining({ period_start: '2023-12-01', predictions_scored: 2, accuracy: 0.5 }),
    ]);
    expect(d.comparison.best_live_accuracy?.model_id).toBe(modelId);
    expect(d.training_jobs.by_status.succeeded).toBe(1);
    expect(d.data_points).toBe(6);
    expect(d.as_of.slice(0, 10)).toBe('2024-01-01');
    expect(d.method).toMatch(/Brier/);
  });

  it('groups by ISO week when asked', async () => {
    const { body } = await callJson<{ data: MlPerformance }>(
      `/api/v1/admin/analytics/ml-performance?granularity=week&model_id=${modelId}`,
      { as: admin.as },
    );
    expect(body.data.accuracy_over_time.map((p) => [p.period_start, p.predictions_scored])).toEqual([
      ['2023-11-06', 4],
      ['2023-12-04', 2],
    ]);
  });

  it('refuses non-admins, bad windows and unknown models', async () => {
    expect((await call('/api/v1/admin/analytics/ml-performance', { as: user.as })).status).toBe(403);
    expect((await call('/api/v1/admin/analytics/ml-performance?days=2', { as: admin.as })).status).toBe(400);
    expect(
      (await call('/api/v1/admin/analytics/ml-performance?granularity=year', { as: admin.as })).status,
    ).toBe(400);
    expect(
      (await call('/api/v1/admin/analytics/ml-performance?model_id=mdl_nope', { as: admin.as })).status,
    ).toBe(404);
  });
});
