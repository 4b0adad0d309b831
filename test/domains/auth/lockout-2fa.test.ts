import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { enrolTotp } from '../../helpers/totp';
import { freshIp, signUp, signUpAdmin } from '../../helpers/users';

const login = (email: string, password: string, extra: Record<string, unknown> = {}) =>
  callJson<Record<string, unknown>>('/api/v1/auth/login', {
    method: 'POST',
    body: { email, password, ...extra },
    headers: { 'CF-Connecting-IP': freshIp() },
  });

/** How many sign-in checks of this user compared a password (and failed), from the activity log. */
async function evaluatedFailures(userId: string, reason: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM user_activities WHERE user_id = ? AND action = 'login_failed' AND json_extract(details, '$.reason') = ?",
  )
    .bind(userId, reason)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Ends the user's current lock (as time would), keeping the failure count. */
async function expireLock(userId: string): Promise<void> {
  await runInDurableObject(env.USER.getByName(userId), async (_o, state) => {
    state.storage.sql.exec('UPDATE lock_state SET locked_until = 0');
  });
}

/** The parts of an error answer that could tell one refusal from another. */
function refusal(r: { res: Response; body: Record<string, unknown> }) {
  const error = r.body.error as Record<string, unknown>;
  return {
    status: r.res.status,
    code: error.code,
    message: error.message,
    suggestion: error.suggestion,
    details: error.details,
    retryAfter: r.res.headers.get('Retry-After'),
  };
}

describe('failed logins', () => {
  it('lock the account after five in a row, even against the right password, for a growing interval', async () => {
    const user = await signUp();
    for (let i = 0; i < 5; i++) {
      const { res } = await login(user.email, `wrong-password-${i}`);
      expect(res.status).toBe(401);
    }
    // Locked: the right password is not even compared, and the answer is a wrong password's.
    const locked = await login(user.email, user.password);
    expectError(locked.res, locked.body, 401, 'INVALID_CREDENTIALS');
    expect(await evaluatedFailures(user.id, 'locked')).toBe(1);

    // After the lock, the next failure doubles it.
    await expireLock(user.id);
    await login(user.email, 'wrong-again-1');
    const row = await env.DB.prepare('SELECT failed_login_count, locked_until FROM users WHERE id = ?')
      .bind(user.id)
      .first<{ failed_login_count: number; locked_until: string }>();
    expect(row?.failed_login_count).toBe(6);
    const minutes = (Date.parse(row?.locked_until ?? '') - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(1.9);
    expect(minutes).toBeLessThanOrEqual(2);
  });

  it('hold under parallel guesses: of 30 wrong passwords at once at most 5 are compared, and the right one is refused', async () => {
    const user = await signUp();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(user.email, `parallel-wrong-${i}`)),
    );
    for (const a of answers) expectError(a.res, a.body, 401, 'INVALID_CREDENTIALS');
    const compared = await evaluatedFailures(user.id, 'password');
    expect(compared).toBeGreaterThanOrEqual(1);
    expect(compared).toBeLessThanOrEqual(5);
    // Every other guess was refused unseen.
    const refused =
      (await evaluatedFailures(user.id, 'locked')) + (await evaluatedFailures(user.id, 'check_in_progress'));
    expect(compared + refused).toBe(30);

    const right = await login(user.email, user.password);
    expectError(right.res, right.body, 401, 'INVALID_CREDENTIALS');
    const row = await env.DB.prepare(
      'SELECT failed_login_count, locked_until, login_count FROM users WHERE id = ?',
    )
      .bind(user.id)
      .first<{ failed_login_count: number; locked_until: string | null; login_count: number }>();
    expect(row?.failed_login_count).toBe(5);
    expect(Date.parse(row?.locked_until ?? '')).toBeGreaterThan(Date.now());
    expect(row?.login_count).toBe(0);
    // Thirty logins at once, up to five of them hashing a password: CPU-bound by design, so on a
    // busy two-core runner it needs more than the default five seconds.
  }, 30_000);

  it('answer a locked, a suspended and an unknown account alike until the password matches', async () => {
    const unknown = await login(`nobody-${crypto.randomUUID().slice(0, 8)}@example.com`, 'wrong-password-1');
    const expected = refusal(unknown);
    expect(expected.status).toBe(401);

    const locked = await signUp();
    for (let i = 0; i < 5; i++) await login(locked.email, `wrong-password-${i}`);
    expect(refusal(await login(locked.email, 'wrong-password-x'))).toEqual(expected);
    expect(refusal(await login(locked.email, locked.password))).toEqual(expected);

    const suspended = await signUp();
    await env.DB.prepare("UPDATE users SET status = 'suspended' WHERE id = ?").bind(suspended.id).run();
    expect(refusal(await login(suspended.email, 'wrong-password-1'))).toEqual(expected);
    expect(refusal(await login(locked.email, 'wrong-password-1'))).toEqual(expected);
    // Only the right password learns of the suspension.
    const right = await login(suspended.email, suspended.password);
    expectError(right.res, right.body, 403, 'AUTHORIZATION_ERROR');
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

describe('password change', () => {
  const change = (user: { as: { token: string } }, current: string, next = 'brand-new-pass-77') =>
    callJson('/api/v1/users/change-password', {
      method: 'POST',
      as: user.as,
      body: { current_password: current, new_password: next },
    });

  it('counts wrong current passwords with the sign-in lockout: parallel guesses stop at 5, then the right one is refused', async () => {
    const user = await signUp();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => change(user, `wrong-current-${i}`)),
    );
    const compared = answers.filter((a) => a.res.status === 401);
    const refused = answers.filter((a) => a.res.status === 403);
    expect(compared.length).toBeGreaterThanOrEqual(1);
    expect(compared.length).toBeLessThanOrEqual(5);
    expect(compared.length + refused.length).toBe(12);
    for (const a of refused) expectError(a.res, a.body, 403, 'ACCOUNT_LOCKED');
    expect(await evaluatedFailures(user.id, 'current_password')).toBe(compared.length);

    const right = await change(user, user.password);
    expectError(right.res, right.body, 403, 'ACCOUNT_LOCKED');
    expect(Number(right.res.headers.get('Retry-After'))).toBeGreaterThan(0);
    // The same lock holds at sign-in, and the password is unchanged.
    const signIn = await login(user.email, user.password);
    expectError(signIn.res, signIn.body, 401, 'INVALID_CREDENTIALS');
    await expireLock(user.id);
    expect((await login(user.email, user.password)).res.status).toBe(200);
  });
});

describe('two-factor authentication (TOTP)', () => {
  async function enrol() {
    const user = await signUp();
    return { user, ...(await enrolTotp(user)) };
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

  it('counts wrong codes on disable with the sign-in lockout, so the right one is then refused', async () => {
    const { user, totp } = await enrol();
    await callJson('/api/v1/auth/2fa/verify', {
      method: 'POST',
      as: user.as,
      body: { code: totp.generate() },
    });
    const good = totp.generate({ timestamp: Date.now() + 30_000 });
    const valid = new Set(
      [-30_000, 0, 30_000, 60_000].map((d) => totp.generate({ timestamp: Date.now() + d })),
    );
    const wrongCodes = Array.from({ length: 40 }, (_, i) => String(100_000 + i * 7919)).filter(
      (c) => !valid.has(c),
    );
    const wrong = (i: number) => wrongCodes[i] ?? '000000';
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        callJson('/api/v1/auth/2fa/disable', { method: 'POST', as: user.as, body: { code: wrong(i) } }),
      ),
    );
    const compared = answers.filter((a) => a.res.status === 400);
    expect(compared.length).toBeGreaterThanOrEqual(1);
    expect(compared.length).toBeLessThanOrEqual(5);
    for (const a of answers.filter((a) => a.res.status !== 400))
      expectError(a.res, a.body, 403, 'ACCOUNT_LOCKED');
    expect(await evaluatedFailures(user.id, 'mfa_disable')).toBe(compared.length);

    const right = await callJson('/api/v1/auth/2fa/disable', {
      method: 'POST',
      as: user.as,
      body: { code: good },
    });
    expectError(right.res, right.body, 403, 'ACCOUNT_LOCKED');
    const status = await callJson<{ data: { enabled: boolean } }>('/api/v1/auth/2fa', { as: user.as });
    expect(status.body.data.enabled).toBe(true);
  });
});
