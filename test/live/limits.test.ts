import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { addressKey } from '../../src/core/client';
import { publishTopic } from '../../src/live/publisher';
import { seedMarket } from '../helpers/market';
import { freshIp, signUp } from '../helpers/users';
import { connect, ofType } from './client';
import { withVars } from './client-vars';

describe('live limits', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH', 'SPY']);
  });

  it('closes a socket that sends a message over the size limit with 1009', async () => {
    const s = await connect('/ws/market-data');
    await s.next(ofType('welcome'));
    s.send({ type: 'subscribe', symbols: ['BTC'], pad: 'x'.repeat(5000) });
    expect(await s.closed).toMatchObject({ code: 1009 });
  });

  it('answers a flood with RATE_LIMITED, then closes with 1008', async () => {
    const s = await connect('/ws/market-data', { fetcher: withVars({ WS_MESSAGES_PER_MINUTE: '5' }) });
    expect(await s.next()).toMatchObject({ type: 'welcome', limits: { messages_per_minute: 5 } });
    for (let i = 0; i < 6; i++) s.send({ type: 'resume', last_seq: 0 });
    expect(await s.next(ofType('error'))).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await s.closed).toMatchObject({ code: 1008 });
    // Exactly five were served before the limit.
    expect(s.messages.filter((m) => m.type === 'resumed')).toHaveLength(5);
  });

  it('answers invalid messages with INVALID_MESSAGE and closes after the strike limit', async () => {
    const s = await connect('/ws/market-data', { fetcher: withVars({ WS_MAX_STRIKES: '3' }) });
    await s.next(ofType('welcome'));
    s.send('not json');
    expect(await s.next()).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    s.send({ type: 'subscribe' });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    s.send({ type: 'launch', symbols: ['BTC'] });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    expect(await s.closed).toMatchObject({ code: 1008, reason: 'Too many invalid messages' });
  });

  it('refuses more subscriptions than the limit with TOO_MANY_SUBSCRIPTIONS', async () => {
    const s = await connect('/ws/market-data', { fetcher: withVars({ WS_MAX_SUBSCRIPTIONS: '2' }) });
    await s.next(ofType('welcome'));
    s.send({ type: 'subscribe', symbols: ['BTC', 'ETH'] });
    await s.next(ofType('subscribed'));
    s.send({ type: 'subscribe', symbols: ['SPY'] });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'TOO_MANY_SUBSCRIPTIONS' });
    // The same assets again under other spellings are not new subscriptions.
    s.send({ type: 'subscribe', symbols: ['BTC/USD'] });
    expect(await s.next()).toMatchObject({ type: 'subscribed', symbols: ['BTC/USD'] });
    s.close();
  });

  it('spreads a topic over shards past the capacity; a publish reaches all with one seq', async () => {
    const fetcher = withVars({ WS_SHARD_CAPACITY: '2' });
    const sockets = [];
    for (let i = 0; i < 5; i++) {
      const s = await connect('/ws/macro', { fetcher });
      await s.next(ofType('welcome'));
      sockets.push(s);
    }
    const shards = await env.HUB.getByName('macro').shards();
    expect(shards).toEqual([
      { shard: 0, connections: 2 },
      { shard: 1, connections: 2 },
      { shard: 2, connections: 1 },
    ]);
    expect(await env.HUB.getByName('macro#1').connections()).toBe(2);
    const result = await publishTopic(env, 'macro', { type: 'macro_update', data: { test: true } });
    expect(result).toMatchObject({ first: result.last, delivered: 2, forwarded: 2 });
    const got = await Promise.all(sockets.map((s) => s.next(ofType('macro_update'))));
    expect(new Set(got.map((m) => m.seq))).toEqual(new Set([result.last]));

    // A socket on a shard resumes from the root's buffer.
    await publishTopic(env, 'macro', { type: 'macro_update', data: { n: 2 } });
    const late = sockets[4];
    if (!late) throw new Error('no socket');
    await late.next(ofType('macro_update'));
    late.send({ type: 'resume', last_seq: result.last });
    expect(await late.next()).toMatchObject({ type: 'macro_update', data: { n: 2 }, seq: result.last + 1 });
    expect(await late.next()).toMatchObject({ type: 'resumed', from: result.last + 1, to: result.last + 1 });

    // Closing reports back, and the freed slot is reused before a new shard opens.
    const first = sockets[0];
    first?.close();
    await first?.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect((await env.HUB.getByName('macro').shards())[0]).toEqual({ shard: 0, connections: 1 });
    const again = await connect('/ws/macro', { fetcher });
    await again.next(ofType('welcome'));
    expect((await env.HUB.getByName('macro').shards())[0]).toEqual({ shard: 0, connections: 2 });
    for (const s of [...sockets, again]) s.close();
  });
});

describe('connections per client address', () => {
  it('refuses one more than WS_MAX_CONNECTIONS_PER_ADDRESS with 1008, across topics, and frees a slot on close', async () => {
    const fetcher = withVars({ WS_MAX_CONNECTIONS_PER_ADDRESS: '2' });
    const ip = freshIp();
    const headers = { 'CF-Connecting-IP': ip };
    const user = await signUp();
    const a = await connect('/ws/market-data', { fetcher, headers });
    const b = await connect(`/ws/notifications?token=${user.token}`, { fetcher, headers });
    await a.next(ofType('welcome'));
    await b.next(ofType('welcome'));
    const address = env.CLIENT_ADDRESS.getByName(addressKey(ip));
    expect(await address.openSockets()).toBe(2);

    for (const path of ['/ws/macro', `/ws/portfolio?token=${user.token}`]) {
      const refused = await connect(path, { fetcher, headers });
      expect(await refused.closed).toEqual({ code: 1008, reason: 'Too many connections from this address' });
      expect(refused.messages).toEqual([]);
    }
    // Another address is not affected.
    const elsewhere = await connect('/ws/macro', { fetcher });
    await elsewhere.next(ofType('welcome'));
    elsewhere.close();

    a.close();
    await a.closed;
    await vi.waitFor(async () => expect(await address.openSockets()).toBe(1));
    const again = await connect('/ws/market-data', { fetcher, headers });
    expect(await again.next()).toMatchObject({ type: 'welcome' });
    // A refused token takes no slot.
    const bad = await connect('/ws/notifications?token=not-a-jwt', { fetcher, headers });
    expect(await bad.closed).toEqual({ code: 1008, reason: 'Invalid token' });
    expect(await address.openSockets()).toBe(2);
    again.close();
    b.close();
  });
});
