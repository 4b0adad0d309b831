import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeSql } from '../../../src/core/telemetry';
import { call, callJson } from '../../helpers/api';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  admin = await signUpAdmin();
  user = await signUp();
});

interface LogEntry {
  timestamp: string;
  level: string;
  message: string;
  user_id: string | null;
  request_id: string | null;
  route?: string;
  status_code?: number;
  module: string;
}

describe('telemetry', () => {
  it('normalizes SQL into shapes', () => {
    expect(normalizeSql("SELECT * FROM t WHERE a = 'x' AND b IN (?, ?, ?) LIMIT 10")).toBe(
      'SELECT * FROM t WHERE a = ? AND b IN (?...) LIMIT ?',
    );
    expect(normalizeSql('INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)')).toBe(
      'INSERT INTO t (a, b) VALUES (?...)...',
    );
  });

  it('records a request with its route template, user, status and D1 statements', async () => {
    const res = await call('/api/v1/users/me', { as: user.as });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('X-Request-Id') ?? '';
    const { res: r2, body } = await callJson<{ results: LogEntry[]; total: number }>(
      `/api/logs/search?request_id=${requestId}`,
      { as: admin.as },
    );
    expect(r2.status, JSON.stringify(body)).toBe(200);
    expect(body.total).toBeGreaterThanOrEqual(1);
    const line = body.results.find((l) => l.module === 'http');
    expect(line?.user_id).toBe(user.id);
    expect(line?.status_code).toBe(200);
    expect(line?.route).toBe('GET /api/v1/users/me');
    expect(line?.level).toBe('INFO');

    const q = await callJson<{ slow_queries: { query: string; request_id: string; endpoint: string }[] }>(
      '/api/performance-profiling/slow-queries?threshold_ms=0&limit=1000',
      { as: admin.as },
    );
    expect(q.res.status).toBe(200);
    const mine = q.body.slow_queries.filter((s) => s.request_id === requestId);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((s) => s.endpoint === 'GET /api/v1/users/me')).toBe(true);
    expect(mine.some((s) => /from "users"/i.test(s.query))).toBe(true);
  });
});
