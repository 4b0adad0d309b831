import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { createDcaBot } from '../../helpers/bots';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

interface Integration {
  name: string;
  status: string;
  bots: number;
  runningBots: number;
  startedAt: string | null;
  reason: string | null;
}

beforeAll(async () => {
  await seedMarket(['BTC']);
});

describe('integrations', () => {
  it('lists what bots can use with the real state, and follows bots and starts', async () => {
    const user = await signUp();
    const { res, body } = await callJson<Integration[]>('/api/integrations', { as: user.as });
    expect(res.status).toBe(200);
    expect(body.map((i) => i.name)).toEqual(
      expect.arrayContaining(['momentum', 'dca', 'paper', 'ml_adaptive', 'market_clock']),
    );
    expect(body.find((i) => i.name === 'dca')).toMatchObject({ status: 'inactive', bots: 0 });
    expect(body.find((i) => i.name === 'ml_adaptive')).toMatchObject({ status: 'unavailable' });

    const { body: bot } = await createDcaBot(user);
    await callJson(`/api/bots/${bot.id}/start`, { method: 'POST', as: user.as });
    const { body: dca } = await callJson<Integration>('/api/integrations/dca/status', { as: user.as });
    expect(dca).toMatchObject({ name: 'dca', status: 'active', bots: 1, runningBots: 1 });

    const started = await callJson<Integration>('/api/integrations/grid/start', {
      method: 'POST',
      as: user.as,
    });
    expect(started.res.status).toBe(200);
    expect(started.body).toMatchObject({ name: 'grid', status: 'active', bots: 0 });
    expect(started.body.startedAt).toBeTruthy();
    const again = await callJson<Integration>('/api/integrations/grid/start', {
      method: 'POST',
      as: user.as,
    });
    expect(again.body.startedAt).toBe(started.body.startedAt);

    const ml = await callJson<{ error: { message: string } }>('/api/integrations/ml_adaptive/start', {
      method: 'POST',
      as: user.as,
    });
    expectError(ml.res, ml.body, 422, 'UNPROCESSABLE_ENTITY');
    expect(ml.body.error.message).toMatch(/model/);
    const unknown = await callJson('/api/integrations/freqtrade/status', { as: user.as });
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');
    // Another user's state is their own.
    const other = await signUp();
    const { body: theirs } = await callJson<Integration>('/api/integrations/grid/status', { as: other.as });
    expect(theirs).toMatchObject({ status: 'inactive', startedAt: null });
  });
});
