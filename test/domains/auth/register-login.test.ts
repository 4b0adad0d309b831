import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from '../../../src/core/passwords';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { freshIp, signUp } from '../../helpers/users';

const post = (path: string, body: unknown, ip = freshIp()) =>
  callJson<Record<string, unknown>>(path, { method: 'POST', body, headers: { 'CF-Connecting-IP': ip } });

describe('register', () => {
  it.each(['/api/v1/auth/register', '/api/auth/register'])(
    '%s answers one body every seed can read',
    async (path) => {
      const email = `Reg-${crypto.randomUUID().slice(0, 6)}@Example.COM `;
      const { res, body } = await post(path, {
        email,
        password: 'securepassword123',
        firstName: 'John',
        lastName: 'Doe',
      });
      expect(res.status).toBe(201);
      const normalized = email.trim().toLowerCase();
      // 001/004: token fields; 002/003: token and user; 004 register: user fields on top; 001: envelope.
      expect(body).toMatchObject({
        access_token: expect.any(String),
        refresh_token: expect.stringMatching(/^rt1\./),
        token: body.access_token,
        token_type: 'bearer',
        expires_in: 3600,
        user_id: expect.stringMatching(/^usr_/),
        id: body.user_id,
        email: normalized,
        full_name: 'John Doe',
        is_active: true,
        created_at: expect.any(String),
        user: {
          id: body.user_id,
          email: normalized,
          firstName: 'John',
          lastName: 'Doe',
          name: 'John Doe',
          role: 'user',
        },
        success: true,
        data: { access_token: body.access_token, user_id: body.user_id, refresh_token: body.refresh_token },
      });
    },
  );

  it('stores the password as PBKDF2-SHA256 with 100,000 iterations (the most production allows)', async () => {
    const user = await signUp();
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?')
      .bind(user.id)
      .first<{ password_hash: string }>();
    const [scheme, iterations, salt, hash] = (row?.password_hash ?? '').split('$');
    expect(scheme).toBe('pbkdf2-sha256');
    expect(Number(iterations)).toBe(100_000);
    expect(Number(iterations)).toBeLessThanOrEqual(100_000);
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    expect(salt).toHaveLength(24);
    expect(hash).toHaveLength(44);
    expect(row?.password_hash).not.toContain(user.password);
  });

  it('salts every hash and verifies only the right password', async () => {
    const a = await hashPassword('same-password-1');
    const b = await hashPassword('same-password-1');
    expect(a).not.toBe(b);
    expect(await verifyPassword('same-password-1', a)).toBe(true);
    expect(await verifyPassword('same-password-2', a)).toBe(false);
    expect(await verifyPassword('same-password-1', 'md5$1$x$y')).toBe(false);
  });

  it('answers 409 for a taken email, whatever its case', async () => {
    const user = await signUp();
    const { res, body } = await post('/api/v1/auth/register', {
      email: user.email.toUpperCase(),
      password: 'another-pass-9',
    });
    expectError(res, body, 409, 'INTEGRITY_ERROR');
  });

  it.each([
    ['too short', 'ab1'],
    ['letters only', 'onlyletterslong'],
    ['digits only', '1234567890'],
    ['too common', 'password123'],
  ])('rejects a weak password (%s) with 400', async (_why, password) => {
    const { res, body } = await post('/api/v1/auth/register', {
      email: `w-${crypto.randomUUID()}@example.com`,
      password,
    });
    expectError(res, body, 400, 'VALIDATION_ERROR');
  });

  it('refuses role or tier in the body and creates nothing', async () => {
    const email = `sneaky-${crypto.randomUUID().slice(0, 6)}@example.com`;
    for (const extra of [{ role: 'admin' }, { tier: 'mega' }]) {
      const { res, body } = await post('/api/v1/auth/register', {
        email,
        password: 'sneaky-pass-1',
        ...extra,
      });
      expectError(res, body, 400, 'VALIDATION_ERROR');
    }
    const row = await env.DB.prepare('SELECT 1 FROM users WHERE email = ?').bind(email).first();
    expect(row).toBeNull();
  });
});

describe('login', () => {
  it.each(['/api/v1/auth/login', '/api/auth/login'])('%s signs in with the right password', async (path) => {
    const user = await signUp();
    const { res, body } = await post(path, { email: user.email, password: user.password });
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ token: expect.any(String), user: { id: user.id }, user_id: user.id });
    expect(body.session_id).not.toBe(user.sessionId);
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const user = await signUp();
    const wrong = await post('/api/v1/auth/login', { email: user.email, password: 'not-the-password-1' });
    expectError(wrong.res, wrong.body, 401, 'INVALID_CREDENTIALS');
    const unknown = await post('/api/v1/auth/login', {
      email: 'nobody-here@example.com',
      password: 'whatever-1',
    });
    expectError(unknown.res, unknown.body, 401, 'INVALID_CREDENTIALS');
    expect((unknown.body.error as { message: string }).message).toBe(
      (wrong.body.error as { message: string }).message,
    );
  });

  it('accepts the email in any case and with spaces', async () => {
    const user = await signUp();
    const { res } = await post('/api/v1/auth/login', {
      email: `  ${user.email.toUpperCase()} `,
      password: user.password,
    });
    expect(res.status).toBe(200);
  });

  it('records logins and failures in the activity log', async () => {
    const user = await signUp();
    await post('/api/v1/auth/login', { email: user.email, password: 'wrong-password-1' });
    const rows = await env.DB.prepare(
      'SELECT action FROM user_activities WHERE user_id = ? ORDER BY created_at',
    )
      .bind(user.id)
      .all<{ action: string }>();
    expect(rows.results.map((r) => r.action)).toEqual(['register', 'login_failed']);
  });
});

describe('me', () => {
  it('answers 002/003 (user, role) and 004 (top-level fields) from the token', async () => {
    const user = await signUp();
    for (const path of ['/api/auth/me', '/api/v1/auth/me']) {
      const { res, body } = await callJson<Record<string, unknown>>(path, { as: user.as });
      expect(res.status).toBe(200);
      expect(body).toMatchObject({
        id: user.id,
        email: user.email,
        role: 'user',
        is_active: true,
        portfolio_id: expect.stringMatching(/^pf_/),
        user: { id: user.id, role: 'user' },
        data: { id: user.id },
      });
    }
  });

  it('answers 401 without a token', async () => {
    const { res, body } = await callJson('/api/auth/me');
    expectError(res, body, 401, 'AUTHENTICATION_ERROR');
  });
});
