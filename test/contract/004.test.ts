import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMarket } from '../helpers/market';
import { freshIp, signUp, type TestUser } from '../helpers/users';
import { cookieOf, expectStatus, isoTime, type Json } from './plain-helpers';

// Seed 004 (SigmaSight): every path our /openapi.json serves from it, called as its document
// shows (base /api/v1, snake_case fields, FastAPI-style errors with `detail`).

const num = expect.any(Number);

async function login004(user: { email: string; password: string }) {
  const res = await call('/api/v1/auth/login', {
    method: 'POST',
    body: { email: user.email, password: user.password },
    headers: { 'CF-Connecting-IP': freshIp() },
  });
  return { res, body: (await res.json()) as Json };
}

/** Calls with the 004 session cookie only (no Authorization header), as a browser would. */
const withCookie = (token: string, headers: Record<string, string> = {}) => ({
  headers: { Cookie: `auth_token=${token}`, ...headers },
});

describe('004 auth', () => {
  it('register takes full_name and answers the user fields (201)', async () => {
    const email = `c004-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const body = await expectStatus('/api/v1/auth/register', 201, {
      method: 'POST',
      body: { email, password: 'secure-password-1', full_name: 'New User' },
      headers: { 'CF-Connecting-IP': freshIp() },
    });
    expect(body).toMatchObject({
      id: expect.any(String),
      email,
      full_name: 'New User',
      is_active: true,
      created_at: isoTime,
    });
  });

  it('login answers access_token, token_type and expires_in, and sets the HttpOnly Secure SameSite cookie', async () => {
    const user = await signUp();
    const { res, body } = await login004(user);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ access_token: expect.any(String), token_type: 'bearer', expires_in: num });
    const cookie = cookieOf(res, 'auth_token');
    expect(cookie?.value).toBe(body.access_token);
    const attrs = (cookie?.attributes ?? []).map((a) => a.toLowerCase());
    expect(attrs).toEqual(
      expect.arrayContaining([
        'httponly',
        'secure',
        'samesite=lax',
        'path=/api/v1',
        `max-age=${body.expires_in}`,
      ]),
    );
  });

  it('login with a wrong password answers 401 with detail', async () => {
    const user = await signUp();
    const { res, body } = await login004({ email: user.email, password: 'wrong-password-9' });
    expectError(res, body, 401, 'INVALID_CREDENTIALS');
    expect(typeof body.detail).toBe('string');
  });

  it('/auth/me answers the user with its default portfolio_id, the portfolio its data paths list', async () => {
    const user = await signUp();
    const me = await expectStatus('/api/v1/auth/me', 200, { as: user.as });
    expect(me).toMatchObject({
      id: user.id,
      email: user.email,
      is_active: true,
      created_at: isoTime,
      portfolio_id: expect.stringMatching(/^pf_/),
    });
    expect(me).toHaveProperty('full_name');
    const again = await expectStatus('/api/v1/auth/me', 200, { as: user.as });
    expect(again.portfolio_id).toBe(me.portfolio_id);
    const list = await expectStatus('/api/v1/data/portfolios', 200, { as: user.as });
    expect(list.data.map((p: Json) => p.id)).toContain(me.portfolio_id);
    await expectStatus(`/api/v1/data/portfolio/${me.portfolio_id}/complete`, 200, { as: user.as });
    // The same portfolio 003's paths use, and the sign-in body now names it too.
    const { body } = await login004(user);
    expect(body.portfolio_id).toBe(me.portfolio_id);
  });

  it('/auth/me without credentials answers 401 with detail', async () => {
    const { res, body } = await callJson<Json>('/api/v1/auth/me');
    expectError(res, body, 401, 'AUTHENTICATION_ERROR');
    expect(typeof body.detail).toBe('string');
  });

  it('refresh with the bearer token answers a new access token in the body and the cookie', async () => {
    const user = await signUp();
    const res = await call('/api/v1/auth/refresh', { method: 'POST', as: user.as });
    const body = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ access_token: expect.any(String), token_type: 'bearer', expires_in: num });
    expect(cookieOf(res, 'auth_token')?.value).toBe(body.access_token);
    await expectStatus('/api/v1/auth/me', 200, { as: { token: body.access_token } });
  });
});

describe('004 cookie authentication', () => {
  let user: TestUser;
  let token: string;

  beforeAll(async () => {
    await seedMarket(['BTC']);
    user = await signUp();
    token = (await login004(user)).body.access_token;
  });

  it("004's reads accept the cookie alone", async () => {
    const me = await expectStatus('/api/v1/auth/me', 200, withCookie(token));
    expect(me.id).toBe(user.id);
    await expectStatus('/api/v1/data/portfolios', 200, withCookie(token));
  });

  it('a cookie-authenticated write needs X-Requested-With (CSRF), and then works', async () => {
    const body = { name: 'Cookie made', currency: 'USD' };
    const refused = await callJson<Json>('/api/v1/management/portfolios', {
      method: 'POST',
      body,
      ...withCookie(token),
    });
    expectError(refused.res, refused.body, 403, 'AUTHORIZATION_ERROR');
    const list = await expectStatus('/api/v1/data/portfolios', 200, withCookie(token));
    expect(list.data.map((p: Json) => p.name)).not.toContain('Cookie made');

    const made = await expectStatus('/api/v1/management/portfolios', 201, {
      method: 'POST',
      body,
      ...withCookie(token, { 'X-Requested-With': 'XMLHttpRequest' }),
    });
    expect(made).toMatchObject({ name: 'Cookie made', currency: 'USD' });
  });

  it('a cookie-authenticated write from a foreign Origin is refused', async () => {
    const { res, body } = await callJson<Json>('/api/v1/management/portfolios', {
      method: 'POST',
      body: { name: 'Forged' },
      ...withCookie(token, { 'X-Requested-With': 'XMLHttpRequest', Origin: 'https://evil.example' }),
    });
    expectError(res, body, 403, 'AUTHORIZATION_ERROR');
  });

  it('bearer writes need no CSRF header, and a bearer header wins over the cookie', async () => {
    const other = await signUp();
    const made = await expectStatus('/api/v1/management/portfolios', 201, {
      method: 'POST',
      as: other.as,
      body: { name: 'Bearer made' },
      ...withCookie(token),
    });
    const mine = await expectStatus('/api/v1/data/portfolios', 200, { as: other.as });
    expect(mine.data.map((p: Json) => p.id)).toContain(made.id);
  });

  it('the cookie is not a credential outside 004’s paths', async () => {
    const { res, body } = await callJson<Json>('/api/v1/users/me', withCookie(token));
    expectError(res, body, 401, 'AUTHENTICATION_ERROR');
  });

  it('an invalid cookie answers 401', async () => {
    const { res, body } = await callJson<Json>('/api/v1/data/portfolios', withCookie('not-a-jwt'));
    expect(res.status).toBe(401);
    expect(body.detail).toEqual(expect.any(String));
  });

  it('logout clears the cookie and ends the session behind it', async () => {
    const u = await signUp();
    const { body } = await login004(u);
    const cookieToken = body.access_token as string;
    await expectStatus('/api/v1/data/portfolios', 200, withCookie(cookieToken));
    const res = await call('/api/v1/auth/logout', {
      method: 'POST',
      ...withCookie(cookieToken, { 'X-Requested-With': 'XMLHttpRequest' }),
    });
    expect(res.status).toBe(200);
    const cleared = cookieOf(res, 'auth_token');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes.map((a) => a.toLowerCase())).toContain('max-age=0');
    const after = await callJson<Json>('/api/v1/data/portfolios', withCookie(cookieToken));
    expectError(after.res, after.body, 401, 'INVALID_TOKEN');
  });
});
