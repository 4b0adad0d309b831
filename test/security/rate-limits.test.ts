import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { placeRule } from '../../src/core/address-limits';
import { config } from '../../src/core/config';
import { bucketsFor, RATE_LIMIT_RULES } from '../../src/core/rate-limits';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { freshIp, signUp, signUpAdmin } from '../helpers/users';

/** A bucket's count as the object's SQLite holds it (0 when not written yet). */
function storedCount(stub: DurableObjectStub, key: string): Promise<number> {
  return runInDurableObject(
    stub,
    (_o, state) =>
      state.storage.sql
        .exec<{ count: number }>('SELECT count FROM rate_buckets WHERE key = ?', key)
        .toArray()[0]?.count ?? 0,
  );
}

/** Deferred counts are written within a second; polled for up to five. */
const WRITE_WAIT = { timeout: 5_000, interval: 100 };

describe('rate limits', () => {
  it('are exact under concurrency: of 130 simultaneous guest requests, exactly 100 pass', async () => {
    const ip = freshIp();
    const responses = await Promise.all(
      Array.from({ length: 130 }, () => call('/api/health', { headers: { 'CF-Connecting-IP': ip } })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    const rejected = responses.find((r) => r.status === 429);
    if (!rejected) throw new Error('no 429');
    const body = await rejected.json();
    expectError(rejected, body, 429, 'RATE_LIMIT_EXCEEDED');
    expect(body).toMatchObject({
      error: { classification: 'security_error', message: 'Too many requests. Please wait before retrying.' },
    });
    expect(Number(rejected.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(rejected.headers.get('X-RateLimit-Remaining')).toBe('0');
  });

  it('send X-RateLimit-* and IETF RateLimit headers, and 001 meta, on limited responses', async () => {
    const ip = freshIp();
    const res = await call('/api/v1/security/rate-limits', { headers: { 'CF-Connecting-IP': ip } });
    expect(res.headers.get('X-RateLimit-Limit')).toBe('100');
    expect(res.headers.get('X-RateLimit-Remaining')).toBe('99');
    const reset = Number(res.headers.get('X-RateLimit-Reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset - Date.now() / 1000).toBeLessThanOrEqual(3600);
    expect(res.headers.get('RateLimit-Policy')).toBe('"guest.global";q=100;w=3600');
    expect(res.headers.get('RateLimit')).toMatch(/^"guest\.global";r=99;t=\d+$/);
    const body = (await res.json()) as { meta: { rate_limit: { remaining: number; limit: number } } };
    expect(body.meta.rate_limit).toMatchObject({ limit: 100, remaining: 99 });
  });

  it('leave exempt paths alone', async () => {
    const res = await call('/health');
    expect(res.headers.get('X-RateLimit-Limit')).toBeNull();
  });

  it('limit login to 5 a minute per address, before the password is even checked', async () => {
    const ip = freshIp();
    const user = await signUp();
    // Fixed windows: six attempts straddling a minute boundary would fall into two windows and
    // the sixth would meet the account lockout (403) instead. The clock is held mid-minute, and
    // the tests share one isolate with the Worker and its objects, so they all read this time.
    const minute = Date.parse('2030-01-01T00:00:00Z');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(minute + 30_000);
    try {
      const responses: Response[] = [];
      for (let i = 0; i < 6; i++) {
        responses.push(
          await call('/api/auth/login', {
            method: 'POST',
            body: { email: user.email, password: 'wrong-pass-1' },
            headers: { 'CF-Connecting-IP': ip },
          }),
        );
      }
      expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429]);
      // The limiter decided in the held minute: its window ends at the next one.
      expect(responses[5]?.headers.get('X-RateLimit-Reset')).toBe(String((minute + 60_000) / 1000));
    } finally {
      vi.useRealTimers();
    }
  });

  it('multiply the signed-in limit by tier, and let admins through unlimited', async () => {
    const user = await signUp();
    const free = await call('/api/v1/users/me', { as: user.as });
    expect(free.headers.get('X-RateLimit-Limit')).toBe('1000');
    const admin = await signUpAdmin();
    await callJson(`/api/v1/admin/users/${user.id}`, { method: 'PUT', as: admin.as, body: { tier: 'mega' } });
    const mega = await call('/api/v1/users/me', { as: user.as });
    expect(mega.headers.get('X-RateLimit-Limit')).toBe('5000');
    const asAdmin = await call('/api/v1/users/me', { as: admin.as });
    expect(asAdmin.headers.get('X-RateLimit-Limit')).toBeNull();
  });

  it('count a signed-in user per user, across addresses', async () => {
    const user = await signUp();
    await call('/api/v1/users/me', { as: user.as, headers: { 'CF-Connecting-IP': freshIp() } });
    const second = await call('/api/v1/users/me', {
      as: user.as,
      headers: { 'CF-Connecting-IP': freshIp() },
    });
    // Registration made no user-bucket call; these two did.
    expect(second.headers.get('X-RateLimit-Remaining')).toBe('998');
  });

  it('write a signed-in user’s counts within a second, so they outlast the user object', async () => {
    const user = await signUp();
    for (let i = 0; i < 3; i++) await call('/api/v1/users/me', { as: user.as });
    const stub = env.USER.getByName(user.id);
    // The counts are decided in memory and written by a flush at most a second later.
    await vi.waitFor(async () => expect(await storedCount(stub, 'user.global')).toBe(3), WRITE_WAIT);
    await runInDurableObject(stub, (_o, state) => state.abort('restart')).catch(() => undefined);
    const after = await call('/api/v1/users/me', { as: user.as });
    expect(after.headers.get('X-RateLimit-Remaining')).toBe('996');
  });

  it('write a guest’s counts within a second, in the address’s shard', async () => {
    const ip = freshIp();
    for (let i = 0; i < 2; i++)
      await call('/api/v1/security/rate-limits', { headers: { 'CF-Connecting-IP': ip } });
    const { object, key } = placeRule(ip, 'guest.global');
    const shard = env.CLIENT_ADDRESS.getByName(object);
    await vi.waitFor(async () => expect(await storedCount(shard, key)).toBe(2), WRITE_WAIT);
  });

  it('report the caller’s state without counting, in 000 and 002 forms', async () => {
    const user = await signUp();
    await call('/api/v1/users/me', { as: user.as });
    const { body } = await callJson<{ data: { limits: { rule: string; used: number; limit: number }[] } }>(
      '/api/v1/security/rate-limits',
      { as: user.as },
    );
    const global = body.data.limits.find((l) => l.rule === 'user.global');
    // The status call itself counted (it is a limited request); the read inside did not.
    expect(global).toMatchObject({ limit: 1000, used: 2 });
    const tasks = await callJson<{
      rate_limits: { task_name: string; max_calls: number; current_calls: number }[];
    }>('/api/background-jobs/rate-limits?task_name=user.global', { as: user.as });
    expect(tasks.body.rate_limits).toEqual([
      expect.objectContaining({ task_name: 'user.global', max_calls: 1000, current_calls: 3 }),
    ]);
  });

  it('can be reset by an admin for a user, with an audit record', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    await call('/api/v1/users/me', { as: user.as });
    const reset = await callJson<{ success: boolean; had_history: boolean }>(
      `/api/background-jobs/rate-limits/user.global/reset?user_id=${user.id}`,
      { method: 'POST', as: admin.as },
    );
    expect(reset.body).toMatchObject({ success: true, had_history: true });
    const after = await call('/api/v1/users/me', { as: user.as });
    expect(after.headers.get('X-RateLimit-Remaining')).toBe('999');
    const unknown = await callJson('/api/background-jobs/rate-limits/no.such.rule/reset', {
      method: 'POST',
      as: admin.as,
    });
    expectError(unknown.res, unknown.body, 404, 'NOT_FOUND');
    const audit = await env.DB.prepare(
      "SELECT target_id FROM audit_logs WHERE action = 'rate_limit_reset'",
    ).first();
    expect(audit).toEqual({ target_id: user.id });
  });
});

describe('the policy table', () => {
  it('is applied unscaled by the deployed configuration (npm start scales it only locally)', () => {
    // The vars under test are wrangler.toml's [vars], which `wrangler deploy` ships.
    expect(config(env).RATE_LIMIT_SCALE).toBe(1);
    const guest = bucketsFor('POST', '/api/v1/auth/login', { kind: 'guest' }, config(env).RATE_LIMIT_SCALE);
    expect(guest.address.map((b) => `${b.rule}=${b.limit}/${b.windowSeconds}`).sort()).toEqual([
      'auth.login.hour=10/3600',
      'auth.login.minute=5/60',
      'guest.global=100/3600',
    ]);
  });

  it('applies the stricter of the seeds and both windows where they differ', () => {
    const login = bucketsFor('POST', '/api/v1/auth/login', { kind: 'guest' });
    expect(login.address.map((b) => `${b.rule}=${b.limit}/${b.windowSeconds}`).sort()).toEqual([
      'auth.login.hour=10/3600',
      'auth.login.minute=5/60',
      'guest.global=100/3600',
    ]);
    const snapshot = bucketsFor('GET', '/api/v1/macro/current-snapshot', { kind: 'guest' });
    expect(snapshot.address.map((b) => b.rule)).toContain('guest.macro-snapshot');
    const signedIn = bucketsFor('GET', '/api/v1/macro/current-snapshot', {
      kind: 'user',
      role: 'user',
      tier: 'free',
    });
    expect(signedIn.user.map((b) => b.rule)).toEqual(['user.global']);
    const backtest = bucketsFor('POST', '/api/backtesting/run', { kind: 'user', role: 'user', tier: 'pro' });
    expect(backtest.user).toEqual(
      expect.arrayContaining([
        { rule: 'user.global', key: 'user.global', limit: 2000, windowSeconds: 3600 },
        { rule: 'backtesting.run', key: 'backtesting.run', limit: 10, windowSeconds: 60 },
      ]),
    );
    const admin = bucketsFor('POST', '/api/backtesting/run', { kind: 'user', role: 'admin', tier: 'free' });
    expect(admin).toEqual({ address: [], user: [] });
    for (const rule of RATE_LIMIT_RULES) expect(rule.source).not.toBe('');
  });
});
