import { describe, expect, it } from 'vitest';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { probeApp } from '../helpers/probe-app';

describe('error shape', () => {
  it('answers an unknown path with 404 NOT_FOUND and a request id', async () => {
    const { res, body } = await callJson('/api/v1/does-not-exist');
    expectError(res, body, 404, 'NOT_FOUND');
    expect(body).toMatchObject({ error: { classification: 'user_error' } });
  });

  it('answers a known path with the wrong method with 405 and an Allow header', async () => {
    const { res, body } = await callJson('/api/health', { method: 'DELETE' });
    expectError(res, body, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('Allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('treats a trailing slash as the same path for 405 too', async () => {
    const { res, body } = await callJson('/api/health/', { method: 'POST', body: {} });
    expectError(res, body, 405, 'METHOD_NOT_ALLOWED');
  });

  it('answers HEAD on a GET route without a body', async () => {
    const res = await call('/health', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  const probe = probeApp();
  const styles = Object.entries(probe.paths) as [keyof typeof probe.paths, string][];
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    probe.request(path, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', ...headers },
    });

  it.each(styles)('%s surface: malformed JSON answers 400 VALIDATION_ERROR', async (_style, path) => {
    const res = await post(path, '{"name": "x", ');
    const body = await res.json();
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect(body).toMatchObject({ error: { message: 'Malformed JSON in request body' } });
  });

  it.each(styles)(
    '%s surface: details name the first failing field and list every issue',
    async (style, path) => {
      const res = await post(path, JSON.stringify({ name: '', amount: -1 }));
      const body = (await res.json()) as { detail: unknown; error: { details: unknown } };
      const status = style === 'fastapi' ? 422 : 400;
      expectError(res, body, status, 'VALIDATION_ERROR');
      const issues = [
        { loc: ['body', 'name'], msg: expect.any(String), type: 'too_small' },
        { loc: ['body', 'amount'], msg: expect.any(String), type: 'too_small' },
      ];
      expect(body.error.details).toEqual({
        field: 'name',
        message: expect.any(String),
        type: 'too_small',
        issue: expect.any(String),
        issues,
      });
      expect(body.detail).toEqual(issues);
    },
  );

  it.each(styles)('%s surface: a bad query parameter is reported with its location', async (style, path) => {
    const res = await post(`${path}?limit=99`, JSON.stringify({ name: 'a', amount: 1 }));
    const body = (await res.json()) as {
      error: { details: { field: string; issues: { loc: unknown[] }[] } };
    };
    expect(res.status).toBe(style === 'fastapi' ? 422 : 400);
    expect(body.error.details.field).toBe('limit');
    expect(body.error.details.issues[0]?.loc).toEqual(['query', 'limit']);
  });

  it.each(styles)(
    '%s surface: a validation failure raised past the router has the same shape and status',
    async (style, path) => {
      const res = await post(path, JSON.stringify({ name: 'a', amount: 1 }), {
        'Idempotency-Key': 'bad key\u0001',
      });
      const body = (await res.json()) as { detail: unknown; error: { details: unknown } };
      expectError(res, body, style === 'fastapi' ? 422 : 400, 'VALIDATION_ERROR');
      const issues = [{ loc: ['header', 'Idempotency-Key'], msg: 'invalid key', type: 'value_error' }];
      expect(body.error.details).toEqual({
        field: 'Idempotency-Key',
        message: 'invalid key',
        type: 'value_error',
        issue: 'invalid key',
        issues,
      });
      expect(body.detail).toEqual(issues);
    },
  );

  it('answers an oversize body with 413 PAYLOAD_TOO_LARGE before the handler runs', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1_100_000), amount: 1 });
    const res = await post(probe.paths.plain, big);
    expectError(res, await res.json(), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('turns an unexpected exception into 500 INTERNAL_ERROR without leaking its message', async () => {
    const res = await probe.request('/api/probe/explode');
    const body = await res.json();
    expectError(res, body, 500, 'INTERNAL_ERROR');
    expect(JSON.stringify(body)).not.toContain('secret internal detail');
    expect(body).toMatchObject({
      error: { classification: 'system_error', message: 'Internal server error' },
    });
  });

  it('answers 001 paths in the envelope and 002 paths plain or v2', async () => {
    const ok = JSON.stringify({ name: 'a', amount: 2 });
    const enveloped = (await (await post(probe.paths.envelope, ok)).json()) as Record<string, unknown>;
    expect(enveloped).toMatchObject({
      success: true,
      data: { name: 'a', amount: 2 },
      meta: { user_context: 'guest', request_id: expect.any(String), timestamp: expect.any(String) },
    });
    const plainBody = await (await post(probe.paths.plain, ok)).json();
    expect(plainBody).toMatchObject({ name: 'a', amount: 2 });
    const v2 = await (await post('/api/v2/probe', ok)).json();
    expect(v2).toMatchObject({ success: true, data: { name: 'a' }, meta: { version: '2.0' } });
  });
});
