import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/events/bus';
import { seedMarket } from '../helpers/market';
import { freshIp } from '../helpers/users';
import { connect, type LiveMsg, type TestSocket } from './client';

const BTC = 'ast_btc';
const ETH = 'ast_eth';
const SPY = 'ast_spy';
const SYMBOLS: Record<string, string> = { [BTC]: 'BTC', [ETH]: 'ETH', [SPY]: 'SPY' };

// Prices no other test publishes, so a socket's messages of this publish can be told apart
// from any other publish on the shared market-data topic.
const PRICES: Record<string, number> = { [BTC]: 47_123.25, [ETH]: 2_712.5, [SPY]: 512.75 };

async function tick(): Promise<void> {
  await publish(env, {
    type: 'prices.updated',
    source: 'test',
    at: Date.now(),
    assets: Object.entries(PRICES).map(([assetId, price]) => ({
      assetId,
      symbol: SYMBOLS[assetId] ?? assetId,
      price,
      changePct24h: 0.25,
    })),
  });
}

const ours = (m: LiveMsg) => m.type === 'price_update' && PRICES[m.asset_id as string] === m.price;

/** The socket's messages of this test's publish, unwrapping batched frames, once `count` have come. */
async function received(s: TestSocket, count: number): Promise<LiveMsg[]> {
  const out: LiveMsg[] = [];
  while (out.length < count) {
    const m = await s.next(
      (x) => ours(x) || (x.type === 'price_updates' && (x.updates as LiveMsg[]).some(ours)),
    );
    if (m.type === 'price_updates') out.push(...(m.updates as LiveMsg[]).filter(ours));
    else out.push(m);
  }
  return out;
}

describe('market-data fan-out to a mix of sockets', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH', 'SPY']);
  });

  it('gives every socket exactly its messages of one publish, in seq order, as its subscription and mode ask', async () => {
    const subs: [string, string[], boolean][] = [
      ['all', ['*'], false],
      ['all batched', ['*'], true],
      ['all + canonical BTC', ['*', 'BTC'], false],
      ['all + own spelling', ['*', 'btc'], false],
      ['subset, own spelling, batched', ['eth-usd'], true],
      ['subset', ['ETH', 'SPY'], false],
    ];
    const sockets = new Map<string, TestSocket>();
    for (const [name, symbols, batch] of subs) {
      const s = await connect('/ws/market-data');
      s.send({ type: 'subscribe', symbols, ...(batch ? { batch: true } : {}) });
      await s.next((m) => m.type === 'subscribed');
      sockets.set(name, s);
    }
    await tick();

    const all = await received(sockets.get('all') as TestSocket, 3);
    const seqs = all.map((m) => m.seq as number);
    // One publish: consecutive seqs, in order, every message stamped alike.
    expect(seqs).toEqual([seqs[0], (seqs[0] as number) + 1, (seqs[0] as number) + 2]);
    expect(new Set(all.map((m) => m.timestamp)).size).toBe(1);
    expect(all.map((m) => m.symbol)).toEqual(['BTC', 'ETH', 'SPY']);

    // "*" batched: one frame holding exactly the per-symbol messages.
    const frame = await (sockets.get('all batched') as TestSocket).next(
      (m) => m.type === 'price_updates' && (m.updates as LiveMsg[]).some(ours),
    );
    expect(frame).toMatchObject({ first_seq: seqs[0], last_seq: seqs[2], count: 3 });
    expect(frame.updates).toEqual(all);

    // "*" plus a canonical spelling: the same messages as "*".
    expect(await received(sockets.get('all + canonical BTC') as TestSocket, 3)).toEqual(all);

    // "*" plus its own spelling: BTC relabeled, the others as stored.
    const own = await received(sockets.get('all + own spelling') as TestSocket, 3);
    expect(own).toEqual([{ ...all[0], symbol: 'btc' }, all[1], all[2]]);

    // A subset in its own spelling, batched: a frame of one message, the publish's whole range.
    const subset = await (sockets.get('subset, own spelling, batched') as TestSocket).next(
      (m) => m.type === 'price_updates' && (m.updates as LiveMsg[]).some(ours),
    );
    expect(subset).toMatchObject({ first_seq: seqs[0], last_seq: seqs[2], count: 1 });
    expect(subset.updates).toEqual([{ ...all[1], symbol: 'eth-usd' }]);

    // A subset per symbol: only its assets, in seq order; BTC's message, first in seq, never came.
    const s = sockets.get('subset') as TestSocket;
    expect(await received(s, 2)).toEqual([all[1], all[2]]);
    expect(s.messages.some((m) => ours(m) && m.asset_id === BTC)).toBe(false);

    for (const socket of sockets.values()) socket.close();
  });

  it('names no extension on the 101, declining the permessage-deflate a client offers', async () => {
    const res = await exports.default.fetch(
      new Request('http://meridian.test/ws/market-data', {
        headers: {
          Upgrade: 'websocket',
          'CF-Connecting-IP': freshIp(),
          'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
        },
      }),
    );
    expect(res.status).toBe(101);
    // The runtime agrees to the extensions the 101 names: none, whatever the client offered.
    expect(res.headers.get('Sec-WebSocket-Extensions')).toBe('none');
    const ws = res.webSocket as WebSocket;
    ws.accept();
    ws.close(1000, 'done');
  });
});
