import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

describe('public portfolios, read without signing in', () => {
  beforeAll(async () => {
    await seedMarket(['BTC']);
  });

  it("lets guests read a public portfolio's figures, never a private one, and change nothing", async () => {
    const owner = await signUp();
    const make = async (isPublic: boolean) => {
      const { body } = await callJson<{ data: { id: string } }>('/api/v1/portfolios', {
        method: 'POST',
        as: owner.as,
        body: { name: isPublic ? 'Shared' : 'Mine', is_public: isPublic },
      });
      await callJson(`/api/v1/portfolios/${body.data.id}/trades`, {
        method: 'POST',
        as: owner.as,
        body: {
          trade_type: 'buy',
          asset_type: 'crypto',
          symbol: 'BTC',
          quantity: 0.1,
          price: 40000,
          trade_date: '2023-12-01',
        },
      });
      return body.data.id;
    };
    const shared = await make(true);
    const mine = await make(false);

    const { res, body } = await callJson<{ data: { id: string; is_owner: boolean } }>(
      `/api/v1/portfolios/${shared}`,
    );
    expect(res.status).toBe(200);
    expect(body.data).toMatchObject({ id: shared, is_owner: false });
    for (const tail of [
      '/assets',
      '/analytics',
      '/performance',
      '/trades',
      '/realized-pnl',
      '/trades/export',
    ]) {
      expect((await call(`/api/v1/portfolios/${shared}${tail}`)).status, tail).toBe(200);
      const hidden = await callJson(`/api/v1/portfolios/${mine}${tail}`);
      expectError(hidden.res, hidden.body, 404, 'NOT_FOUND');
    }
    const change = await callJson(`/api/v1/portfolios/${shared}`, { method: 'PUT', body: { name: 'Taken' } });
    expectError(change.res, change.body, 401, 'AUTHENTICATION_ERROR');
    const { body: owners } = await callJson<{ data: { is_owner: boolean } }>(`/api/v1/portfolios/${shared}`, {
      as: owner.as,
    });
    expect(owners.data.is_owner).toBe(true);
  });
});
