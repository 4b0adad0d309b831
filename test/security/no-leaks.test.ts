import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64Url } from '../../src/core/crypto';
import { createNotification } from '../../src/domains/notifications/service';
import { call, callJson } from '../helpers/api';
import { seedMarket } from '../helpers/market';
import { signUp, type TestUser } from '../helpers/users';

type Param = { name: string; in: string; required?: boolean; schema?: { enum?: unknown[] } };
type Op = { parameters?: Param[] };
type Doc = { paths: Record<string, Record<string, Op>> };

/** A mark no seeded or shared object carries, so finding it anywhere is a leak. */
const mark = `zq${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;

/** Everything of A's that is private: ids and the unique names given to it. */
const secrets: string[] = [];

async function created<T extends Record<string, unknown>>(
  owner: TestUser,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await call(path, { method: 'POST', as: owner.as, body, headers });
  const json = (await res.json()) as { data?: T } & T;
  expect(res.status, `${path}: ${JSON.stringify(json)}`).toBeLessThan(300);
  return (json.data ?? json) as T;
}

/** Query values a list route needs to show everything it can: the largest page, inactive rows. */
function queryFor(op: Op): string {
  const q = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    if (p.in !== 'query') continue;
    if (p.name === 'limit' || p.name === 'page_size') q.set(p.name, '1000');
    else if (p.name.startsWith('include_')) q.set(p.name, 'true');
    else if (p.required && p.schema?.enum?.length) q.set(p.name, String(p.schema.enum[0]));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

let lists: { path: string; op: Op }[] = [];

beforeAll(async () => {
  await seedMarket();
  const owner = await signUp();
  secrets.push(owner.id, owner.email, owner.sessionId);

  // A private series with candles (on or before the replay start).
  const asset = await created<{ id: string }>(owner, '/api/v1/users/me/assets', {
    symbol: mark.toUpperCase(),
    name: `${mark} series`,
    asset_type: 'etf',
  });
  secrets.push(asset.id, mark);
  const candles = [
    'date,open,high,low,close,volume',
    '2023-12-01,10,11,9,10.5,100',
    '2023-12-02,10.5,12,10,11.5,120',
  ];
  await created(owner, `/api/v1/users/me/assets/${asset.id}/import`, candles.join('\n'), {
    'Content-Type': 'text/csv',
  });

  // A private portfolio with a deposit and a trade.
  const portfolio = await created<{ id: string }>(owner, '/api/v1/portfolios', {
    name: `${mark} portfolio`,
    is_public: false,
  });
  secrets.push(portfolio.id);
  const deposit = await created<{ trade: { id: string } }>(
    owner,
    `/api/v1/portfolios/${portfolio.id}/trades`,
    {
      trade_type: 'add',
      quantity: 10_000,
      trade_date: '2023-12-01',
      notes: `${mark} deposit`,
    },
  );
  const buy = await created<{ trade: { id: string } }>(owner, `/api/v1/portfolios/${portfolio.id}/trades`, {
    trade_type: 'buy',
    symbol: 'BTC',
    quantity: 0.1,
    price: 38_000,
    trade_date: '2023-12-02',
  });
  secrets.push(deposit.trade.id, buy.trade.id);

  const watchlist = await created<{ id: string }>(owner, '/api/v1/watchlists', {
    name: `${mark} watchlist`,
    assets: ['BTC'],
    is_public: false,
  });
  secrets.push(watchlist.id);
  const alert = await created<{ id: string }>(owner, '/api/v1/alerts', {
    asset_id: 'BTC',
    condition: 'above',
    trigger_value: 9_999_999,
    message: `${mark} alert`,
  });
  secrets.push(alert.id);
  const key = await created<{ id: string; key: string; prefix: string }>(owner, '/api/v1/api-keys', {
    name: `${mark} key`,
    scopes: ['read'],
  });
  secrets.push(key.id, key.key, key.prefix);
  const feedback = await created<{ id: string }>(owner, '/api/v1/feedback', {
    category: 'bug',
    subject: `${mark} subject`,
    message: `${mark} feedback`,
  });
  secrets.push(feedback.id);
  const pushEndpoint = `https://fcm.googleapis.com/fcm/send/${mark}`;
  const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer);
  await created(owner, '/api/notifications/subscribe', {
    endpoint: pushEndpoint,
    keys: {
      p256dh: bytesToBase64Url(raw),
      auth: bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    },
  });
  secrets.push(pushEndpoint);
  const note = await createNotification(env, {
    userId: owner.id,
    type: 'system',
    title: `${mark} notification`,
    message: 'private',
  });
  if (note) secrets.push(note.id);

  const doc = (await (await call('/openapi.json')).json()) as Doc;
  lists = Object.entries(doc.paths).flatMap(([path, ops]) =>
    ops.get && !path.includes('{') ? [{ path, op: ops.get }] : [],
  );
}, 120_000);

async function leaksOn(caller: 'guest' | TestUser): Promise<string[]> {
  const found: string[] = [];
  for (const { path, op } of lists) {
    const res = await call(`${path}${queryFor(op)}`, caller === 'guest' ? {} : { as: caller.as });
    const text = await res.text();
    const hits = secrets.filter((s) => text.toLowerCase().includes(s.toLowerCase()));
    if (hits.length) found.push(`${path} (${res.status}): ${hits.join(', ')}`);
  }
  return found;
}

describe("no list route shows another user's private objects", () => {
  it('walks every GET list route of /openapi.json', () => {
    expect(lists.length).toBeGreaterThan(40);
    expect(lists.map((l) => l.path)).toContain('/api/v1/price-data/quality-report');
    expect(secrets.length).toBeGreaterThan(12);
  });

  it('as a guest', async () => {
    expect(await leaksOn('guest')).toEqual([]);
  }, 120_000);

  it('as another signed-in user', async () => {
    expect(await leaksOn(await signUp())).toEqual([]);
  }, 120_000);

  it("the quality report still lists shared series, and not A's own", async () => {
    const { body } = await callJson<{ data: { series: { asset_id: string; symbol: string }[] } }>(
      '/api/v1/price-data/quality-report',
    );
    expect(body.data.series.some((s) => s.symbol === 'BTC')).toBe(true);
    expect(body.data.series.some((s) => s.symbol === mark.toUpperCase())).toBe(false);
  });
});
