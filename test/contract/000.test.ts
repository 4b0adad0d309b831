import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import seed000 from '../../../shared/seeds/000_2944553c5568feb1.txt?raw';
import { refreshSnapshots } from '../../src/domains/macro/service';
import { createNotification } from '../../src/domains/notifications/service';
import { scheduledSignals } from '../../src/domains/signals/generate';
import { seedMacroIntel } from '../helpers/macro';
import { seedMarket, setMarketClock } from '../helpers/market';
import { insertTestSignal, runQueuedJobs } from '../helpers/models';
import { freshIp, signIn, signUp, signUpAdmin, type TestUser } from '../helpers/users';
import {
  contractClient,
  expectDocumentedError,
  expectEnvelope,
  expectShape,
  expectValidationError,
  IsoTime,
  seedOperations,
} from './helpers';

// Seed 000's contract: every endpoint it documents that /openapi.json serves, called with the
// fields and query parameters the seed names, answered in 001's envelope (DESIGN.md: 000/001
// paths share it) with the fields the seed names and the documented errors.

const api = contractClient();
const DOCUMENTED = seedOperations(seed000, '/api/v1');
const Any = z.looseObject({});
const Named = z.looseObject({ id: z.string() });
const LAST_SEEDED_DAY = '2023-12-31';

let admin: TestUser;
let user: TestUser;
let other: TestUser;
let contractModelId = '';

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  [admin, user, other] = [await signUpAdmin(), await signUp(), await signUp()];
}, 120_000); // loading real history is slow on a shared machine

describe('000 authentication and users', () => {
  it('register, login, refresh, logout answer AuthResponse with the user and tokens', async () => {
    const headers = { 'CF-Connecting-IP': freshIp() };
    const email = `c000-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const reg = await api.call('POST', '/api/v1/auth/register', {
      body: { email, password: 'correct-horse-42', first_name: 'Ada', last_name: 'Lovelace' },
      headers,
    });
    expect(reg.res.status).toBe(201);
    const Auth = z.looseObject({
      access_token: z.string(),
      refresh_token: z.string(),
      token_type: z.string(),
      user: z.looseObject({ email: z.string() }),
    });
    expect(expectShape(Auth, reg.body).user.email).toBe(email);
    const login = await api.call('POST', '/api/v1/auth/login', {
      body: { email, password: 'correct-horse-42' },
      headers,
    });
    const tokens = expectShape(Auth, login.body);
    const refreshed = await api.call('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: tokens.refresh_token },
      headers,
    });
    const fresh = expectShape(
      z.looseObject({ access_token: z.string(), refresh_token: z.string() }),
      refreshed.body,
    );
    const out = await api.call('POST', '/api/v1/auth/logout', {
      as: { token: fresh.access_token },
      body: { refresh_token: fresh.refresh_token },
      headers,
    });
    expect(out.res.status).toBe(200);
    const after = await api.call('GET', '/api/v1/users/me', { as: { token: fresh.access_token } });
    expect(after.res.status).toBe(401);
  });

  it('GET/PUT /users/me (first_name, last_name, preferences, timezone, language) and change-password', async () => {
    const me = await signUp();
    const change = {
      first_name: 'Ada',
      last_name: 'King',
      preferences: { theme: 'light' },
      timezone: 'UTC',
      language: 'en',
    };
    const put = await api.call('PUT', '/api/v1/users/me', { as: me.as, body: change });
    expect(expectEnvelope(put, 200, Any)).toMatchObject(change);
    const got = expectEnvelope(await api.call('GET', '/api/v1/users/me', { as: me.as }), 200, Any);
    expect(got).toMatchObject({ ...change, email: me.email });
    const bad = await api.call('PUT', '/api/v1/users/me', { as: me.as, body: { language: 7 } });
    expectValidationError(bad, { status: 400, field: 'language' });
    const pw = await api.call('POST', '/api/v1/users/change-password', {
      as: me.as,
      body: { current_password: me.password, new_password: 'another-horse-43' },
    });
    expectEnvelope(pw, 200, Any);
    await signIn({ email: me.email, password: 'another-horse-43' });
    const wrong = await api.call('POST', '/api/v1/users/change-password', {
      as: (await signIn({ email: me.email, password: 'another-horse-43' })).as,
      body: { current_password: 'not-it-at-all', new_password: 'third-horse-44' },
    });
    expect(wrong.res.status).toBeGreaterThanOrEqual(400);
    expect(wrong.res.status).toBeLessThan(500);
  });

  it('admin users: list by role and status, detail, PUT (role, is_active, subscription_plan, notes), verify; 403 to users', async () => {
    const list = await api.call('GET', '/api/v1/admin/users', {
      as: admin.as,
      query: { role: 'user', status: 'active' },
    });
    const users = expectEnvelope(list, 200, z.object({ users: z.array(Named) }), { paginated: true });
    expect(users.users.map((u) => u.id)).toContain(user.id);
    const detail = await api.call('GET', '/api/v1/admin/users/{user_id}', {
      as: admin.as,
      params: { user_id: user.id },
    });
    expect(expectEnvelope(detail, 200, Any)).toMatchObject({ user: { id: user.id } });
    const put = await api.call('PUT', '/api/v1/admin/users/{user_id}', {
      as: admin.as,
      params: { user_id: other.id },
      body: { role: 'user', is_active: true, subscription_plan: 'pro', notes: 'contract' },
    });
    expect(expectEnvelope(put, 200, Any)).toMatchObject({ role: 'user', is_active: true });
    const verify = await api.call('POST', '/api/v1/admin/users/{user_id}/verify', {
      as: admin.as,
      params: { user_id: other.id },
    });
    expect(expectEnvelope(verify, 200, Any)).toMatchObject({ is_verified: true });
    const denied = await api.call('GET', '/api/v1/admin/users/{user_id}', {
      as: user.as,
      params: { user_id: other.id },
    });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
    const missing = await api.call('GET', '/api/v1/admin/users/{user_id}', {
      as: admin.as,
      params: { user_id: 'usr_nope' },
    });
    expectDocumentedError(missing, 404, 'NOT_FOUND');
  });
});

describe('000 assets and price data', () => {
  const Asset = z.looseObject({
    id: z.string(),
    symbol: z.string(),
    current_price: z.number().nullable(),
    market_cap: z.number().nullable(),
    price_change_percentage_24h: z.number().nullable(),
  });

  it('GET /assets (asset_type, search, limit, offset), detail with external_ids, links, metrics_details, search', async () => {
    const list = await api.call('GET', '/api/v1/assets', {
      query: { asset_type: 'crypto', search: 'bit', limit: 10, offset: 0 },
    });
    const data = expectEnvelope(list, 200, z.looseObject({ assets: z.array(Asset) }), { paginated: true });
    expect(data.assets.map((a) => a.symbol)).toEqual(['BTC']);
    const detail = await api.call('GET', '/api/v1/assets/{asset_id}', { params: { asset_id: 'BTC' } });
    const btc = expectEnvelope(
      detail,
      200,
      Asset.extend({
        external_ids: z.record(z.string(), z.unknown()),
        links: z.unknown(),
        metrics_details: Any,
      }),
    );
    const close = await env.DB.prepare(
      "SELECT close FROM price_data WHERE asset_id = ? AND timeframe = '1d' ORDER BY open_time DESC LIMIT 1",
    )
      .bind(btc.id)
      .first<{ close: number }>();
    expect(btc.current_price).toBe(close?.close);
    const search = await api.call('GET', '/api/v1/assets/search', { query: { q: 'ETH' } });
    expect(JSON.stringify(expectEnvelope(search, 200, Any))).toContain('"ETH"');
    const none = await api.call('GET', '/api/v1/assets/{asset_id}', { params: { asset_id: 'NOPE' } });
    expectDocumentedError(none, 404, 'NOT_FOUND');
  });

  it('statistics and price-history (timeframe, start_date, end_date, limit)', async () => {
    const stats = await api.call('GET', '/api/v1/assets/{asset_id}/statistics', {
      params: { asset_id: 'BTC' },
    });
    expectEnvelope(stats, 200, Any);
    const history = await api.call('GET', '/api/v1/assets/{asset_id}/price-history', {
      params: { asset_id: 'BTC' },
      query: { timeframe: '1d', start_date: '2023-12-01', end_date: LAST_SEEDED_DAY, limit: 5 },
    });
    const text = JSON.stringify(expectEnvelope(history, 200, Any));
    const dates = [...text.matchAll(/"(\d{4}-\d{2}-\d{2})T/g)].map((m) => m[1] ?? '');
    expect(dates.length).toBeGreaterThan(0);
    for (const d of dates) expect(d >= '2023-12-01' && d <= LAST_SEEDED_DAY).toBe(true);
    const bad = await api.call('GET', '/api/v1/assets/{asset_id}/price-history', {
      params: { asset_id: 'BTC' },
      query: { timeframe: '7x' },
    });
    expectValidationError(bad, { status: 400, field: 'timeframe' });
  });

  it('GET /price-data/{asset_id} (timeframe, limit, start_date, end_date) with technical_indicators; indicators, levels, quality', async () => {
    const r = await api.call('GET', '/api/v1/price-data/{asset_id}', {
      params: { asset_id: 'BTC' },
      query: { timeframe: '1d', limit: 3, start_date: '2023-12-01', end_date: LAST_SEEDED_DAY },
    });
    const text = JSON.stringify(expectEnvelope(r, 200, Any));
    expect(text).toContain('technical_indicators');
    const ind = await api.call('GET', '/api/v1/price-data/{asset_id}/technical-indicators', {
      params: { asset_id: 'BTC' },
      query: { timeframe: '1d', end_date: LAST_SEEDED_DAY },
    });
    const indicators = JSON.stringify(expectEnvelope(ind, 200, Any)).toLowerCase();
    for (const name of ['rsi', 'macd', 'sma', 'ema', 'bollinger']) expect(indicators).toContain(name);
    const sr = await api.call('GET', '/api/v1/price-data/{asset_id}/support-resistance', {
      params: { asset_id: 'BTC' },
    });
    const levels = JSON.stringify(expectEnvelope(sr, 200, Any));
    expect(levels).toMatch(/support/);
    expect(levels).toMatch(/resistance/);
    const quality = await api.call('GET', '/api/v1/price-data/quality-report', {
      query: { asset_id: 'BTC' },
    });
    expectEnvelope(quality, 200, Any);
  });

  it('admin assets and price-data operations: POST/PUT assets, fetch, cleanup; 403 to users', async () => {
    const created = await api.call('POST', '/api/v1/admin/assets', {
      as: admin.as,
      body: { symbol: 'CTRA', name: 'Contract A', asset_type: 'crypto' },
    });
    const a = expectEnvelope(created, 201, Named);
    const put = await api.call('PUT', '/api/v1/admin/assets/{asset_id}', {
      as: admin.as,
      params: { asset_id: a.id },
      body: { name: 'Contract A2' },
    });
    expect(expectEnvelope(put, 200, Any)).toMatchObject({ name: 'Contract A2' });
    const denied = await api.call('POST', '/api/v1/admin/assets', {
      as: user.as,
      body: { symbol: 'CTRB', name: 'B', asset_type: 'crypto' },
    });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
    const fetch = await api.call('POST', '/api/v1/admin/price-data/fetch', {
      as: admin.as,
      body: { assets: ['BTC'], start_date: '2023-12-01', end_date: LAST_SEEDED_DAY },
    });
    expect([200, 201, 202]).toContain(fetch.res.status);
    expectEnvelope(fetch, fetch.res.status, Any);
    const cleanup = await api.call('POST', '/api/v1/admin/price-data/cleanup', { as: admin.as });
    expect([200, 201, 202]).toContain(cleanup.res.status);
    expectEnvelope(cleanup, cleanup.res.status, Any);
  });
});

describe('000 portfolios', () => {
  it('CRUD, assets (quantity, entry_price, notes, allocation_target), analytics, performance; 404 to others', async () => {
    const created = await api.call('POST', '/api/v1/portfolios', {
      as: user.as,
      body: { name: 'Core', description: 'Long term', base_currency: 'USD', is_public: false },
    });
    const pf = expectEnvelope(
      created,
      201,
      Named.extend({ base_currency: z.string(), is_public: z.boolean() }),
    );
    const list = await api.call('GET', '/api/v1/portfolios', { as: user.as });
    expect(
      expectEnvelope(list, 200, z.object({ portfolios: z.array(Named) })).portfolios.map((p) => p.id),
    ).toContain(pf.id);
    const added = await api.call('POST', '/api/v1/portfolios/{portfolio_id}/assets', {
      as: user.as,
      params: { portfolio_id: pf.id },
      body: {
        asset_id: 'BTC',
        quantity: 0.5,
        entry_price: 30000,
        entry_date: '2023-06-01',
        notes: 'core',
        allocation_target: 60,
      },
    });
    expect(added.res.status).toBe(201);
    expectEnvelope(added, 201, Any);
    const PortfolioAsset = z.looseObject({
      symbol: z.string(),
      quantity: z.number(),
      entry_price: z.number(),
      notes: z.string().nullable(),
      allocation_target: z.number().nullable(),
    });
    const assets = await api.call('GET', '/api/v1/portfolios/{portfolio_id}/assets', {
      as: user.as,
      params: { portfolio_id: pf.id },
    });
    const held = expectEnvelope(assets, 200, z.looseObject({ assets: z.array(PortfolioAsset) })).assets;
    expect(held[0]).toMatchObject({
      symbol: 'BTC',
      quantity: 0.5,
      entry_price: 30000,
      notes: 'core',
      allocation_target: 60,
    });
    const put = await api.call('PUT', '/api/v1/portfolios/{portfolio_id}/assets/{asset_id}', {
      as: user.as,
      params: { portfolio_id: pf.id, asset_id: 'BTC' },
      body: { notes: 'trimmed', allocation_target: 50, quantity: 0.4, entry_price: 30000 },
    });
    expectEnvelope(put, 200, Any);
    const after = expectEnvelope(
      await api.call('GET', '/api/v1/portfolios/{portfolio_id}/assets', {
        as: user.as,
        params: { portfolio_id: pf.id },
      }),
      200,
      z.looseObject({ assets: z.array(PortfolioAsset) }),
    ).assets;
    expect(after[0]).toMatchObject({ quantity: 0.4, notes: 'trimmed', allocation_target: 50 });
    const detail = await api.call('GET', '/api/v1/portfolios/{portfolio_id}', {
      as: user.as,
      params: { portfolio_id: pf.id },
    });
    expectEnvelope(detail, 200, Named);
    const analytics = await api.call('GET', '/api/v1/portfolios/{portfolio_id}/analytics', {
      as: user.as,
      params: { portfolio_id: pf.id },
    });
    expectEnvelope(analytics, 200, Any);
    const performance = await api.call('GET', '/api/v1/portfolios/{portfolio_id}/performance', {
      as: user.as,
      params: { portfolio_id: pf.id },
    });
    expectEnvelope(performance, 200, Any);
    const pub = await api.call('PUT', '/api/v1/portfolios/{portfolio_id}', {
      as: user.as,
      params: { portfolio_id: pf.id },
      body: { is_public: true, is_active: true },
    });
    expect(expectEnvelope(pub, 200, Any)).toMatchObject({ is_public: true });
    // Public portfolios are readable by anyone; a private one answers others 404 everywhere.
    const priv = await api.call('PUT', '/api/v1/portfolios/{portfolio_id}', {
      as: user.as,
      params: { portfolio_id: pf.id },
      body: { is_public: false },
    });
    expect(expectEnvelope(priv, 200, Any)).toMatchObject({ is_public: false });
    for (const [method, template, body] of [
      ['PUT', '/api/v1/portfolios/{portfolio_id}', { is_public: false }],
      ['DELETE', '/api/v1/portfolios/{portfolio_id}', undefined],
      ['POST', '/api/v1/portfolios/{portfolio_id}/assets', { asset_id: 'ETH', quantity: 1 }],
      ['PUT', '/api/v1/portfolios/{portfolio_id}/assets/{asset_id}', { notes: 'x' }],
      ['DELETE', '/api/v1/portfolios/{portfolio_id}/assets/{asset_id}', undefined],
      ['GET', '/api/v1/portfolios/{portfolio_id}/analytics', undefined],
    ] as const) {
      const r = await api.call(method, template, {
        as: other.as,
        params: { portfolio_id: pf.id, asset_id: 'BTC' },
        body,
      });
      expectDocumentedError(r, 404, 'NOT_FOUND');
    }
    const bad = await api.call('POST', '/api/v1/portfolios/{portfolio_id}/assets', {
      as: user.as,
      params: { portfolio_id: pf.id },
      body: { asset_id: 'BTC', quantity: -1 },
    });
    expectValidationError(bad, { status: 400, field: 'quantity' });
    const removed = await api.call('DELETE', '/api/v1/portfolios/{portfolio_id}/assets/{asset_id}', {
      as: user.as,
      params: { portfolio_id: pf.id, asset_id: 'BTC' },
    });
    expectEnvelope(removed, 200, Any);
    const deleted = await api.call('DELETE', '/api/v1/portfolios/{portfolio_id}', {
      as: user.as,
      params: { portfolio_id: pf.id },
    });
    expectEnvelope(deleted, 200, z.looseObject({ deleted: z.literal(true) }));
  });
});

describe('000 watchlists', () => {
  it('detail, assets with prices, PUT asset (position_type, notes, sort_order), ai-analysis, signals', async () => {
    const created = await api.call('POST', '/api/v1/watchlists', {
      as: user.as,
      body: { name: 'Watch', assets: ['BTC', 'ETH'] },
    });
    const w = expectEnvelope(created, 201, Named);
    const detail = await api.call('GET', '/api/v1/watchlists/{watchlist_id}', {
      as: user.as,
      params: { watchlist_id: w.id },
    });
    expectEnvelope(detail, 200, Named);
    const items = await api.call('GET', '/api/v1/watchlists/{watchlist_id}/assets', {
      as: user.as,
      params: { watchlist_id: w.id },
    });
    const assets = expectEnvelope(
      items,
      200,
      z.object({
        assets: z.array(z.looseObject({ symbol: z.string(), current_price: z.number().nullable() })),
      }),
    ).assets;
    expect(assets.map((a) => a.symbol)).toEqual(['BTC', 'ETH']);
    const put = await api.call('PUT', '/api/v1/watchlists/{watchlist_id}/assets/{asset_id}', {
      as: user.as,
      params: { watchlist_id: w.id, asset_id: 'ETH' },
      body: { position_type: 'long', notes: 'merge', sort_order: 0 },
    });
    const eth = expectEnvelope(put, 200, z.looseObject({ assets: z.array(Any) })).assets.find(
      (a) => a.symbol === 'ETH',
    );
    expect(eth).toMatchObject({ position_type: 'long', notes: 'merge', sort_order: 0 });
    const analysis = await api.call('GET', '/api/v1/watchlists/{watchlist_id}/ai-analysis', {
      as: user.as,
      params: { watchlist_id: w.id },
    });
    expectEnvelope(analysis, 200, Any);
    const signals = await api.call('GET', '/api/v1/watchlists/{watchlist_id}/signals', {
      as: user.as,
      params: { watchlist_id: w.id },
    });
    const s = expectEnvelope(
      signals,
      200,
      z.object({ signals: z.array(z.looseObject({ symbol: z.string() })) }).loose(),
    );
    expect(s.signals.map((x) => x.symbol).sort()).toEqual(['BTC', 'ETH']);
    const mine = await api.call('GET', '/api/v1/watchlists', { as: user.as });
    expect(
      expectEnvelope(mine, 200, z.object({ watchlists: z.array(Named) })).watchlists.map((x) => x.id),
    ).toContain(w.id);
    const renamed = await api.call('PUT', '/api/v1/watchlists/{watchlist_id}', {
      as: user.as,
      params: { watchlist_id: w.id },
      body: { name: 'Renamed', description: 'desc', is_public: false },
    });
    expect(expectEnvelope(renamed, 200, Any)).toMatchObject({ name: 'Renamed', description: 'desc' });
    const added = await api.call('POST', '/api/v1/watchlists/{watchlist_id}/assets', {
      as: user.as,
      params: { watchlist_id: w.id },
      body: { asset_id: 'BTC', notes: 'again' },
    });
    expectDocumentedError(added, 409, 'INTEGRITY_ERROR');
    const removed = await api.call('DELETE', '/api/v1/watchlists/{watchlist_id}/assets/{asset_id}', {
      as: user.as,
      params: { watchlist_id: w.id, asset_id: 'BTC' },
    });
    expect(
      expectEnvelope(removed, 200, z.looseObject({ assets: z.array(Any) })).assets.map((a) => a.symbol),
    ).toEqual(['ETH']);
    const theirs = await api.call('GET', '/api/v1/watchlists/{watchlist_id}/assets', {
      as: other.as,
      params: { watchlist_id: w.id },
    });
    expectDocumentedError(theirs, 404, 'NOT_FOUND');
    const bad = await api.call('PUT', '/api/v1/watchlists/{watchlist_id}/assets/{asset_id}', {
      as: user.as,
      params: { watchlist_id: w.id, asset_id: 'ETH' },
      body: { position_type: 'sideways' },
    });
    expectValidationError(bad, { status: 400, field: 'position_type' });
    const deleted = await api.call('DELETE', '/api/v1/watchlists/{watchlist_id}', {
      as: user.as,
      params: { watchlist_id: w.id },
    });
    expectEnvelope(deleted, 200, z.looseObject({ deleted: z.literal(true) }));
    const gone = await api.call('GET', '/api/v1/watchlists/{watchlist_id}', {
      as: user.as,
      params: { watchlist_id: w.id },
    });
    expectDocumentedError(gone, 404, 'NOT_FOUND');
  });
});

describe('000 alerts', () => {
  const Alert = z.looseObject({
    id: z.string(),
    condition: z.string(),
    trigger_value: z.number().nullable(),
    message: z.string().nullable(),
    is_active: z.boolean(),
    is_triggered: z.boolean(),
    current_price: z.number().nullable(),
  });

  it('create and update take trigger_value, condition and message; list, detail, triggered, history, delete', async () => {
    const created = await api.call('POST', '/api/v1/alerts', {
      as: user.as,
      body: { asset_id: 'BTC', condition: 'above', trigger_value: 1_000_000, message: 'Moon' },
    });
    const a = expectEnvelope(created, 201, Alert);
    expect(a).toMatchObject({
      condition: 'above',
      trigger_value: 1_000_000,
      message: 'Moon',
      alert_type: 'price_above',
    });
    const put = await api.call('PUT', '/api/v1/alerts/{alert_id}', {
      as: user.as,
      params: { alert_id: a.id },
      body: { trigger_value: 10, condition: 'below', message: 'Crash' },
    });
    expect(expectEnvelope(put, 200, Alert)).toMatchObject({
      condition: 'below',
      trigger_value: 10,
      message: 'Crash',
      alert_type: 'price_below',
      params: { threshold: 10 },
    });
    const list = await api.call('GET', '/api/v1/alerts', { as: user.as });
    expect(
      expectEnvelope(list, 200, z.object({ alerts: z.array(Alert) }), { paginated: true }).alerts.map(
        (x) => x.id,
      ),
    ).toContain(a.id);
    const detail = await api.call('GET', '/api/v1/alerts/{alert_id}', {
      as: user.as,
      params: { alert_id: a.id },
    });
    expectEnvelope(detail, 200, Alert);
    const triggered = await api.call('GET', '/api/v1/alerts/triggered', { as: user.as });
    expectEnvelope(triggered, 200, z.object({ triggered: z.array(Any) }), { paginated: true });
    const history = await api.call('GET', '/api/v1/alerts/{alert_id}/history', {
      as: user.as,
      params: { alert_id: a.id },
    });
    expectEnvelope(history, 200, z.object({ alert: Alert, triggers: z.array(Any) }));
    const contradiction = await api.call('POST', '/api/v1/alerts', {
      as: user.as,
      body: { asset_id: 'BTC', condition: 'above', alert_type: 'price_below', trigger_value: 5 },
    });
    expectValidationError(contradiction, { status: 400, field: 'condition' });
    const noType = await api.call('POST', '/api/v1/alerts', {
      as: user.as,
      body: { asset_id: 'BTC', trigger_value: 5 },
    });
    expectValidationError(noType, { status: 400, field: 'alert_type' });
    const unknownKey = await api.call('PUT', '/api/v1/alerts/{alert_id}', {
      as: user.as,
      params: { alert_id: a.id },
      body: { trigger_price: 5 },
    });
    expectValidationError(unknownKey, { status: 400, field: 'body' });
    const theirs = await api.call('DELETE', '/api/v1/alerts/{alert_id}', {
      as: other.as,
      params: { alert_id: a.id },
    });
    expectDocumentedError(theirs, 404, 'NOT_FOUND');
    const del = await api.call('DELETE', '/api/v1/alerts/{alert_id}', {
      as: user.as,
      params: { alert_id: a.id },
    });
    expectEnvelope(del, 200, z.looseObject({ deleted: z.literal(true) }));
  });
});

describe('000 notifications, sessions, security, feedback', () => {
  it('notifications: list (status, notification_type, priority) with unread count, detail, read, mark-all-read, dismiss', async () => {
    const alert = await createNotification(env, {
      userId: user.id,
      type: 'alert',
      priority: 'high',
      title: 'A',
      message: 'a',
    });
    const system = await createNotification(env, {
      userId: user.id,
      type: 'system',
      title: 'S',
      message: 's',
    });
    if (!alert || !system) throw new Error('notifications not created');
    const List = z.object({
      notifications: z.array(z.looseObject({ id: z.string(), type: z.string() })),
      unread_count: z.number().int(),
    });
    const filtered = await api.call('GET', '/api/v1/notifications', {
      as: user.as,
      query: { status: 'unread', notification_type: 'alert', priority: 'high' },
    });
    const only = expectEnvelope(filtered, 200, List, { paginated: true });
    expect(only.notifications.map((n) => n.id)).toEqual([alert.id]);
    const detail = await api.call('GET', '/api/v1/notifications/{notification_id}', {
      as: user.as,
      params: { notification_id: system.id },
    });
    expectEnvelope(detail, 200, Named);
    const read = await api.call('PUT', '/api/v1/notifications/{notification_id}/read', {
      as: user.as,
      params: { notification_id: alert.id },
    });
    expectEnvelope(read, 200, Named);
    const all = await api.call('PUT', '/api/v1/notifications/mark-all-read', { as: user.as });
    expectEnvelope(all, 200, Any);
    const dismissed = await api.call('DELETE', '/api/v1/notifications/{notification_id}', {
      as: user.as,
      params: { notification_id: system.id },
    });
    expectEnvelope(dismissed, 200, Any);
    const theirs = await api.call('GET', '/api/v1/notifications/{notification_id}', {
      as: other.as,
      params: { notification_id: alert.id },
    });
    expectDocumentedError(theirs, 404, 'NOT_FOUND');
    const broadcast = await api.call('POST', '/api/v1/admin/notifications/broadcast', {
      as: admin.as,
      body: { title: 'Maintenance', message: 'Tonight' },
    });
    expect([200, 201, 202]).toContain(broadcast.res.status);
    expectEnvelope(broadcast, broadcast.res.status, Any);
    const stats = await api.call('GET', '/api/v1/admin/notifications/stats', { as: admin.as });
    expectEnvelope(stats, 200, Any);
    const denied = await api.call('GET', '/api/v1/admin/notifications/stats', { as: user.as });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
  });

  it('sessions: list, terminate one, terminate all but the current; rate-limit status', async () => {
    const me = await signUp();
    const second = await signIn(me);
    const third = await signIn(me);
    const list = await api.call('GET', '/api/v1/sessions', { as: me.as });
    const sessions = expectEnvelope(list, 200, z.looseObject({ sessions: z.array(Named) })).sessions;
    expect(sessions.map((s) => s.id)).toEqual(
      expect.arrayContaining([me.sessionId, second.sessionId, third.sessionId]),
    );
    const one = await api.call('DELETE', '/api/v1/sessions/{session_id}', {
      as: me.as,
      params: { session_id: second.sessionId },
    });
    expectEnvelope(one, 200, Any);
    const rest = await api.call('DELETE', '/api/v1/sessions/terminate-all', { as: me.as });
    expectEnvelope(rest, 200, Any);
    const gone = await api.call('GET', '/api/v1/sessions', { as: third.as });
    expect(gone.res.status).toBe(401);
    const theirs = await api.call('DELETE', '/api/v1/sessions/{session_id}', {
      as: other.as,
      params: { session_id: me.sessionId },
    });
    expectDocumentedError(theirs, 404, 'NOT_FOUND');
    const limits = await api.call('GET', '/api/v1/security/rate-limits', { as: me.as });
    expectEnvelope(limits, 200, Any);
  });

  it('admin security: active sessions, audit logs (user_id, action_type), suspicious activity, terminate a session', async () => {
    const target = await signUp();
    const active = await api.call('GET', '/api/v1/admin/security/active-sessions', { as: admin.as });
    expectEnvelope(active, 200, Any);
    const audit = await api.call('GET', '/api/v1/admin/security/audit-logs', {
      as: admin.as,
      query: { user_id: admin.id, action_type: 'user_update' },
    });
    expectEnvelope(audit, 200, Any, { paginated: true });
    const suspicious = await api.call('GET', '/api/v1/admin/security/suspicious-activity', { as: admin.as });
    expectEnvelope(suspicious, 200, Any);
    const end = await api.call('POST', '/api/v1/admin/security/terminate-session/{session_id}', {
      as: admin.as,
      params: { session_id: target.sessionId },
    });
    expectEnvelope(end, 200, Any);
    const after = await api.call('GET', '/api/v1/users/me', { as: target.as });
    expect(after.res.status).toBe(401);
    const denied = await api.call('GET', '/api/v1/admin/security/audit-logs', { as: user.as });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
  });

  it('feedback: users POST and GET; admins list (status, feedback_type) and PUT (status, response_message)', async () => {
    const sent = await api.call('POST', '/api/v1/feedback', {
      as: user.as,
      body: { category: 'bug', subject: 'Chart', message: 'The chart is blank' },
    });
    const f = expectEnvelope(sent, 201, Named);
    const mine = await api.call('GET', '/api/v1/feedback', { as: user.as });
    expect(JSON.stringify(expectEnvelope(mine, 200, Any))).toContain(f.id);
    const listed = await api.call('GET', '/api/v1/admin/feedback', {
      as: admin.as,
      query: { status: 'open', feedback_type: 'bug' },
    });
    const open = expectEnvelope(listed, 200, z.object({ feedback: z.array(Named) }), { paginated: true });
    expect(open.feedback.map((x) => x.id)).toContain(f.id);
    const none = await api.call('GET', '/api/v1/admin/feedback', {
      as: admin.as,
      query: { feedback_type: 'feature' },
    });
    expect(
      expectEnvelope(none, 200, z.object({ feedback: z.array(Named) })).feedback.map((x) => x.id),
    ).not.toContain(f.id);
    const reply = await api.call('PUT', '/api/v1/admin/feedback/{feedback_id}', {
      as: admin.as,
      params: { feedback_id: f.id },
      body: { status: 'closed', response_message: 'Fixed, thanks' },
    });
    expect(expectEnvelope(reply, 200, Any)).toMatchObject({
      status: 'closed',
      admin_response: 'Fixed, thanks',
    });
  });
});

describe('000 admin data operations', () => {
  it('macro data sources and backfill (start_date, end_date, data_sources[]); data-quality assets, price-data (asset_id), validate', async () => {
    const sources = await api.call('GET', '/api/v1/admin/macro/data-sources', { as: admin.as });
    expectEnvelope(sources, 200, Any);
    const backfill = await api.call('POST', '/api/v1/admin/macro/backfill', {
      as: admin.as,
      query: { start_date: '2023-12-01', end_date: LAST_SEEDED_DAY, data_sources: 'replay' },
    });
    expect([200, 201, 202], JSON.stringify(backfill.body)).toContain(backfill.res.status);
    expectEnvelope(backfill, backfill.res.status, Any);
    const assets = await api.call('GET', '/api/v1/admin/data-quality/assets', { as: admin.as });
    expectEnvelope(assets, 200, Any);
    const prices = await api.call('GET', '/api/v1/admin/data-quality/price-data', {
      as: admin.as,
      query: { asset_id: 'BTC' },
    });
    expectEnvelope(prices, 200, Any);
    const validate = await api.call('POST', '/api/v1/admin/data-quality/validate', {
      as: admin.as,
      body: {},
    });
    expect([200, 201, 202]).toContain(validate.res.status);
    expectEnvelope(validate, validate.res.status, Any);
    const denied = await api.call('GET', '/api/v1/admin/macro/data-sources', { as: user.as });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
  });
});

describe('000 AI/ML models and Layer 4 signals', () => {
  it('models: list, detail, admin create/update, train (409 while training), jobs, predictions, performance, regime, sectors, suggestions', async () => {
    await setMarketClock('2024-01-01T06:00:00Z');
    const Model = z.looseObject({
      id: z.string(),
      status: z.string(),
      track_record: z.looseObject({ walk_forward: z.unknown(), live: z.looseObject({}) }),
    });
    const created = await api.call('POST', '/api/v1/admin/ai/models', {
      as: admin.as,
      body: {
        name: 'Contract logit',
        architecture: 'logistic_regression',
        asset_ids: ['BTC'],
        horizon_days: 1,
        hyperparameters: { folds: 3 },
      },
    });
    const model = expectEnvelope(created, 201, Model);
    const denied = await api.call('POST', '/api/v1/admin/ai/models', {
      as: user.as,
      body: { name: 'x', architecture: 'logistic_regression', asset_ids: ['BTC'] },
    });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
    const train = await api.call('POST', '/api/v1/ai/models/{model_id}/train', {
      as: admin.as,
      params: { model_id: model.id },
      body: { seed: 1 },
    });
    expectEnvelope(train, 202, z.looseObject({ job_id: z.string() }));
    const again = await api.call('POST', '/api/v1/ai/models/{model_id}/train', {
      as: admin.as,
      params: { model_id: model.id },
      body: {},
    });
    expectDocumentedError(again, 409, 'INTEGRITY_ERROR');
    await runQueuedJobs('models.train');
    expectEnvelope(
      await api.call('GET', '/api/v1/ai/training-jobs', { as: user.as }),
      200,
      z.array(z.looseObject({ job_id: z.string(), progress: z.number() })),
      { paginated: true },
    );
    const list = expectEnvelope(
      await api.call('GET', '/api/v1/ai/models', {
        query: { model_type: 'direction_classifier', status: 'active', architecture: 'logistic_regression' },
      }),
      200,
      z.array(Model),
      { paginated: true },
    );
    expect(list.map((m) => m.id)).toContain(model.id);
    expectEnvelope(
      await api.call('GET', '/api/v1/ai/models/{model_id}', { params: { model_id: model.id } }),
      200,
      Model,
    );
    const upd = await api.call('PUT', '/api/v1/admin/ai/models/{model_id}', {
      as: admin.as,
      params: { model_id: model.id },
      body: { description: 'contract' },
    });
    expectEnvelope(upd, 200, Model);
    await scheduledSignals(env);
    expectEnvelope(
      await api.call('GET', '/api/v1/ai/models/{model_id}/predictions', {
        params: { model_id: model.id },
        query: { asset_id: 'BTC', timeframe: '1d', start_date: '2023-12-01', end_date: LAST_SEEDED_DAY },
      }),
      200,
      z.looseObject({ predictions: z.array(Any), track_record: Any }),
      { paginated: true },
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/ai/models/{model_id}/performance', { params: { model_id: model.id } }),
      200,
      z.looseObject({ walk_forward: Any, live_by_month: z.array(Any) }),
    );
    expectEnvelope(await api.call('GET', '/api/v1/ai/market-regime'), 200, z.looseObject({ regime: Any }));
    expectEnvelope(
      await api.call('GET', '/api/v1/ai/sector-analysis'),
      200,
      z.looseObject({ sectors: z.array(Any) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/ai/suggestions/{user_id}', {
        as: user.as,
        params: { user_id: user.id },
      }),
      200,
      z.looseObject({ suggestions: z.array(Any) }),
    );
    expectDocumentedError(
      await api.call('GET', '/api/v1/ai/suggestions/{user_id}', {
        as: other.as,
        params: { user_id: user.id },
      }),
      404,
      'NOT_FOUND',
    );
    contractModelId = model.id;
  }, 120_000);

  it('signals: list, active, detail, lifecycle, performance, generate (premium), analytics, backtest, admin', async () => {
    const Signal = z.looseObject({
      signal_id: z.string(),
      entry_price: z.number(),
      stop_loss: z.number(),
      confidence: z.number(),
      status: z.string(),
      track_record: z.unknown(),
    });
    const at = Date.parse(`${LAST_SEEDED_DAY}T00:00:00Z`) + 86_400_000;
    const id = await insertTestSignal(contractModelId, '', at);
    expectEnvelope(
      await api.call('GET', '/api/v1/signals', {
        as: user.as,
        query: {
          asset_id: 'BTC',
          signal_type: 'long_entry',
          quality: 'medium',
          status: 'active',
          timeframe: '1d',
        },
      }),
      200,
      z.array(Signal),
      { paginated: true },
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/active', {
        as: user.as,
        query: { risk_level: 'medium', min_confidence: 0.5, asset_type: 'crypto' },
      }),
      200,
      z.array(Signal),
      { paginated: true },
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/{signal_id}', { as: user.as, params: { signal_id: id } }),
      200,
      Signal,
    );
    expectEnvelope(
      await api.call('PUT', '/api/v1/signals/{signal_id}/execute', {
        as: user.as,
        params: { signal_id: id },
        body: { actual_entry_price: 42_000 },
      }),
      200,
      Signal,
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/{signal_id}/performance', {
        as: user.as,
        params: { signal_id: id },
      }),
      200,
      z.looseObject({ target_1: z.looseObject({ mfe: z.number(), mae: z.number() }) }),
    );
    expectEnvelope(
      await api.call('PUT', '/api/v1/signals/{signal_id}/close', {
        as: user.as,
        params: { signal_id: id },
        body: { exit_price: 42_500 },
      }),
      200,
      Signal,
    );
    const id2 = await insertTestSignal(contractModelId, user.id, at);
    expectDocumentedError(
      await api.call('DELETE', '/api/v1/signals/{signal_id}', { as: other.as, params: { signal_id: id2 } }),
      404,
      'NOT_FOUND',
    );
    expectEnvelope(
      await api.call('DELETE', '/api/v1/signals/{signal_id}', { as: user.as, params: { signal_id: id2 } }),
      200,
      z.looseObject({ status: z.literal('cancelled') }),
    );
    expectDocumentedError(
      await api.call('POST', '/api/v1/signals/generate', { as: user.as, body: {} }),
      403,
      'AUTHORIZATION_ERROR',
    );
    await env.DB.prepare("UPDATE users SET tier = 'pro' WHERE id = ?").bind(other.id).run();
    const proSession = await signIn(other);
    expectEnvelope(
      await api.call('POST', '/api/v1/signals/generate', { as: proSession.as, body: { asset_ids: ['BTC'] } }),
      201,
      z.looseObject({ generated: z.array(Signal), considered: z.array(Any) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/backtest/{model_id}', {
        as: proSession.as,
        params: { model_id: contractModelId },
        query: { start_date: '2023-07-01', end_date: LAST_SEEDED_DAY, asset_ids: 'BTC' },
      }),
      200,
      z.looseObject({ overall: Any, out_of_sample_predictions: z.number() }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/opportunities', { as: user.as }),
      200,
      z.looseObject({ opportunities: z.array(Signal) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/risk-management', { as: user.as }),
      200,
      z.looseObject({ active_signals: z.array(Any) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/analytics', { as: user.as }),
      200,
      z.looseObject({ overall: z.looseObject({ win_rate: z.number().nullable() }) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/admin/signals/performance', { as: admin.as }),
      200,
      z.looseObject({ quality_distribution: z.array(Any) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/admin/signals/model-performance', { as: admin.as }),
      200,
      z.looseObject({ models: z.array(Any) }),
    );
    expectEnvelope(
      await api.call('POST', '/api/v1/admin/signals/validate', { as: admin.as }),
      200,
      z.looseObject({ checked: z.number() }),
    );
    expectDocumentedError(
      await api.call('POST', '/api/v1/admin/signals/validate', { as: user.as }),
      403,
      'ADMIN_ACCESS_REQUIRED',
    );
  }, 120_000);

  it('recommendations: list, detail, implement; another user’s answers 404', async () => {
    const list = expectEnvelope(
      await api.call('GET', '/api/v1/recommendations', { as: user.as }),
      200,
      z.looseObject({ recommendations: z.array(z.looseObject({ recommendation_id: z.string() })) }),
    );
    const rec = list.recommendations[0];
    if (rec) {
      expectEnvelope(
        await api.call('GET', '/api/v1/recommendations/{recommendation_id}', {
          as: user.as,
          params: { recommendation_id: rec.recommendation_id },
        }),
        200,
        Any,
      );
      expectDocumentedError(
        await api.call('GET', '/api/v1/recommendations/{recommendation_id}', {
          as: other.as,
          params: { recommendation_id: rec.recommendation_id },
        }),
        404,
        'NOT_FOUND',
      );
      expectEnvelope(
        await api.call('PUT', '/api/v1/recommendations/{recommendation_id}/implement', {
          as: user.as,
          params: { recommendation_id: rec.recommendation_id },
          body: {},
        }),
        200,
        z.looseObject({ status: z.literal('implemented') }),
      );
    } else {
      expectDocumentedError(
        await api.call('GET', '/api/v1/recommendations/{recommendation_id}', {
          as: user.as,
          params: { recommendation_id: 'rec_none' },
        }),
        404,
        'NOT_FOUND',
      );
      expectDocumentedError(
        await api.call('PUT', '/api/v1/recommendations/{recommendation_id}/implement', {
          as: user.as,
          params: { recommendation_id: 'rec_none' },
          body: {},
        }),
        404,
        'NOT_FOUND',
      );
    }
  }, 60_000);
});

describe('000 system analytics and monitoring (ops plane)', () => {
  it('admin system health, its history and analytics of users, assets and API usage', async () => {
    const health = await api.call('GET', '/api/v1/admin/system/health', { as: admin.as });
    expect(
      expectEnvelope(health, 200, z.looseObject({ status: z.string(), services: z.array(Any) })).status,
    ).toMatch(/healthy|degraded|unhealthy/);
    const history = await api.call('GET', '/api/v1/admin/system/health/history', {
      as: admin.as,
      query: { metrics: 'services,jobs' },
    });
    expectEnvelope(history, 200, z.looseObject({ snapshots: z.array(Any), summary: Any }));
    const users = await api.call('GET', '/api/v1/admin/analytics/users', { as: admin.as });
    expect(
      expectEnvelope(users, 200, z.looseObject({ total_users: z.number() })).total_users,
    ).toBeGreaterThan(0);
    const assets = await api.call('GET', '/api/v1/admin/analytics/assets', { as: admin.as });
    expectEnvelope(assets, 200, z.looseObject({ most_accessed: z.array(Any), catalog: Any }));
    const usage = await api.call('GET', '/api/v1/admin/analytics/api-usage', { as: admin.as });
    expectEnvelope(usage, 200, z.looseObject({ endpoints: z.array(Any), total_requests: z.number() }));
    const denied = await api.call('GET', '/api/v1/admin/system/health', { as: user.as });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
  });

  it('admin ML performance: model comparison and prediction accuracy over time', async () => {
    const ml = await api.call('GET', '/api/v1/admin/analytics/ml-performance', { as: admin.as });
    expectEnvelope(
      ml,
      200,
      z.looseObject({
        models: z.array(z.looseObject({ model_id: z.string(), live_in_window: Any })),
        comparison: Any,
        accuracy_over_time: z.array(Any),
        method: z.string(),
        as_of: z.string(),
      }),
    );
    const denied = await api.call('GET', '/api/v1/admin/analytics/ml-performance', { as: user.as });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
  });
});

describe('000 Layer 1 macro and Layer 2 sectors (intel)', () => {
  beforeAll(async () => {
    await seedMacroIntel();
    await refreshSnapshots(env);
  }, 300_000);

  it('macro reads answer in the envelope for guests, with method and as-of', async () => {
    const snapshot = await api.call('GET', '/api/v1/macro/current-snapshot');
    const snap = expectEnvelope(
      snapshot,
      200,
      z.looseObject({
        snapshot_time: IsoTime,
        as_of: IsoTime,
        headline: z.looseObject({
          btc_price: z.number(),
          btc_dominance: z.number(),
          fear_greed_index: z.number(),
        }),
      }),
      { userContext: 'guest' },
    );
    expect(snap.headline.btc_dominance).toBeGreaterThan(40);
    for (const path of [
      '/api/v1/macro/market-regime',
      '/api/v1/macro/sentiment',
      '/api/v1/macro/dominance',
      '/api/v1/macro/intermarket',
      '/api/v1/macro/onchain',
      '/api/v1/macro/derivatives',
      '/api/v1/macro/liquidations',
      '/api/v1/macro/market-health',
      '/api/v1/macro/cycle-analysis',
    ]) {
      expectEnvelope(
        await api.call('GET', path),
        200,
        z.looseObject({ snapshot_time: IsoTime, as_of: IsoTime }),
      );
    }
    expectEnvelope(
      await api.call('GET', '/api/v1/macro/correlations', { query: { period: '7d' } }),
      200,
      z.looseObject({ period: z.literal('7d') }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/macro/technical', {
        query: { indicators: 'rsi_14,macd', timeframe: '1d' },
      }),
      200,
      z.looseObject({ indicators: z.array(z.string()) }),
    );
    const history = await api.call('GET', '/api/v1/macro/history', {
      query: {
        timeframe: '1d',
        start_date: '2023-12-01',
        end_date: '2023-12-31',
        metrics: 'btc_price,btc_dominance',
      },
    });
    expectEnvelope(history, 200, z.looseObject({ snapshots: z.array(z.unknown()) }), { paginated: true });
    expectValidationError(await api.call('GET', '/api/v1/macro/correlations', { query: { period: '1y' } }), {
      status: 400,
      field: 'period',
    });
  }, 60_000);

  it('admin refresh-snapshot queues a job; users get 403', async () => {
    const r = await api.call('POST', '/api/v1/admin/macro/refresh-snapshot', { as: admin.as });
    expectEnvelope(r, 202, z.looseObject({ status: z.string() }));
    expectDocumentedError(
      await api.call('POST', '/api/v1/admin/macro/refresh-snapshot', { as: user.as }),
      403,
      'ADMIN_ACCESS_REQUIRED',
    );
  });

  it('sector reads: list, per-sector analysis, performance, rotation, assets, correlations, narratives, fundamentals, TVL, history, cross-sector', async () => {
    const list = expectEnvelope(
      await api.call('GET', '/api/v1/sectors'),
      200,
      z.looseObject({ sectors: z.array(z.looseObject({ id: z.string() })) }),
    );
    expect(list.sectors).toHaveLength(11);
    const params = { sector_id: 'smart-contract-platforms' };
    for (const path of [
      '/api/v1/sectors/{sector_id}/analysis',
      '/api/v1/sectors/{sector_id}/assets',
      '/api/v1/sectors/{sector_id}/fundamentals',
      '/api/v1/sectors/{sector_id}/history',
    ])
      expectEnvelope(await api.call('GET', path, { params }), 200, z.looseObject({ as_of: IsoTime }));
    expectEnvelope(
      await api.call('GET', '/api/v1/sectors/performance', {
        query: { timeframe: '7d', sort_by: 'performance' },
      }),
      200,
      z.looseObject({ sectors: z.array(z.unknown()) }),
    );
    for (const path of [
      '/api/v1/sectors/rotation',
      '/api/v1/sectors/narratives',
      '/api/v1/sectors/tvl-analysis',
      '/api/v1/sectors/cross-sector-analysis',
    ])
      expectEnvelope(await api.call('GET', path), 200, z.looseObject({ as_of: IsoTime }));
    expectEnvelope(
      await api.call('GET', '/api/v1/sectors/correlations', { query: { period: '30d' } }),
      200,
      z.looseObject({ period: z.literal('30d') }),
    );
    expectDocumentedError(
      await api.call('GET', '/api/v1/sectors/{sector_id}/analysis', { params: { sector_id: 'nope' } }),
      404,
      'NOT_FOUND',
    );
  }, 60_000);

  it('sector admin: analytics, refresh-analysis (job), PUT (audited); users get 403', async () => {
    expectEnvelope(
      await api.call('GET', '/api/v1/admin/sectors/analytics', { as: admin.as }),
      200,
      z.looseObject({ sectors: z.array(z.unknown()) }),
    );
    expectEnvelope(
      await api.call('POST', '/api/v1/admin/sectors/{sector_id}/refresh-analysis', {
        as: admin.as,
        params: { sector_id: 'oracles' },
      }),
      202,
      z.looseObject({ status: z.string() }),
    );
    const put = await api.call('PUT', '/api/v1/admin/sectors/{sector_id}', {
      as: admin.as,
      params: { sector_id: 'oracles' },
      body: { description: 'Oracle networks (edited)', is_active: true },
    });
    expect(expectEnvelope(put, 200, z.looseObject({ description: z.string() })).description).toBe(
      'Oracle networks (edited)',
    );
    expectDocumentedError(
      await api.call('PUT', '/api/v1/admin/sectors/{sector_id}', {
        as: user.as,
        params: { sector_id: 'oracles' },
        body: { name: 'x' },
      }),
      403,
      'ADMIN_ACCESS_REQUIRED',
    );
  });
});

describe('000 coverage', () => {
  it('exercised every endpoint 000 documents that /openapi.json serves', async () => {
    const due = await api.expectCovers(DOCUMENTED);
    expect(due.length).toBeGreaterThanOrEqual(77);
  });
});
