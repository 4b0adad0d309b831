import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';

describe('request id', () => {
  it('generates one when the client sends none', async () => {
    const res = await call('/health');
    expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('honours a valid incoming X-Request-Id, on success and on error', async () => {
    const ok = await call('/health', { headers: { 'X-Request-Id': 'client-trace-123' } });
    expect(ok.headers.get('X-Request-Id')).toBe('client-trace-123');
    const missing = await call('/nope', { headers: { 'X-Request-Id': 'client-trace-456' } });
    expect(missing.headers.get('X-Request-Id')).toBe('client-trace-456');
    expect(await missing.json()).toMatchObject({ request_id: 'client-trace-456' });
  });

  it('replaces an invalid or oversized incoming id', async () => {
    for (const bad of ['has spaces and <script>', 'x'.repeat(200)]) {
      const res = await call('/health', { headers: { 'X-Request-Id': bad } });
      expect(res.headers.get('X-Request-Id')).not.toBe(bad);
      expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('Server-Timing', () => {
  it('reports the total time of the request', async () => {
    const res = await call('/api/health');
    expect(res.headers.get('Server-Timing')).toMatch(/total;dur=\d/);
  });
});

describe('security headers', () => {
  it('sets the standard hardening headers on every response', async () => {
    for (const path of ['/health', '/nope']) {
      const res = await call(path);
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(res.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
      expect(res.headers.get('Strict-Transport-Security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
    }
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin', async () => {
    const res = await call('/api/health', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:8787',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'Content-Type, Idempotency-Key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:8787');
    expect(res.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(res.headers.get('Access-Control-Allow-Headers')).toContain('Idempotency-Key');
    expect(res.headers.get('Access-Control-Allow-Headers')).toContain('X-D1-Bookmark');
    expect(res.headers.get('Access-Control-Max-Age')).toBe('86400');
  });

  it('exposes the request id and rate-limit headers to allowed origins', async () => {
    const res = await call('/health', { headers: { Origin: 'http://127.0.0.1:8787' } });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('http://127.0.0.1:8787');
    expect(res.headers.get('Access-Control-Expose-Headers')).toContain('X-Request-Id');
    expect(res.headers.get('Access-Control-Expose-Headers')).toContain('X-RateLimit-Remaining');
  });

  it('sends a request without an Origin no CORS headers, only Vary: Origin', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('Vary')).toBe('Origin');
    expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    // The same path with an allowed Origin still gets them, and the same Vary.
    const cross = await call('/health', { headers: { Origin: 'http://127.0.0.1:8787' } });
    expect(cross.headers.get('Vary')).toBe('Origin');
    expect(cross.headers.get('Access-Control-Allow-Credentials')).toBe('true');
  });

  it('does not allow an origin that is not on the list', async () => {
    const res = await call('/api/health', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
