import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { config } from '../../src/core/config';
import { JWT_ALG, keyRing } from '../../src/core/tokens';
import { createNotification } from '../../src/domains/notifications/service';
import { publishToUser } from '../../src/live/publisher';
import { call } from '../helpers/api';
import { signIn, signUp } from '../helpers/users';
import { connect, ofType } from './client';

async function expiredToken(user: { id: string; email: string; sessionId: string }): Promise<string> {
  const ring = await keyRing(env);
  const cfg = config(env);
  const past = Math.floor(Date.now() / 1000) - 7200;
  return new SignJWT({
    user_id: user.id,
    email: user.email,
    role: 'user',
    tier: 'free',
    permissions: [],
    sid: user.sessionId,
  })
    .setProtectedHeader({ alg: JWT_ALG, kid: ring.kid, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(cfg.JWT_ISSUER)
    .setAudience(cfg.JWT_AUDIENCE)
    .setIssuedAt(past)
    .setNotBefore(past)
    .setExpirationTime(past + 3600)
    .sign(ring.signingKey);
}

describe('personal live topics', () => {
  it('closes with 1008 "Invalid token" without a token, with a bad one, or an expired one', async () => {
    const user = await signUp();
    for (const path of [
      '/ws/notifications',
      '/ws/portfolio?token=not-a-jwt',
      `/ws/bot-status?token=${await expiredToken(user)}`,
      '/ws/performance-metrics?token=mk_not_a_real_key',
    ]) {
      const s = await connect(path);
      expect(s.status).toBe(101);
      expect(await s.closed).toEqual({ code: 1008, reason: 'Invalid token' });
      expect(s.messages).toEqual([]);
    }
  });

  it('delivers a notification live when createNotification runs (token in the query)', async () => {
    const user = await signUp();
    const s = await connect(`/ws/notifications?token=${user.token}`);
    expect(await s.next()).toMatchObject({ type: 'welcome', topic: 'notifications', seq: 0 });
    const row = await createNotification(env, {
      userId: user.id,
      type: 'alert',
      title: 'BTC above 50,000',
      message: 'Bitcoin crossed 50,000',
      priority: 'high',
    });
    const got = await s.next(ofType('notification'));
    expect(got).toMatchObject({
      seq: 1,
      notification: {
        id: row?.id,
        type: 'alert',
        category: 'alert',
        priority: 'high',
        title: 'BTC above 50,000',
        message: 'Bitcoin crossed 50,000',
        created_at: row?.createdAt,
      },
    });
    // Another user's socket hears nothing of it.
    const other = await signUp();
    const theirs = await connect(`/ws/notifications?token=${other.token}`);
    await theirs.next(ofType('welcome'));
    await createNotification(env, { userId: user.id, type: 'system', title: 't', message: 'm' });
    await s.next(ofType('notification'));
    theirs.send({ type: 'ping' });
    await theirs.next(ofType('pong'));
    expect(theirs.messages.some((m) => m.type === 'notification')).toBe(false);
    s.close();
    theirs.close();
  });

  it('takes the token from Sec-WebSocket-Protocol and echoes meridian.v1; resumes per topic', async () => {
    const user = await signUp();
    await publishToUser(env, user.id, 'portfolio', { type: 'portfolio_update', value: 1 });
    await publishToUser(env, user.id, 'portfolio', { type: 'portfolio_update', value: 2 });
    const s = await connect('/ws/portfolio?last_seq=1', {
      headers: { 'Sec-WebSocket-Protocol': `meridian.v1, bearer.${user.token}` },
    });
    expect(s.protocol).toBe('meridian.v1');
    expect(await s.next()).toMatchObject({ type: 'welcome', topic: 'portfolio', seq: 2 });
    expect(await s.next()).toMatchObject({ type: 'portfolio_update', value: 2, seq: 2 });
    expect(await s.next()).toMatchObject({ type: 'resumed', from: 2, to: 2 });
    const live = await publishToUser(env, user.id, 'portfolio', { type: 'portfolio_update', value: 3 });
    expect(live).toEqual({ seq: 3, delivered: 1 });
    expect(await s.next()).toMatchObject({ type: 'portfolio_update', value: 3, seq: 3 });
    s.close();
  });

  it('closes the sockets of a session with 1008 "Session revoked" on logout, and only those', async () => {
    const user = await signUp();
    const second = await signIn(user);
    const mine = await connect(`/ws/notifications?token=${user.token}`);
    const other = await connect(`/ws/bot-status?token=${second.token}`);
    await mine.next(ofType('welcome'));
    await other.next(ofType('welcome'));
    const res = await call('/api/v1/auth/logout', { method: 'POST', as: user.as });
    expect(res.status).toBe(200);
    expect(await mine.closed).toEqual({ code: 1008, reason: 'Session revoked' });
    other.send({ type: 'ping' });
    expect(await other.next()).toEqual({ type: 'pong' });
    // Reconnecting with the logged-out token is refused.
    const again = await connect(`/ws/notifications?token=${user.token}`);
    expect(await again.closed).toEqual({ code: 1008, reason: 'Session revoked' });

    // Terminating the other session from a third one closes its socket too.
    const third = await signIn(user);
    const del = await call(`/api/v1/sessions/${second.sessionId}`, { method: 'DELETE', as: third.as });
    expect(del.status).toBe(200);
    expect(await other.closed).toEqual({ code: 1008, reason: 'Session revoked' });
  });

  it('says why before the 1008 close: an error SESSION_REVOKED, then "Session revoked"', async () => {
    const user = await signUp();
    const s = await connect(`/ws/portfolio?token=${user.token}`);
    await s.next(ofType('welcome'));
    const res = await call('/api/v1/auth/logout', { method: 'POST', as: user.as, body: {} });
    expect(res.status).toBe(200);
    expect(await s.closed).toEqual({ code: 1008, reason: 'Session revoked' });
    expect(s.messages.map((m) => m.type)).toEqual(['welcome', 'error']);
    expect(s.messages[1]).toMatchObject({ code: 'SESSION_REVOKED', message: 'Session revoked' });
  });

  it('refuses a revoked token at connect without ever holding its socket in the user object', async () => {
    const user = await signUp();
    const res = await call('/api/v1/auth/logout', { method: 'POST', as: user.as, body: {} });
    expect(res.status).toBe(200);
    const stub = env.USER.getByName(user.id);
    for (const path of [`/ws/notifications?token=${user.token}`, `/ws/portfolio?token=${user.token}`]) {
      const s = await connect(path);
      expect(s.status).toBe(101);
      // Refused with a plain accept-and-close, never a hibernatable socket of the object (over
      // a real network, wrangler dev, a hibernatable socket closed before its 101 went out
      // left the client on an open socket: README "Live (WebSocket)").
      expect(await stub.liveSockets(user.sessionId)).toBe(0);
      expect(await s.closed).toEqual({ code: 1008, reason: 'Session revoked' });
      expect(s.messages).toEqual([]);
    }
  });

  it('closes every socket of a suspended account', async () => {
    const user = await signUp();
    const s = await connect(`/ws/notifications?token=${user.token}`);
    await s.next(ofType('welcome'));
    const stub = env.USER.getByName(user.id);
    const profile = await runInDurableObject(stub, async (_o, state) =>
      state.storage.sql.exec<{ email: string; tier: string }>('SELECT email, tier FROM profile').one(),
    );
    await stub.updateProfile({
      userId: user.id,
      email: profile.email,
      role: 'user',
      tier: profile.tier,
      status: 'suspended',
    });
    expect(await s.closed).toEqual({ code: 1008, reason: 'Session revoked' });
    expect(await stub.liveSockets()).toBe(0);
  });
});

describe('API-key sockets', () => {
  it('closes the sockets opened with an API key when the key is revoked', async () => {
    const user = await signUp();
    const created = await call('/api/v1/api-keys', {
      method: 'POST',
      as: user.as,
      body: { name: 'dashboard', scopes: ['read'] },
    });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: { id: string; key: string } };
    const socket = await connect(`/ws/notifications?token=${data.key}`);
    await socket.next((m) => m.type === 'welcome');
    const revoked = await call(`/api/v1/api-keys/${data.id}`, { method: 'DELETE', as: user.as });
    expect(revoked.status).toBe(200);
    expect(await socket.closed).toEqual({ code: 1008, reason: 'API key revoked' });
  });
});
