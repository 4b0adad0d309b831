import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { purgeExpiredIdempotencyKeys, STALE_LOCK_MS } from '../../src/middleware/idempotency';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { probeApp } from '../helpers/probe-app';
import { freshIp, signUp } from '../helpers/users';

const probe = probeApp();
let n = 0;
const freshKey = () => `key-${Date.now()}-${n++}`;

function post(key: string | null, body: unknown, headers: Record<string, string> = {}) {
  return probe.request(probe.paths.plain, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: {
      'Content-Type': 'application/json',
      ...(key === null ? {} : { 'Idempotency-Key': key }),
      ...headers,
    },
  });
}

describe('Idempotency-Key', () => {
  it('runs a request without a key every time', async () => {
    const a = (await (await post(null, { name: 'a', amount: 1 })).json()) as { counter: number };
    const b = (await (await post(null, { name: 'a', amount: 1 })).json()) as { counter: number };
    expect(b.counter).toBe(a.counter + 1);
  });

  it('replays the stored response for the same key and body, without running again', async () => {
    const key = freshKey();
    const first = await post(key, { name: 'a', amount: 1 });
    const firstBody = (await first.json()) as { counter: number };
    expect(first.status).toBe(201);
    const again = await post(key, { name: 'a', amount: 1 });
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.headers.get('Content-Type')).toMatch(/application\/json/);
    expect(again.headers.get('X-Request-Id')).not.toBe(first.headers.get('X-Request-Id'));
    expect(await again.json()).toEqual(firstBody);
    const other = (await (await post(freshKey(), { name: 'a', amount: 1 })).json()) as { counter: number };
    expect(other.counter).toBe(firstBody.counter + 1);
  });

  it('accepts the structured-field form of the key ("...")', async () => {
    const key = freshKey();
    const first = (await (await post(key, { name: 'q', amount: 1 })).json()) as { counter: number };
    const quoted = await post(`"${key}"`, { name: 'q', amount: 1 });
    expect(quoted.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await quoted.json()) as { counter: number }).counter).toBe(first.counter);
  });

  it('answers 422 when the same key comes with a different body', async () => {
    const key = freshKey();
    await post(key, { name: 'a', amount: 1 });
    const res = await post(key, { name: 'a', amount: 2 });
    expectError(res, await res.json(), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('answers 409 with Retry-After to a retry while the first request is still running', async () => {
    const key = freshKey();
    const init = { method: 'POST', body: '{}', headers: { 'Idempotency-Key': key } };
    const first = probe.request('/api/probe/slow', init);
    await waitForClaim(key);
    const retry = await probe.request('/api/probe/slow', init);
    expectError(retry, await retry.json(), 409, 'IDEMPOTENCY_KEY_IN_USE');
    expect(retry.headers.get('Retry-After')).toBe('1');
    probe.openGate();
    expect((await first).status).toBe(201);
    const after = await probe.request('/api/probe/slow', init);
    expect(after.headers.get('Idempotent-Replayed')).toBe('true');
  });

  it('lets a retry take over a claim whose first request died', async () => {
    const key = freshKey();
    const body = { name: 'crash', amount: 1 };
    await post(key, body);
    await env.DB.prepare("UPDATE idempotency_keys SET state = 'processing', locked_at = ? WHERE key = ?")
      .bind(Date.now() - STALE_LOCK_MS - 1, key)
      .run();
    const res = await post(key, body);
    expect(res.status).toBe(201);
    expect(res.headers.get('Idempotent-Replayed')).toBeNull();
  });

  it('does not store failures, so a corrected retry with the same key runs', async () => {
    const key = freshKey();
    const bad = await post(key, { name: '', amount: 1 });
    expect(bad.status).toBe(400);
    // 4xx outcomes are stored (the same request fails the same way)...
    const replay = await post(key, { name: '', amount: 1 });
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    // ...and 5xx ones are not: the key is released for a real retry.
    const key5 = freshKey();
    const boom = await probe.request('/api/probe/explode', {
      method: 'POST',
      headers: { 'Idempotency-Key': key5 },
    });
    expect(boom.status).toBe(500);
    const row = await env.DB.prepare('SELECT 1 FROM idempotency_keys WHERE key = ?').bind(key5).first();
    expect(row).toBeNull();
  });

  it('scopes keys to the caller: another caller with the same key is a new request', async () => {
    const key = freshKey();
    const a = (await (
      await post(key, { name: 's', amount: 1 }, { 'CF-Connecting-IP': '203.0.113.1' })
    ).json()) as {
      counter: number;
    };
    const b = await post(key, { name: 's', amount: 1 }, { 'CF-Connecting-IP': '203.0.113.2' });
    expect(b.headers.get('Idempotent-Replayed')).toBeNull();
    expect(((await b.json()) as { counter: number }).counter).toBe(a.counter + 1);
  });

  it('rejects a malformed key with 400', async () => {
    const res = await post('bad key with spaces', { name: 'a', amount: 1 });
    expectError(res, await res.json(), 400, 'VALIDATION_ERROR');
  });

  it('keeps keys 24 hours, then the purge removes them', async () => {
    const key = freshKey();
    await post(key, { name: 'ttl', amount: 1 });
    const row = await env.DB.prepare('SELECT locked_at, expires_at FROM idempotency_keys WHERE key = ?')
      .bind(key)
      .first<{ locked_at: number; expires_at: number }>();
    expect(row && row.expires_at - row.locked_at).toBe(86_400_000);
    await purgeExpiredIdempotencyKeys(env, Date.now());
    expect(
      await env.DB.prepare('SELECT 1 FROM idempotency_keys WHERE key = ?').bind(key).first(),
    ).not.toBeNull();
    const purged = await purgeExpiredIdempotencyKeys(env, (row?.expires_at ?? 0) + 1);
    expect(purged).toBeGreaterThanOrEqual(1);
    const after = await env.DB.prepare('SELECT 1 FROM idempotency_keys WHERE key = ?').bind(key).first();
    expect(after).toBeNull();
  });

  it('stores a body too large for one D1 statement in R2 and replays it', async () => {
    const key = freshKey();
    const body = { name: 'y'.repeat(120_000), amount: 1 };
    const first = await post(key, body);
    expect(first.status).toBe(201);
    const row = await env.DB.prepare(
      'SELECT response_body, response_body_r2_key FROM idempotency_keys WHERE key = ?',
    )
      .bind(key)
      .first<{ response_body: string | null; response_body_r2_key: string | null }>();
    expect(row?.response_body).toBeNull();
    expect(row?.response_body_r2_key).toMatch(/^idempotency\//);
    const again = await post(key, body);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await again.json()) as { name: string }).name).toHaveLength(120_000);
  });
});

async function waitForClaim(key: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare("SELECT 1 FROM idempotency_keys WHERE key = ? AND state = 'processing'")
      .bind(key)
      .first();
    if (row) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the first request never claimed its key');
}

describe('Idempotency-Key scope and secrets', () => {
  /** Creates a watchlist through the real Worker. */
  function createWatchlist(name: string, key: string, headers: Record<string, string>) {
    return call('/api/v1/watchlists', {
      method: 'POST',
      body: { name },
      headers: { 'Idempotency-Key': key, ...headers },
    });
  }
  async function watchlistsNamed(userId: string, name: string): Promise<number> {
    const row = await env.DB.prepare(
      'SELECT count(*) AS n FROM watchlists WHERE user_id = ? AND name = ? AND deleted_at IS NULL',
    )
      .bind(userId, name)
      .first<{ n: number }>();
    return row?.n ?? 0;
  }

  it('belong to the user, not the token: a retry after a token refresh replays instead of running twice', async () => {
    const user = await signUp();
    const key = freshKey();
    const first = await createWatchlist('after-refresh', key, { Authorization: `Bearer ${user.token}` });
    expect(first.status).toBe(201);
    const refreshed = await callJson<{ access_token: string }>('/api/v1/auth/refresh', {
      method: 'POST',
      body: { refresh_token: user.refreshToken },
    });
    expect(refreshed.body.access_token).not.toBe(user.token);
    const retry = await createWatchlist('after-refresh', key, {
      Authorization: `Bearer ${refreshed.body.access_token}`,
    });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await watchlistsNamed(user.id, 'after-refresh')).toBe(1);

    // Another user's same key is their own request.
    const other = await signUp();
    const theirs = await createWatchlist('after-refresh', key, { Authorization: `Bearer ${other.token}` });
    expect(theirs.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await watchlistsNamed(other.id, 'after-refresh')).toBe(1);
  });

  it('belong to the API key, however it is sent: X-API-Key then Bearer replays', async () => {
    const user = await signUp();
    const created = await callJson<{ data: { key: string } }>('/api/v1/api-keys', {
      method: 'POST',
      as: user.as,
      body: { name: 'writer', scopes: ['read', 'write'] },
    });
    const apiKey = created.body.data.key;
    const key = freshKey();
    const first = await createWatchlist('via-key', key, { 'X-API-Key': apiKey });
    expect(first.status).toBe(201);
    const retry = await createWatchlist('via-key', key, { Authorization: `Bearer ${apiKey}` });
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await watchlistsNamed(user.id, 'via-key')).toBe(1);
    // The key's owner signed in with a token is another principal: the key's requests are not theirs.
    const asUser = await createWatchlist('via-key', key, { Authorization: `Bearer ${user.token}` });
    expect(asUser.headers.get('Idempotent-Replayed')).toBeNull();
  });

  it("belong to the user whether the token comes as 004's cookie or a bearer header", async () => {
    const user = await signUp();
    const key = freshKey();
    const make = (headers: Record<string, string>) =>
      call('/api/v1/management/portfolios', {
        method: 'POST',
        body: { name: 'cookie-then-bearer' },
        headers: { 'Idempotency-Key': key, ...headers },
      });
    const byCookie = await make({ Cookie: `auth_token=${user.token}`, 'X-Requested-With': 'XMLHttpRequest' });
    expect(byCookie.status).toBe(201);
    const byBearer = await make({ Authorization: `Bearer ${user.token}` });
    expect(byBearer.headers.get('Idempotent-Replayed')).toBe('true');
    const other = await signUp();
    const theirs = await make({ Cookie: `auth_token=${other.token}`, 'X-Requested-With': 'XMLHttpRequest' });
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('Idempotent-Replayed')).toBeNull();
    const row = await env.DB.prepare(
      "SELECT count(*) AS n FROM portfolios WHERE user_id = ? AND name = 'cookie-then-bearer'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(row?.n).toBe(1);
  });

  it('never keeps a response that carries credentials: sign-in, refresh, a new API key', async () => {
    const user = await signUp();
    const key = freshKey();
    const signIn = () =>
      callJson<{ access_token: string; refresh_token: string; session_id: string }>('/api/v1/auth/login', {
        method: 'POST',
        body: { email: user.email, password: user.password },
        headers: { 'Idempotency-Key': key, 'CF-Connecting-IP': freshIp() },
      });
    const a = await signIn();
    expect(a.res.status).toBe(200);
    expect(a.res.headers.get('Cache-Control')).toBe('no-store');
    const b = await signIn();
    expect(b.res.headers.get('Idempotent-Replayed')).toBeNull();
    expect(b.body.session_id).not.toBe(a.body.session_id);

    const refreshKey = freshKey();
    const refreshed = await callJson<{ access_token: string; refresh_token: string }>(
      '/api/v1/auth/refresh',
      {
        method: 'POST',
        body: { refresh_token: a.body.refresh_token },
        headers: { 'Idempotency-Key': refreshKey },
      },
    );
    expect(refreshed.res.status).toBe(200);
    const apiKeyKey = freshKey();
    const created = await callJson<{ data: { key: string } }>('/api/v1/api-keys', {
      method: 'POST',
      as: user.as,
      body: { name: 'secret' },
      headers: { 'Idempotency-Key': apiKeyKey },
    });
    expect(created.res.status).toBe(201);

    for (const k of [key, refreshKey, apiKeyKey]) {
      expect(await env.DB.prepare('SELECT 1 FROM idempotency_keys WHERE key = ?').bind(k).first()).toBeNull();
    }
    const secrets = [
      a.body.access_token,
      a.body.refresh_token,
      refreshed.body.access_token,
      refreshed.body.refresh_token,
      created.body.data.key,
    ];
    for (const secret of secrets) {
      const kept = await env.DB.prepare(
        "SELECT count(*) AS n FROM idempotency_keys WHERE instr(coalesce(response_body, ''), ?) > 0",
      )
        .bind(secret)
        .first<{ n: number }>();
      expect(kept?.n).toBe(0);
    }
  });
});
