import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../src/domains/alerts/subscribe';
import { evaluateAlerts } from '../../../src/domains/alerts/service';
import { catalogAssetId } from '../../../src/domains/assets/catalog';
import { publish } from '../../../src/events/bus';
import { rsi } from '../../../src/quant';
import { callJson } from '../../helpers/api';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

type Envelope<T> = { data: T };
type Alert = { id: string; is_active: boolean; current_state: string | null; trigger_count: number };
type Trigger = { triggered_at: string; price: number; value: number | null };

const BTC = catalogAssetId('BTC');
const DAY = 86_400_000;
const T = Date.parse('2030-01-01T00:00:00Z');
let quote = 0;

beforeAll(async () => {
  await seedMarket(['BTC']);
  const q = await env.DB.prepare('SELECT price FROM quotes WHERE asset_id = ?')
    .bind(BTC)
    .first<{ price: number }>();
  quote = q?.price ?? 0;
});

const tickAll = (at: number, price: number) =>
  evaluateAlerts(env, {
    type: 'prices.updated',
    source: 'test',
    at,
    assets: [{ assetId: BTC, symbol: 'BTC', price, changePct24h: null }],
  });

async function create(user: TestUser, body: Record<string, unknown>) {
  const r = await callJson<Envelope<Alert>>('/api/v1/alerts', {
    method: 'POST',
    as: user.as,
    body: { asset_id: 'BTC', ...body },
  });
  expect(r.res.status).toBe(201);
  return r.body.data;
}
const tick = tickAll;
const history = async (user: TestUser, id: string) =>
  (
    await callJson<Envelope<{ alert: Alert; triggers: Trigger[] }>>(`/api/v1/alerts/${id}/history`, {
      as: user.as,
    })
  ).body.data;

describe('alert evaluation', () => {
  it('fires once per crossing, ignores repeats and older events, fires again on a new crossing', async () => {
    const user = await signUp();
    const a = await create(user, {
      alert_type: 'price_above',
      params: { threshold: quote * 1.1 },
      repeat: true,
    });
    expect(a.current_state).toBe('below');
    expect((await tick(T + 1000, quote)).fired).toEqual([]);
    expect((await tick(T + 2000, quote * 1.2)).fired).toEqual([a.id]);
    expect((await tick(T + 2000, quote * 1.2)).fired).toEqual([]); // same event again
    expect((await tick(T + 1500, quote * 0.5)).fired).toEqual([]); // older event
    expect((await tick(T + 3000, quote * 1.3)).fired).toEqual([]); // still above
    expect((await tick(T + 4000, quote)).fired).toEqual([]); // back below
    expect((await tick(T + 5000, quote * 1.2)).fired).toEqual([a.id]); // crosses again
    const h = await history(user, a.id);
    expect(h.alert.trigger_count).toBe(2);
    expect(h.triggers.map((t) => Date.parse(t.triggered_at))).toEqual([T + 5000, T + 2000]);
    expect(h.triggers[1]?.price).toBeCloseTo(quote * 1.2);

    const notes = await callJson<
      Envelope<{ notifications: { type: string; data: Record<string, unknown> }[] }>
    >('/api/v1/notifications?type=alert', { as: user.as });
    expect(notes.body.data.notifications).toHaveLength(2);
    expect(notes.body.data.notifications[0]?.data).toMatchObject({ alert_id: a.id, symbol: 'BTC' });

    const triggered = await callJson<
      Envelope<{ triggered: (Trigger & { current_price: number; change_since_trigger_pct: number })[] }>
    >('/api/v1/alerts/triggered', { as: user.as });
    const first = triggered.body.data.triggered[0];
    expect(first).toMatchObject({ alert_id: a.id, symbol: 'BTC', current_price: quote });
    expect(first?.change_since_trigger_pct).toBeCloseTo(((quote - quote * 1.2) / (quote * 1.2)) * 100, 6);
  });

  it('fires an above alert created while above at the next evaluation; respects cooldown; one-shot deactivates', async () => {
    const user = await signUp();
    const already = await create(user, {
      alert_type: 'price_above',
      params: { threshold: quote * 0.9 },
      repeat: true,
    });
    const cooled = await create(user, {
      alert_type: 'price_crosses',
      params: { threshold: quote * 1.1 },
      repeat: true,
      cooldown_seconds: 3600,
    });
    const once = await create(user, { alert_type: 'price_below', params: { threshold: quote * 0.8 } });
    const base = T + 10 * DAY;
    // Other tests' alerts share this file's D1: look at this test's alerts only.
    const ids = new Set([already.id, cooled.id, once.id]);
    const tick = async (at: number, price: number) => ({
      fired: (await tickAll(at, price)).fired.filter((id) => ids.has(id)),
    });
    expect(already.current_state).toBe('armed');
    expect((await tick(base, quote)).fired).toEqual([already.id]); // armed: the condition still holds
    expect((await tick(base + 60_000, quote * 1.2)).fired).toEqual([cooled.id]);
    expect((await tick(base + 120_000, quote)).fired).toEqual([]); // crosses back within the cooldown
    expect((await tick(base + 180_000, quote * 0.7)).fired).toEqual([once.id]);
    expect((await tick(base + 240_000, quote)).fired).toEqual([already.id]); // below then above again
    expect((await tick(base + 300_000, quote * 0.7)).fired).toEqual([]); // one-shot is off now
    expect((await tick(base + 2 * 3_600_000, quote * 1.2)).fired.sort()).toEqual(
      [already.id, cooled.id].sort(),
    ); // cooldown over: crosses again
    const off = await callJson<Envelope<Alert>>(`/api/v1/alerts/${once.id}`, { as: user.as });
    expect(off.body.data).toMatchObject({ is_active: false, trigger_count: 1 });
  });

  it('runs on prices.updated through the bus', async () => {
    const user = await signUp();
    const a = await create(user, { alert_type: 'price_above', params: { threshold: quote * 1.05 } });
    const at = T + 50 * DAY;
    await publish(env, {
      type: 'prices.updated',
      source: 'test',
      at,
      assets: [{ assetId: BTC, symbol: 'BTC', price: quote * 1.1, changePct24h: null }],
    });
    const h = await history(user, a.id);
    expect(h.triggers.map((t) => Date.parse(t.triggered_at))).toEqual([at]);
  });

  // 120 sequential evaluations, each computing RSI over 300 candles: ~10 s on a loaded machine.
  it('fires an RSI alert on real BTC history exactly where RSI crosses the threshold', {
    timeout: 60_000,
  }, async () => {
    const user = await signUp();
    const rows = await env.DB.prepare(
      "SELECT open_time AS t, close FROM price_data WHERE asset_id = ? AND timeframe = '1d' ORDER BY open_time",
    )
      .bind(BTC)
      .all<{ t: number; close: number }>();
    const days = rows.results;
    const closes = days.map((d) => d.close);
    // RSI(14) from the whole history up to each day: what the alert must agree with.
    const rsiAt = (i: number) => rsi(closes.slice(0, i + 1), 14).at(-1) ?? Number.NaN;
    const from = days.length - 120;
    const values = days.slice(from).map((_, k) => rsiAt(from + k));
    const threshold = Math.round(((Math.max(...values) + Math.min(...values)) / 2) * 100) / 100;
    const a = await create(user, { alert_type: 'rsi_above', params: { threshold }, repeat: true });
    expect(a.current_state).not.toBeNull();
    // 'armed' when RSI is already above at creation: the first evaluation still above fires.
    let state = a.current_state;
    const expected: number[] = [];
    for (let k = 0; k < values.length; k++) {
      const now = (values[k] ?? 0) > threshold ? 'above' : 'below';
      const at = (days[from + k]?.t ?? 0) + DAY - 1;
      if (now === 'above' && state !== 'above') expected.push(at);
      state = now;
    }
    expect(expected.length).toBeGreaterThan(0);
    const fired: number[] = [];
    for (let k = 0; k < values.length; k++) {
      const day = days[from + k];
      if (!day) continue;
      const r = await tick(day.t + DAY - 1, day.close);
      if (r.fired.includes(a.id)) fired.push(day.t + DAY - 1);
    }
    expect(fired).toEqual(expected);
    const h = await callJson<Envelope<{ triggers: Trigger[] }>>(`/api/v1/alerts/${a.id}/history?limit=1000`, {
      as: user.as,
    });
    const firstTrigger = h.body.data.triggers.at(-1);
    const k = days.findIndex((d) => d.t + DAY - 1 === expected[0]);
    expect(firstTrigger?.value).toBeCloseTo(rsiAt(k), 8);
  });
});
