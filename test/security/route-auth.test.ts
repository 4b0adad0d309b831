import { describe, expect, it } from 'vitest';
import { call, callJson } from '../helpers/api';
import { signUp } from '../helpers/users';

type Op = { security?: unknown[]; tags?: string[] };
type Doc = { paths: Record<string, Record<string, Op>> };

/**
 * The common auth cases for every route, read from the OpenAPI document so routes added
 * later are covered without touching this file: protected routes answer 401 to guests and
 * to bad tokens; admin routes answer 403 ADMIN_ACCESS_REQUIRED to users.
 */
const doc = (await (await call('/openapi.json')).json()) as Doc;
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase(),
    path: path.replaceAll(/\{[^}]+\}/g, 'usr_00000000000000000000000000'),
    op,
  })),
);
// A route whose security lists an empty requirement ({}) takes a token but does not need one
// (public reads); it still refuses a bad token.
const optional = (o: (typeof operations)[number]) =>
  o.op.security?.some((r) => Object.keys(r as object).length === 0);
const protectedOps = operations.filter((o) => o.op.security?.length && !optional(o));
const optionalOps = operations.filter(optional);
const adminOps = protectedOps.filter(
  (o) => o.op.tags?.some((t) => t.startsWith('Admin')) || /reset$/.test(o.path),
);
const withBody = (method: string) => (method === 'GET' || method === 'DELETE' ? {} : { body: {} });
const named = (ops: typeof operations) => ops.map((o) => [`${o.method} ${o.path}`, o] as const);

describe('every protected route', () => {
  it('is found in the document', () => {
    expect(protectedOps.length).toBeGreaterThan(20);
    expect(adminOps.length).toBeGreaterThan(8);
  });

  it.each(named(protectedOps))('%s: 401 for a guest', async (_n, o) => {
    const { res, body } = await callJson<{ error: { code: string } }>(o.path, {
      method: o.method,
      ...withBody(o.method),
    });
    expect(res.status).toBe(401);
    expect(body.error.code).toBe('AUTHENTICATION_ERROR');
  });

  it.each(named(protectedOps))('%s: 401 for a bad token', async (_n, o) => {
    const { res, body } = await callJson<{ error: { code: string } }>(o.path, {
      method: o.method,
      as: { token: 'eyJhbGciOiJFZERTQSJ9.e30.c2lnbmF0dXJl' },
      ...withBody(o.method),
    });
    expect(res.status).toBe(401);
    expect(body.error.code).toBe('INVALID_TOKEN');
  });
});

describe('every route where sign-in is optional', () => {
  it.each(named(optionalOps))('%s: 401 for a bad token', async (_n, o) => {
    const { res, body } = await callJson<{ error: { code: string } }>(o.path, {
      method: o.method,
      as: { token: 'eyJhbGciOiJFZERTQSJ9.e30.c2lnbmF0dXJl' },
      ...withBody(o.method),
    });
    expect(res.status).toBe(401);
    expect(body.error.code).toBe('INVALID_TOKEN');
  });
});

describe('every admin route', () => {
  it.each(named(adminOps))('%s: 403 for a user', async (_n, o) => {
    const user = await signUp();
    const { res, body } = await callJson<{ error: { code: string } }>(o.path, {
      method: o.method,
      as: user.as,
      ...withBody(o.method),
    });
    expect(res.status).toBe(403);
    expect(body.error.code).toBe('ADMIN_ACCESS_REQUIRED');
  });
});
