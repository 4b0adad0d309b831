import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import {
  BOOKMARK_HEADER,
  isBookmark,
  RequestSession,
  sessionStart,
  withD1Session,
} from '../../src/core/d1-session';
import { requestD1 } from '../../src/core/request-d1';
import { dayOf, type RequestRecord, type Trace } from '../../src/core/telemetry';
import { call, callJson, randomTestAddress } from '../helpers/api';
import { signUp, signUpAdmin } from '../helpers/users';

/**
 * Issue 20: D1 read replication through the Sessions API. Each request's statements run in
 * one session, started at the client's bookmark, else anywhere for a guest's read and on the
 * primary otherwise; the response carries the bookmark the session ended at.
 */

/** `env.DB`, noting where each session opened on it starts. */
function watchedD1() {
  const starts: string[] = [];
  const db = {
    prepare: (sql: string) => env.DB.prepare(sql),
    batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
    exec: (sql: string) => env.DB.exec(sql),
    dump: () => env.DB.dump(),
    withSession: (start?: string) => {
      starts.push(start ?? '(none)');
      return env.DB.withSession(start);
    },
  } as unknown as D1Database;
  return { db, starts };
}

const watchlists = async (as: { token: string }, bookmark?: string) =>
  callJson<{ data: { watchlists: { name: string }[] } }>('/api/v1/watchlists', {
    as,
    headers: bookmark ? { [BOOKMARK_HEADER]: bookmark } : {},
  });

describe('where a request’s D1 session starts', () => {
  it('at the bookmark sent, else anywhere for a guest’s read, else on the primary', () => {
    const sent = '00000000-0000001a-00000000-00000000000000000000000000000000';
    expect(sessionStart('GET', false, undefined)).toBe('first-unconstrained');
    expect(sessionStart('HEAD', false, undefined)).toBe('first-unconstrained');
    expect(sessionStart('GET', true, undefined)).toBe('first-primary');
    expect(sessionStart('POST', false, undefined)).toBe('first-primary');
    expect(sessionStart('DELETE', true, undefined)).toBe('first-primary');
    expect(sessionStart('GET', true, sent)).toBe(sent);
    expect(sessionStart('POST', false, sent)).toBe(sent);
    expect(isBookmark(sent)).toBe(true);
    expect(isBookmark(sent.toUpperCase())).toBe(true);
    for (const bad of ['', 'first-primary', `${sent}-0`, `${sent} `, sent.replace(/-/g, '_'), `g${sent}`]) {
      expect(isBookmark(bad)).toBe(false);
    }
  });

  it('through the app: a guest’s read, a signed-in read and a sent bookmark', async () => {
    const user = await signUp();
    const watched = watchedD1();
    const app = createApp();
    const ask = (path: string, headers: Record<string, string> = {}) =>
      app.request(
        `https://meridian.test${path}`,
        { headers: { 'CF-Connecting-IP': randomTestAddress(), ...headers } },
        { ...env, DB: watched.db },
        createExecutionContext(),
      );
    // A query string no other request used, so the read reaches D1 rather than the cache.
    const guest = await ask(`/api/v1/assets?limit=1&search=${crypto.randomUUID().slice(0, 8)}`);
    expect(guest.status).toBe(200);
    expect(watched.starts).toEqual(['first-unconstrained']);
    const bookmark = guest.headers.get(BOOKMARK_HEADER) ?? '';
    expect(isBookmark(bookmark)).toBe(true);

    const mine = await ask('/api/v1/watchlists', { Authorization: `Bearer ${user.token}` });
    expect(mine.status).toBe(200);
    expect(watched.starts).toEqual(['first-unconstrained', 'first-primary']);

    const resumed = await ask('/api/v1/watchlists', {
      Authorization: `Bearer ${user.token}`,
      [BOOKMARK_HEADER]: bookmark,
    });
    expect(resumed.status).toBe(200);
    expect(watched.starts).toEqual(['first-unconstrained', 'first-primary', bookmark]);
  });
});

describe('a request’s D1 session', () => {
  it('runs every statement of the request, prepared once or not, batched or not, in one session opened on first use', async () => {
    const watched = watchedD1();
    const d1 = requestD1(watched.db, () => undefined);
    const kept = d1.prepare('SELECT ?1 AS n');
    const first = new RequestSession('first-unconstrained');
    await withD1Session(first, async () => {
      expect(await kept.bind(1).first()).toEqual({ n: 1 });
      const [a, b] = await d1.batch([kept.bind(2), d1.prepare('SELECT 3 AS n')]);
      expect([a?.results, b?.results]).toEqual([[{ n: 2 }], [{ n: 3 }]]);
      expect(await d1.prepare('SELECT 4 AS n').raw()).toEqual([[4]]);
    });
    expect(watched.starts).toEqual(['first-unconstrained']);
    expect(isBookmark(first.bookmark() ?? '')).toBe(true);

    // The next request opens its own; one that runs nothing opens none and has no bookmark.
    const second = new RequestSession('first-primary');
    await withD1Session(second, async () => {
      await kept.bind(5).all();
    });
    const idle = new RequestSession('first-primary');
    await withD1Session(idle, async () => {});
    expect(watched.starts).toEqual(['first-unconstrained', 'first-primary']);
    expect(idle.bookmark()).toBeNull();

    // Outside a request a statement runs on the binding itself (jobs, objects).
    expect(await kept.bind(6).first()).toEqual({ n: 6 });
    expect(watched.starts).toHaveLength(2);
  });

  it('records which copy of the database served each statement', async () => {
    const trace: Trace = { statements: [], cache: [], logs: [] };
    const d1 = requestD1(env.DB, trace);
    await withD1Session(new RequestSession('first-unconstrained'), () => d1.prepare('SELECT 1').all());
    // Locally there are no replicas: the primary answers.
    expect(trace.statements.map((s) => s.served_by)).toEqual(['primary']);
  });
});

describe('bookmarks between requests', () => {
  it('answers every request that ran a statement with its bookmark, and a read from that bookmark sees the write', async () => {
    const user = await signUp();
    const created = await call('/api/v1/watchlists', {
      method: 'POST',
      as: user.as,
      body: { name: 'Since the bookmark' },
      headers: { Origin: 'http://127.0.0.1:8787' },
    });
    expect(created.status).toBe(201);
    const written = created.headers.get(BOOKMARK_HEADER) ?? '';
    expect(isBookmark(written)).toBe(true);
    expect(created.headers.get('Access-Control-Expose-Headers') ?? '').toMatch(/X-D1-Bookmark/i);

    const read = await watchlists(user.as, written);
    expect(read.res.status).toBe(200);
    expect(read.body.data.watchlists.map((w) => w.name)).toContain('Since the bookmark');
    // Bookmarks order as strings: the read's is at or after the write's.
    const after = read.res.headers.get(BOOKMARK_HEADER) ?? '';
    expect(isBookmark(after)).toBe(true);
    expect(after >= written).toBe(true);
  });

  it('refuses a malformed bookmark in our error shape and writes nothing', async () => {
    const user = await signUp();
    const before = (await watchlists(user.as)).body.data.watchlists.length;
    const refused = await callJson<{ error: { code: string; message: string } }>('/api/v1/watchlists', {
      method: 'POST',
      as: user.as,
      body: { name: 'Never made' },
      headers: { [BOOKMARK_HEADER]: 'first-primary' },
    });
    expect(refused.res.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    expect(refused.body.error.message).toMatch(/x-d1-bookmark/);
    expect((await watchlists(user.as)).body.data.watchlists.length).toBe(before);
  });
});

describe('GET /api/database/read-replicas/health', () => {
  const served = (ts: number, copies: string[]): RequestRecord => ({
    ts,
    request_id: crypto.randomUUID(),
    trace_id: '',
    method: 'GET',
    route: '/api/v1/assets',
    path: '/api/v1/assets',
    status: 200,
    duration_ms: 3,
    user_id: null,
    cache: [],
    logs: [],
    statements: copies.map((served_by) => ({
      shape: 'select 1',
      duration_ms: 0.2,
      wall_ms: 1,
      rows_read: 1,
      rows_written: 0,
      source: 'meta' as const,
      served_by,
    })),
  });

  it('lists each replica that served a statement in the window, from what requests recorded', async () => {
    const admin = await signUpAdmin();
    const now = Date.now();
    const shard = env.TELEMETRY.getByName(`telemetry:${dayOf(now)}`);
    await shard.ingest([
      served(now - 60_000, ['WEUR', 'WEUR', 'primary']),
      served(now - 30_000, ['ENAM', 'WEUR']),
      served(now - 3 * 3_600_000, ['APAC']), // outside the default hour
    ]);
    const { res, body } = await callJson<{
      read_replicas_enabled: boolean;
      read_replica_count: number;
      health: Record<
        string,
        { status: string; lag_seconds: number | null; statements: number; last_served_at: string }
      >;
      statements_by_primary: number;
      statements_by_replicas: number;
    }>('/api/database/read-replicas/health', { as: admin.as });
    expect(res.status).toBe(200);
    expect(body.read_replicas_enabled).toBe(true);
    expect(Object.keys(body.health)).toEqual(['ENAM', 'WEUR']);
    expect(body.read_replica_count).toBe(2);
    expect(body.health.WEUR).toEqual({
      status: 'serving',
      lag_seconds: null,
      statements: 3,
      last_served_at: new Date(now - 30_000).toISOString(),
    });
    expect(body.statements_by_replicas).toBe(4);
    // The admin's own requests ran on the primary, besides the one recorded above.
    expect(body.statements_by_primary).toBeGreaterThanOrEqual(1);

    const user = await signUp();
    expect((await call('/api/database/read-replicas/health', { as: user.as })).status).toBe(403);
  });
});
