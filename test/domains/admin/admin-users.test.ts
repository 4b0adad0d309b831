import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signIn, signUp, signUpAdmin } from '../../helpers/users';

type Envelope<T> = { data: T; meta: { pagination?: { total: number } } };
type AdminUser = {
  id: string;
  role: string;
  status: string;
  tier: string;
  is_verified: boolean;
  admin_notes: string | null;
};

describe('admin user management', () => {
  it('lists users with filters, statistics and paging (000/001)', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const { res, body } = await callJson<
      Envelope<{ users: AdminUser[]; statistics: Record<string, number> }>
    >('/api/v1/admin/users?role=admin&limit=5', { as: admin.as });
    expect(res.status).toBe(200);
    expect(body.data.users.every((u) => u.role === 'admin')).toBe(true);
    expect(body.data.users.map((u) => u.id)).toContain(admin.id);
    expect(body.data.statistics.total_users).toBeGreaterThanOrEqual(2);
    expect(body.data.statistics.admins).toBeGreaterThanOrEqual(1);
    const search = await callJson<Envelope<{ users: AdminUser[] }>>(
      `/api/v1/admin/users?search=${encodeURIComponent(user.email)}`,
      {
        as: admin.as,
      },
    );
    expect(search.body.data.users.map((u) => u.id)).toEqual([user.id]);
    expect(search.body.meta.pagination?.total).toBe(1);
  });

  it('shows one user with sessions and activity, and 404s an unknown id', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const { body } = await callJson<
      Envelope<{ user: AdminUser; sessions: { id: string }[]; recent_activity: { action: string }[] }>
    >(`/api/v1/admin/users/${user.id}`, { as: admin.as });
    expect(body.data.user.id).toBe(user.id);
    expect(body.data.sessions.map((s) => s.id)).toContain(user.sessionId);
    expect(body.data.recent_activity.map((a) => a.action)).toContain('register');
    const missing = await callJson('/api/v1/admin/users/usr_nobody', { as: admin.as });
    expectError(missing.res, missing.body, 404, 'NOT_FOUND');
  });

  it('changes role and tier with immediate effect and an audit record', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const before = await callJson('/api/v1/admin/users', { as: user.as });
    expectError(before.res, before.body, 403, 'ADMIN_ACCESS_REQUIRED');
    const put = await callJson<Envelope<AdminUser>>(`/api/v1/admin/users/${user.id}`, {
      method: 'PUT',
      as: admin.as,
      body: { role: 'admin', subscription_plan: 'pro', notes: 'VIP' },
    });
    expect(put.body.data).toMatchObject({ role: 'admin', tier: 'pro', admin_notes: 'VIP' });
    // The same, unexpired token now carries admin rights: the user's object holds the role.
    expect((await callJson('/api/v1/admin/users', { as: user.as })).res.status).toBe(200);
    const logs = await callJson<
      Envelope<{ audit_logs: { action: string; actor_user_id: string; target_id: string }[] }>
    >(`/api/v1/admin/security/audit-logs?user_id=${user.id}&action_type=user_update`, { as: admin.as });
    expect(logs.body.data.audit_logs[0]).toMatchObject({ actor_user_id: admin.id, target_id: user.id });
  });

  it('suspending a user ends their sessions at once and blocks sign-in', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const res = await callJson(`/api/v1/admin/users/${user.id}/status`, {
      method: 'PUT',
      as: admin.as,
      body: { is_active: false },
    });
    expect(res.res.status).toBe(200);
    expect((await callJson('/api/auth/me', { as: user.as })).res.status).toBe(401);
    await expect(signIn(user)).rejects.toThrow(/403/);
  });

  it('sets role (001), verifies (000), and serves 003’s shapes', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const role = await callJson<Envelope<AdminUser>>(`/api/v1/admin/users/${user.id}/role`, {
      method: 'PUT',
      as: admin.as,
      body: { role: 'user' },
    });
    expect(role.body.data.role).toBe('user');
    const verify = await callJson<Envelope<AdminUser>>(`/api/v1/admin/users/${user.id}/verify`, {
      method: 'POST',
      as: admin.as,
    });
    expect(verify.body.data.is_verified).toBe(true);
    const list = await callJson<{ users: AdminUser[] }>('/api/admin/users', { as: admin.as });
    expect(list.res.headers.get('X-Total-Count')).toMatch(/^\d+$/);
    expect(list.body.users.map((u) => u.id)).toContain(user.id);
    const put = await callJson<{ user: AdminUser }>(`/api/admin/users/${user.id}`, {
      method: 'PUT',
      as: admin.as,
      body: { tier: 'basic' },
    });
    expect(put.body.user.tier).toBe('basic');
  });

  it('rejects unknown fields and tiers, and an admin demoting themselves', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const bad = await callJson(`/api/v1/admin/users/${user.id}`, {
      method: 'PUT',
      as: admin.as,
      body: { tier: 'platinum' },
    });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    const self = await callJson(`/api/v1/admin/users/${admin.id}`, {
      method: 'PUT',
      as: admin.as,
      body: { role: 'user' },
    });
    expectError(self.res, self.body, 400, 'VALIDATION_ERROR');
    const row = await env.DB.prepare('SELECT role FROM users WHERE id = ?').bind(admin.id).first();
    expect(row).toEqual({ role: 'admin' });
  });

  it('lists active sessions across users', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const { body } = await callJson<Envelope<{ sessions: { id: string; email: string }[] }>>(
      `/api/v1/admin/security/active-sessions?user_id=${user.id}`,
      { as: admin.as },
    );
    expect(body.data.sessions).toEqual([expect.objectContaining({ id: user.sessionId, email: user.email })]);
  });
});
