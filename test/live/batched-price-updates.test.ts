import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/events/bus';
import { seedMarket } from '../helpers/market';
import { connect, type LiveMsg, ofType } from './client';

const BTC = 'ast_btc';
const ETH = 'ast_eth';
const SYMBOLS: Record<string, string> = { [BTC]: 'BTC', [ETH]: 'ETH' };

async function tick(prices: Record<string, number>) {
  await publish(env, {
    type: 'prices.updated',
    source: 'test',
    at: Date.now(),
    assets: Object.entries(prices).map(([assetId, price]) => ({
      assetId,
      symbol: SYMBOLS[assetId] ?? assetId,
      price,
      changePct24h: 0.5,
    })),
  });
}

describe('/ws/market-data with "batch": true', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
  });

  it('sends one price_updates frame per publish holding exactly the per-symbol messages; per-symbol stays the default', async () => {
    const single = await connect('/ws/market-data');
    const batched = await connect('/ws/market-data');
    single.send({ type: 'subscribe', symbols: ['*'] });
    batched.send({ type: 'subscribe', symbols: ['*'], batch: true });
    await single.next(ofType('subscribed'));
    await batched.next(ofType('subscribed'));
    await tick({ [BTC]: 47000, [ETH]: 2700 });
    const one = await single.next(ofType('price_update'));
    const two = await single.next(ofType('price_update'));
    const frame = await batched.next(ofType('price_updates'));
    expect(frame).toMatchObject({ count: 2, first_seq: one.seq, last_seq: two.seq });
    expect(frame.updates).toEqual([one, two]);
    // Nothing per symbol on the batched socket, and no frame on the default one.
    expect(batched.messages.some((m) => m.type === 'price_update')).toBe(false);
    expect(single.messages.some((m) => m.type === 'price_updates')).toBe(false);
    for (const s of [single, batched]) s.close();
  });

  it('keeps a socket’s subset and spelling inside its frame, and can be turned off again', async () => {
    const s = await connect('/ws/market-data');
    s.send({ type: 'subscribe', symbols: ['eth-usd'], batch: true });
    await s.next(ofType('subscribed'));
    await tick({ [BTC]: 47100, [ETH]: 2710 });
    const frame = await s.next(ofType('price_updates'));
    const updates = frame.updates as LiveMsg[];
    expect(frame.count).toBe(1);
    expect(updates).toEqual([
      expect.objectContaining({ type: 'price_update', symbol: 'eth-usd', price: 2710 }),
    ]);
    // first_seq..last_seq is the publish's whole range (BTC, then ETH), so a resume after the
    // frame starts past both.
    expect(frame.last_seq).toBe(updates[0]?.seq);
    expect(frame.first_seq).toBe((updates[0]?.seq ?? 0) - 1);

    s.send({ type: 'subscribe', symbols: ['ETH'], batch: false });
    await s.next(ofType('subscribed'));
    await tick({ [ETH]: 2720 });
    expect(await s.next(ofType('price_update'))).toMatchObject({ symbol: 'ETH', price: 2720 });
    s.close();
  });

  it('refuses a non-boolean batch as an invalid message', async () => {
    const s = await connect('/ws/market-data');
    s.send({ type: 'subscribe', symbols: ['BTC'], batch: 'yes' });
    expect(await s.next(ofType('error'))).toMatchObject({ code: 'INVALID_MESSAGE' });
    s.close();
  });
});
