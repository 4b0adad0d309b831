import { validate } from '@scalar/openapi-parser';
import { describe, expect, it } from 'vitest';
import { call, callJson } from '../helpers/api';

type Doc = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
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
