import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../core/errors';
import { isNoStore } from '../core/responses';
import type { AppEnv } from '../env';
import { config } from '../env';

/** Methods the IETF Idempotency-Key draft covers: the ones that are not idempotent already. */
const METHODS = new Set(['POST', 'PATCH']);
/** A first request still "processing" after this long is taken to have died; a retry takes over. */
export const STALE_LOCK_MS = 60_000;
/** Larger bodies go to R2: D1 refuses statements over 100 KB. */
const MAX_INLINE_BODY_CHARS = 60_000;
/** Transient outcomes are not stored, so the client's retry really runs again. */
const RELEASED_STATUSES = new Set([401, 403, 408, 429]);
/** Headers that belong to one response, not to the outcome being replayed. */
const UNSTORED_HEADERS = new Set(['x-request-id', 'server-timing', 'date', 'set-cookie', 'x-api-version']);

interface StoredKey {
  fingerprint: string;
  state: 'processing' | 'completed';
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  response_body_r2_key: string | null;
}

async function sha256Hex(data: ArrayBuffer | Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The key's value: a structured-field string (`"abc"`) or, as most clients send, bare. */
function parseKey(raw: string): string {
  const value = raw.trim().replace(/^"(.*)"$/, '$1');
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new ApiError('VALIDATION_ERROR', 'Idempotency-Key must be 1-255 visible ASCII characters', {
      details: [{ loc: ['header', 'Idempotency-Key'], msg: 'invalid key', type: 'value_error' }],
    });
  }
  return value;
}

/**
 * Keys belong to the caller, not to a credential: the signed-in user (whether the access
 * token came in a header or 004's cookie, and across refreshes), the API key (whether sent as
 * `X-API-Key` or `Bearer`), or for guests their address. `authenticate` has resolved the
 * principal before this runs.
 */
function scopeOf(c: Context<AppEnv>): string {
  const principal = c.get('principal');
  if (principal?.apiKeyId) return `key:${principal.apiKeyId}`;
  if (principal) return `user:${principal.userId}`;
  return `addr:${c.req.header('CF-Connecting-IP') ?? 'unknown'}`;
}

/**
 * Claims the key for this request. It succeeds for a new key, an expired one, or one whose
 * first request died mid-flight (same fingerprint, stale lock): one atomic statement, so of
 * two concurrent requests exactly one wins.
 */
async function claim(
  db: D1Database,
  scope: string,
  key: string,
  fingerprint: string,
  now: number,
  ttlMs: number,
) {
  const result = await db
    .prepare(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, locked_at, expires_at)
       VALUES (?1, ?2, ?3, 'processing', ?4, ?5)
       ON CONFLICT (scope, key) DO UPDATE SET
         fingerprint = excluded.fingerprint, state = 'processing', response_status = NULL,
         response_headers = NULL, response_body = NULL, response_body_r2_key = NULL,
         locked_at = excluded.locked_at, expires_at = excluded.expires_at
       WHERE idempotency_keys.expires_at <= ?4
          OR (idempotency_keys.state = 'processing' AND idempotency_keys.locked_at <= ?6
              AND idempotency_keys.fingerprint = excluded.fingerprint)`,
    )
    .bind(scope, key, fingerprint, now, now + ttlMs, now - STALE_LOCK_MS)
    .run();
  return result.meta.changes === 1;
}

async function release(db: D1Database, scope: string, key: string, lockedAt: number): Promise<void> {
  await db
    .prepare('DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND locked_at = ?')
    .bind(scope, key, lockedAt)
    .run();
}

async function complete(
  env: Env,
  scope: string,
  key: string,
  lockedAt: number,
  res: Response,
): Promise<void> {
  const body = await res.clone().text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!UNSTORED_HEADERS.has(name.toLowerCase())) headers[name] = value;
  });
  let inline: string | null = body;
  let r2Key: string | null = null;
  if (body.length > MAX_INLINE_BODY_CHARS) {
    r2Key = `idempotency/${await sha256Hex(`${scope}\n${key}`)}/${lockedAt}`;
    await env.ARCHIVE.put(r2Key, body);
    inline = null;
  }
  await env.DB.prepare(
    `UPDATE idempotency_keys SET state = 'completed', response_status = ?, response_headers = ?,
       response_body = ?, response_body_r2_key = ?
     WHERE scope = ? AND key = ? AND locked_at = ?`,
  )
    .bind(res.status, JSON.stringify(headers), inline, r2Key, scope, key, lockedAt)
    .run();
}

async function replay(c: Context<AppEnv>, row: StoredKey): Promise<Response> {
  let body = row.response_body;
  if (row.response_body_r2_key) {
    const object = await c.env.ARCHIVE.get(row.response_body_r2_key);
    body = object ? await object.text() : null;
  }
  if (body === null || row.response_status === null) {
    throw new ApiError('INTERNAL_ERROR', 'The stored response for this Idempotency-Key is missing');
  }
  const headers: Record<string, string> = row.response_headers ? JSON.parse(row.response_headers) : {};
  headers['Idempotent-Replayed'] = 'true';
  return c.body(body, row.response_status as 200, headers);
}

/**
 * `Idempotency-Key` on POST and PATCH (IETF httpapi draft): the same key and request replays
 * the stored response; the same key with another request answers 422; a retry while the
 * first is still running answers 409. Server errors, transient refusals and responses that
 * carry credentials (`Cache-Control: no-store`) are not stored, so retrying them runs the
 * request again. Keys live `IDEMPOTENCY_TTL_SECONDS` (24 hours).
 */
export const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
  const raw = c.req.header('Idempotency-Key');
  if (raw === undefined || !METHODS.has(c.req.method)) return next();
  const key = parseKey(raw);
  const url = new URL(c.req.url);
  const body = await c.req.arrayBuffer();
  const head = new TextEncoder().encode(`${c.req.method} ${url.pathname}${url.search}\n`);
  const request = new Uint8Array(head.length + body.byteLength);
  request.set(head, 0);
  request.set(new Uint8Array(body), head.length);
  const fingerprint = await sha256Hex(request);
  const scope = scopeOf(c);
  const ttlMs = config(c.env).IDEMPOTENCY_TTL_SECONDS * 1000;

  for (let attempt = 0; attempt < 2; attempt++) {
    const lockedAt = Date.now();
    if (await claim(c.env.DB, scope, key, fingerprint, lockedAt, ttlMs)) {
      try {
        await next();
      } catch (err) {
        await release(c.env.DB, scope, key, lockedAt);
        throw err;
      }
      // Responses that carry credentials (tokens, a new API key) are never kept.
      if (c.res.status >= 500 || RELEASED_STATUSES.has(c.res.status) || isNoStore(c.res)) {
        await release(c.env.DB, scope, key, lockedAt);
      } else {
        await complete(c.env, scope, key, lockedAt, c.res);
      }
      return;
    }
    const row = await c.env.DB.prepare(
      `SELECT fingerprint, state, response_status, response_headers, response_body, response_body_r2_key
       FROM idempotency_keys WHERE scope = ? AND key = ?`,
    )
      .bind(scope, key)
      .first<StoredKey>();
    if (!row) continue; // purged between the claim and the read: claim again
    if (row.fingerprint !== fingerprint) {
      throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    }
    if (row.state === 'processing') {
      throw new ApiError(
        'IDEMPOTENCY_KEY_IN_USE',
        'A request with this Idempotency-Key is still being processed',
        {
          headers: { 'Retry-After': '1' },
        },
      );
    }
    return replay(c, row);
  }
  throw new ApiError('IDEMPOTENCY_KEY_IN_USE', 'Could not claim the Idempotency-Key; retry shortly', {
    headers: { 'Retry-After': '1' },
  });
};

/** Deletes expired keys and their R2 bodies; run by the hourly cron. Returns how many went. */
export async function purgeExpiredIdempotencyKeys(env: Env, now = Date.now()): Promise<number> {
  const withBodies = await env.DB.prepare(
    'SELECT response_body_r2_key AS k FROM idempotency_keys WHERE expires_at <= ? AND response_body_r2_key IS NOT NULL',
  )
    .bind(now)
    .all<{ k: string }>();
  const r2Keys = withBodies.results.map((r) => r.k);
  // R2 deletes at most 1,000 keys per call.
  for (let i = 0; i < r2Keys.length; i += 1000) await env.ARCHIVE.delete(r2Keys.slice(i, i + 1000));
  const result = await env.DB.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?').bind(now).run();
  return result.meta.changes;
}
