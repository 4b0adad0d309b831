import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { dataVersion } from '../ingestion/state';
import { cachePrefixOf, prefixVersion } from './cache-versions';
import { sha256Hex } from './crypto';
import { registerMemo } from './isolate-memos';
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
  let computed: { value: T } | undefined;
  const r = await cachedText(
    c,
    ttlSeconds,
    async () => {
      computed = { value: await compute() };
      return JSON.stringify(computed.value);
    },
    options,
  );
  // A miss already holds the data; only a hit parses the stored text.
  return {
    data: computed ? computed.value : (JSON.parse(r.text) as T),
    etag: r.etag,
    notModified: r.notModified,
  };
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
  const r = await cachedText(c, ttlSeconds, async () => JSON.stringify(await compute()), options);
  return { json: r.text, etag: r.etag, notModified: r.notModified };
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

/**
 * The isolate's copy of the hottest entries, under the same versioned key as the Cache API: a
 * hit skips the Cache API's round trip. Bounded by entries and bytes, oldest first out; an
 * entry lives at most its TTL, and a new data or prefix version is a new key, so it never
 * serves what the Cache API would not.
 */
const MEMO_ENTRIES = 128;
const MEMO_BYTES = 8 * 1024 * 1024;
const memo = new Map<string, { text: string; etag: string; expires: number }>();
let memoBytes = 0;
registerMemo(() => {
  memo.clear();
  memoBytes = 0;
});

function memoGet(key: string): { text: string; etag: string } | undefined {
  const hit = memo.get(key);
  if (!hit) return undefined;
  if (hit.expires <= Date.now()) {
    memo.delete(key);
    memoBytes -= hit.text.length;
    return undefined;
  }
  return hit;
}

function memoPut(key: string, text: string, etag: string, ttlSeconds: number): void {
  if (text.length > MEMO_BYTES / 4) return;
  const old = memo.get(key);
  if (old) {
    memo.delete(key);
    memoBytes -= old.text.length;
  }
  memo.set(key, { text, etag, expires: Date.now() + ttlSeconds * 1000 });
  memoBytes += text.length;
  while (memo.size > MEMO_ENTRIES || memoBytes > MEMO_BYTES) {
    const first = memo.keys().next().value as string;
    memoBytes -= memo.get(first)?.text.length ?? 0;
    memo.delete(first);
  }
}

let opened: Promise<Cache> | undefined;

/** The Cache API's `market-data` cache, opened once per isolate. */
function marketDataCache(): Promise<Cache> {
  opened ??= caches.open('market-data');
  return opened;
}

export interface CachedText {
  /** The cached JSON text, as stored: served without parsing it again. */
  text: string;
  etag: string;
  notModified: boolean;
}

/**
 * `cachedData` for callers that send the stored JSON as it is (a snapshot section spliced into
 * its envelope): no parse and re-serialise on a hit. `variant` extends the key when the same
 * URL answers differently by caller (signed in or not, admin or not).
 */
export async function cachedText(
  c: Context<AppEnv>,
  ttlSeconds: number,
  compute: () => Promise<string>,
  options: { private?: boolean; variant?: string } = {},
): Promise<CachedText> {
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
  if (options.variant) url.searchParams.set('__variant', options.variant);
  const key = new Request(`https://cache.meridian.internal${url.pathname}${url.search}`);
  const cache = options.private ? null : await marketDataCache();
  let data: string | undefined;
  let etag: string | undefined;
  let bytes = 0;
  const started = performance.now();
  const memoKey = key.url;
  const local = cache && !fresh ? memoGet(memoKey) : undefined;
  if (local) {
    data = local.text;
    etag = local.etag;
    bytes = data.length;
  }
  const hit = cache && !local ? await cache.match(key) : undefined;
  if (hit) {
    data = await hit.text();
    bytes = data.length;
    etag = hit.headers.get('ETag') ?? undefined;
    if (etag) memoPut(memoKey, data, etag, ttlSeconds);
  }
  const lookupMs = performance.now() - started;
  const outcome = !cache ? 'bypass' : data !== undefined && etag !== undefined ? 'hit' : 'miss';
  if (data === undefined || etag === undefined) {
    const body = await compute();
    data = body;
    bytes = body.length;
    etag = `"${(await sha256Hex(body)).slice(0, 32)}"`;
    if (cache) {
      memoPut(memoKey, body, etag, ttlSeconds);
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
  return { text: data, etag, notModified };
}

export const notModifiedResponse = {
  304: { description: 'Not modified: the ETag sent is current.' },
} as const;
