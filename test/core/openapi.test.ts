import { exports } from 'cloudflare:workers';
import { validate } from '@scalar/openapi-parser';
import { describe, expect, it } from 'vitest';
import { call, callJson } from '../helpers/api';
import { freshIp } from '../helpers/users';

type Doc = {
  openapi: string;
  info: { version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
};

describe('GET /openapi.json', () => {
  it('serves a valid OpenAPI 3.1 document', async () => {
    const { res, body } = await callJson<Doc>('/openapi.json');
    expect(res.status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const result = await validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('uses a validator that does reject a broken document', async () => {
    const result = await validate({
      openapi: '3.1.0',
      info: { title: 'x' },
      paths: { '/a': { get: { responses: 1 } } },
    });
    expect(result.valid).toBe(false);
  });

  it('documents every route with its error responses', async () => {
    const { body } = await callJson<Doc>('/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/health', '/api/health', '/api/health/detailed']),
    );
    for (const [path, ops] of Object.entries(body.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const status of ['400', '401', '404', '429', '500']) {
          expect(op.responses[status], `${method} ${path} documents ${status}`).toBeDefined();
        }
      }
    }
  });
});

describe('GET /openapi.json, what it trusts and declares', () => {
  it('names its server from configuration, never from the Host header', async () => {
    // The runtime builds the request URL from the Host header: a forged Host is this URL.
    const res = await exports.default.fetch(
      new Request('https://evil.example/openapi.json', {
        headers: { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'CF-Connecting-IP': freshIp() },
      }),
    );
    const forged = (await res.json()) as Doc;
    const plain = await callJson<Doc>('/openapi.json');
    expect(JSON.stringify(forged).includes('evil.example')).toBe(false);
    expect(forged.servers).toEqual(plain.body.servers);
    expect(forged.servers.map((s) => s.url)).toEqual(['/']);
  });

  it('declares 409 on every write and 415 on every operation with a body, as the API answers them', async () => {
    const { body } = await callJson<Doc>('/openapi.json');
    let writes = 0;
    let withBodies = 0;
    for (const [path, ops] of Object.entries(body.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method !== 'get') {
          writes++;
          expect(op.responses['409'], `${method} ${path} documents 409`).toBeDefined();
        }
        if (op.requestBody) {
          withBodies++;
          expect(op.responses['415'], `${method} ${path} documents 415`).toBeDefined();
        }
      }
    }
    expect(writes).toBeGreaterThan(0);
    expect(withBodies).toBeGreaterThan(0);
    // What the declaration promises: a body that is not JSON answers 415.
    const res = await call('/api/v1/auth/login', {
      method: 'POST',
      body: 'email=a@example.com',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(415);
  });
});

describe('GET /docs', () => {
  it('serves the interactive API reference pointing at the document', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('/openapi.json');
    expect(html).toMatch(/scalar/i);
  });
});
