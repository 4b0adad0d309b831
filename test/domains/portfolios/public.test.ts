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

describe("000's removed assets", () => {
  beforeAll(async () => {
    await seedMarket(['BTC']);
  });

  it('come back with their trades when reactivated, unless the asset is held again', async () => {
    const owner = await signUp();
    const { body: pf } = await callJson<{ data: { id: string } }>('/api/v1/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Comeback' },
    });
    const base = `/api/v1/portfolios/${pf.data.id}/assets`;
    const add = () =>
      callJson<{ data: { position_id: string } }>(base, {
        method: 'POST',
        as: owner.as,
        body: { asset_id: 'BTC', quantity: 0.2, entry_price: 40000, entry_date: '2023-12-01' },
      });
    const added = await add();
    expect(added.res.status).toBe(201);
    expect((await call(`${base}/BTC`, { method: 'DELETE', as: owner.as })).status).toBe(200);
    const count = async () =>
      (await callJson<{ data: { assets: unknown[] } }>(base, { as: owner.as })).body.data.assets.length;
    expect(await count()).toBe(0);

    const moved = await callJson(`${base}/BTC`, { method: 'PUT', as: owner.as, body: { quantity: 1 } });
    expectError(moved.res, moved.body, 404, 'NOT_FOUND');
    const back = await callJson<{ data: { quantity: number } }>(`${base}/BTC`, {
      method: 'PUT',
      as: owner.as,
      body: { is_active: true },
    });
    expect(back.res.status).toBe(200);
    expect(back.body.data.quantity).toBe(0.2);
    expect(await count()).toBe(1);

    // Removed again, then bought afresh: the old position cannot come back beside the new one.
    const id = added.body.data.position_id;
    await call(`${base}/${id}`, { method: 'DELETE', as: owner.as });
    expect((await add()).res.status).toBe(201);
    const clash = await callJson(`${base}/${id}`, { method: 'PUT', as: owner.as, body: { is_active: true } });
    expectError(clash.res, clash.body, 409, 'INTEGRITY_ERROR');
    const change = await callJson(`${base}/${id}`, { method: 'PUT', as: owner.as, body: { notes: 'x' } });
    expectError(change.res, change.body, 404, 'NOT_FOUND');
  });
});
