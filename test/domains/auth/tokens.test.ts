import { env } from 'cloudflare:workers';
import { importJWK, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { verifyAccessToken } from '../../../src/core/tokens';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp } from '../../helpers/users';

const b64url = (v: unknown) =>
  btoa(JSON.stringify(v)).replaceAll('=', '').replaceAll('+', '-').replaceAll('/', '_');

async function forged(
  user: { id: string; email: string; sessionId: string },
  changes: {
    header?: Record<string, unknown>;
    claims?: Record<string, unknown>;
  },
) {
  const jwk = JSON.parse(env.JWT_SIGNING_KEY) as Record<string, string>;
  const key = await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    user_id: user.id,
    email: user.email,
    role: 'user',
    tier: 'free',
    permissions: [],
    sid: user.sessionId,
    iss: 'https://api.meridian.dev',
    aud: 'meridian-api',
    sub: user.id,
    iat: now,
    nbf: now,
    exp: now + 600,
    ...changes.claims,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid, ...changes.header })
    .sign(key);
}

function decodePart(part: string) {
  const normal = part.replaceAll('-', '+').replaceAll('_', '/');
  return JSON.parse(atob(normal + '='.repeat((4 - (normal.length % 4)) % 4)));
}

const me = (token: string) => callJson('/api/auth/me', { as: { token } });

describe('access tokens', () => {
  it('are EdDSA JWTs with kid, iss, aud, exp, nbf and the user, role, tier, permissions and session', async () => {
    const user = await signUp();
    const [header, payload] = user.token.split('.').slice(0, 2).map(decodePart);
    expect(header).toMatchObject({ alg: 'EdDSA', kid: expect.any(String), typ: 'JWT' });
    expect(payload).toMatchObject({
      sub: user.id,
      user_id: user.id,
      role: 'user',
      tier: 'free',
      permissions: ['read:personal', 'write:personal'],
      sid: user.sessionId,
      iss: 'https://api.meridian.dev',
      aud: 'meridian-api',
    });
    expect(payload.exp - payload.iat).toBe(3600);
    expect(payload.nbf).toBeLessThanOrEqual(payload.iat);
  });

  it('publishes the verifying key at /.well-known/jwks.json under the tokens kid', async () => {
    const user = await signUp();
    const kid = decodePart(user.token.split('.')[0] ?? '').kid;
    const { res, body } = await callJson<{ keys: { kid: string; kty: string; d?: string }[] }>(
      '/.well-known/jwks.json',
    );
    expect(res.status).toBe(200);
    expect(body.keys.map((k) => k.kid)).toContain(kid);
    for (const key of body.keys) expect(key.d).toBeUndefined();
  });

  it('rejects a tampered token', async () => {
    const user = await signUp();
    const [h, , s] = user.token.split('.');
    const payload = b64url({ sub: user.id, user_id: user.id, role: 'admin', sid: user.sessionId });
    const { res, body } = await me(`${h}.${payload}.${s}`);
    expectError(res, body, 401, 'INVALID_TOKEN');
  });

  it('rejects an expired token with TOKEN_EXPIRED', async () => {
    const user = await signUp();
    const past = Math.floor(Date.now() / 1000) - 7200;
    const { res, body } = await me(await forged(user, { claims: { iat: past, nbf: past, exp: past + 60 } }));
    expectError(res, body, 401, 'TOKEN_EXPIRED');
  });

  it('refuses a token verified earlier once its exp has passed (the isolate remembers verifications)', async () => {
    const user = await signUp();
    const now = Math.floor(Date.now() / 1000);
    const token = await forged(user, { claims: { iat: now, nbf: now, exp: now + 60 } });
    expect((await verifyAccessToken(env, token)).sub).toBe(user.id);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // Inside exp + the 30 s tolerance: still the remembered verification.
      vi.setSystemTime((now + 89) * 1000);
      expect((await verifyAccessToken(env, token)).sub).toBe(user.id);
      vi.setSystemTime((now + 91) * 1000);
      await expect(verifyAccessToken(env, token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects alg "none"', async () => {
    const user = await signUp();
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: user.id, user_id: user.id, sid: user.sessionId, role: 'admin' })}.`;
    const { res, body } = await me(token);
    expectError(res, body, 401, 'INVALID_TOKEN');
  });

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const user = await signUp();
    const jwk = JSON.parse(env.JWT_SIGNING_KEY) as { x: string; kid: string };
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      user_id: user.id,
      sid: user.sessionId,
      role: 'admin',
      email: user.email,
      tier: 'free',
      permissions: [],
    })
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
      .setSubject(user.id)
      .setIssuer('https://api.meridian.dev')
      .setAudience('meridian-api')
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(jwk.x));
    const { res, body } = await me(token);
    expectError(res, body, 401, 'INVALID_TOKEN');
  });

  it.each([
    ['another audience', { aud: 'someone-else' }],
    ['another issuer', { iss: 'https://evil.example' }],
    ['not valid yet', { nbf: Math.floor(Date.now() / 1000) + 3600 }],
    ['sub and user_id disagree', { sub: 'usr_other' }],
  ])('rejects a token with %s', async (_why, claims) => {
    const user = await signUp();
    const { res, body } = await me(await forged(user, { claims }));
    expectError(res, body, 401, 'INVALID_TOKEN');
  });

  it('rejects a token whose kid is unknown', async () => {
    const user = await signUp();
    const { res, body } = await me(await forged(user, { header: { kid: 'retired-key' } }));
    expectError(res, body, 401, 'INVALID_TOKEN');
  });

  it('accepts a correctly signed token, so the forging above is not what fails', async () => {
    const user = await signUp();
    const { res } = await me(await forged(user, {}));
    expect(res.status).toBe(200);
  });

  it('rejects a malformed Authorization header', async () => {
    const { res, body } = await callJson('/api/auth/me', { headers: { Authorization: 'Token abc' } });
    expectError(res, body, 401, 'INVALID_TOKEN');
  });

  it('keeps verifying tokens of a retired key listed in JWT_VERIFY_KEYS (rotation)', async () => {
    const user = await signUp();
    const oldPrivate = JSON.parse(env.JWT_SIGNING_KEY) as Record<string, string>;
    const { d: _d, ...oldPublic } = oldPrivate;
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const next = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid: 'next-key' };
    const rotated = {
      ...env,
      JWT_SIGNING_KEY: JSON.stringify(next),
      JWT_VERIFY_KEYS: JSON.stringify([oldPublic]),
    };
    const claims = await verifyAccessToken(rotated, user.token);
    expect(claims.user_id).toBe(user.id);
    const withoutOld = { ...env, JWT_SIGNING_KEY: JSON.stringify(next), JWT_VERIFY_KEYS: '' };
    await expect(verifyAccessToken(withoutOld, user.token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });
});
