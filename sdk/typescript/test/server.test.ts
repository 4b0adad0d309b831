import { beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, CryptoOrchestratorClient, type LiveMessage, NotFoundError } from '../src';

// The TypeScript SDK against the real API: the `wrangler dev` that `npm run test:sdk`
// starts (SDK_ORIGIN), seeded with the shipped history, its crons fired on demand.

const ORIGIN = process.env.SDK_ORIGIN ?? '';
const MINUTE_CRON = '* * * * *';

let email: string;
const PASSWORD = 'sdk-password-1';

/** One replay tick, as the minute cron runs it (`wrangler dev --test-scheduled`): it publishes prices. */
async function tick(): Promise<void> {
  const res = await fetch(`${ORIGIN}/__scheduled?cron=${encodeURIComponent(MINUTE_CRON)}`);
  expect(res.status).toBe(200);
}

async function register(): Promise<string> {
  const address = `sdk-ts-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await fetch(`${ORIGIN}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: address, password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  return address;
}

/** Waits for the first message that `match` accepts (or fails after `ms`). */
async function until(messages: AsyncIterable<LiveMessage>, match: (m: LiveMessage) => boolean, ms = 30_000) {
  const seen: LiveMessage[] = [];
  const timer = new Promise<never>((_, reject) =>
    setTimeout(
      () =>
        reject(new Error(`no matching message in ${ms} ms; saw ${JSON.stringify(seen.map((m) => m.type))}`)),
      ms,
    ),
  );
  const iterator = messages[Symbol.asyncIterator]();
  const next = async (): Promise<LiveMessage> => {
    for (;;) {
      const r = await iterator.next();
      if (r.done) throw new Error('the connection ended');
      seen.push(r.value);
      if (match(r.value)) return r.value;
    }
  };
  return Promise.race([next(), timer]);
}

beforeAll(async () => {
  expect(ORIGIN, 'run through `npm run test:sdk`, which starts the server').not.toBe('');
  email = await register();
});

describe('authentication', () => {
  it('signs in with email and password, and rotates the refresh token when the access token is refused', async () => {
    const client = new CryptoOrchestratorClient({ baseUrl: `${ORIGIN}/api` });
    const auth = await client.authenticate(email, PASSWORD);
    expect(auth.access_token).toBeTruthy();
    const first = client.tokens;
    expect(first?.refreshToken).toBeTruthy();

    // An access token the API no longer takes (a forged one here; an expired one in life).
    client.transport.setTokens({
      accessToken: 'not-a-token',
      refreshToken: first?.refreshToken ?? null,
      expiresAt: null,
    });
    const me = await client.users.getMe();
    expect(me).toMatchObject({ email });
    const second = client.tokens;
    expect(second?.refreshToken).not.toBe(first?.refreshToken);

    // The old refresh token was rotated away: the API refuses it.
    const stale = new CryptoOrchestratorClient({
      baseUrl: ORIGIN,
      accessToken: 'not-a-token',
      refreshToken: first?.refreshToken ?? '',
    });
    await expect(stale.users.getMe()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('uses an API key it created', async () => {
    const client = new CryptoOrchestratorClient({ baseUrl: ORIGIN });
    await client.authenticate(email, PASSWORD);
    const created = await client.apiKeys.create({ name: 'sdk test', scopes: ['read', 'write'] });
    expect(created.key).toMatch(/^mk_/);
    const keyed = new CryptoOrchestratorClient({ baseUrl: ORIGIN, apiKey: created.key });
    expect(await keyed.users.getMe()).toMatchObject({ email });
  });
});

describe('writes and reads', () => {
  it('retries a write whose answer was lost with the same Idempotency-Key: one watchlist, not two', async () => {
    let lost = false;
    const flaky: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!lost && init?.method === 'POST' && String(input).endsWith('/api/v1/watchlists')) {
        lost = true; // the API did the work; the answer never arrived
        throw new TypeError('connection reset');
      }
      return res;
    };
    const client = new CryptoOrchestratorClient({ baseUrl: ORIGIN, fetch: flaky, sleep: async () => {} });
    await client.authenticate(email, PASSWORD);
    const name = `Retried ${Date.now()}`;
    const created = await client.watchlists.create({ name, assets: ['BTC', 'ETH'] });
    expect(lost).toBe(true);
    const mine = (await client.watchlists.list()).watchlists.filter((w) => w.name === name);
    expect(mine.map((w) => w.id)).toEqual([created.id]);
  });

  it('walks every page of a list and gets what one large page holds', async () => {
    const client = new CryptoOrchestratorClient({ baseUrl: ORIGIN });
    const all = (await client.assets.list({ limit: 1000 })).assets.map((a) => a.symbol);
    const walked: string[] = [];
    for await (const asset of client.assets.listAll({ limit: 4 })) walked.push(asset.symbol);
    expect(all.length).toBeGreaterThan(8);
    expect(walked).toEqual(all);
  });

  it('throws typed errors with the code and request id', async () => {
    const client = new CryptoOrchestratorClient({ baseUrl: ORIGIN });
    const err = await client.assets.get('NO-SUCH-ASSET').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).code).toMatch(/NOT_FOUND/);
    expect((err as NotFoundError).requestId).toBeTruthy();
  });
});

describe('live sockets', () => {
  it('resumes from the last seq after a drop: nothing published meanwhile is lost', async () => {
    const client = new CryptoOrchestratorClient({ baseUrl: ORIGIN });
    const live = client.live('/ws/market-data', { symbols: ['*'] });
    await live.ready();
    await until(live, (m) => m.type === 'subscribed');
    await tick();
    await until(live, (m) => m.type === 'price_update');
    const before = live.lastSeq ?? 0;
    expect(before).toBeGreaterThan(0);

    live.disconnect();
    await new Promise((r) => setTimeout(r, 1_500)); // the market clock moves on
    await tick(); // published while we are away
    live.resume();
    const resumed = await until(live, (m) => m.type === 'resumed' || m.type === 'reset');
    expect(resumed.type).toBe('resumed');
    expect(resumed.from).toBe(before + 1);
    expect(Number(resumed.to)).toBeGreaterThanOrEqual(before + 1);
    expect(live.lastSeq).toBe(resumed.to);
    live.close();
  });

  it('refreshes a refused token and connects to a personal topic', async () => {
    const client = new CryptoOrchestratorClient({ baseUrl: ORIGIN });
    await client.authenticate(email, PASSWORD);
    const refresh = client.tokens?.refreshToken ?? null;
    client.transport.setTokens({ accessToken: 'expired-token', refreshToken: refresh, expiresAt: null });
    const live = client.live('/ws/notifications');
    const welcome = await until(live, (m) => m.type === 'welcome');
    expect(welcome.topic).toBeTruthy();
    expect(client.tokens?.accessToken).not.toBe('expired-token');
    live.close();
  });
});
