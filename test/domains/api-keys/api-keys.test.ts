import { describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp } from '../../helpers/users';

type Key = { id: string; key: string; prefix: string; scopes: string[] };

async function createKey(user: { as: { token: string } }, body: Record<string, unknown>) {
  return callJson<{ data: Key }>('/api/v1/api-keys', { method: 'POST', as: user.as, body });
}

describe('API keys', () => {
  it('are shown once, listed without the key, and work as Bearer or X-API-Key', async () => {
    const user = await signUp();
    const { res, body } = await createKey(user, { name: 'laptop', scopes: ['read'] });
    expect(res.status).toBe(201);
    expect(body.data.key).toMatch(/^mk_/);
    expect(body.data.key.startsWith(body.data.prefix)).toBe(true);
    const list = await callJson<{ data: { api_keys: Record<string, unknown>[] } }>('/api/v1/api-keys', {
      as: user.as,
    });
    expect(list.body.data.api_keys).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(body.data.key);
    const bearer = await callJson<{ id: string }>('/api/auth/me', { as: { token: body.data.key } });
    expect(bearer.res.status).toBe(200);
    expect(bearer.body.id).toBe(user.id);
    const header = await callJson<{ id: string }>('/api/auth/me', {
      headers: { 'X-API-Key': body.data.key },
    });
    expect(header.body.id).toBe(user.id);
  });

  it('respect their scopes: a read key cannot write', async () => {
    const user = await signUp();
    const { body } = await createKey(user, { name: 'ro', scopes: ['read'] });
    const { res, body: err } = await callJson('/api/v1/users/me', {
      method: 'PUT',
      as: { token: body.data.key },
      body: { language: 'de' },
    });
    expectError(res, err, 403, 'AUTHORIZATION_ERROR');
  });

  it('stop working at once when revoked; another user’s key id answers 404', async () => {
    const user = await signUp();
    const other = await signUp();
    const { body } = await createKey(user, { name: 'ci', scopes: ['read', 'write'] });
    const foreign = await callJson(`/api/v1/api-keys/${body.data.id}`, { method: 'DELETE', as: other.as });
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
    expect((await callJson('/api/auth/me', { as: { token: body.data.key } })).res.status).toBe(200);
    const revoked = await callJson(`/api/v1/api-keys/${body.data.id}`, { method: 'DELETE', as: user.as });
    expect(revoked.res.status).toBe(200);
    const after = await callJson('/api/auth/me', { as: { token: body.data.key } });
    expectError(after.res, after.body, 401, 'INVALID_TOKEN');
  });

  it('cannot carry the admin scope for a non-admin', async () => {
    const user = await signUp();
    const { res, body } = await createKey(user, { name: 'sneaky', scopes: ['admin'] });
    expectError(res, body, 403, 'AUTHORIZATION_ERROR');
  });

  it('answers 401 for an unknown key', async () => {
    const { res, body } = await callJson('/api/auth/me', { headers: { 'X-API-Key': 'mk_not-a-real-key' } });
    expectError(res, body, 401, 'INVALID_TOKEN');
  });
});
