import type { CacheStat } from '../../../../durable/telemetry';
import { cacheVersions, forgetCacheVersions, incrementPrefixVersion } from '../../../core/cache-versions';
import { round2 } from '../../../core/telemetry';
import { db } from '../../../db/client';
import { bumpDataVersion, dataVersion, forgetDataVersion } from '../../../ingestion/state';
import { enqueueJob } from '../../../jobs/service';
import { audit } from '../../audit/service';
import { acrossShards, iso, type TimeRange } from './sink';

/**
 * Cache management over what the requests recorded: every `cachedData` lookup notes its
 * prefix, key (path and sorted query), outcome, bytes and lookup time. The edge cache is the
 * Workers Cache API, one level: `memory_hits` is 0 and `redis_hits` holds the edge hits, and
 * the Cache API reports no evictions (entries expire by TTL and old versions become
 * unreachable), so `evictions` is 0.
 */

export const CACHE_NOTE =
  'One cache level, the Workers Cache API (per data centre): redis_hits are its hits, memory_hits 0; it reports no evictions (entries expire by TTL; a version bump makes old keys unreachable).';

export async function cacheStats(env: Env, range: TimeRange): Promise<CacheStat[]> {
  const parts = await acrossShards(env, range, (s) => s.cacheStats(range.start, range.end));
  const by = new Map<string, CacheStat>();
  for (const s of parts.flat()) {
    const k = `${s.prefix} ${s.key}`;
    const e = by.get(k);
    if (!e) {
      by.set(k, { ...s });
      continue;
    }
    e.hits += s.hits;
    e.misses += s.misses;
    e.bypasses += s.bypasses;
    e.bytes += s.bytes;
    e.lookup_ms += s.lookup_ms;
    e.last_ts = Math.max(e.last_ts, s.last_ts);
  }
  return [...by.values()];
}

function totals(stats: CacheStat[]) {
  const hits = stats.reduce((s, x) => s + x.hits, 0);
  const misses = stats.reduce((s, x) => s + x.misses, 0);
  const bypasses = stats.reduce((s, x) => s + x.bypasses, 0);
  const ops = hits + misses;
  return {
    hits,
    misses,
    bypasses,
    ops,
    hit_rate: ops ? round4(hits / ops) : 0,
    miss_rate: ops ? round4(misses / ops) : 0,
    avg_ms: ops + bypasses ? round2(stats.reduce((s, x) => s + x.lookup_ms, 0) / (ops + bypasses)) : 0,
    bytes: stats.reduce((s, x) => s + x.bytes, 0),
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

export async function cacheAnalytics(env: Env, range: TimeRange) {
  const stats = await cacheStats(env, range);
  const t = totals(stats);
  const byPrefix = new Map<string, CacheStat[]>();
  for (const s of stats) byPrefix.set(s.prefix, [...(byPrefix.get(s.prefix) ?? []), s]);
  return {
    hit_rate: t.hit_rate,
    miss_rate: t.miss_rate,
    total_operations: t.ops,
    avg_response_time_ms: t.avg_ms,
    memory_hits: 0,
    redis_hits: t.hits,
    misses: t.misses,
    bypasses: t.bypasses,
    evictions: 0,
    total_size_bytes: t.bytes,
    by_prefix: Object.fromEntries(
      [...byPrefix].map(([prefix, list]) => {
        const p = totals(list);
        return [
          prefix,
          { hits: p.hits, misses: p.misses, hit_rate: p.hit_rate, bytes: p.bytes, keys: list.length },
        ];
      }),
    ),
    time_range: { start: iso(range.start), end: iso(range.end) },
    note: CACHE_NOTE,
  };
}

/** `assets:*`, `assets` (a prefix) or a path glob such as `/api/v1/assets/*`. */
export function matchesPattern(pattern: string, s: { prefix: string; key: string }): boolean {
  const p = pattern.replace(/:\*$/, '');
  if (!p.includes('*') && !p.includes('/')) return s.prefix === p;
  const re = new RegExp(`^${p.split('*').map(escapeRe).join('.*')}$`);
  return re.test(s.key) || re.test(s.prefix);
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export async function patternAnalytics(env: Env, pattern: string, range: TimeRange) {
  const stats = (await cacheStats(env, range)).filter((s) => matchesPattern(pattern, s));
  const t = totals(stats);
  return {
    pattern,
    hit_rate: t.hit_rate,
    operations: t.ops,
    hits: t.hits,
    misses: t.misses,
    avg_response_time_ms: t.avg_ms,
    size_bytes: t.bytes,
    keys: stats
      .sort((a, b) => b.hits + b.misses - (a.hits + a.misses))
      .slice(0, 50)
      .map((s) => ({
        key: s.key,
        hits: s.hits,
        misses: s.misses,
        bytes: s.bytes,
        last_accessed: iso(s.last_ts),
      })),
    time_range: { start: iso(range.start), end: iso(range.end) },
  };
}

/** Every prefix's version: the ones seen in the telemetry or ever bumped (1 until bumped). */
export async function versions(env: Env, range: TimeRange) {
  const [bumped, stats, data] = await Promise.all([
    cacheVersions(env, true),
    cacheStats(env, range),
    dataVersion(env, true),
  ]);
  const out: Record<string, number> = {};
  for (const s of stats) out[s.prefix] = 1;
  Object.assign(out, bumped);
  return {
    versions: out,
    data_version: data,
    note: 'A cached response’s key holds the data version (bumped whenever market data lands) and its prefix’s version.',
  };
}

export async function incrementVersion(
  env: Env,
  prefix: string,
  actor: { userId: string; requestId: string; reason?: string | undefined },
) {
  const next = await incrementPrefixVersion(env, prefix);
  await audit(db(env), {
    actorUserId: actor.userId,
    action: 'cache.version_increment',
    targetType: 'cache_prefix',
    targetId: prefix,
    details: { new_version: next, reason: actor.reason ?? null },
    requestId: actor.requestId,
  });
  return { success: true, prefix, new_version: next, message: `Cache version incremented to v${next}` };
}

export async function invalidateAll(
  env: Env,
  actor: { userId: string; requestId: string; reason?: string | undefined },
) {
  await bumpDataVersion(env);
  forgetDataVersion();
  forgetCacheVersions();
  const version = await dataVersion(env, true);
  await audit(db(env), {
    actorUserId: actor.userId,
    action: 'cache.invalidate_all',
    targetType: 'cache',
    targetId: 'all',
    details: { data_version: version, reason: actor.reason ?? null },
    requestId: actor.requestId,
  });
  return { success: true, message: 'All cache versions invalidated', data_version: version };
}

export async function resetAnalytics(env: Env) {
  const now = Date.now();
  const parts = await acrossShards(env, { start: now - 8 * 86_400_000, end: now }, (s) =>
    s.resetCache(now + 1),
  );
  return {
    success: true,
    message: 'Cache analytics reset',
    events_deleted: parts.reduce((s, n) => s + n, 0),
  };
}

/** The most-accessed cache keys in the window, at least `minAccess` lookups each. */
export async function frequentKeys(env: Env, range: TimeRange, minAccess: number) {
  const stats = await cacheStats(env, range);
  return stats
    .map((s) => ({
      key: s.key,
      access_count: s.hits + s.misses,
      last_accessed: iso(s.last_ts),
      hits: s.hits,
    }))
    .filter((s) => s.access_count >= minAccess)
    .sort((a, b) => b.access_count - a.access_count);
}

export async function preloaderStats(env: Env, range: TimeRange) {
  const [stats, frequent, runs] = await Promise.all([
    cacheStats(env, range),
    frequentKeys(env, range, 1),
    env.DB.prepare(
      "SELECT status, result FROM jobs WHERE type = 'cache.preload' ORDER BY created_at DESC LIMIT 20",
    ).all<{ status: string; result: string | null }>(),
  ]);
  let warmed = 0;
  let attempted = 0;
  for (const r of runs.results) {
    const result = r.result ? (JSON.parse(r.result) as { warmed?: number; attempted?: number }) : {};
    warmed += result.warmed ?? 0;
    attempted += result.attempted ?? 0;
  }
  return {
    total_accesses: stats.reduce((s, x) => s + x.hits + x.misses, 0),
    unique_keys: stats.length,
    frequently_accessed: frequent
      .slice(0, 20)
      .map(({ key, access_count, last_accessed }) => ({ key, access_count, last_accessed })),
    preload_success_rate: attempted ? round4(warmed / attempted) : null,
    preload_runs: runs.results.length,
    time_range: { start: iso(range.start), end: iso(range.end) },
  };
}

/** Enqueues the preloader job over the frequent keys; the job warms each through the app. */
export async function preloadFrequent(env: Env, range: TimeRange, minAccess: number, userId: string) {
  const keys = (await frequentKeys(env, range, minAccess)).slice(0, 50);
  const jobId = keys.length
    ? await enqueueJob(env, { type: 'cache.preload', payload: { keys: keys.map((k) => k.key) }, userId })
    : null;
  return {
    success: true,
    message: keys.length ? 'Preload triggered' : 'No key reached the minimum access count',
    job_id: jobId,
    stats: { keys_preloaded: keys.length, total_accesses: keys.reduce((s, k) => s + k.access_count, 0) },
  };
}
