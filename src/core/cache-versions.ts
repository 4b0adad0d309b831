import { registerMemo } from './isolate-memos';

/**
 * Per-prefix cache versions beside the global data version. A cached public response's key
 * holds the data version (bumped whenever market data lands) and its prefix's version
 * (bumped by an admin), so bumping either makes every old entry unreachable: the Cache API
 * has no "delete by prefix", so invalidation is by changing the key. Stored in D1's
 * `market_state` as `cache_version:<prefix>`; read at most every 5 s per isolate.
 */

const KEY_PREFIX = 'cache_version:';

/** The prefix of a cached path: the first segment after `/api`, `/api/v1` or `/api/v2`. */
export function cachePrefixOf(pathname: string): string {
  const rest = pathname.replace(/^\/api(\/v[12])?\//, '');
  return rest.split('/')[0] || 'root';
}

let memo: { versions: Record<string, number>; readAt: number } | undefined;
registerMemo(() => {
  memo = undefined;
});

/** Every prefix's version (a prefix never bumped is absent: version 1). */
export async function cacheVersions(env: { DB: D1Database }, fresh = false): Promise<Record<string, number>> {
  const now = Date.now();
  if (!fresh && memo && now - memo.readAt < 5000) return memo.versions;
  const rows = await env.DB.prepare(
    "SELECT key, value FROM market_state WHERE key LIKE 'cache\\_version:%' ESCAPE '\\'",
  ).all<{
    key: string;
    value: string;
  }>();
  const versions: Record<string, number> = {};
  for (const r of rows.results) versions[r.key.slice(KEY_PREFIX.length)] = Number(r.value) || 1;
  memo = { versions, readAt: now };
  return versions;
}

export async function prefixVersion(env: { DB: D1Database }, prefix: string, fresh = false): Promise<number> {
  return (await cacheVersions(env, fresh))[prefix] ?? 1;
}

/** Bumps a prefix's version; returns the new one. Atomic in one statement. */
export async function incrementPrefixVersion(env: { DB: D1Database }, prefix: string): Promise<number> {
  const row = await env.DB.prepare(
    `INSERT INTO market_state (key, value, updated_at) VALUES (?, '2', ?)
     ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT), updated_at = excluded.updated_at
     RETURNING value`,
  )
    .bind(`${KEY_PREFIX}${prefix}`, Date.now())
    .first<{ value: string }>();
  memo = undefined;
  return Number(row?.value ?? 2);
}

/** Forgets the isolate's memo (after a bump in this isolate). */
export function forgetCacheVersions(): void {
  memo = undefined;
}
