import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../../../src/domains/alerts/service';
import { callJson } from '../../helpers/api';
import { signUp, type TestUser } from '../../helpers/users';

// Issue 20: an event writes only the alerts whose state changes (plus one per-asset
// watermark), and firing stays exactly-once. Each test has its own asset, so the watermark
// of one never moves another's, and its own users; market times are fixed, never the clock.

type Envelope<T> = { data: T };
type Alert = { id: string; current_state: string | null; trigger_count: number };

const T = Date.parse('2031-03-01T00:00:00Z');
const MIN = 60_000;

/** A shared-catalog asset of this test's own, quoted at `price`. */
async function ownAsset(price: number): Promise<{ id: string; symbol: string }> {
  const tag = crypto.randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase();
  const id = `ast_wm${tag.toLowerCase()}`;
  const symbol = `WM${tag}`;
  await env.DB.batch([
    env.DB.prepare("INSERT INTO assets (id, symbol, name, asset_type) VALUES (?, ?, ?, 'crypto')").bind(
      id,
      symbol,
      `Watermark test ${tag}`,
    ),
    env.DB.prepare("INSERT INTO quotes (asset_id, price, source, as_of) VALUES (?, ?, 'test', ?)").bind(
      id,
      price,
      T - 60 * MIN,
    ),
  ]);
  return { id, symbol };
}

/** An env whose D1 counts the statements sent in batches (the only way evaluation writes). */
function countingEnv(options: { failFirstBatch?: boolean } = {}) {
  const counter = { statements: 0, batches: 0 };
  let fail = options.failFirstBatch ?? false;
  const DB = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          if (fail) {
            fail = false;
            throw new Error('D1 batch failed (simulated crash)');
          }
          counter.batches++;
          counter.statements += statements.length;
          return target.batch(statements);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { env: { ...env, DB } as Env, counter };
}

const event = (asset: { id: string; symbol: string }, at: number, price: number) => ({
  type: 'prices.updated' as const,
  source: 'test',
  at,
  assets: [{ assetId: asset.id, symbol: asset.symbol, price, changePct24h: null }],
});

async function create(user: TestUser, assetId: string, body: Record<string, unknown>) {
  const r = await callJson<Envelope<Alert>>('/api/v1/alerts', {
    method: 'POST',
    as: user.as,
    body: { asset_id: assetId, repeat: true, ...body },
  });
  expect(r.res.status).toBe(201);
  return r.body.data;
}

async function alertRow(id: string) {
  return env.DB.prepare('SELECT last_state, trigger_count FROM alerts WHERE id = ?')
    .bind(id)
    .first<{ last_state: string | null; trigger_count: number }>();
}

async function triggerTimes(id: string): Promise<number[]> {
  const r = await env.DB.prepare(
    'SELECT triggered_at FROM alert_triggers WHERE alert_id = ? ORDER BY triggered_at',
  )
    .bind(id)
    .all<{ triggered_at: number }>();
  return r.results.map((x) => x.triggered_at);
}

async function alertNotifications(user: TestUser, id: string): Promise<number> {
  const r = await env.DB.prepare(
    'SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND dedupe_key LIKE ?',
  )
    .bind(user.id, `alert:${id}:%`)
    .first<{ n: number }>();
  return r?.n ?? 0;
}

/** `n` repeating price_above alerts on one asset, thresholds spread over 100..200, states as at `price`. */
async function bulkAlerts(user: TestUser, assetId: string, n: number, price: number) {
  await env.DB.prepare(
    `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?1)
     INSERT INTO alerts (id, user_id, asset_id, alert_type, params, repeat, last_state)
     SELECT 'alr_bulk_' || ?2 || '_' || i, ?3, ?2, 'price_above',
            json_object('threshold', 100 + (i % 1000) / 10.0), 1,
            CASE WHEN ?4 > 100 + (i % 1000) / 10.0 THEN 'above' ELSE 'below' END
     FROM k`,
  )
    .bind(n, assetId, user.id, price)
    .run();
}

describe('alert evaluation writes only state changes', () => {
  it('an event that changes no alert writes one statement, whatever the number of alerts', {
    timeout: 120_000,
  }, async () => {
    const n = 5000;
    const user = await signUp();
    const asset = await ownAsset(150);
    await bulkAlerts(user, asset.id, n, 150.05);
    const counted = [];
    for (const [at, price] of [
      [T, 150.05],
      [T + MIN, 150.06],
      [T + 2 * MIN, 150.07],
      // Crosses the thresholds 150.1 to 151.0: 10 alerts of every 1,000.
      [T + 3 * MIN, 151.05],
    ] as const) {
      const { env: counting, counter } = countingEnv();
      const r = await evaluateAlerts(counting, event(asset, at, price));
      counted.push({ evaluated: r.evaluated, fired: r.fired.length, statements: counter.statements });
    }
    console.log(`alerts-writes n=${n}`, JSON.stringify(counted));
    const crossing = (n / 1000) * 10;
    expect(counted.map((c) => c.evaluated)).toEqual([n, n, n, n]);
    expect(counted.map((c) => c.fired)).toEqual([0, 0, 0, crossing]);
    // The first event marks every alert once (none had been evaluated), 85 to a statement for
    // each state read (thresholds 100.0-150.0 are below 150.05: 501 of every 1,000 'above'),
    // then the asset's span.
    const above = (n / 1000) * 501;
    expect(counted[0]?.statements).toBe(Math.ceil(above / 85) + Math.ceil((n - above) / 85) + 1);
    expect(counted[1]?.statements).toBe(1);
    expect(counted[2]?.statements).toBe(1);
    // One claim and one trigger row per crossing alert, and the watermark.
    expect(counted[3]?.statements).toBe(2 * crossing + 1);
    // The same event again is inside the asset's span: nothing is read, nothing written.
    const { env: counting, counter } = countingEnv();
    expect(await evaluateAlerts(counting, event(asset, T + 3 * MIN, 151.05))).toMatchObject({
      evaluated: 0,
      fired: [],
    });
    expect(counter.statements).toBe(0);
  });

  it('fires once when the same event is delivered twice, one after the other or at once', async () => {
    const user = await signUp();
    const asset = await ownAsset(100);
    const seq = await create(user, asset.id, { alert_type: 'price_above', params: { threshold: 110 } });
    expect((await evaluateAlerts(env, event(asset, T, 100))).fired).toEqual([]);
    expect((await evaluateAlerts(env, event(asset, T + MIN, 120))).fired).toEqual([seq.id]);
    expect((await evaluateAlerts(env, event(asset, T + MIN, 120))).fired).toEqual([]);

    const both = await create(user, asset.id, { alert_type: 'price_crosses', params: { threshold: 115 } });
    const at = T + 2 * MIN;
    const [a, b] = await Promise.all([
      evaluateAlerts(env, event(asset, at, 120)),
      evaluateAlerts(env, event(asset, at, 120)),
    ]);
    expect([...(a?.fired ?? []), ...(b?.fired ?? [])]).toEqual([both.id]);
    expect(await triggerTimes(seq.id)).toEqual([T + MIN]);
    expect(await triggerTimes(both.id)).toEqual([at]);
    expect(await alertNotifications(user, seq.id)).toBe(1);
    expect(await alertNotifications(user, both.id)).toBe(1);
  });

  it('an older event after a newer one changes nothing, even for alerts not written since', async () => {
    const user = await signUp();
    const asset = await ownAsset(100);
    const quiet = await create(user, asset.id, { alert_type: 'price_above', params: { threshold: 130 } });
    expect(quiet.current_state).toBe('below');
    await evaluateAlerts(env, event(asset, T, 100)); // first evaluation: written once
    const { env: counting, counter } = countingEnv();
    await evaluateAlerts(counting, event(asset, T + 10 * MIN, 101)); // unchanged: not written
    expect(counter.statements).toBe(1);
    // Between the two, above the threshold: it must not fire, nor change the state.
    expect((await evaluateAlerts(env, event(asset, T + 5 * MIN, 140))).fired).toEqual([]);
    expect(await alertRow(quiet.id)).toEqual({ last_state: 'below', trigger_count: 0 });
    expect((await evaluateAlerts(env, event(asset, T + 11 * MIN, 140))).fired).toEqual([quiet.id]);
    expect(await triggerTimes(quiet.id)).toEqual([T + 11 * MIN]);
  });

  it('a crash before the write batch commits loses nothing: the retry fires once', async () => {
    const user = await signUp();
    const asset = await ownAsset(100);
    const a = await create(user, asset.id, { alert_type: 'price_above', params: { threshold: 110 } });
    await evaluateAlerts(env, event(asset, T, 100));
    const { env: crashing } = countingEnv({ failFirstBatch: true });
    await expect(evaluateAlerts(crashing, event(asset, T + MIN, 120))).rejects.toThrow(/simulated crash/);
    expect(await alertRow(a.id)).toEqual({ last_state: 'below', trigger_count: 0 });
    expect(await triggerTimes(a.id)).toEqual([]);
    expect((await evaluateAlerts(env, event(asset, T + MIN, 120))).fired).toEqual([a.id]);
    expect((await evaluateAlerts(env, event(asset, T + MIN, 120))).fired).toEqual([]);
    expect(await triggerTimes(a.id)).toEqual([T + MIN]);
    expect(await alertNotifications(user, a.id)).toBe(1);
  });

  it('an alert created after its asset was evaluated fires once at the next event, not on older ones', async () => {
    const user = await signUp();
    const asset = await ownAsset(100);
    const early = await create(user, asset.id, { alert_type: 'price_below', params: { threshold: 50 } });
    await evaluateAlerts(env, event(asset, T, 100));
    await evaluateAlerts(env, event(asset, T + 10 * MIN, 100));
    const late = await create(user, asset.id, { alert_type: 'price_above', params: { threshold: 110 } });
    // Older than the newest evaluated event: a no-op for every alert of the asset.
    expect((await evaluateAlerts(env, event(asset, T + 5 * MIN, 120))).fired).toEqual([]);
    expect((await evaluateAlerts(env, event(asset, T + 10 * MIN, 120))).fired).toEqual([]);
    expect(await alertRow(late.id)).toEqual({ last_state: 'below', trigger_count: 0 });
    expect((await evaluateAlerts(env, event(asset, T + 20 * MIN, 120))).fired).toEqual([late.id]);
    expect((await evaluateAlerts(env, event(asset, T + 20 * MIN, 120))).fired).toEqual([]);
    expect((await evaluateAlerts(env, event(asset, T + 15 * MIN, 40))).fired).toEqual([]);
    expect(await triggerTimes(late.id)).toEqual([T + 20 * MIN]);
    expect(await triggerTimes(early.id)).toEqual([]);
    expect(await alertNotifications(user, late.id)).toBe(1);
  });
});
