import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, signUpAdmin } from '../../helpers/users';

type Envelope<T> = { data: T };
type Item = {
  symbol: string;
  current_price: number | null;
  price_change_percentage_24h: number | null;
  notes: string | null;
  position_type: string;
  target_price: number | null;
};
type Detail = { id: string; name: string; is_public: boolean; asset_count: number; assets: Item[] };

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH', 'SPY']);
});

describe('watchlists (000/001)', () => {
  it('create with assets, read with prices and changes, update, add, edit, remove, delete', async () => {
    const user = await signUp();
    const created = await callJson<Envelope<Detail>>('/api/v1/watchlists', {
      method: 'POST',
      as: user.as,
      body: { name: 'Majors', assets: ['BTC', 'eth'] },
    });
    expect(created.res.status).toBe(201);
    const id = created.body.data.id;
    expect(id).toMatch(/^wl_/);
    expect(created.body.data.assets.map((a) => a.symbol)).toEqual(['BTC', 'ETH']);
    // BTC's 2023-12-31 close, against 2023-12-30's: the last day the clock (2024-01-01) has seen close.
    expect(created.body.data.assets[0]?.current_price).toBe(42265.1875);
    expect(created.body.data.assets[0]?.price_change_percentage_24h).toBeCloseTo(
      (42265.1875 / 42156.90234375 - 1) * 100,
      9,
    );
    const added = await callJson<Envelope<Detail>>(`/api/v1/watchlists/${id}/assets`, {
      method: 'POST',
      as: user.as,
      body: { symbol: 'SPY', notes: 'hedge', position_type: 'short', sort_order: 5, target_price: 500 },
    });
    expect(added.body.data.asset_count).toBe(3);
    const dup = await callJson(`/api/v1/watchlists/${id}/assets`, {
      method: 'POST',
      as: user.as,
      body: { symbol: 'SPY' },
    });
    expectError(dup.res, dup.body, 409, 'INTEGRITY_ERROR');
    const edited = await callJson<Envelope<Detail>>(`/api/v1/watchlists/${id}/assets/SPY`, {
      method: 'PUT',
      as: user.as,
      body: { notes: 'long-term hedge' },
    });
    expect(edited.body.data.assets.find((a) => a.symbol === 'SPY')).toMatchObject({
      notes: 'long-term hedge',
      position_type: 'short',
      target_price: 500,
    });
    const renamed = await callJson<Envelope<Detail>>(`/api/v1/watchlists/${id}`, {
      method: 'PUT',
      as: user.as,
      body: { name: 'Core', is_public: true },
    });
    expect(renamed.body.data).toMatchObject({ name: 'Core', is_public: true });
    const assets = await callJson<Envelope<{ assets: Item[] }>>(`/api/v1/watchlists/${id}/assets`, {
      as: user.as,
    });
    expect(assets.body.data.assets).toHaveLength(3);
    const removed = await callJson<Envelope<Detail>>(`/api/v1/watchlists/${id}/assets/ETH`, {
      method: 'DELETE',
      as: user.as,
    });
    expect(removed.body.data.assets.map((a) => a.symbol)).toEqual(['BTC', 'SPY']);
    const list = await callJson<Envelope<{ watchlists: { id: string; asset_count: number }[] }>>(
      '/api/v1/watchlists',
      { as: user.as },
    );
    expect(list.body.data.watchlists).toEqual([expect.objectContaining({ id, asset_count: 2 })]);
    expect((await callJson(`/api/v1/watchlists/${id}`, { method: 'DELETE', as: user.as })).res.status).toBe(
      200,
    );
    const gone = await callJson(`/api/v1/watchlists/${id}`, { as: user.as });
    expectError(gone.res, gone.body, 404, 'NOT_FOUND');
  });

  it('keep private lists private: others get 404 reading or changing them; public ones are readable, not writable', async () => {
    const owner = await signUp();
    const other = await signUp();
    const priv = await callJson<Envelope<Detail>>('/api/v1/watchlists', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Secret' },
    });
    const pub = await callJson<Envelope<Detail>>('/api/v1/watchlists', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Shared', is_public: true, assets: ['BTC'] },
    });
    for (const [method, path, body] of [
      ['GET', `/api/v1/watchlists/${priv.body.data.id}`, undefined],
      ['PUT', `/api/v1/watchlists/${priv.body.data.id}`, { name: 'x' }],
      ['DELETE', `/api/v1/watchlists/${priv.body.data.id}`, undefined],
      ['POST', `/api/v1/watchlists/${priv.body.data.id}/assets`, { symbol: 'BTC' }],
      ['PUT', `/api/v1/watchlists/${pub.body.data.id}`, { name: 'mine now' }],
      ['DELETE', `/api/v1/watchlists/${pub.body.data.id}/assets/BTC`, undefined],
    ] as const) {
      const { res, body: err } = await callJson(path, { method, as: other.as, ...(body ? { body } : {}) });
      expectError(res, err, 404, 'NOT_FOUND');
    }
    const read = await callJson<Envelope<Detail>>(`/api/v1/watchlists/${pub.body.data.id}`, { as: other.as });
    expect(read.body.data.assets.map((a) => a.symbol)).toEqual(['BTC']);
    const guest = await callJson(`/api/v1/watchlists/${priv.body.data.id}`);
    expectError(guest.res, guest.body, 404, 'NOT_FOUND');
  });

  it('rejects unknown assets and bad input', async () => {
    const user = await signUp();
    const unknown = await callJson('/api/v1/watchlists', {
      method: 'POST',
      as: user.as,
      body: { name: 'x', assets: ['NOPE'] },
    });
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');
    const bad = await callJson('/api/v1/watchlists', { method: 'POST', as: user.as, body: { name: '' } });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });
});

describe('the default watchlist (001)', () => {
  it('is curated by admins with a reason and a history, seen by guests, and must hold 15 assets', async () => {
    const admin = await signUpAdmin();
    const symbols = ['BTC', 'ETH', 'SPY'];
    // Fifteen distinct assets: the three seeded plus twelve the admin adds first.
    for (let i = 0; i < 12; i++) {
      await callJson('/api/v1/admin/assets', {
        method: 'POST',
        as: admin.as,
        body: { symbol: `TST${i}`, name: `Test ${i}`, asset_type: 'crypto' },
      });
      symbols.push(`TST${i}`);
    }
    const short = await callJson('/api/v1/admin/watchlists/default', {
      method: 'PUT',
      as: admin.as,
      body: { assets: symbols.slice(0, 14), update_reason: 'too few' },
    });
    expectError(short.res, short.body, 400, 'VALIDATION_ERROR');
    const set = await callJson<Envelope<Detail & { history: { update_reason: string }[] }>>(
      '/api/v1/admin/watchlists/default',
      {
        method: 'PUT',
        as: admin.as,
        body: { assets: symbols, update_reason: 'Quarterly review' },
      },
    );
    expect(set.res.status).toBe(200);
    expect(set.body.data.history[0]?.update_reason).toBe('Quarterly review');
    const guest = await callJson<Envelope<Detail>>('/api/v1/watchlists/default');
    expect(guest.body.data.assets.map((a) => a.symbol)).toEqual(symbols);
    const audit = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'default_watchlist_update'",
    ).first();
    expect(audit).toEqual({ n: 1 });
    const user = await signUp();
    const denied = await callJson('/api/v1/admin/watchlists/default', {
      method: 'PUT',
      as: user.as,
      body: { assets: symbols, update_reason: 'hijack' },
    });
    expectError(denied.res, denied.body, 403, 'ADMIN_ACCESS_REQUIRED');
  });

  it('reports usage analytics to admins', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    await callJson('/api/v1/watchlists', {
      method: 'POST',
      as: user.as,
      body: { name: 'A', assets: ['BTC', 'ETH'] },
    });
    const { body } = await callJson<
      Envelope<{ total_watchlists: number; most_watched_assets: { symbol: string }[] }>
    >('/api/v1/admin/watchlists/analytics', {
      as: admin.as,
    });
    expect(body.data.total_watchlists).toBeGreaterThanOrEqual(1);
    expect(body.data.most_watched_assets.map((a) => a.symbol)).toContain('BTC');
  });
});

describe('watchlist signals and analysis (000)', () => {
  it('give each asset a signal with reasons, and the basket its correlation and diversification', async () => {
    const user = await signUp();
    const w = await callJson<Envelope<Detail>>('/api/v1/watchlists', {
      method: 'POST',
      as: user.as,
      body: { name: 'Mix', assets: ['BTC', 'ETH', 'SPY'] },
    });
    const signals = await callJson<
      Envelope<{
        signals: {
          symbol: string;
          signal: string;
          reasons: string[];
          indicators: Record<string, number | null>;
        }[];
      }>
    >(`/api/v1/watchlists/${w.body.data.id}/signals`, { as: user.as });
    expect(signals.body.data.signals.map((s) => s.symbol)).toEqual(['BTC', 'ETH', 'SPY']);
    for (const s of signals.body.data.signals) {
      expect(['bullish', 'bearish', 'neutral']).toContain(s.signal);
      expect(s.reasons.length).toBeGreaterThan(0);
      expect(s.indicators.rsi_14).toBeGreaterThan(0);
    }
    const analysis = await callJson<
      Envelope<{
        correlation: { matrix: number[][] };
        observations: number;
        equal_weight_basket: { diversification_ratio: number };
        model: string;
      }>
    >(`/api/v1/watchlists/${w.body.data.id}/ai-analysis`, { as: user.as });
    const m = analysis.body.data.correlation.matrix;
    expect(m).toHaveLength(3);
    expect(m[0]?.[0]).toBeCloseTo(1, 9);
    expect(m[0]?.[1]).toBe(m[1]?.[0]);
    // BTC and ETH move together far more than BTC and SPY.
    expect(m[0]?.[1] ?? 0).toBeGreaterThan(m[0]?.[2] ?? 1);
    // 90 calendar days of the dates all three trade on: SPY's exchange days (BTC and ETH trade
    // daily), counted from SPY's own candles.
    const spy = await callJson<Envelope<{ candles: { timestamp: string }[] }>>(
      '/api/v1/assets/SPY/price-history?limit=120',
    );
    const spyDays = spy.body.data.candles.map((c) => Date.parse(c.timestamp));
    const lastDay = spyDays.at(-1) ?? 0;
    expect(analysis.body.data.observations).toBe(spyDays.filter((t) => t > lastDay - 90 * 86_400_000).length);
    expect(analysis.body.data.equal_weight_basket.diversification_ratio).toBeGreaterThan(1);
    expect(analysis.body.data.model).toMatch(/no machine learning/);
    const other = await signUp();
    const foreign = await callJson(`/api/v1/watchlists/${w.body.data.id}/signals`, { as: other.as });
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
  });
});
