import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signIn, signUp } from '../../helpers/users';

type Envelope<T> = { data: T };
type Profile = Record<string, unknown> & { preferences: Record<string, unknown> };

describe('profile', () => {
  it.each(['/api/v1/users/me', '/api/v1/users/profile'])(
    '%s reads and updates your own profile',
    async (path) => {
      const user = await signUp();
      const read = await callJson<Envelope<Profile>>(path, { as: user.as });
      expect(read.res.status).toBe(200);
      expect(read.body.data).toMatchObject({
        id: user.id,
        email: user.email,
        role: 'user',
        tier: 'free',
        subscription: { plan: 'free', rate_limit_multiplier: 1 },
        timezone: 'UTC',
        preferences: { theme: 'dark' },
      });
      const put = await callJson<Envelope<Profile>>(path, {
        method: 'PUT',
        as: user.as,
        body: {
          first_name: 'Ada',
          timezone: 'Europe/London',
          language: 'en-GB',
          preferences: { theme: 'light' },
        },
      });
      expect(put.res.status).toBe(200);
      expect(put.body.data).toMatchObject({
        first_name: 'Ada',
        full_name: 'Ada User',
        timezone: 'Europe/London',
        language: 'en-GB',
        preferences: { theme: 'light', notifications: { email: true } },
      });
    },
  );

  it('cannot set role, tier or status, and changes nothing when it tries', async () => {
    const user = await signUp();
    for (const body of [{ role: 'admin' }, { tier: 'mega' }, { status: 'active', first_name: 'X' }]) {
      const { res, body: err } = await callJson('/api/v1/users/me', { method: 'PUT', as: user.as, body });
      expectError(res, err, 400, 'VALIDATION_ERROR');
    }
    const row = await env.DB.prepare('SELECT role, tier, first_name FROM users WHERE id = ?')
      .bind(user.id)
      .first();
    expect(row).toEqual({ role: 'user', tier: 'free', first_name: 'Test' });
  });

  it('rejects an unknown time zone', async () => {
    const user = await signUp();
    const { res, body } = await callJson('/api/v1/users/me', {
      method: 'PUT',
      as: user.as,
      body: { timezone: 'Mars/Olympus' },
    });
    expectError(res, body, 400, 'VALIDATION_ERROR');
  });
});

describe('change password', () => {
  it('needs the current password, signs out other sessions, and the new one works', async () => {
    const user = await signUp();
    const other = await signIn(user);
    const wrong = await callJson('/api/v1/users/change-password', {
      method: 'POST',
      as: user.as,
      body: { current_password: 'not-it-123', new_password: 'brand-new-pass-7' },
    });
    expectError(wrong.res, wrong.body, 401, 'INVALID_CREDENTIALS');
    const ok = await callJson<Envelope<{ sessions_ended: number }>>('/api/v1/users/change-password', {
      method: 'POST',
      as: user.as,
      body: { current_password: user.password, new_password: 'brand-new-pass-7' },
    });
    expect(ok.res.status).toBe(200);
    expect(ok.body.data.sessions_ended).toBe(1);
    expect((await callJson('/api/auth/me', { as: other.as })).res.status).toBe(401);
    expect((await callJson('/api/auth/me', { as: user.as })).res.status).toBe(200);
    await expect(signIn({ email: user.email, password: 'brand-new-pass-7' })).resolves.toBeTruthy();
    await expect(signIn(user)).rejects.toThrow(/401/);
  });
});

describe('activity', () => {
  it('lists your own actions newest first, with engagement figures and paging', async () => {
    const user = await signUp();
    await callJson('/api/v1/users/me', { method: 'PUT', as: user.as, body: { language: 'fr' } });
    const other = await signUp();
    const { body } = await callJson<
      Envelope<{ activities: { action: string }[]; engagement: Record<string, unknown> }> & {
        meta: { pagination: { total: number } };
      }
    >('/api/v1/users/activity?limit=1', { as: user.as });
    expect(body.data.activities.map((a) => a.action)).toEqual(['profile_update']);
    expect(body.meta.pagination.total).toBe(2);
    expect(body.data.engagement).toMatchObject({
      active_sessions: 1,
      actions_30d: { register: 1, profile_update: 1 },
    });
    const theirs = await callJson<Envelope<{ activities: { action: string }[] }>>('/api/v1/users/activity', {
      as: other.as,
    });
    expect(theirs.body.data.activities.map((a) => a.action)).toEqual(['register']);
  });
});

describe('/api/preferences (002)', () => {
  it('reads the defaults, merges updates deeply, and answers plain or v2', async () => {
    const user = await signUp();
    const read = await callJson<Record<string, unknown>>('/api/preferences/', { as: user.as });
    expect(read.body).toEqual({
      theme: 'dark',
      language: 'en',
      notifications: { email: true, push: true, tradeAlerts: true },
      riskSettings: { maxPositionSize: 10, maxDrawdown: 20 },
    });
    const put = await callJson<Record<string, unknown>>('/api/preferences', {
      method: 'PUT',
      as: user.as,
      body: { theme: 'light', notifications: { tradeAlerts: false } },
    });
    expect(put.body).toMatchObject({
      theme: 'light',
      notifications: { email: true, push: true, tradeAlerts: false },
    });
    const v2 = await callJson<{ data: Record<string, unknown> }>('/api/v2/preferences', { as: user.as });
    expect(v2.body.data).toMatchObject({ theme: 'light' });
  });
});
