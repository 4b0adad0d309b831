import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signIn, signUp, signUpAdmin } from '../../helpers/users';

type Body = Record<string, unknown> & { data: Record<string, unknown> };

const refresh = (refreshToken: string, ip = '203.0.113.200') =>
  callJson<Body>('/api/v1/auth/refresh', {
    method: 'POST',
    body: { refresh_token: refreshToken },
    headers: { 'CF-Connecting-IP': ip },
  });
const me = (token: string) => callJson('/api/auth/me', { as: { token } });

describe('refresh tokens', () => {
  it('rotate on every use: the new pair works, the old refresh token does not', async () => {
    const user = await signUp();
    const first = await refresh(user.refreshToken);
    expect(first.res.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(user.refreshToken);
    expect(first.body.session_id).toBe(user.sessionId);
    expect((await me(first.body.access_token as string)).res.status).toBe(200);
    const second = await refresh(first.body.refresh_token as string);
    expect(second.res.status).toBe(200);
  });

  it('reused, revoke the whole session: every token of it stops working', async () => {
    const user = await signUp();
    const rotated = await refresh(user.refreshToken);
    const reuse = await refresh(user.refreshToken);
    expectError(reuse.res, reuse.body, 401, 'INVALID_REFRESH_TOKEN');
    expect((reuse.body.error as { message: string }).message).toMatch(/revoked/);
    const afterReuse = await refresh(rotated.body.refresh_token as string);
    expectError(afterReuse.res, afterReuse.body, 401, 'INVALID_REFRESH_TOKEN');
    const access = await me(rotated.body.access_token as string);
    expectError(access.res, access.body, 401, 'INVALID_TOKEN');
    const row = await env.DB.prepare('SELECT is_active, revoked_reason FROM user_sessions WHERE id = ?')
      .bind(user.sessionId)
      .first();
    expect(row).toEqual({ is_active: 0, revoked_reason: 'refresh_token_reuse' });
  });

  it('does not cross users: a made-up token naming another user is refused', async () => {
    const a = await signUp();
    const b = await signUp();
    const [, , , secret] = a.refreshToken.split('.');
    const { res, body } = await refresh(`rt1.${b.sessionId}.${b.id}.${secret}`);
    expectError(res, body, 401, 'INVALID_REFRESH_TOKEN');
    expect((await me(b.token)).res.status).toBe(200);
  });

  it("answers 004's bearer refresh with a new access token for the same session", async () => {
    const user = await signUp();
    const { res, body } = await callJson<Body>('/api/v1/auth/refresh', { method: 'POST', as: user.as });
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600, session_id: user.sessionId });
    expect(body.refresh_token).toBeUndefined();
  });

  it('answers 401 to garbage', async () => {
    const { res, body } = await refresh('not-a-token');
    expectError(res, body, 401, 'INVALID_REFRESH_TOKEN');
  });
});

describe('logout', () => {
  it('makes the access token fail on the very next request', async () => {
    const user = await signUp();
    expect((await me(user.token)).res.status).toBe(200);
    const out = await callJson('/api/v1/auth/logout', {
      method: 'POST',
      as: user.as,
      body: { refresh_token: user.refreshToken },
    });
    expect(out.res.status).toBe(200);
    const after = await me(user.token);
    expectError(after.res, after.body, 401, 'INVALID_TOKEN');
    const again = await refresh(user.refreshToken);
    expectError(again.res, again.body, 401, 'INVALID_REFRESH_TOKEN');
  });

  it("refuses to end another user's session by its refresh token", async () => {
    const a = await signUp();
    const b = await signUp();
    const { res, body } = await callJson('/api/v1/auth/logout', {
      method: 'POST',
      as: a.as,
      body: { refresh_token: b.refreshToken },
    });
    expectError(res, body, 401, 'INVALID_REFRESH_TOKEN');
    expect((await me(b.token)).res.status).toBe(200);
  });
});

describe('/api/v1/sessions', () => {
  it('lists active sessions with device and address, marking the current one', async () => {
    const user = await signUp();
    const second = await signIn(user);
    const { body } = await callJson<{ data: { sessions: Record<string, unknown>[] } }>('/api/v1/sessions', {
      as: second.as,
      headers: { 'User-Agent': 'vitest' },
    });
    expect(body.data.sessions).toHaveLength(2);
    const current = body.data.sessions.find((s) => s.is_current);
    expect(current).toMatchObject({
      id: second.sessionId,
      is_active: true,
      ip_address: expect.stringMatching(/^203\.|^2001:/),
    });
  });

  it('ends one session at once, and answers 404 for another user’s session id', async () => {
    const user = await signUp();
    const other = await signUp();
    const second = await signIn(user);
    const foreign = await callJson(`/api/v1/sessions/${other.sessionId}`, { method: 'DELETE', as: user.as });
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
    expect((await me(other.token)).res.status).toBe(200);
    const ended = await callJson(`/api/v1/sessions/${second.sessionId}`, { method: 'DELETE', as: user.as });
    expect(ended.res.status).toBe(200);
    expect((await me(second.token)).res.status).toBe(401);
    expect((await me(user.token)).res.status).toBe(200);
  });

  it('terminate-all keeps only the current session', async () => {
    const user = await signUp();
    const s2 = await signIn(user);
    const s3 = await signIn(user);
    const { res, body } = await callJson<{ data: { terminated: number } }>('/api/v1/sessions/terminate-all', {
      method: 'DELETE',
      as: s3.as,
    });
    expect(res.status).toBe(200);
    expect(body.data.terminated).toBe(2);
    expect((await me(user.token)).res.status).toBe(401);
    expect((await me(s2.token)).res.status).toBe(401);
    expect((await me(s3.token)).res.status).toBe(200);
  });

  it('an admin ending a session takes effect on the next request, and is audited', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const { res } = await callJson(`/api/v1/admin/security/terminate-session/${user.sessionId}`, {
      method: 'POST',
      as: admin.as,
    });
    expect(res.status).toBe(200);
    expect((await me(user.token)).res.status).toBe(401);
    const audit = await env.DB.prepare(
      "SELECT actor_user_id FROM audit_logs WHERE action = 'session_terminate' AND target_id = ?",
    )
      .bind(user.sessionId)
      .first();
    expect(audit).toEqual({ actor_user_id: admin.id });
  });
});
