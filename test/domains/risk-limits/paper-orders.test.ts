import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

interface Trade {
  id: string;
  side: string;
  amount: number;
}
type Failure = { error: { message: string; details: { limit: string; threshold: number; value: number } } };

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
});

const order = (side: 'buy' | 'sell', symbol: string, amount: number, price: number) => ({
  symbol,
  side,
  amount,
  price,
  mode: 'paper',
});

describe('risk limits on manual paper trades (POST /api/trades without botId)', () => {
  it('refuses a buy above maxPositionSize with 422 naming the limit, records nothing, and never refuses a sell', async () => {
    const user = await signUp();
    // An empty paper account has no equity to take a percentage of: the first order opens it.
    const first = await callJson<Trade>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: order('buy', 'BTC/USD', 0.01, 42_000),
    });
    expect(first.res.status).toBe(201);
    // Now the account is all BTC: another BTC buy would keep it at 100% of equity, above the default 50%.
    const more = await callJson<Failure>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: order('buy', 'BTC/USD', 0.001, 42_000),
    });
    expectError(more.res, more.body, 422, 'UNPROCESSABLE_ENTITY');
    expect(more.body.error.message).toMatch(/maxPositionSize/);
    expect(more.body.error.details).toMatchObject({ limit: 'maxPositionSize', threshold: 50 });
    expect(more.body.error.details.value).toBeGreaterThan(99);
    const { body: trades } = await callJson<Trade[]>('/api/trades?mode=paper', { as: user.as });
    expect(trades).toHaveLength(1);
    const sell = await callJson<Trade>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: order('sell', 'BTC/USD', 0.005, 42_000),
    });
    expect(sell.res.status).toBe(201);
  });

  it('refuses a buy that would take gross exposure above maxLeverage, naming it', async () => {
    const user = await signUp();
    await callJson('/api/trades', {
      method: 'POST',
      as: user.as,
      body: order('buy', 'BTC/USD', 0.01, 42_000),
    });
    const set = await callJson('/api/risk-management/limits', {
      method: 'POST',
      as: user.as,
      body: { maxPositionSize: 100, maxLeverage: 1.5 },
    });
    expect(set.res.status).toBe(200);
    // ETH worth ~80% of the equity (the BTC held): gross exposure ~1.8x, position under 100%.
    const eth = await callJson<Failure>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: order('buy', 'ETH/USD', 0.15, 2_300),
    });
    expectError(eth.res, eth.body, 422, 'UNPROCESSABLE_ENTITY');
    expect(eth.body.error.details.limit).toBe('maxLeverage');
    const { body: trades } = await callJson<Trade[]>('/api/trades?mode=paper', { as: user.as });
    expect(trades).toHaveLength(1);
  });

  it('does not apply to a live trade: a record of an order placed elsewhere', async () => {
    const user = await signUp();
    for (const amount of [0.01, 0.01]) {
      const live = await callJson('/api/trades', {
        method: 'POST',
        as: user.as,
        body: { ...order('buy', 'BTC/USD', amount, 42_000), mode: 'live' },
      });
      expect(live.res.status).toBe(201);
    }
  });
});
