import { beforeAll, describe, expect, it } from 'vitest';
import { catalogAssetId } from '../../../src/domains/assets/catalog';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

type Envelope<T> = { success: boolean; data: T; meta: { pagination?: { total: number } } };
type Alert = {
  id: string;
  alert_id: string;
  asset_id: string;
  symbol: string;
  alert_type: string;
  params: Record<string, unknown>;
  threshold: number | null;
  condition: string;
  description: string;
  trigger_value: number | null;
  is_active: boolean;
  repeat: boolean;
  cooldown_seconds: number;
  current_state: string | null;
  current_price: number | null;
  source: string;
};

const BTC = catalogAssetId('BTC');

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
});

async function create(user: TestUser, body: Record<string, unknown>, path = '/api/v1/alerts') {
  return callJson<Envelope<Alert>>(path, { method: 'POST', as: user.as, body });
}

describe('alerts API (000)', () => {
  it('creates, lists with filters, reads, updates and soft-deletes an alert', async () => {
    const user = await signUp();
    const created = await create(user, {
      asset_id: 'btc',
      alert_type: 'price_above',
      params: { threshold: 1_000_000 },
      name: 'BTC to the moon',
      repeat: true,
      cooldown_seconds: 60,
    });
    expect(created.res.status).toBe(201);
    const a = created.body.data;
    expect(a).toMatchObject({
      alert_id: a.id,
      asset_id: BTC,
      symbol: 'BTC',
      alert_type: 'price_above',
      threshold: 1_000_000,
      is_active: true,
      repeat: true,
      cooldown_seconds: 60,
      current_state: 'below',
      source: 'alerts',
    });
    expect(a.id).toMatch(/^alr_/);
    expect(a.current_price).toBeGreaterThan(0);
    expect(a).toMatchObject({ condition: 'above', trigger_value: 1_000_000 });
    expect(a.description).toBe('BTC price above 1000000');

    const rsiAlert = await create(user, {
      asset_id: 'ETH',
      alert_type: 'rsi_below',
      params: { threshold: 30 },
    });
    expect(rsiAlert.res.status).toBe(201);
    expect(rsiAlert.body.data.params).toEqual({ threshold: 30, period: 14, timeframe: '1d' });
    expect(['above', 'below']).toContain(rsiAlert.body.data.current_state);

    const all = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/alerts', { as: user.as });
    expect(all.body.data.alerts.map((x) => x.id)).toEqual([rsiAlert.body.data.id, a.id]);
    expect(all.body.meta.pagination?.total).toBe(2);
    const byAsset = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/alerts?asset=BTC', {
      as: user.as,
    });
    expect(byAsset.body.data.alerts.map((x) => x.id)).toEqual([a.id]);
    const byType = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/alerts?type=rsi_below', {
      as: user.as,
    });
    expect(byType.body.data.alerts.map((x) => x.id)).toEqual([rsiAlert.body.data.id]);
    const paged = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/alerts?limit=1&page=2', {
      as: user.as,
    });
    expect(paged.body.data.alerts.map((x) => x.id)).toEqual([a.id]);

    const detail = await callJson<Envelope<Alert>>(`/api/v1/alerts/${a.id}`, { as: user.as });
    expect(detail.body.data).toMatchObject({ id: a.id, symbol: 'BTC' });

    const updated = await callJson<Envelope<Alert>>(`/api/v1/alerts/${a.id}`, {
      method: 'PUT',
      as: user.as,
      body: { params: { threshold: 1 }, is_active: false, message: 'hello' },
    });
    expect(updated.res.status).toBe(200);
    // Already above 1: an above alert starts armed and fires at the next evaluation.
    expect(updated.body.data).toMatchObject({ threshold: 1, is_active: false, current_state: 'armed' });
    const inactive = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/alerts?is_active=false', {
      as: user.as,
    });
    expect(inactive.body.data.alerts.map((x) => x.id)).toEqual([a.id]);

    const history = await callJson<Envelope<{ alert: Alert; triggers: unknown[] }>>(
      `/api/v1/alerts/${a.id}/history`,
      { as: user.as },
    );
    expect(history.res.status).toBe(200);
    expect(history.body.data).toMatchObject({ alert: { id: a.id }, triggers: [] });

    const triggered = await callJson<Envelope<{ triggered: unknown[] }>>('/api/v1/alerts/triggered', {
      as: user.as,
    });
    expect(triggered.res.status).toBe(200);
    expect(triggered.body.data.triggered).toEqual([]);

    const deleted = await callJson<Envelope<{ deleted: boolean }>>(`/api/v1/alerts/${a.id}`, {
      method: 'DELETE',
      as: user.as,
    });
    expect(deleted.body.data).toMatchObject({ alert_id: a.id, deleted: true });
    const gone = await callJson(`/api/v1/alerts/${a.id}`, { as: user.as });
    expectError(gone.res, gone.body, 404, 'NOT_FOUND');
    const after = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/alerts', { as: user.as });
    expect(after.body.data.alerts.map((x) => x.id)).toEqual([rsiAlert.body.data.id]);
  });

  it("answers 404 for another user's alert on every path, and 401 for guests", async () => {
    const owner = await signUp();
    const other = await signUp();
    const { body } = await create(owner, {
      asset_id: 'BTC',
      alert_type: 'price_below',
      params: { threshold: 10 },
    });
    const id = body.data.id;
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/v1/alerts/${id}`],
      ['PUT', `/api/v1/alerts/${id}`, { is_active: false }],
      ['DELETE', `/api/v1/alerts/${id}`],
      ['GET', `/api/v1/alerts/${id}/history`],
      ['PUT', `/api/v1/signals/alerts/${id}`, { threshold: 5 }],
      ['DELETE', `/api/v1/signals/alerts/${id}`],
    ];
    for (const [method, path, payload] of attempts) {
      const r = await callJson(path, { method, as: other.as, body: payload });
      expectError(r.res, r.body, 404, 'NOT_FOUND');
    }
    const list = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/alerts', { as: other.as });
    expect(list.body.data.alerts).toEqual([]);
    const still = await callJson<Envelope<Alert>>(`/api/v1/alerts/${id}`, { as: owner.as });
    expect(still.body.data.is_active).toBe(true);
    // GET /api/v1/signals/alerts is auth-optional (001): test/contract/001.test.ts.
    for (const path of ['/api/v1/alerts', '/api/v1/alerts/triggered']) {
      const r = await callJson(path);
      expectError(r.res, r.body, 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('rejects bad input with 400 and unknown assets with 404', async () => {
    const user = await signUp();
    const bad: Record<string, unknown>[] = [
      { asset_id: 'BTC', alert_type: 'price_above', params: {} },
      { asset_id: 'BTC', alert_type: 'price_above', params: { threshold: -5 } },
      { asset_id: 'BTC', alert_type: 'nope', params: { threshold: 5 } },
      { asset_id: 'BTC', alert_type: 'rsi_above', params: { threshold: 150 } },
      { asset_id: 'BTC', alert_type: 'ma_cross', params: { direction: 'sideways' } },
      { asset_id: 'BTC', alert_type: 'percent_change', params: { percent: 0 } },
      { asset_id: 'BTC', alert_type: 'macd_cross', params: { direction: 'bullish', extra: 1 } },
      { asset_id: 'BTC', alert_type: 'price_below', params: { threshold: 5 }, cooldown_seconds: -1 },
    ];
    for (const body of bad) {
      const r = await create(user, body);
      expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    }
    const missing = await create(user, {
      asset_id: 'NOPE',
      alert_type: 'price_above',
      params: { threshold: 5 },
    });
    expectError(missing.res, missing.body, 404, 'NOT_FOUND');
    const { body } = await create(user, {
      asset_id: 'BTC',
      alert_type: 'price_above',
      params: { threshold: 5 },
    });
    const put = await callJson(`/api/v1/alerts/${body.data.id}`, {
      method: 'PUT',
      as: user.as,
      body: { alert_type: 'rsi_above' },
    });
    expectError(put.res, put.body, 400, 'VALIDATION_ERROR');
    const signal = await create(
      user,
      { asset_id: 'BTC', alert_type: 'price_above' },
      '/api/v1/signals/alerts',
    );
    expectError(signal.res, signal.body, 400, 'VALIDATION_ERROR');
  });
});

describe('signal alerts API (001)', () => {
  it('creates with a flat threshold, lists active ones, updates and deletes', async () => {
    const user = await signUp();
    const created = await create(
      user,
      { asset_id: BTC, alert_type: 'price_crosses', threshold: 50_000, notification_method: 'push' },
      '/api/v1/signals/alerts',
    );
    expect(created.res.status).toBe(201);
    expect(created.body.data).toMatchObject({
      source: '001',
      threshold: 50_000,
      params: { threshold: 50_000 },
    });
    const id = created.body.data.id;
    const list = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/signals/alerts', { as: user.as });
    expect(list.body.data.alerts.map((x) => x.id)).toEqual([id]);
    const updated = await callJson<Envelope<Alert>>(`/api/v1/signals/alerts/${id}`, {
      method: 'PUT',
      as: user.as,
      body: { threshold: 60_000, is_active: false },
    });
    expect(updated.body.data).toMatchObject({ threshold: 60_000, is_active: false });
    const active = await callJson<Envelope<{ alerts: Alert[] }>>('/api/v1/signals/alerts', { as: user.as });
    expect(active.body.data.alerts).toEqual([]);
    const shared = await callJson<Envelope<Alert>>(`/api/v1/alerts/${id}`, { as: user.as });
    expect(shared.body.data.id).toBe(id);
    const deleted = await callJson<Envelope<{ deleted: boolean }>>(`/api/v1/signals/alerts/${id}`, {
      method: 'DELETE',
      as: user.as,
    });
    expect(deleted.body.data.deleted).toBe(true);
    const gone = await callJson(`/api/v1/signals/alerts/${id}`, { method: 'DELETE', as: user.as });
    expectError(gone.res, gone.body, 404, 'NOT_FOUND');
  });
});
