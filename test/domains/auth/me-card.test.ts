import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { UserCard } from '../../../durable/user';
import { callJson } from '../../helpers/api';
import { enrolTotp } from '../../helpers/totp';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

/**
 * Issue 20: `/auth/me` is answered from the card the user's object hands over with the
 * request's `authorize` (no D1 read), and every write of a field on it makes the next
 * `/auth/me` read D1 again, so what it answers is never older than the write.
 */
type Me = {
  id: string;
  first_name: string | null;
  username: string | null;
  tier: string;
  role: string;
  mfa_enabled: boolean;
  portfolio_id: string;
};

async function me(user: TestUser): Promise<Me> {
  const { res, body } = await callJson<{ data: Me }>('/api/v1/auth/me', { as: user.as });
  expect(res.status).toBe(200);
  return body.data;
}

/** What the user's object would hand over with an `/auth/me` request now. */
async function objectReply(user: TestUser) {
  const result = await env.USER.getByName(user.id).authorize({
    sessionId: user.sessionId,
    method: 'GET',
    path: '/api/v1/auth/me',
    withCard: true,
  });
  if (result.status !== 'ok') throw new Error(`authorize: ${result.status}`);
  return result;
}

describe('/auth/me from the user object', () => {
  it('is read from D1 once, then handed over by the object with the same fields', async () => {
    const user = await signUp();
    expect(await objectReply(user)).toHaveProperty('cardToken');
    const first = await me(user);
    expect(await objectReply(user)).toMatchObject({
      card: { id: user.id, portfolioId: first.portfolio_id },
    });
    expect(await me(user)).toEqual(first);
    // Only `/auth/me` asks for it: other requests' replies stay as they were.
    const plain = await env.USER.getByName(user.id).authorize({
      sessionId: user.sessionId,
      method: 'GET',
      path: '/api/v1/portfolios',
    });
    expect(plain).not.toHaveProperty('card');
    expect(plain).not.toHaveProperty('cardToken');
  });

  it('shows a profile change, an admin change and 2FA at once', async () => {
    const user = await signUp();
    await me(user);
    const put = await callJson('/api/v1/users/me', {
      method: 'PUT',
      as: user.as,
      body: { first_name: 'Ada', username: `ada-${user.id.slice(-6)}` },
    });
    expect(put.res.status).toBe(200);
    expect(await me(user)).toMatchObject({ first_name: 'Ada', username: `ada-${user.id.slice(-6)}` });

    const admin = await signUpAdmin();
    const changed = await callJson(`/api/v1/admin/users/${user.id}`, {
      method: 'PUT',
      as: admin.as,
      body: { subscription_plan: 'pro' },
    });
    expect(changed.res.status).toBe(200);
    expect((await me(user)).tier).toBe('pro');

    const { totp } = await enrolTotp(user);
    expect((await me(user)).mfa_enabled).toBe(false);
    const verified = await callJson('/api/v1/auth/2fa/verify', {
      method: 'POST',
      as: user.as,
      body: { code: totp.generate() },
    });
    expect(verified.res.status).toBe(200);
    expect((await me(user)).mfa_enabled).toBe(true);
  });

  it('names a new default portfolio once the old one is deleted', async () => {
    const user = await signUp();
    const before = (await me(user)).portfolio_id;
    const del = await callJson(`/api/v1/portfolios/${before}`, { method: 'DELETE', as: user.as });
    expect(del.res.status).toBe(200);
    const after = (await me(user)).portfolio_id;
    expect(after).toMatch(/^pf_/);
    expect(after).not.toBe(before);
  });

  it('refuses a card read before a write it did not see', async () => {
    const user = await signUp();
    const reply = await objectReply(user);
    if (!('cardToken' in reply) || !reply.cardToken) throw new Error('expected no card yet');
    const stale: UserCard = {
      id: user.id,
      email: user.email,
      username: null,
      firstName: 'Stale',
      lastName: null,
      fullName: null,
      role: 'user',
      tier: 'free',
      status: 'active',
      isVerified: false,
      mfaEnabled: false,
      createdAt: new Date(0).toISOString(),
      portfolioId: 'pf_stale',
    };
    // A write and its forget land between the read and the offer: the offer is refused.
    await env.USER.getByName(user.id).forgetCard();
    expect(await env.USER.getByName(user.id).rememberCard(stale, reply.cardToken)).toBe(false);
    expect((await me(user)).first_name).not.toBe('Stale');
    // The token the object hands out now is taken.
    const fresh = await objectReply(user);
    expect(fresh).toHaveProperty('card');
  });
});
