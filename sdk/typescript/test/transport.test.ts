import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConnectionError,
  CryptoOrchestratorClient,
  NotFoundError,
  RateLimitError,
  type Tokens,
} from '../src';

// The client's HTTP behaviour against scripted answers: what the server cannot be made to do
// on demand (a 429 with Retry-After, a 503, a lost response). The same behaviour against the
// real API is in server.test.ts.

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

type Answer = Response | Error | ((seen: Seen) => Response | Error);

function scripted(answers: Answer[]) {
  const seen: Seen[] = [];
  const delays: number[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const s: Seen = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof init?.body === 'string' ? init.body : null,
    };
    seen.push(s);
    const next = answers.shift();
    if (!next) throw new Error(`no scripted answer for ${s.method} ${s.url}`);
    const answer = typeof next === 'function' ? next(s) : next;
    if (answer instanceof Error) throw answer;
    return answer;
  }) as typeof fetch;
  const sleep = async (ms: number) => {
    delays.push(ms);
  };
  return { seen, delays, fetchFn, sleep };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

const errorBody = (code: string, status: number) => ({
  success: false,
  error: {
    code,
    message: `${code} happened`,
    status_code: status,
    classification: 'user_error',
    suggestion: 'Try again later',
  },
  request_id: 'req_123',
});

describe('retries', () => {
  it('waits as Retry-After says on 429 and sends the same Idempotency-Key again', async () => {
    const s = scripted([
      json(429, errorBody('RATE_LIMITED', 429), { 'Retry-After': '2' }),
      json(201, { success: true, data: { id: 'wl_1' }, meta: {} }),
    ]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      apiKey: 'mk_x',
      fetch: s.fetchFn,
      sleep: s.sleep,
    });
    const created = await client.watchlists.create({ name: 'Majors' });
    expect(created).toEqual({ id: 'wl_1' });
    expect(s.delays).toEqual([2000]);
    expect(s.seen).toHaveLength(2);
    const keys = s.seen.map((x) => x.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(s.seen[0]?.headers.authorization).toBe('Bearer mk_x');
  });

  it('backs off exponentially on 503 without Retry-After, then gives up with a typed error', async () => {
    const s = scripted([
      json(503, errorBody('SERVICE_UNAVAILABLE', 503)),
      json(503, errorBody('SERVICE_UNAVAILABLE', 503)),
      json(503, errorBody('SERVICE_UNAVAILABLE', 503)),
      json(503, errorBody('SERVICE_UNAVAILABLE', 503)),
    ]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      fetch: s.fetchFn,
      sleep: s.sleep,
    });
    const err = await client.health.get().catch((e: unknown) => e);
    expect(s.delays).toEqual([500, 1000, 2000]);
    expect(err).toMatchObject({
      name: 'ServerError',
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      requestId: 'req_123',
    });
  });

  it('reports the last Retry-After when 429s outlast the retries', async () => {
    const limited = () => json(429, errorBody('RATE_LIMITED', 429), { 'Retry-After': '7' });
    const s = scripted([limited(), limited()]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      maxRetries: 1,
      fetch: s.fetchFn,
      sleep: s.sleep,
    });
    const err = await client.assets.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(7);
    expect((err as RateLimitError).suggestion).toBe('Try again later');
  });

  it('retries a write whose response was lost with the same key, and a read as it is', async () => {
    const s = scripted([
      new TypeError('socket hang up'),
      json(201, { success: true, data: { id: 'a1' }, meta: {} }),
    ]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      fetch: s.fetchFn,
      sleep: s.sleep,
    });
    await client.alerts.create({ assetId: 'BTC' }, { idempotencyKey: 'my-key' });
    expect(s.seen.map((x) => x.headers['idempotency-key'])).toEqual(['my-key', 'my-key']);
  });

  it('does not repeat a network failure forever', async () => {
    const s = scripted([new TypeError('down'), new TypeError('down')]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      maxRetries: 1,
      fetch: s.fetchFn,
      sleep: s.sleep,
    });
    await expect(client.health.get()).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe('tokens', () => {
  it('refreshes once for concurrent calls on 401, keeps the rotated refresh token and retries', async () => {
    let refreshes = 0;
    const answers: Answer[] = [];
    const handler = (s: Seen): Response => {
      if (s.url.endsWith('/api/v1/auth/refresh')) {
        refreshes++;
        expect(JSON.parse(s.body ?? '{}')).toEqual({ refresh_token: 'r1' });
        return json(200, { access_token: 'a2', refresh_token: 'r2', expires_in: 900, token_type: 'bearer' });
      }
      return s.headers.authorization === 'Bearer a2'
        ? json(200, { success: true, data: { id: 'u1' }, meta: {} })
        : json(401, errorBody('TOKEN_EXPIRED', 401));
    };
    for (let i = 0; i < 8; i++) answers.push(handler);
    const s = scripted(answers);
    const kept: (Tokens | null)[] = [];
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test/api',
      accessToken: 'a1',
      refreshToken: 'r1',
      onTokens: (t) => kept.push(t),
      fetch: s.fetchFn,
    });
    const [a, b] = await Promise.all([client.portfolios.list(), client.portfolios.list()]);
    expect(a).toEqual({ id: 'u1' });
    expect(b).toEqual({ id: 'u1' });
    expect(refreshes).toBe(1);
    expect(client.tokens).toMatchObject({ accessToken: 'a2', refreshToken: 'r2' });
    expect(kept.at(-1)).toMatchObject({ refreshToken: 'r2' });
    // The base URL's /api suffix (as the seed's examples write it) is not doubled.
    expect(s.seen[0]?.url).toBe('http://api.test/api/v1/portfolios');
  });

  it('forgets the tokens and answers AuthenticationError when the refresh is refused', async () => {
    const s = scripted([
      json(401, errorBody('TOKEN_EXPIRED', 401)),
      json(401, errorBody('INVALID_REFRESH_TOKEN', 401)),
    ]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      accessToken: 'a1',
      refreshToken: 'r1',
      fetch: s.fetchFn,
    });
    const err = await client.auth.getMe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(client.tokens).toBeNull();
  });
});

describe('read replicas', () => {
  it('sends back the newest X-D1-Bookmark an answer carried, so later reads see this client’s writes', async () => {
    const older = '00000000-00000010-00000000-00000000000000000000000000000000';
    const newer = '00000000-00000012-00000000-00000000000000000000000000000000';
    const s = scripted([
      json(201, { success: true, data: { id: 'wl_1' }, meta: {} }, { 'X-D1-Bookmark': newer }),
      json(200, { success: true, data: { watchlists: [] }, meta: {} }, { 'X-D1-Bookmark': older }),
      json(200, { success: true, data: { watchlists: [] }, meta: {} }),
    ]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      apiKey: 'mk_x',
      fetch: s.fetchFn,
    });
    await client.watchlists.create({ name: 'Majors' });
    await client.watchlists.list();
    await client.watchlists.list();
    expect(s.seen.map((x) => x.headers['x-d1-bookmark'])).toEqual([undefined, newer, newer]);
  });
});

describe('bodies', () => {
  it('unwraps the v1 envelope and, when asked for v2, the v2 envelope', async () => {
    const s = scripted([
      json(200, { success: true, data: { id: 'p1' }, meta: { version: '2.0', request_id: 'r' } }),
    ]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      apiKey: 'mk_x',
      apiVersion: 2,
      fetch: s.fetchFn,
    });
    expect(await client.portfolio.get('paper')).toEqual({ id: 'p1' });
    expect(s.seen[0]?.headers['x-api-version']).toBe('2.0');
  });

  it('throws NotFoundError with the code and request id', async () => {
    const s = scripted([json(404, errorBody('ASSET_NOT_FOUND', 404))]);
    const client = new CryptoOrchestratorClient({ baseUrl: 'http://api.test', fetch: s.fetchFn });
    const err = await client.assets.get('NOPE').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 'ASSET_NOT_FOUND', requestId: 'req_123', status: 404 });
  });

  it('walks pages by the Link header of a plain list', async () => {
    const page = (items: number[], next: boolean) =>
      new Response(JSON.stringify(items.map((id) => ({ id: String(id) }))), {
        headers: {
          'Content-Type': 'application/json',
          ...(next ? { Link: '</api/trades?offset=2>; rel="next"' } : {}),
        },
      });
    const s = scripted([page([1, 2], true), page([3], false)]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      apiKey: 'mk_x',
      fetch: s.fetchFn,
    });
    const ids: string[] = [];
    for await (const trade of client.trades.listAll({ limit: 2 })) ids.push(trade.id);
    expect(ids).toEqual(['1', '2', '3']);
    expect(s.seen.map((x) => new URL(x.url).searchParams.get('offset'))).toEqual(['0', '2']);
  });
});

describe('names', () => {
  it('sends camelCase fields under the API names and reads answers back in camelCase', async () => {
    const s = scripted([
      json(201, {
        success: true,
        data: { id: 'alt_1', asset_id: 'ast_btc', alert_type: 'price_above', trigger_count: 0 },
        meta: {},
      }),
    ]);
    const client = new CryptoOrchestratorClient({
      baseUrl: 'http://api.test',
      apiKey: 'mk_x',
      fetch: s.fetchFn,
    });
    const alert = await client.alerts.create({ assetId: 'BTC', alertType: 'price_above', threshold: 70_000 });
    expect(JSON.parse(s.seen[0]?.body ?? '{}')).toEqual({
      asset_id: 'BTC',
      alert_type: 'price_above',
      threshold: 70_000,
    });
    expect(alert).toMatchObject({
      id: 'alt_1',
      assetId: 'ast_btc',
      alertType: 'price_above',
      triggerCount: 0,
    });
  });

  it('renames declared properties only: keys that are data (a record of symbols) stay as they are', async () => {
    const s = scripted([
      json(200, {
        results: {
          'BTC/USD': { price: 1, date: '2024-01-01', as_of: '2024-01-01T00:00:00Z', stale_reason: null },
          ast_eth: { price: 2, date: '2024-01-01', as_of: '2024-01-01T00:00:00Z', stale_reason: 'STALE' },
        },
      }),
    ]);
    const client = new CryptoOrchestratorClient({ baseUrl: 'http://api.test', fetch: s.fetchFn });
    const batch = await client.prices.batch({ tokens: [{ symbol: 'BTC/USD' }, { symbol: 'ast_eth' }] });
    expect(Object.keys(batch.results)).toEqual(['BTC/USD', 'ast_eth']);
    expect(batch.results.ast_eth).toMatchObject({ asOf: '2024-01-01T00:00:00Z', staleReason: 'STALE' });
  });

  it('names query parameters as the API does', async () => {
    const s = scripted([json(200, { success: true, data: { assets: [] }, meta: {} })]);
    const client = new CryptoOrchestratorClient({ baseUrl: 'http://api.test', fetch: s.fetchFn });
    await client.assets.list({ assetType: 'crypto', limit: 5 });
    const url = new URL(s.seen[0]?.url ?? '');
    expect(url.searchParams.get('asset_type')).toBe('crypto');
    expect(url.searchParams.has('assetType')).toBe(false);
    expect(url.searchParams.get('limit')).toBe('5');
  });
});
