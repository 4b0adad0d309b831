import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket, setMarketClock } from '../../helpers/market';
import { trainedModel } from '../../helpers/models';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

interface Bot {
  id: string;
  strategy: string;
  parameters: Record<string, unknown>;
}
interface Backtest {
  status: string;
  inputHash: string | null;
  summary: Record<string, number> | null;
  trades: { timestamp: string; side: string; price: number; reason: string; note: string }[];
  meta: {
    model?: { id: string; artifactHash: string; trainedThrough: string | null; inSampleBars: number | null };
  };
}
type Failure = { error: { message: string; details: Record<string, unknown> } };

let user: TestUser;
let admin: TestUser;
const ml = { name: 'ML', tradingPair: 'BTC/USD', strategy: 'ml_adaptive', mode: 'paper', timeframe: '1d' };
const run = (parameters: Record<string, unknown> = {}) => ({
  botConfig: {
    name: ml.name,
    tradingPair: ml.tradingPair,
    strategy: ml.strategy,
    timeframe: ml.timeframe,
    parameters,
  },
  startDate: '2023-01-01T00:00:00Z',
  endDate: '2023-12-31T23:59:59Z',
  initialBalance: 10_000,
});

beforeAll(async () => {
  await seedMarket(['BTC']);
  await setMarketClock('2024-01-01T06:00:00Z');
  user = await signUp();
  admin = await signUpAdmin();
});

describe('ml_adaptive without a trained model', () => {
  it('answers 422 naming the missing model, for a bot and a backtest, and creates nothing', async () => {
    // A named model that is not in the registry: independent of what other tests registered.
    const named = await callJson<Failure>('/api/bots', {
      method: 'POST',
      as: user.as,
      body: { ...ml, parameters: { modelId: 'mdl_nowhere' } },
    });
    expectError(named.res, named.body, 422, 'UNPROCESSABLE_ENTITY');
    expect(named.body.error.message).toMatch(/mdl_nowhere/);
    expect(named.body.error.details).toMatchObject({
      missing: 'model',
      modelId: 'mdl_nowhere',
      registry: 'ai_models',
    });
    const bt = await callJson<Failure>('/api/backtesting/run', {
      method: 'POST',
      as: user.as,
      body: run({ modelId: 'mdl_nowhere' }),
    });
    expectError(bt.res, bt.body, 422, 'UNPROCESSABLE_ENTITY');
    expect(bt.body.error.message).toMatch(/mdl_nowhere/);
    const { body: bots } = await callJson<Bot[]>('/api/bots', { as: user.as });
    expect(bots).toHaveLength(0);
    const { body: runs } = await callJson<unknown[]>('/api/backtesting/results', { as: user.as });
    expect(runs).toHaveLength(0);
  });
});

describe('ml_adaptive on a registered trained model', () => {
  let modelId: string;
  beforeAll(async () => {
    modelId = await trainedModel(admin);
  });

  it('a bot picks the active model trained on its asset and keeps its id; thresholds are validated', async () => {
    const { res, body: bot } = await callJson<Bot>('/api/bots', { method: 'POST', as: user.as, body: ml });
    expect(res.status).toBe(201);
    // The first active model on BTC (this file's, unless another registered one earlier).
    expect(bot.parameters).toMatchObject({
      modelId: expect.stringMatching(/^mdl_/),
      buyAbove: 0.55,
      sellBelow: 0.45,
    });
    const bad = await callJson('/api/bots', {
      method: 'POST',
      as: user.as,
      body: { ...ml, parameters: { buyAbove: 0.4 } },
    });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    const hourly = await callJson<Failure>('/api/bots', {
      method: 'POST',
      as: user.as,
      body: { ...ml, timeframe: '1h' },
    });
    expectError(hourly.res, hourly.body, 400, 'VALIDATION_ERROR');
    expect(hourly.body.error.message).toMatch(/timeframe/);
    const { body: integrations } = await callJson<{ name: string; status: string }[]>('/api/integrations', {
      as: user.as,
    });
    expect(integrations.find((i) => i.name === 'ml_adaptive')?.status).not.toBe('unavailable');
  });

  it('a started bot decides on the model reading of the last closed bar', async () => {
    const { body: bot } = await callJson<Bot>('/api/bots', {
      method: 'POST',
      as: user.as,
      body: { ...ml, parameters: { modelId } },
    });
    expect(bot.parameters.modelId).toBe(modelId);
    const start = await callJson(`/api/bots/${bot.id}/start`, { method: 'POST', as: user.as });
    expect(start.res.status).toBe(200);
    const { body: st } = await callJson<{ decisions: { action: string; reason: string; barTime: string }[] }>(
      `/api/bots/${bot.id}/status`,
      { as: user.as },
    );
    expect(st.decisions[0]?.reason).toMatch(new RegExp(`model ${modelId} P\\(up\\) 0\\.\\d{3}`));
  });

  it('backtests with the same model: reasons name it, the model version is stated, and a rerun is identical', async () => {
    const first = await callJson<Backtest>('/api/backtesting/run', {
      method: 'POST',
      as: user.as,
      body: run({ modelId, buyAbove: 0.51, sellBelow: 0.49 }),
    });
    expect(first.res.status).toBe(200);
    expect(first.body.status).toBe('completed');
    expect(first.body.meta.model).toMatchObject({ id: modelId, artifactHash: expect.any(String) });
    // The model was trained through the clock: every 2023 bar is in-sample, and the result says so.
    expect(first.body.meta.model?.inSampleBars).toBe(365);
    const buys = first.body.trades.filter((x) => x.side === 'buy');
    expect(buys.length).toBeGreaterThan(0);
    for (const t of buys) expect(t.note).toMatch(/P\(up\) 0\.\d{3} >= 0\.51/);
    const again = await callJson<Backtest>('/api/backtesting/run', {
      method: 'POST',
      as: user.as,
      body: run({ modelId, buyAbove: 0.51, sellBelow: 0.49 }),
    });
    expect(again.body.inputHash).toBe(first.body.inputHash);
    expect(again.body.summary).toEqual(first.body.summary);
    expect(again.body.trades).toEqual(first.body.trades);
  });
});
