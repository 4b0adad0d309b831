import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import seed001 from '../../../shared/seeds/001_9c9c761b24f2b44f.txt?raw';
import { refreshSnapshots } from '../../src/domains/macro/service';
import { createNotification } from '../../src/domains/notifications/service';
import { scheduledSignals } from '../../src/domains/signals/generate';
import { seedMacroIntel } from '../helpers/macro';
import { seedMarket, setMarketClock } from '../helpers/market';
import { insertTestSignal, runQueuedJobs, trainedModel } from '../helpers/models';
import { freshIp, signUp, signUpAdmin, type TestUser } from '../helpers/users';
import {
  contractClient,
  expectDocumentedError,
  expectEnvelope,
  expectShape,
  expectValidationError,
  IsoTime,
  seedOperations,
} from './helpers';

// Seed 001's contract: every endpoint it documents that /openapi.json serves, called with the
// request the seed shows, answered in 001's envelope with the fields and statuses it shows.

const api = contractClient();
const DOCUMENTED = seedOperations(seed001, '/api/v1');

const Tokens = z.looseObject({
  user_id: z.string().regex(/^usr_/),
  access_token: z.string(),
  refresh_token: z.string(),
});
const Alert = z.looseObject({
  id: z.string(),
  asset_id: z.string(),
  alert_type: z.string(),
  threshold: z.number().nullable(),
  is_active: z.boolean(),
});
const TimingAlert = z.object({
  symbol: z.string(),
  signal: z.enum(['bullish', 'bearish']),
  score: z.number().int(),
  reasons: z.array(z.string()).min(1),
  indicators: z.record(z.string(), z.number().nullable()).nullable(),
  as_of: IsoTime.nullable(),
});
const WatchlistAsset = z.looseObject({ symbol: z.string(), notes: z.string().nullable() });
const Watchlist = z.looseObject({
  id: z.string().regex(/^wl_/),
  name: z.string(),
  description: z.string().nullable(),
  is_public: z.boolean(),
  assets: z.array(WatchlistAsset),
});

let admin: TestUser;
let user: TestUser;
let other: TestUser;
let defaultSymbols: string[] = [];

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH', 'ADA', 'SPY']);
  [admin, user, other] = [await signUpAdmin(), await signUp(), await signUp()];
  // 001's default watchlist holds 15 assets: the four with history plus eleven the admin lists.
  defaultSymbols = ['BTC', 'ETH', 'ADA', 'SPY'];
  for (let i = 0; i < 11; i++) {
    const r = await api.call('POST', '/api/v1/admin/assets', {
      as: admin.as,
      body: { symbol: `CTR${i}`, name: `Contract ${i}`, asset_type: 'crypto' },
    });
    expect(r.res.status).toBe(201);
    defaultSymbols.push(`CTR${i}`);
  }
}, 120_000); // loading four assets' real history is slow on a shared machine

describe('001 authentication', () => {
  it('register {email, password, first_name, last_name} answers {user_id, access_token, refresh_token}', async () => {
    const headers = { 'CF-Connecting-IP': freshIp() };
    const email = `c001-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const body = { email, password: 'correct-horse-42', first_name: 'Ada', last_name: 'Lovelace' };
    const r = await api.call('POST', '/api/v1/auth/register', { body, headers });
    expect(r.res.status).toBe(201);
    expectShape(Tokens, r.body);
    const again = await api.call('POST', '/api/v1/auth/register', { body, headers });
    expectDocumentedError(again, 409, 'INTEGRITY_ERROR');
    const bad = await api.call('POST', '/api/v1/auth/register', {
      body: { ...body, email: 'nope' },
      headers,
    });
    expectValidationError(bad, { status: 400, field: 'email' });
  });

  it('login {email, password}, refresh {refresh_token} and logout {refresh_token} answer what 001 shows', async () => {
    const headers = { 'CF-Connecting-IP': freshIp() };
    const login = await api.call('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
      headers,
    });
    expect(login.res.status).toBe(200);
    const tokens = expectShape(Tokens, login.body);
    expect(tokens.user_id).toBe(user.id);
    const wrong = await api.call('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: 'wrong-password-1' },
      headers,
    });
    expectDocumentedError(wrong, 401, 'INVALID_CREDENTIALS');
    const refreshed = await api.call('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: tokens.refresh_token },
      headers,
    });
    expect(refreshed.res.status).toBe(200);
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
    expectShape(z.looseObject({ message: z.string().min(1) }), out.body);
    const reuse = await api.call('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: fresh.refresh_token },
      headers,
    });
    expect(reuse.res.status).toBe(401);
  });
});

describe('001 user profile and notifications', () => {
  it('GET/PUT /users/profile take {first_name, last_name, timezone, language, preferences}', async () => {
    const guest = await api.call('GET', '/api/v1/users/profile');
    expectDocumentedError(guest, 401, 'AUTHENTICATION_ERROR');
    const change = {
      first_name: 'Grace',
      last_name: 'Hopper',
      timezone: 'Europe/Paris',
      language: 'fr',
      preferences: { theme: 'dark' },
    };
    const put = await api.call('PUT', '/api/v1/users/profile', { as: user.as, body: change });
    const updated = expectEnvelope(put, 200, z.looseObject({}), { userContext: 'logged' });
    expect(updated).toMatchObject(change);
    const got = expectEnvelope(
      await api.call('GET', '/api/v1/users/profile', { as: user.as }),
      200,
      z.looseObject({}),
    );
    expect(got).toMatchObject({ ...change, email: user.email });
    const bad = await api.call('PUT', '/api/v1/users/profile', { as: user.as, body: { timezone: 42 } });
    expectValidationError(bad, { status: 400, field: 'timezone' });
  });

  it('GET /users/activity lists what the user did, newest first', async () => {
    const r = await api.call('GET', '/api/v1/users/activity', { as: user.as });
    const data = expectEnvelope(r, 200, z.looseObject({}), { userContext: 'logged' });
    expect(JSON.stringify(data)).toContain('profile');
  });

  it('notifications: list with unread count, PUT {id}/read, POST preferences {email_enabled, push_enabled, categories[]}', async () => {
    const n = await createNotification(env, {
      userId: user.id,
      type: 'system',
      title: 'Hello',
      message: 'World',
    });
    if (!n) throw new Error('notification not created');
    const list = expectEnvelope(
      await api.call('GET', '/api/v1/notifications', { as: user.as }),
      200,
      z.object({ notifications: z.array(z.looseObject({ id: z.string() })), unread_count: z.number().int() }),
      { paginated: true },
    );
    expect(list.notifications.map((x) => x.id)).toContain(n.id);
    expect(list.unread_count).toBeGreaterThanOrEqual(1);
    const read = await api.call('PUT', '/api/v1/notifications/{notification_id}/read', {
      as: user.as,
      params: { notification_id: n.id },
    });
    expect(expectEnvelope(read, 200, z.looseObject({ status: z.string() })).status).toBe('read');
    const theirs = await api.call('PUT', '/api/v1/notifications/{notification_id}/read', {
      as: other.as,
      params: { notification_id: n.id },
    });
    expectDocumentedError(theirs, 404, 'NOT_FOUND');

    const prefs = await api.call('POST', '/api/v1/notifications/preferences', {
      as: user.as,
      body: { email_enabled: true, push_enabled: false, categories: ['alert', 'system'] },
    });
    const set = expectEnvelope(
      prefs,
      200,
      z.object({
        in_app: z.record(z.string(), z.boolean()),
        push: z.record(z.string(), z.boolean()),
        email: z.record(z.string(), z.boolean()),
      }),
    );
    expect(set.email).toEqual({ '*': false, alert: true, system: true });
    expect(set.push).toEqual({ '*': false, alert: false, system: false });
    expect(set.in_app).toEqual({ '*': false, alert: true, system: true });
    const bad = await api.call('POST', '/api/v1/notifications/preferences', {
      as: user.as,
      body: { email_enabled: 'yes' },
    });
    expectDocumentedError(bad, 400, 'VALIDATION_ERROR');
  });
});

describe('001 watchlists', () => {
  it('POST/PUT {name, description, assets[], is_public}, POST assets {asset_id, notes}, DELETE; 404 to others', async () => {
    const guest = await api.call('GET', '/api/v1/watchlists');
    expectDocumentedError(guest, 401, 'AUTHENTICATION_ERROR');
    const created = await api.call('POST', '/api/v1/watchlists', {
      as: user.as,
      body: { name: 'Majors', description: 'Large caps', assets: ['BTC', 'ETH'], is_public: false },
    });
    const w = expectShape(Watchlist, expectEnvelope(created, 201, Watchlist));
    expect(w.assets.map((a) => a.symbol)).toEqual(['BTC', 'ETH']);
    const mine = expectEnvelope(
      await api.call('GET', '/api/v1/watchlists', { as: user.as }),
      200,
      z.object({ watchlists: z.array(z.looseObject({ id: z.string() })) }),
    );
    expect(mine.watchlists.map((x) => x.id)).toContain(w.id);

    const added = await api.call('POST', '/api/v1/watchlists/{watchlist_id}/assets', {
      as: user.as,
      params: { watchlist_id: w.id },
      body: { asset_id: 'ADA', notes: 'staking' },
    });
    const withAda = expectEnvelope(added, 201, Watchlist);
    expect(withAda.assets.find((a) => a.symbol === 'ADA')?.notes).toBe('staking');

    const put = await api.call('PUT', '/api/v1/watchlists/{watchlist_id}', {
      as: user.as,
      params: { watchlist_id: w.id },
      body: { name: 'Core', description: 'Reviewed', assets: ['ADA', 'SPY', 'BTC'], is_public: true },
    });
    const updated = expectEnvelope(put, 200, Watchlist);
    expect(updated).toMatchObject({ name: 'Core', description: 'Reviewed', is_public: true });
    expect(updated.assets.map((a) => a.symbol)).toEqual(['ADA', 'SPY', 'BTC']);
    expect(updated.assets[0]?.notes).toBe('staking');

    const unknown = await api.call('PUT', '/api/v1/watchlists/{watchlist_id}', {
      as: user.as,
      params: { watchlist_id: w.id },
      body: { assets: ['BTC', 'NOPE'] },
    });
    expectDocumentedError(unknown, 404, 'NOT_FOUND');
    const kept = expectEnvelope(
      await api.call('PUT', '/api/v1/watchlists/{watchlist_id}', {
        as: user.as,
        params: { watchlist_id: w.id },
        body: { name: 'Core' },
      }),
      200,
      Watchlist,
    );
    expect(kept.assets.map((a) => a.symbol)).toEqual(['ADA', 'SPY', 'BTC']);

    for (const [method, template, body] of [
      ['PUT', '/api/v1/watchlists/{watchlist_id}', { name: 'x' }],
      ['DELETE', '/api/v1/watchlists/{watchlist_id}', undefined],
      ['POST', '/api/v1/watchlists/{watchlist_id}/assets', { asset_id: 'ETH' }],
      ['DELETE', '/api/v1/watchlists/{watchlist_id}/assets/{asset_id}', undefined],
    ] as const) {
      const r = await api.call(method, template, {
        as: other.as,
        params: { watchlist_id: w.id, asset_id: 'BTC' },
        body,
      });
      expectDocumentedError(r, 404, 'NOT_FOUND');
    }

    const removed = await api.call('DELETE', '/api/v1/watchlists/{watchlist_id}/assets/{asset_id}', {
      as: user.as,
      params: { watchlist_id: w.id, asset_id: 'SPY' },
    });
    expect(expectEnvelope(removed, 200, Watchlist).assets.map((a) => a.symbol)).toEqual(['ADA', 'BTC']);
    const deleted = await api.call('DELETE', '/api/v1/watchlists/{watchlist_id}', {
      as: user.as,
      params: { watchlist_id: w.id },
    });
    expectEnvelope(deleted, 200, z.looseObject({ deleted: z.literal(true) }));
    const missingName = await api.call('POST', '/api/v1/watchlists', {
      as: user.as,
      body: { assets: ['BTC'] },
    });
    expectValidationError(missingName, { status: 400, field: 'name' });
  });

  it('admins curate the default watchlist {assets[], update_reason}; guests read it; analytics are admin-only', async () => {
    const denied = await api.call('PUT', '/api/v1/admin/watchlists/default', {
      as: user.as,
      body: { assets: defaultSymbols, update_reason: 'not mine' },
    });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
    const put = await api.call('PUT', '/api/v1/admin/watchlists/default', {
      as: admin.as,
      body: { assets: defaultSymbols, update_reason: 'Contract suite' },
    });
    const set = expectEnvelope(put, 200, Watchlist.extend({ history: z.array(z.looseObject({})) }), {
      userContext: 'admin',
    });
    expect(set.assets.map((a) => a.symbol)).toEqual(defaultSymbols);
    const conf = await api.call('GET', '/api/v1/admin/watchlists/default', { as: admin.as });
    expect(expectEnvelope(conf, 200, Watchlist).assets).toHaveLength(15);
    const guest = await api.call('GET', '/api/v1/watchlists/default');
    const seen = expectEnvelope(guest, 200, Watchlist, { userContext: 'guest' });
    expect(seen.assets.map((a) => a.symbol)).toEqual(defaultSymbols);
    const analytics = await api.call('GET', '/api/v1/admin/watchlists/analytics', { as: admin.as });
    expectEnvelope(analytics, 200, z.looseObject({}));
    const notAdmin = await api.call('GET', '/api/v1/admin/watchlists/analytics', { as: user.as });
    expectDocumentedError(notAdmin, 403, 'ADMIN_ACCESS_REQUIRED');
  });
});

describe('001 timing alerts', () => {
  it('GET /signals/alerts answers guests 200 with the default watchlist’s timing alerts', async () => {
    const r = await api.call('GET', '/api/v1/signals/alerts');
    const data = expectEnvelope(
      r,
      200,
      z.object({
        alerts: z.array(Alert),
        timing_alerts: z.array(TimingAlert),
        watchlist_id: z.string().nullable(),
        method: z.string(),
      }),
      { userContext: 'guest', paginated: true },
    );
    expect(data.alerts).toEqual([]);
    // The same signals the watchlist signal service computes, those pointing one way.
    const signals = await api.call('GET', '/api/v1/watchlists/{watchlist_id}/signals', {
      params: { watchlist_id: 'wl_default' },
    });
    const computed = expectEnvelope(
      signals,
      200,
      z.object({
        signals: z.array(z.looseObject({ symbol: z.string(), signal: z.string(), score: z.number() })),
      }),
    ).signals;
    expect(computed.filter((s) => s.signal === 'insufficient_data').map((s) => s.symbol)).toEqual(
      defaultSymbols.filter((s) => s.startsWith('CTR')),
    );
    expect(data.timing_alerts).toEqual(
      computed.filter((s) => s.signal === 'bullish' || s.signal === 'bearish'),
    );
    for (const a of data.timing_alerts) expect(Math.sign(a.score)).toBe(a.signal === 'bullish' ? 1 : -1);
    expect(data.watchlist_id).toBe('wl_default');
  });

  it('POST {asset_id, alert_type, threshold, notification_method}, PUT {threshold, is_active, notification_method}, DELETE', async () => {
    const created = await api.call('POST', '/api/v1/signals/alerts', {
      as: user.as,
      body: { asset_id: 'BTC', alert_type: 'price_crosses', threshold: 50_000, notification_method: 'push' },
    });
    const a = expectEnvelope(created, 201, Alert);
    expect(a).toMatchObject({ alert_type: 'price_crosses', threshold: 50_000, is_active: true });
    const listed = expectEnvelope(
      await api.call('GET', '/api/v1/signals/alerts', { as: user.as }),
      200,
      z.object({ alerts: z.array(Alert), timing_alerts: z.array(TimingAlert) }),
      { userContext: 'logged', paginated: true },
    );
    expect(listed.alerts.map((x) => x.id)).toContain(a.id);
    const put = await api.call('PUT', '/api/v1/signals/alerts/{alert_id}', {
      as: user.as,
      params: { alert_id: a.id },
      body: { threshold: 60_000, is_active: false, notification_method: 'email' },
    });
    expect(expectEnvelope(put, 200, Alert)).toMatchObject({ threshold: 60_000, is_active: false });
    const theirs = await api.call('DELETE', '/api/v1/signals/alerts/{alert_id}', {
      as: other.as,
      params: { alert_id: a.id },
    });
    expectDocumentedError(theirs, 404, 'NOT_FOUND');
    const del = await api.call('DELETE', '/api/v1/signals/alerts/{alert_id}', {
      as: user.as,
      params: { alert_id: a.id },
    });
    expectEnvelope(del, 200, z.looseObject({ deleted: z.literal(true) }));
    const guest = await api.call('POST', '/api/v1/signals/alerts', {
      body: { asset_id: 'BTC', alert_type: 'price_crosses', threshold: 1 },
    });
    expectDocumentedError(guest, 401, 'AUTHENTICATION_ERROR');
    const bad = await api.call('POST', '/api/v1/signals/alerts', {
      as: user.as,
      body: { asset_id: 'BTC', alert_type: 'price_crosses', threshold: 'high' },
    });
    expectValidationError(bad, { status: 400, field: 'threshold' });
  });
});

describe('001 assets and admin', () => {
  it('GET /assets/search finds assets by symbol or name for guests', async () => {
    const r = await api.call('GET', '/api/v1/assets/search', { query: { q: 'bitcoin' } });
    const data = expectEnvelope(r, 200, z.looseObject({}), { userContext: 'guest' });
    expect(JSON.stringify(data)).toContain('"BTC"');
  });

  it('GET /admin/users?page=1&limit=50&role=all&active=true, PUT {role}, PUT {is_active, is_verified}', async () => {
    const list = await api.call('GET', '/api/v1/admin/users', {
      as: admin.as,
      query: { page: 1, limit: 50, role: 'all', active: true },
    });
    const users = expectEnvelope(list, 200, z.object({ users: z.array(z.looseObject({ id: z.string() })) }), {
      paginated: true,
      userContext: 'admin',
    });
    expect(users.users.map((u) => u.id)).toContain(user.id);
    const denied = await api.call('GET', '/api/v1/admin/users', { as: user.as });
    expectDocumentedError(denied, 403, 'ADMIN_ACCESS_REQUIRED');
    const role = await api.call('PUT', '/api/v1/admin/users/{user_id}/role', {
      as: admin.as,
      params: { user_id: other.id },
      body: { role: 'admin' },
    });
    expect(expectEnvelope(role, 200, z.looseObject({ role: z.string() })).role).toBe('admin');
    const status = await api.call('PUT', '/api/v1/admin/users/{user_id}/status', {
      as: admin.as,
      params: { user_id: other.id },
      body: { is_active: true, is_verified: true },
    });
    expect(
      expectEnvelope(status, 200, z.looseObject({ is_active: z.boolean(), is_verified: z.boolean() })),
    ).toMatchObject({ is_active: true, is_verified: true });
    const badRole = await api.call('PUT', '/api/v1/admin/users/{user_id}/role', {
      as: admin.as,
      params: { user_id: other.id },
      body: { role: 'emperor' },
    });
    expectValidationError(badRole, { status: 400, field: 'role' });
  });
});

describe('001 timing signals, suggestions, asset analysis and admin models', () => {
  it('public timing and analysis, suggestions with feedback, execute, watchlist assets, admin model paths', async () => {
    await setMarketClock('2024-01-01T06:00:00Z');
    const model = await trainedModel(admin, { asset_ids: ['BTC'], hyperparameters: { folds: 3 } });
    await scheduledSignals(env);
    const Models = z.array(z.looseObject({ id: z.string() }));
    expect(
      expectEnvelope(await api.call('GET', '/api/v1/admin/models', { as: admin.as }), 200, Models, {
        paginated: true,
      }).map((m) => m.id),
    ).toContain(model);
    expectDocumentedError(
      await api.call('GET', '/api/v1/admin/models', { as: user.as }),
      403,
      'ADMIN_ACCESS_REQUIRED',
    );
    expectEnvelope(
      await api.call('PUT', '/api/v1/admin/models/{model_id}/config', {
        as: admin.as,
        params: { model_id: model },
        body: { hyperparameters: { l2: 5, folds: 3 } },
      }),
      200,
      z.looseObject({ id: z.string() }),
    );
    expectEnvelope(
      await api.call('POST', '/api/v1/admin/models/{model_id}/retrain', {
        as: admin.as,
        params: { model_id: model },
      }),
      202,
      z.looseObject({ job_id: z.string() }),
    );
    await runQueuedJobs('models.train');

    const Timing = z.looseObject({
      asset_id: z.string(),
      indicators: z.looseObject({ rsi_14: z.number().nullable() }),
      model_view: z.looseObject({ models: z.array(z.looseObject({ track_record: z.looseObject({}) })) }),
    });
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/{asset_id}', { params: { asset_id: 'BTC' } }),
      200,
      Timing,
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/assets/{asset_id}/analysis', { params: { asset_id: 'BTC' } }),
      200,
      Timing,
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/assets/analysis', { query: { asset_ids: 'BTC,ETH' } }),
      200,
      z.looseObject({ assets: z.array(Timing) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals/current'),
      200,
      z.looseObject({ signals: z.array(z.looseObject({ symbol: z.string(), timing: z.string() })) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/signals', { as: user.as }),
      200,
      z.array(z.looseObject({ signal_id: z.string() })),
      { paginated: true },
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/watchlists/assets', { as: user.as }),
      200,
      z.looseObject({ assets: z.array(z.looseObject({ symbol: z.string() })) }),
    );

    const Suggestion = z.looseObject({
      asset_id: z.string(),
      action: z.string(),
      rationale: z.array(z.string()),
      disclaimer: z.string(),
    });
    expectEnvelope(
      await api.call('GET', '/api/v1/suggestions/current'),
      200,
      z.looseObject({ suggestions: z.array(Suggestion) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/suggestions/personalized', { as: user.as }),
      200,
      z.looseObject({ suggestions: z.array(Suggestion) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/suggestions'),
      200,
      z.looseObject({ suggestions: z.array(Suggestion) }),
    );
    const one = expectEnvelope(
      await api.call('GET', '/api/v1/suggestions/{asset_id}', { params: { asset_id: 'BTC' } }),
      200,
      Suggestion.extend({ suggestion_id: z.string() }),
    );
    const fb = await api.call('POST', '/api/v1/suggestions/{suggestion_id}/feedback', {
      as: user.as,
      params: { suggestion_id: one.suggestion_id },
      body: { rating: 5, feedback_text: 'clear', action_taken: 'held' },
    });
    expectEnvelope(fb, 201, z.looseObject({ feedback_id: z.string() }));
    expectValidationError(
      await api.call('POST', '/api/v1/suggestions/{suggestion_id}/feedback', {
        as: user.as,
        params: { suggestion_id: one.suggestion_id },
        body: { rating: 0 },
      }),
      { status: 400, field: 'rating' },
    );

    const sig = await insertTestSignal(model, '', Date.parse('2024-01-01T00:00:00Z'));
    expectEnvelope(
      await api.call('POST', '/api/v1/signals/execute', {
        as: user.as,
        body: { signal_id: sig, actual_entry_price: 42_100 },
      }),
      200,
      z.looseObject({ status: z.literal('executed') }),
    );
    expectDocumentedError(
      await api.call('POST', '/api/v1/signals/execute', { as: user.as, body: { signal_id: 'sig_nope' } }),
      404,
      'NOT_FOUND',
    );
  }, 180_000);
});

describe('001 admin system monitoring and analytics (ops plane)', () => {
  it('system, health, metrics, analytics, usage and performance answer admins in the envelope', async () => {
    const system = await api.call('GET', '/api/v1/admin/system', { as: admin.as });
    expectEnvelope(
      system,
      200,
      z.looseObject({ status: z.string(), alerts: z.looseObject({}), traffic_24h: z.looseObject({}) }),
    );
    const health = await api.call('GET', '/api/v1/admin/system/health', { as: admin.as });
    expectEnvelope(health, 200, z.looseObject({ status: z.string(), services: z.array(z.looseObject({})) }));
    const metrics = await api.call('GET', '/api/v1/admin/system/metrics', { as: admin.as });
    expectEnvelope(
      metrics,
      200,
      z.looseObject({
        requests: z.looseObject({}),
        database: z.looseObject({}),
        user_engagement: z.looseObject({}),
      }),
    );
    const analytics = await api.call('GET', '/api/v1/admin/analytics', { as: admin.as });
    expectEnvelope(analytics, 200, z.looseObject({ users: z.looseObject({}), revenue: z.looseObject({}) }));
    const usage = await api.call('GET', '/api/v1/admin/analytics/usage', {
      as: admin.as,
      query: { period: '7d', granularity: 'day' },
    });
    expectEnvelope(
      usage,
      200,
      z.looseObject({ series: z.array(z.looseObject({})), granularity: z.literal('day') }),
    );
    const performance = await api.call('GET', '/api/v1/admin/analytics/performance', { as: admin.as });
    expectEnvelope(
      performance,
      200,
      z.looseObject({ requests: z.looseObject({}), queries: z.looseObject({}) }),
    );
    const denied = await api.call('GET', '/api/v1/admin/system', { as: user.as });
    expect(denied.res.status).toBe(403);
  });
});

describe('001 macro, sectors and dashboard (intel)', () => {
  beforeAll(async () => {
    await seedMacroIntel();
    await refreshSnapshots(env);
  }, 300_000);

  it('macro regime, sentiment, dominance, indicators, history for guests', async () => {
    const regime = expectEnvelope(
      await api.call('GET', '/api/v1/macro/regime'),
      200,
      z.looseObject({ regime: z.looseObject({ current_regime: z.string(), confidence: z.number() }) }),
      { userContext: 'guest' },
    );
    expect(regime.regime.confidence).toBeGreaterThan(0);
    expectEnvelope(
      await api.call('GET', '/api/v1/macro/sentiment'),
      200,
      z.looseObject({ sentiment: z.looseObject({ fear_greed: z.unknown() }) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/macro/dominance'),
      200,
      z.looseObject({ dominance: z.looseObject({ current: z.looseObject({ btc: z.number() }) }) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/macro/indicators'),
      200,
      z.looseObject({ volatility: z.record(z.string(), z.unknown()) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/macro/history'),
      200,
      z.looseObject({ snapshots: z.array(z.unknown()) }),
      { paginated: true },
    );
  }, 60_000);

  it('sectors: the 11 sectors, a sector’s performance and assets, rotation, allocation, the mapping', async () => {
    const list = expectEnvelope(
      await api.call('GET', '/api/v1/sectors'),
      200,
      z.looseObject({ sectors: z.array(z.looseObject({ id: z.string() })) }),
    );
    expect(list.sectors).toHaveLength(11);
    const params = { sector_id: 'payments' };
    expectEnvelope(
      await api.call('GET', '/api/v1/sectors/{sector_id}/performance', { params }),
      200,
      z.looseObject({ performance: z.record(z.string(), z.unknown()) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/sectors/{sector_id}/assets', { params }),
      200,
      z.looseObject({ assets: z.array(z.unknown()) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/sectors/rotation'),
      200,
      z.looseObject({ sectors: z.array(z.unknown()) }),
    );
    const alloc = expectEnvelope(
      await api.call('GET', '/api/v1/sectors/allocation'),
      200,
      z.looseObject({ method: z.string(), weights: z.array(z.looseObject({ weight_pct: z.number() })) }),
    );
    expect(alloc.weights.reduce((a, w) => a + w.weight_pct, 0)).toBeCloseTo(100, 4);
    expectEnvelope(
      await api.call('GET', '/api/v1/sectors/performance'),
      200,
      z.looseObject({ sectors: z.array(z.unknown()) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/sectors/assets'),
      200,
      z.looseObject({ sectors: z.array(z.unknown()) }),
    );
  });

  it('dashboard overview and performance depend on who asks', async () => {
    const guest = expectEnvelope(
      await api.call('GET', '/api/v1/dashboard/overview'),
      200,
      z.looseObject({ context: z.literal('guest') }),
      { userContext: 'guest' },
    );
    expect(guest.context).toBe('guest');
    expectEnvelope(
      await api.call('GET', '/api/v1/dashboard/overview', { as: user.as }),
      200,
      z.looseObject({ context: z.literal('logged'), portfolios: z.array(z.unknown()) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/dashboard/overview', { as: admin.as }),
      200,
      z.looseObject({ context: z.literal('admin'), system: z.looseObject({ users: z.number() }) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/dashboard/performance'),
      200,
      z.looseObject({ watchlist: z.looseObject({ assets: z.array(z.unknown()) }) }),
    );
    expectEnvelope(
      await api.call('GET', '/api/v1/dashboard/performance', { as: user.as }),
      200,
      z.looseObject({ portfolios: z.array(z.unknown()) }),
    );
  });
});

describe('001 coverage', () => {
  it('exercised every endpoint 001 documents that /openapi.json serves', async () => {
    const due = await api.expectCovers(DOCUMENTED);
    expect(due.length).toBeGreaterThanOrEqual(28);
  });
});
