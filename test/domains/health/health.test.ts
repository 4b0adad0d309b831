import { describe, expect, it } from 'vitest';
import pkg from '../../../package.json';
import { callJson } from '../../helpers/api';

describe('GET /health and /api/health', () => {
  it.each(['/health', '/api/health', '/api/health/', '/health/'])(
    '%s answers healthy with version and uptime',
    async (path) => {
      const { res, body } = await callJson(path);
      expect(res.status).toBe(200);
      expect(body).toEqual({
        status: 'healthy',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        uptime: expect.any(Number),
        version: pkg.version,
      });
      expect(body.uptime as number).toBeGreaterThanOrEqual(0);
    },
  );

  it('wraps the body in the v2 envelope under /api/v2', async () => {
    const { res, body } = await callJson('/api/v2/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('X-API-Version')).toBe('2.0');
    expect(body).toMatchObject({
      success: true,
      data: { status: 'healthy', version: pkg.version },
      meta: { version: '2.0', request_id: res.headers.get('X-Request-Id'), timestamp: expect.any(String) },
    });
  });

  it('wraps the body in the v2 envelope for X-API-Version: 2.0', async () => {
    const { body } = await callJson('/api/health', { headers: { 'X-API-Version': '2.0' } });
    expect(body).toMatchObject({ success: true, data: { status: 'healthy' }, meta: { version: '2.0' } });
  });
});

describe('GET /api/health/detailed', () => {
  it('probes D1, every Durable Object namespace, R2 and the job backlog', async () => {
    const { res, body } = await callJson<{
      status: string;
      version: string;
      system_metrics: { d1_round_trip_ms: number; jobs_backlog: number; runtime: string };
      services: { service: string; status: string; response_time: number }[];
    }>('/api/health/detailed');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(body.status).toBe('healthy');
    expect(body.version).toBe(pkg.version);
    expect(body.system_metrics.runtime).toBe('workerd');
    expect(body.system_metrics.d1_round_trip_ms).toBeGreaterThanOrEqual(0);
    expect(body.system_metrics.jobs_backlog).toBe(0);
    expect(body.services.map((s) => s.service).sort()).toEqual([
      'd1',
      'durable_object.client_address',
      'durable_object.hub',
      'durable_object.user',
      'queue',
      'r2',
    ]);
    for (const check of body.services) {
      expect(check.status).toBe('healthy');
      expect(check.response_time).toBeGreaterThanOrEqual(0);
    }
  });
});
