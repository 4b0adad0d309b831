import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, signUpAdmin } from '../../helpers/users';

type Envelope<T> = { data: T; meta: { pagination?: { total: number } } };
type Asset = {
  id: string;
  symbol: string;
  current_price: number | null;
  price_change_percentage_24h: number | null;
};

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH', 'SPY']);
});

describe('assets (000)', () => {
  it('lists assets with their current price and 24h change, filtered by type', async () => {
    const { res, body } = await callJson<Envelope<{ assets: Asset[] }>>('/api/v1/assets?asset_type=crypto');
    expect(res.status).toBe(200);
    expect(body.data.assets.map((a) => a.symbol).sort()).toEqual(['BTC', 'ETH']);
    const btc = body.data.assets.find((a) => a.symbol === 'BTC');
    // The last close before the market clock's start (2023-12-31).
    expect(btc?.current_price).toBeCloseTo(42265.1875, 6);
    expect(body.meta.pagination?.total).toBe(2);
  });

  it('answers one asset by id or symbol, with external ids and history coverage', async () => {
    for (const key of ['BTC', 'btc', 'ast_btc']) {
      const { body } = await callJson<
        Envelope<{
          symbol: string;
          external_ids: Record<string, string>;
          metrics_details: { history: { timeframe: string; candles: number; first: string }[] };
        }>
      >(`/api/v1/assets/${key}`);
      expect(body.data.symbol).toBe('BTC');
      expect(body.data.external_ids.coingecko).toBe('bitcoin');
      expect(body.data.metrics_details.history).toEqual([
        {
          timeframe: '1d',
          candles: 3393,
          first: '2014-09-17T00:00:00.000Z',
          last: '2023-12-31T00:00:00.000Z',
        },
      ]);
    }
    const { res, body } = await callJson('/api/v1/assets/NOPE');
    expectError(res, body, 404, 'NOT_FOUND');
  });

  it('searches by symbol and name, best match first, and counts access', async () => {
    const { body } = await callJson<Envelope<{ results: (Asset & { match_rank: number })[] }>>(
      '/api/v1/assets/search?q=eth',
    );
    expect(body.data.results[0]).toMatchObject({ symbol: 'ETH', match_rank: 0 });
    await callJson('/api/v1/assets/search?q=bitcoin');
    const detail =
      await callJson<Envelope<{ metrics_details: { access_count: number } }>>('/api/v1/assets/BTC');
    expect(detail.body.data.metrics_details.access_count).toBe(1);
    const bad = await callJson('/api/v1/assets/search?q=');
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });

  it('lets admins create and update assets, audited; 409 on a taken symbol; 403 for users', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const body = {
      symbol: 'ARB',
      name: 'Arbitrum',
      asset_type: 'crypto',
      external_ids: { coingecko: 'arbitrum' },
    };
    const denied = await callJson('/api/v1/admin/assets', { method: 'POST', as: user.as, body });
    expectError(denied.res, denied.body, 403, 'ADMIN_ACCESS_REQUIRED');
    const created = await callJson<Envelope<{ id: string; symbol: string }>>('/api/v1/admin/assets', {
      method: 'POST',
      as: admin.as,
      body,
    });
    expect(created.res.status).toBe(201);
    expect(created.body.data.id).toMatch(/^ast_/);
    const dup = await callJson('/api/v1/admin/assets', { method: 'POST', as: admin.as, body });
    expectError(dup.res, dup.body, 409, 'INTEGRITY_ERROR');
    const updated = await callJson<Envelope<{ name: string; is_active: boolean }>>(
      '/api/v1/admin/assets/ARB',
      {
        method: 'PUT',
        as: admin.as,
        body: { name: 'Arbitrum One', is_active: false },
      },
    );
    expect(updated.body.data).toMatchObject({ name: 'Arbitrum One', is_active: false });
    const list = await callJson<Envelope<{ assets: Asset[] }>>('/api/v1/assets');
    expect(list.body.data.assets.map((a) => a.symbol)).not.toContain('ARB');
  });

  it('is cacheable: an ETag, and 304 when the client has it', async () => {
    const first = await call('/api/v1/assets?asset_type=crypto');
    const etag = first.headers.get('ETag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.headers.get('Cache-Control')).toBe('public, max-age=30');
    const again = await call('/api/v1/assets?asset_type=crypto', {
      headers: { 'If-None-Match': etag ?? '' },
    });
    expect(again.status).toBe(304);
  });
});
