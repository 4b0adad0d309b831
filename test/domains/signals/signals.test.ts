import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { scheduledSignals } from '../../../src/domains/signals/generate';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket, setMarketClock } from '../../helpers/market';
import { insertTestSignal, trainedModel } from '../../helpers/models';
import { signIn, signUp, signUpAdmin, type TestUser } from '../../helpers/users';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

type Env<T> = { data: T };
interface Signal {
  signal_id: string;
  status: string;
  scope: string;
  direction: string;
  entry_price: number;
  stop_loss: number;
  execution: { entry_price: number; status: string; realized_return: number | null } | null;
  track_record: { model_id: string; walk_forward: { accuracy: number } | null } | null;
}

let admin: TestUser;
let alice: TestUser;
let bob: TestUser;
let pro: TestUser;
let modelId: string;

const insertSignal = (ownerId: string, generatedAt: number, direction: 'long' | 'short' = 'long') =>
  insertTestSignal(modelId, ownerId, generatedAt, direction);

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  await setMarketClock('2024-01-01T06:00:00Z');
  admin = await signUpAdmin();
  alice = await signUp();
  bob = await signUp();
  const p = await signUp();
  await env.DB.prepare("UPDATE users SET tier = 'pro' WHERE id = ?").bind(p.id).run();
  pro = { ...p, ...(await signIn(p)) };
  modelId = await trainedModel(admin, { asset_ids: ['BTC', 'ETH'] });
  await scheduledSignals(env);
});

describe('signal lifecycle and ownership', () => {
  it('active → executed (your entry) → closed, each a user activity; others see the signal, not your execution', async () => {
    const at = Date.parse('2023-12-31T00:00:00Z') + 86_400_000;
    const id = await insertSignal('', at);
    const view = await callJson<Env<Signal>>(`/api/v1/signals/${id}`, { as: alice.as });
    expect(view.res.status).toBe(200);
    expect(view.body.data).toMatchObject({ status: 'active', scope: 'public', execution: null });
    expect(view.body.data.track_record?.model_id).toBe(modelId);

    const exec = await callJson<Env<Signal>>(`/api/v1/signals/${id}/execute`, {
      method: 'PUT',
      as: alice.as,
      body: { actual_entry_price: 42_000, quantity: 0.1 },
    });
    expect(exec.res.status).toBe(200);
    expect(exec.body.data).toMatchObject({
      status: 'executed',
      execution: { entry_price: 42_000, status: 'executed' },
    });
    const again = await callJson(`/api/v1/signals/${id}/execute`, { method: 'PUT', as: alice.as, body: {} });
    expectError(again.res, again.body, 409, 'INTEGRITY_ERROR');

    const bobView = await callJson<Env<Signal>>(`/api/v1/signals/${id}`, { as: bob.as });
    expect(bobView.body.data).toMatchObject({ status: 'active', execution: null });
    const bobClose = await callJson(`/api/v1/signals/${id}/close`, { method: 'PUT', as: bob.as, body: {} });
    expectError(bobClose.res, bobClose.body, 409, 'INTEGRITY_ERROR');

    const closed = await callJson<Env<Signal>>(`/api/v1/signals/${id}/close`, {
      method: 'PUT',
      as: alice.as,
      body: { exit_price: 43_050 },
    });
    expect(closed.res.status).toBe(200);
    expect(closed.body.data.status).toBe('closed');
    expect(closed.body.data.execution?.realized_return).toBeCloseTo(0.025, 12);
    const acts = await env.DB.prepare(
      "SELECT action FROM user_activities WHERE user_id = ? AND action LIKE 'signal.%' ORDER BY created_at",
    )
      .bind(alice.id)
      .all<{ action: string }>();
    expect(acts.results.map((a) => a.action)).toEqual(['signal.execute', 'signal.close']);

    const perf = await callJson<Env<{ target_1: { mfe: number; mae: number }; execution: unknown }>>(
      `/api/v1/signals/${id}/performance`,
      { as: alice.as },
    );
    expect(perf.res.status).toBe(200);
    expect(perf.body.data.target_1.mae).toBeLessThanOrEqual(0);
  });

  it("another user's own signal answers 404 for every operation; cancelling yours records it", async () => {
    const at = Date.parse('2023-12-31T00:00:00Z') + 86_400_000;
    const mine = await insertSignal(alice.id, at, 'short');
    for (const [method, path, body] of [
      ['GET', `/api/v1/signals/${mine}`, undefined],
      ['GET', `/api/v1/signals/${mine}/performance`, undefined],
      ['PUT', `/api/v1/signals/${mine}/execute`, {}],
      ['PUT', `/api/v1/signals/${mine}/close`, {}],
      ['DELETE', `/api/v1/signals/${mine}`, undefined],
      ['POST', '/api/v1/signals/execute', { signal_id: mine }],
    ] as const) {
      const r = await callJson(path, { method, as: bob.as, ...(body ? { body } : {}) });
      expectError(r.res, r.body, 404, 'NOT_FOUND');
    }
    const guest = await callJson(`/api/v1/signals/${mine}`);
    expectError(guest.res, guest.body, 401, 'AUTHENTICATION_ERROR');
    const list = await callJson<Env<Signal[]>>('/api/v1/signals', { as: bob.as });
    expect(list.body.data.map((s) => s.signal_id)).not.toContain(mine);
    const del = await callJson<Env<{ status: string }>>(`/api/v1/signals/${mine}`, {
      method: 'DELETE',
      as: alice.as,
    });
    expect(del.res.status).toBe(200);
    const after = await callJson<Env<Signal>>(`/api/v1/signals/${mine}`, { as: alice.as });
    expect(after.body.data.status).toBe('cancelled');
    const exec = await callJson('/api/v1/signals/execute', {
      method: 'POST',
      as: alice.as,
      body: { signal_id: mine },
    });
    expectError(exec.res, exec.body, 409, 'INTEGRITY_ERROR');
  });

  it('a signal past its expiry on the market clock cannot be executed', async () => {
    const old = await insertSignal('', Date.parse('2023-12-01T00:00:00Z'));
    const r = await callJson(`/api/v1/signals/${old}/execute`, { method: 'PUT', as: alice.as, body: {} });
    expectError(r.res, r.body, 409, 'INTEGRITY_ERROR');
    const v = await callJson<Env<{ expired: number }>>('/api/v1/admin/signals/validate', {
      method: 'POST',
      as: admin.as,
    });
    expect(v.res.status).toBe(200);
    expect(v.body.data.expired).toBeGreaterThan(0);
    const denied = await callJson('/api/v1/admin/signals/validate', { method: 'POST', as: alice.as });
    expectError(denied.res, denied.body, 403, 'ADMIN_ACCESS_REQUIRED');
  });
});

describe('generation, tiers and analytics', () => {
  it('generate is premium: a free user gets 403 and nothing is written; a pro user gets their own signals', async () => {
    const before = (await env.DB.prepare('SELECT COUNT(*) AS n FROM trading_signals').first<{ n: number }>())
      ?.n;
    const free = await callJson('/api/v1/signals/generate', { method: 'POST', as: alice.as, body: {} });
    expectError(free.res, free.body, 403, 'AUTHORIZATION_ERROR');
    expect(
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM trading_signals').first<{ n: number }>())?.n,
    ).toBe(before);
    const ok = await callJson<Env<{ generated: Signal[]; considered: { probability_up: number }[] }>>(
      '/api/v1/signals/generate',
      { method: 'POST', as: pro.as, body: { asset_ids: ['BTC', 'ETH'] } },
    );
    expect(ok.res.status).toBe(201);
    expect(ok.body.data.considered.length).toBe(2);
    for (const s of ok.body.data.generated) expect(s.scope).toBe('personal');
    const badModel = await callJson('/api/v1/signals/generate', {
      method: 'POST',
      as: pro.as,
      body: { model_id: 'mdl_nope' },
    });
    expectError(badModel.res, badModel.body, 404, 'NOT_FOUND');
  });

  it('backtest is premium, walk-forward over a range, and rejects bad ranges', async () => {
    const free = await callJson(`/api/v1/signals/backtest/${modelId}`, { as: alice.as });
    expectError(free.res, free.body, 403, 'AUTHORIZATION_ERROR');
    const r = await callJson<
      Env<{ out_of_sample_predictions: number; overall: { trades: number }; per_asset: unknown[] }>
    >(`/api/v1/signals/backtest/${modelId}?start_date=2023-01-01&end_date=2023-12-31&asset_ids=BTC`, {
      as: pro.as,
    });
    expect(r.res.status).toBe(200);
    expect(r.body.data.out_of_sample_predictions).toBeGreaterThan(300);
    const future = await callJson(`/api/v1/signals/backtest/${modelId}?end_date=2024-06-01`, { as: pro.as });
    expectError(future.res, future.body, 400, 'VALIDATION_ERROR');
    const reversed = await callJson(
      `/api/v1/signals/backtest/${modelId}?start_date=2023-06-01&end_date=2023-01-01`,
      { as: pro.as },
    );
    expectError(reversed.res, reversed.body, 400, 'VALIDATION_ERROR');
    const unknown = await callJson('/api/v1/signals/backtest/mdl_nope', { as: pro.as });
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');
  });

  it('analytics, opportunities, risk management, admin comparisons answer with methods', async () => {
    for (const path of [
      '/api/v1/signals/analytics',
      '/api/v1/signals/opportunities',
      '/api/v1/signals/risk-management?account_size=50000',
      '/api/v1/signals/active',
      '/api/v1/signals?status=closed',
    ]) {
      const r = await callJson(path, { as: alice.as });
      expect(r.res.status, path).toBe(200);
    }
    for (const path of ['/api/v1/admin/signals/performance', '/api/v1/admin/signals/model-performance']) {
      expect((await callJson(path, { as: admin.as })).res.status).toBe(200);
      expect((await callJson(path, { as: alice.as })).res.status).toBe(403);
    }
  });
});

describe('public timing, suggestions and recommendations', () => {
  it('asset timing and analysis for guests carry the model record', async () => {
    const t =
      await callJson<
        Env<{
          symbol: string;
          model_view: { models: { track_record: unknown }[] };
          indicators: { rsi_14: number };
        }>
      >('/api/v1/signals/BTC');
    expect(t.res.status).toBe(200);
    expect(t.body.data.symbol).toBe('BTC');
    expect(t.body.data.model_view.models[0]?.track_record).toBeTruthy();
    const a = await callJson('/api/v1/assets/BTC/analysis');
    expect(a.res.status).toBe(200);
    const many = await callJson<Env<{ assets: unknown[] }>>('/api/v1/assets/analysis?asset_ids=BTC,ETH');
    expect(many.body.data.assets.length).toBe(2);
    const missing = await callJson('/api/v1/assets/analysis?asset_ids=NOPE');
    expectError(missing.res, missing.body, 404, 'NOT_FOUND');
    expect((await callJson('/api/v1/signals/current')).res.status).toBe(200);
    expect((await callJson('/api/v1/watchlists/assets')).res.status).toBe(200);
  });

  it('suggestions: per asset with rationale and disclaimer; feedback once per user; personal ones are private', async () => {
    const s =
      await callJson<
        Env<{
          suggestion_id: string;
          action: string;
          rationale: string[];
          disclaimer: string;
          models: unknown[];
        }>
      >('/api/v1/suggestions/BTC');
    expect(s.res.status).toBe(200);
    expect(s.body.data.models.length).toBeGreaterThan(0);
    expect(s.body.data.disclaimer).toMatch(/Not investment advice/);
    const id = s.body.data.suggestion_id;
    const bad = await callJson(`/api/v1/suggestions/${id}/feedback`, {
      method: 'POST',
      as: alice.as,
      body: { rating: 9 },
    });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    const fb = await callJson(`/api/v1/suggestions/${id}/feedback`, {
      method: 'POST',
      as: alice.as,
      body: { rating: 4, feedback_text: 'useful', action_taken: 'held' },
    });
    expect(fb.res.status).toBe(201);
    const twice = await callJson(`/api/v1/suggestions/${id}/feedback`, {
      method: 'POST',
      as: alice.as,
      body: { rating: 4 },
    });
    expectError(twice.res, twice.body, 409, 'INTEGRITY_ERROR');
    const unknown = await callJson('/api/v1/suggestions/sug_nope/feedback', {
      method: 'POST',
      as: alice.as,
      body: { rating: 4 },
    });
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');
    const perf = await callJson<Env<{ user_feedback: { responses: number; mean_rating: number } }>>(
      `/api/v1/ai/models/${modelId}/performance`,
    );
    expect(perf.body.data.user_feedback).toMatchObject({ responses: 1, mean_rating: 4 });
    const guestFb = await callJson(`/api/v1/suggestions/${id}/feedback`, {
      method: 'POST',
      body: { rating: 4 },
    });
    expectError(guestFb.res, guestFb.body, 401, 'AUTHENTICATION_ERROR');

    const mine = await callJson<Env<{ personalized: boolean }>>(`/api/v1/ai/suggestions/${alice.id}`, {
      as: alice.as,
    });
    expect(mine.res.status).toBe(200);
    const theirs = await callJson(`/api/v1/ai/suggestions/${alice.id}`, { as: bob.as });
    expectError(theirs.res, theirs.body, 404, 'NOT_FOUND');
    expect((await callJson(`/api/v1/ai/suggestions/${alice.id}`, { as: admin.as })).res.status).toBe(200);
    expect((await callJson('/api/v1/suggestions/current')).res.status).toBe(200);
    expect(
      (await callJson<Env<{ personalized: boolean }>>('/api/v1/suggestions/personalized')).body.data
        .personalized,
    ).toBe(false);
    expect(
      (await callJson<Env<{ personalized: boolean }>>('/api/v1/suggestions', { as: alice.as })).body.data
        .personalized,
    ).toBe(true);
  });

  it('recommendations are yours alone; implementing one records it; 002 shape', async () => {
    const wl = await callJson<{ data: { id: string } }>('/api/v1/watchlists', {
      method: 'POST',
      as: alice.as,
      body: { name: 'mine', assets: ['BTC'] },
    });
    expect([200, 201]).toContain(wl.res.status);
    const list = await callJson<Env<{ recommendations: { recommendation_id: string; status: string }[] }>>(
      '/api/v1/recommendations',
      { as: alice.as },
    );
    expect(list.res.status).toBe(200);
    const rec = list.body.data.recommendations[0];
    expect(rec).toBeTruthy();
    const id = rec?.recommendation_id ?? '';
    const other = await callJson(`/api/v1/recommendations/${id}`, { as: bob.as });
    expectError(other.res, other.body, 404, 'NOT_FOUND');
    const otherImpl = await callJson(`/api/v1/recommendations/${id}/implement`, {
      method: 'PUT',
      as: bob.as,
      body: {},
    });
    expectError(otherImpl.res, otherImpl.body, 404, 'NOT_FOUND');
    const impl = await callJson<Env<{ status: string }>>(`/api/v1/recommendations/${id}/implement`, {
      method: 'PUT',
      as: alice.as,
      body: { notes: 'done' },
    });
    expect(impl.res.status).toBe(200);
    expect(impl.body.data.status).toBe('implemented');
    const again = await callJson(`/api/v1/recommendations/${id}/implement`, {
      method: 'PUT',
      as: alice.as,
      body: {},
    });
    expectError(again.res, again.body, 409, 'INTEGRITY_ERROR');
    const r002 = await callJson<{
      pairAnalysis: { symbol: string; signal: string }[];
      optimalRiskSettings: { stopLoss: number };
    }>('/api/recommendations/');
    expect(r002.res.status).toBe(200);
    expect(r002.body.optimalRiskSettings).toBeTruthy();
  });
});
