import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SocketState } from '../../durable/lib/live';
import { publish } from '../../src/events/bus';
import { replayTick } from '../../src/ingestion/replay';
import { publishTopic } from '../../src/live/publisher';
import { call } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMarket } from '../helpers/market';
import { connect, ofType } from './client';
import { envWith } from './client-vars';

const BTC = 'ast_btc';
const ETH = 'ast_eth';
const SYMBOLS: Record<string, string> = { [BTC]: 'BTC', [ETH]: 'ETH', ast_spy: 'SPY', ast_dxy: 'DXY' };

async function tick(prices: Record<string, number>, at = Date.now()) {
  await publish(env, {
    type: 'prices.updated',
    source: 'test',
    at,
    assets: Object.entries(prices).map(([assetId, price]) => ({
      assetId,
      symbol: SYMBOLS[assetId] ?? assetId,
      price,
      changePct24h: 1.5,
    })),
  });
}

describe('/ws/market-data', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH', 'SPY', 'DXY']);
  });

  it('welcomes, subscribes, delivers price_update after prices.updated, and unsubscribes', async () => {
    const s = await connect('/ws/market-data');
    expect(s.status).toBe(101);
    const hello = await s.next();
    expect(hello).toMatchObject({
      type: 'welcome',
      topic: 'market-data',
      limits: { max_subscriptions: 50, max_message_bytes: 4096, messages_per_minute: 120 },
    });
    expect(typeof hello.seq).toBe('number');
    s.send({ type: 'subscribe', symbols: ['BTC'] });
    expect(await s.next()).toMatchObject({ type: 'subscribed', symbols: ['BTC'] });
    await tick({ [BTC]: 45000.5, [ETH]: 2500 });
    const update = await s.next(ofType('price_update'));
    expect(update).toMatchObject({ symbol: 'BTC', asset_id: BTC, price: 45000.5, change_pct_24h: 1.5 });
    expect(Date.parse(update.timestamp ?? '')).not.toBeNaN();
    expect(update.seq).toBeGreaterThan(hello.seq as number);
    // ETH was not subscribed: nothing for it.
    expect(s.messages.some((m) => m.asset_id === ETH)).toBe(false);

    s.send({ type: 'unsubscribe', symbols: ['BTC'] });
    expect(await s.next()).toMatchObject({ type: 'unsubscribed', symbols: ['BTC'] });
    const before = s.messages.length;
    await tick({ [BTC]: 45100 });
    s.send({ type: 'ping' });
    await s.next(ofType('pong'));
    expect(s.messages.slice(before).some((m) => m.type === 'price_update')).toBe(false);
    s.close();
  });

  it('echoes the symbol as each client subscribed with it, one seq for all', async () => {
    const pair = await connect('/ws/market-data');
    const bare = await connect('/ws/market-data');
    const all = await connect('/ws/market-data');
    pair.send({ type: 'subscribe', symbols: ['BTC/USD'] });
    bare.send({ type: 'subscribe', symbols: ['btc', 'ETH-USDT'] });
    all.send({ type: 'subscribe', symbols: ['*'] });
    await pair.next(ofType('subscribed'));
    await bare.next(ofType('subscribed'));
    await all.next(ofType('subscribed'));
    await tick({ [BTC]: 46000, [ETH]: 2600 });
    const a = await pair.next(ofType('price_update'));
    const b = await bare.next(ofType('price_update'));
    const b2 = await bare.next(ofType('price_update'));
    const c1 = await all.next(ofType('price_update'));
    const c2 = await all.next(ofType('price_update'));
    expect(a).toMatchObject({ symbol: 'BTC/USD', asset_id: BTC, price: 46000 });
    expect(b).toMatchObject({ symbol: 'btc', asset_id: BTC });
    expect(b2).toMatchObject({ symbol: 'ETH-USDT', asset_id: ETH, price: 2600 });
    expect([c1.symbol, c2.symbol].sort()).toEqual(['BTC', 'ETH']);
    expect(a.seq).toBe(b.seq);
    expect(c1.seq).toBe(a.seq);
    expect(c2.seq).toBe((a.seq as number) + 1);
    for (const s of [pair, bare, all]) s.close();
  });

  it('answers unknown symbols and over-long subscription lists with errors', async () => {
    const s = await connect('/ws/market-data');
    s.send({ type: 'subscribe', symbols: ['NOPE', 'BTC'] });
    expect(await s.next(ofType('error'))).toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    expect(await s.next(ofType('subscribed'))).toMatchObject({ symbols: ['BTC'] });
    s.close();
  });

  it('resumes from last_seq with the missed messages, then resumed', async () => {
    const s = await connect('/ws/market-data');
    s.send({ type: 'subscribe', symbols: ['ETH'] });
    await s.next(ofType('subscribed'));
    await tick({ [ETH]: 2700 });
    const first = await s.next(ofType('price_update'));
    s.close();
    await tick({ [ETH]: 2710 });
    await tick({ [ETH]: 2720, [BTC]: 47000 });

    // Reconnect with ?last_seq: the resume runs once the client has said what it wants.
    const again = await connect(`/ws/market-data?last_seq=${first.seq}`);
    again.send({ type: 'subscribe', symbols: ['ETH'] });
    await again.next(ofType('subscribed'));
    const r1 = await again.next();
    const r2 = await again.next();
    const done = await again.next();
    expect([r1.price, r2.price]).toEqual([2710, 2720]);
    expect(r2.seq).toBeGreaterThan(r1.seq as number);
    expect(done).toMatchObject({ type: 'resumed', from: r1.seq, to: r2.seq });
    // The message form, on a live socket: nothing missed is an empty range.
    again.send({ type: 'resume', last_seq: r2.seq });
    const none = await again.next(ofType('resumed'));
    expect(none.from).toBe((none.to as number) + 1);
    again.close();
  });

  it('delivers the ticks of a real replay run', async () => {
    const s = await connect('/ws/market-data');
    s.send({ type: 'subscribe', symbols: ['BTC/USD', 'SPY'] });
    await s.next(ofType('subscribed'));
    const tickResult = await replayTick(env);
    expect(tickResult?.changed).toContain(BTC);
    const update = await s.next((m) => m.type === 'price_update' && m.asset_id === BTC);
    expect(update).toMatchObject({ symbol: 'BTC/USD', source: 'replay' });
    expect(typeof update.price).toBe('number');
    s.close();
  });

  it('keeps seq and the resume buffer across a restart of the hub', async () => {
    const first = await publishTopic(env, 'signals', { type: 'signal', n: 'before' });
    const stub = env.HUB.getByName('signals');
    await runInDurableObject(stub, (_hub, state) => state.abort('test restart')).catch(() => undefined);
    const after = await publishTopic(env, 'signals', { type: 'signal', n: 'after' });
    expect(after.first).toBe(first.last + 1);
    const s = await connect(`/ws/signals?last_seq=${first.last - 1}`);
    await s.next(ofType('welcome'));
    expect(await s.next()).toMatchObject({ n: 'before', seq: first.last });
    expect(await s.next()).toMatchObject({ n: 'after', seq: after.last });
    s.close();
  });

  it('sends reset when last_seq is older than the bounded buffer', async () => {
    const small = envWith({ WS_RESUME_BUFFER: '3' });
    for (let i = 0; i < 6; i++) await publishTopic(small, 'signals', { type: 'signal', n: i });
    const s = await connect('/ws/signals?last_seq=1');
    const hello = await s.next(ofType('welcome'));
    expect(await s.next()).toMatchObject({ type: 'reset', seq: hello.seq });
    const ok = await connect(`/ws/signals?last_seq=${(hello.seq as number) - 2}`);
    await ok.next(ofType('welcome'));
    expect(await ok.next()).toMatchObject({ type: 'signal', seq: (hello.seq as number) - 1 });
    expect(await ok.next()).toMatchObject({ type: 'signal', seq: hello.seq });
    expect(await ok.next()).toMatchObject({
      type: 'resumed',
      from: (hello.seq as number) - 1,
      to: hello.seq,
    });
    s.close();
    ok.close();
  });

  it('serves an asset topic by id or symbol with its ticks and candles', async () => {
    const s = await connect('/ws/assets/BTC');
    expect(await s.next()).toMatchObject({ type: 'welcome', topic: `assets/${BTC}` });
    // A candle written just now by ingestion is published with the tick.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    await env.DB.prepare(
      `INSERT OR REPLACE INTO price_data (asset_id, timeframe, open_time, open, high, low, close, volume, source, updated_at)
       VALUES (?, '1h', ?, 1, 3, 0.5, 2, 10, 'test', ?)`,
    )
      .bind(BTC, hour, Date.now())
      .run();
    await tick({ [BTC]: 48000 });
    expect(await s.next(ofType('price_update'))).toMatchObject({ symbol: 'BTC', price: 48000 });
    expect(await s.next(ofType('candle'))).toMatchObject({
      symbol: 'BTC',
      asset_id: BTC,
      timeframe: '1h',
      open: 1,
      high: 3,
      low: 0.5,
      close: 2,
      volume: 10,
      time: new Date(hour).toISOString(),
    });
    s.send({ type: 'subscribe', symbols: ['ETH'] });
    expect(await s.next(ofType('error'))).toMatchObject({ code: 'INVALID_MESSAGE' });
    s.close();
    const missing = await call('/ws/assets/NOSUCH', { headers: { Upgrade: 'websocket' } });
    expectError(missing, await missing.json(), 404, 'NOT_FOUND');
  });

  it('publishes macro and sector snapshots when prices move', async () => {
    const macro = await connect('/ws/macro');
    const sectors = await connect('/ws/sectors');
    await macro.next(ofType('welcome'));
    await sectors.next(ofType('welcome'));
    await tick({ ast_dxy: 104.2, [BTC]: 48100 });
    const m = await macro.next(ofType('macro_update'));
    expect(m.data).toMatchObject({ assets: { DXY: { asset_id: 'ast_dxy' } } });
    // The dollar index's shipped history ends in 2023: the tile must not read as live.
    expect(m.data).toMatchObject({
      assets: { DXY: { stale: true, stale_reason: expect.stringContaining('2023-') } },
    });
    const sec = await sectors.next(ofType('sector_update'));
    expect(sec.asset_classes).toEqual(
      expect.arrayContaining([
        { asset_class: 'crypto', avg_change_pct_24h: 1.5, assets: 1 },
        { asset_class: 'index', avg_change_pct_24h: 1.5, assets: 1 },
      ]),
    );
    macro.close();
    sectors.close();
  });

  it('answers a plain GET with 426 in the error shape, and unknown topics with 404', async () => {
    const res = await call('/ws/market-data');
    expectError(res, await res.json(), 426, 'UPGRADE_REQUIRED');
    expect(res.headers.get('Upgrade')).toBe('websocket');
    const unknown = await call('/ws/nothing-here', { headers: { Upgrade: 'websocket' } });
    expectError(unknown, await unknown.json(), 404, 'NOT_FOUND');
  });

  it('echoes the meridian.v1 subprotocol', async () => {
    const s = await connect('/ws/macro', { headers: { 'Sec-WebSocket-Protocol': 'meridian.v1' } });
    expect(s.protocol).toBe('meridian.v1');
    s.close();
  });

  it('answers the heartbeat by auto-response, without waking the hub', async () => {
    const s = await connect('/ws/sectors');
    await s.next(ofType('welcome'));
    for (let i = 0; i < 3; i++) {
      s.send('{"type":"ping"}');
      expect(await s.next()).toEqual({ type: 'pong' });
    }
    const seen = await runInDurableObject(env.HUB.getByName('sectors'), async (_hub, state) =>
      state.getWebSockets().map((ws) => ({
        counted: (ws.deserializeAttachment() as SocketState).n,
        auto: state.getWebSocketAutoResponseTimestamp(ws),
      })),
    );
    // No socket's message budget moved, and the runtime recorded the auto-responses.
    expect(seen.every((x) => x.counted === 0)).toBe(true);
    expect(seen.some((x) => x.auto !== null)).toBe(true);
    s.close();
  });
});
