import { env } from 'cloudflare:workers';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { freshIp, signUp, signUpAdmin } from '../../helpers/users';

const login = (email: string, password: string, extra: Record<string, unknown> = {}) =>
  callJson<Record<string, unknown>>('/api/v1/auth/login', {
    method: 'POST',
    body: { email, password, ...extra },
    headers: { 'CF-Connecting-IP': freshIp() },
  });

describe('failed logins', () => {
  it('lock the account after five in a row, even against the right password, for a growing interval', async () => {
    const user = await signUp();
    for (let i = 0; i < 5; i++) {
      const { res } = await login(user.email, `wrong-password-${i}`);
      expect(res.status).toBe(401);
    }
    const locked = await login(user.email, user.password);
    expectError(locked.res, locked.body, 403, 'ACCOUNT_LOCKED');
    const retryAfter = Number(locked.res.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // After the lock, the next failure doubles it.
    await env.DB.prepare("UPDATE users SET locked_until = '2000-01-01T00:00:00.000Z' WHERE id = ?")
      .bind(user.id)
      .run();
    await login(user.email, 'wrong-again-1');
    const row = await env.DB.prepare('SELECT failed_login_count, locked_until FROM users WHERE id = ?')
      .bind(user.id)
      .first<{ failed_login_count: number; locked_until: string }>();
    expect(row?.failed_login_count).toBe(6);
    const minutes = (Date.parse(row?.locked_until ?? '') - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(1.9);
    expect(minutes).toBeLessThanOrEqual(2);
  });

  it('are visible to admins, who can unlock the account', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    for (let i = 0; i < 5; i++) await login(user.email, `wrong-password-${i}`);
    const list = await callJson<{
      data: { users: { id: string; is_locked: boolean; failed_login_count: number }[] };
    }>('/api/v1/admin/users?locked=true', { as: admin.as });
    expect(list.body.data.users.find((u) => u.id === user.id)).toMatchObject({
      is_locked: true,
      failed_login_count: 5,
    });
    const suspicious = await callJson<{
      data: { failed_login_bursts: { user_id: string }[]; locked_accounts: { user_id: string }[] };
    }>('/api/v1/admin/security/suspicious-activity', { as: admin.as });
    expect(suspicious.body.data.failed_login_bursts.map((f) => f.user_id)).toContain(user.id);
    expect(suspicious.body.data.locked_accounts.map((f) => f.user_id)).toContain(user.id);
    const unlock = await callJson(`/api/v1/admin/users/${user.id}`, {
      method: 'PUT',
      as: admin.as,
      body: { unlock: true },
    });
    expect(unlock.res.status).toBe(200);
    expect((await login(user.email, user.password)).res.status).toBe(200);
  });

  it('reset on a successful login', async () => {
    const user = await signUp();
    await login(user.email, 'wrong-password-1');
    await login(user.email, user.password);
    const row = await env.DB.prepare('SELECT failed_login_count, login_count FROM users WHERE id = ?')
      .bind(user.id)
      .first();
    expect(row).toEqual({ failed_login_count: 0, login_count: 1 });
  });
});

describe('two-factor authentication (TOTP)', () => {
  async function enrol() {
    const user = await signUp();
    const { body } = await callJson<{ data: { secret: string; otpauth_uri: string } }>(
      '/api/v1/auth/2fa/enroll',
      {
        method: 'POST',
        as: user.as,
      },
    );
    const totp = new TOTP({
      secret: Secret.fromBase32(body.data.secret),
      digits: 6,
      period: 30,
      algorithm: 'SHA1',
    });
    return { user, totp, enrolment: body.data };
  }

  it('enrols with an otpauth URI and a stored, encrypted secret', async () => {
    const { user, enrolment } = await enrol();
    expect(enrolment.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Meridian:.+secret=[A-Z2-7]+/);
    const row = await env.DB.prepare('SELECT mfa_secret, mfa_enabled FROM users WHERE id = ?')
      .bind(user.id)
      .first<{
        mfa_secret: string;
        mfa_enabled: number;
      }>();
    expect(row?.mfa_enabled).toBe(0);
    expect(row?.mfa_secret).toMatch(/^v1\./);
    expect(row?.mfa_secret).not.toContain(enrolment.secret);
  });

  it('needs a valid code to turn on, then to sign in; a code works once', async () => {
    const { user, totp } = await enrol();
    const wrong = await callJson('/api/v1/auth/2fa/verify', {
      method: 'POST',
      as: user.as,
      body: { code: '000000' },
    });
    expectError(wrong.res, wrong.body, 400, 'INVALID_MFA_TOKEN');
    const ok = await callJson('/api/v1/auth/2fa/verify', {
      method: 'POST',
      as: user.as,
      body: { code: totp.generate() },
    });
    expect(ok.res.status).toBe(200);

    const missing = await login(user.email, user.password);
    expectError(missing.res, missing.body, 400, 'INVALID_MFA_TOKEN');
    expect(missing.body).toMatchObject({ error: { details: { mfa_required: true } } });
    const bad = await login(user.email, user.password, {
      totp_code: '123456' === totp.generate() ? '654321' : '123456',
    });
    expectError(bad.res, bad.body, 400, 'INVALID_MFA_TOKEN');

    // The code used to enable is spent; the next period's code is accepted (one step of drift).
    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    const good = await login(user.email, user.password, { totp_code: next });
    expect(good.res.status).toBe(200);
    const replay = await login(user.email, user.password, { totp_code: next });
    expectError(replay.res, replay.body, 400, 'INVALID_MFA_TOKEN');
  });

  it('answers MFA_NOT_ENABLED to verify before enrolment and to disable when off', async () => {
    const user = await signUp();
    const verify = await callJson('/api/v1/auth/2fa/verify', {
      method: 'POST',
      as: user.as,
      body: { code: '123456' },
    });
    expectError(verify.res, verify.body, 400, 'MFA_NOT_ENABLED');
    const disable = await callJson('/api/v1/auth/2fa/disable', {
      method: 'POST',
      as: user.as,
      body: { code: '123456' },
    });
    expectError(disable.res, disable.body, 400, 'MFA_NOT_ENABLED');
  });

  it('turns off with a current code, after which sign-in needs none', async () => {
    const { user, totp } = await enrol();
    await callJson('/api/v1/auth/2fa/verify', {
      method: 'POST',
      as: user.as,
      body: { code: totp.generate() },
    });
    const off = await callJson('/api/v1/auth/2fa/disable', {
      method: 'POST',
      as: user.as,
      body: { code: totp.generate({ timestamp: Date.now() + 30_000 }) },
    });
    expect(off.res.status).toBe(200);
    expect((await login(user.email, user.password)).res.status).toBe(200);
    const status = await callJson<{ data: { enabled: boolean } }>('/api/v1/auth/2fa', { as: user.as });
    expect(status.body.data.enabled).toBe(false);
  });
});
