import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { dataVersion } from '../ingestion/state';
import { cachePrefixOf, prefixVersion } from './cache-versions';
import { sha256Hex } from './crypto';
import { noteCache } from './telemetry';

export interface Cached<T> {
  data: T;
  etag: string;
  /** The client already has this version: answer 304. */
  notModified: boolean;
}

/**
 * Public market data through the edge cache. The data (not the response: envelopes carry a
 * request id) is kept in the Cache API under the URL and the current data version, so new
 * data landing changes the key and the stale entry is never read again. The ETag is the
 * data's hash; a matching If-None-Match makes the handler answer 304.
 */
export async function cachedData<T>(
  c: Context<AppEnv>,
  ttlSeconds: number,
  compute: () => Promise<T>,
  options: { private?: boolean } = {},
): Promise<Cached<T>> {
  const found = await lookup(c, ttlSeconds, compute, options);
  const data = 'data' in found ? (found.data as T) : (JSON.parse(found.json) as T);
  return { data, etag: found.etag, notModified: found.notModified };
}

export interface CachedJson {
  /** The data's JSON text: on a hit, the stored bytes as they were stored. */
  json: string;
  etag: string;
  notModified: boolean;
}

/**
 * `cachedData`, but a hit gives the stored JSON text itself, never parsed: pair it with
 * `sendCached`, which places that text in the response's envelope as it is.
 */
export async function cachedJson<T>(
  c: Context<AppEnv>,
  ttlSeconds: number,
  compute: () => Promise<T>,
  options: { private?: boolean } = {},
): Promise<CachedJson> {
  const { json, etag, notModified } = await lookup(c, ttlSeconds, compute, options);
  return { json, etag, notModified };
}

// A string no data holds (JSON.stringify writes the NULs as \u0000), standing for the data in
// the envelope until the stored text replaces it.
const DATA_MARK = '\u0000cached-data\u0000';
const DATA_MARK_JSON = JSON.stringify(DATA_MARK);

/**
 * A 200 JSON response: `wrap` builds the envelope around the data (per request: request id,
 * timestamp, rate limit), and the cached JSON text goes into it as stored, so a 270 KB hit
 * costs neither a parse nor a re-serialisation.
 */
export function sendCached(c: Context<AppEnv>, wrap: (data: string) => unknown, json: string): Response {
  const text = JSON.stringify(wrap(DATA_MARK));
  const at = text.indexOf(DATA_MARK_JSON);
  const body = at < 0 ? text : text.slice(0, at) + json + text.slice(at + DATA_MARK_JSON.length);
  return c.body(body, 200, { 'Content-Type': 'application/json' });
}

async function lookup<T>(
  c: Context<AppEnv>,
  ttlSeconds: number,
  compute: () => Promise<T>,
  options: { private?: boolean },
): Promise<{ json: string; data?: T; etag: string; notModified: boolean }> {
  // A client asking for `no-cache` gets the version read now, not the isolate's memo.
  const fresh = /no-cache/i.test(c.req.header('Cache-Control') ?? '');
  const url = new URL(c.req.url);
  const prefix = cachePrefixOf(url.pathname);
  // The data version and the prefix's own version (an admin's bump): either change misses.
  const [dataV, prefixV] = await Promise.all([
    dataVersion(c.env, fresh),
    prefixVersion(c.env, prefix, fresh),
  ]);
  const version = prefixV > 1 ? `${dataV}.${prefixV}` : dataV;
  url.searchParams.sort();
  const keyPath = `${url.pathname}${url.search}`;
  // The version goes in the query: the Cache API ignores URL fragments when matching.
  url.searchParams.set('__data_version', version);
  const key = new Request(`https://cache.meridian.internal${url.pathname}${url.search}`);
  const cache = options.private ? null : await caches.open('market-data');
  let data: T | undefined;
  let json: string | undefined;
  let etag: string | undefined;
  let bytes = 0;
  const started = performance.now();
  const hit = cache ? await cache.match(key) : undefined;
  if (hit) {
    json = await hit.text();
    bytes = json.length;
    etag = hit.headers.get('ETag') ?? undefined;
  }
  const lookupMs = performance.now() - started;
  const outcome = !cache ? 'bypass' : json !== undefined && etag !== undefined ? 'hit' : 'miss';
  if (json === undefined || etag === undefined) {
    data = await compute();
    const body = JSON.stringify(data);
    json = body;
    bytes = body.length;
    etag = `"${(await sha256Hex(body)).slice(0, 32)}"`;
    if (cache) {
      c.executionCtx.waitUntil(
        cache.put(
          key,
          new Response(body, {
            headers: {
              'Content-Type': 'application/json',
              ETag: etag,
              'Cache-Control': `max-age=${ttlSeconds}`,
            },
          }),
        ),
      );
    }
  }
  noteCache({
    prefix,
    key: keyPath,
    outcome,
    bytes,
    version,
    lookup_ms: lookupMs,
  });
  c.header('ETag', etag);
  c.header('Cache-Control', `${options.private ? 'private' : 'public'}, max-age=${ttlSeconds}`);
  c.header('X-Data-Version', version);
  const sent = c.req.header('If-None-Match');
  const notModified = sent?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag) === true;
  return data === undefined ? { json, etag, notModified } : { json, data, etag, notModified };
}

export const notModifiedResponse = {
  304: { description: 'Not modified: the ETag sent is current.' },
} as const;
