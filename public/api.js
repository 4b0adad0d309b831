// @ts-check
// HTTP side of the dashboard: the API's JSON bodies, its error shape, and the session.

/**
 * @typedef {{ access_token: string, refresh_token: string, email: string }} Session
 * @typedef {{ method?: string, body?: unknown, anonymous?: boolean }} CallOptions
 * @typedef {{ access_token: string, refresh_token: string }} Tokens
 */

const KEY = 'meridian.session';

/** The API's error shape, `{ error: { code, message } }`, as a throwable. */
export class ApiFailure extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Tokens live in sessionStorage: they survive a reload but not the tab, and are never
 * sent anywhere but this origin's API and WebSocket endpoints.
 * @returns {Session | null}
 */
export function session() {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? /** @type {Session} */ (JSON.parse(raw)) : null;
  } catch {
    return null;
  }
}

/** @param {Session | null} value */
export function setSession(value) {
  if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
  else sessionStorage.removeItem(KEY);
}

/**
 * Calls the API and returns its JSON body. A 401 with a session tries the refresh token
 * once (access tokens last an hour), then gives up and drops the session. The body is
 * untyped JSON: each caller states the shape it reads (the API's schemas: /openapi.json).
 * @param {string} path
 * @param {CallOptions} [options]
 * @returns {Promise<unknown>}
 */
export async function call(path, options = {}) {
  const res = await send(path, options);
  if (res.status === 401 && !options.anonymous && session() && (await refresh()))
    return read(await send(path, options));
  return read(res);
}

/** @param {string} path @param {CallOptions} options */
function send(path, { method = 'GET', body, anonymous = false }) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  const s = session();
  // Signed in, every call carries the token, so the user's rate limit applies rather than the address's.
  if (s && !anonymous) headers.Authorization = `Bearer ${s.access_token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** @param {Response} res @returns {Promise<unknown>} */
async function read(res) {
  /** @type {{ error?: { code?: string, message?: string } } | null} */
  const json = await res.json().catch(() => null);
  if (res.ok) return json;
  const error = json?.error ?? {};
  throw new ApiFailure(res.status, error.code ?? 'HTTP_ERROR', error.message ?? `HTTP ${res.status}`);
}

/** Exchanges the refresh token for new tokens; false (and signed out) when that fails. */
export async function refresh() {
  const s = session();
  if (!s) return false;
  try {
    const out = /** @type {Tokens} */ (
      await read(
        await send('/api/v1/auth/refresh', {
          method: 'POST',
          body: { refresh_token: s.refresh_token },
          anonymous: true,
        }),
      )
    );
    setSession({ ...s, access_token: out.access_token, refresh_token: out.refresh_token });
    return true;
  } catch {
    setSession(null);
    return false;
  }
}

/** @param {string} email @param {string} password @returns {Promise<Session>} */
export async function login(email, password) {
  return signedIn('/api/v1/auth/login', { email, password }, email);
}

/**
 * Creates an account (which signs it in, like login).
 * @param {{ email: string, password: string, first_name?: string, last_name?: string }} body
 * @returns {Promise<Session>}
 */
export async function register(body) {
  return signedIn('/api/v1/auth/register', body, body.email);
}

/** @param {string} path @param {Record<string, string>} body @param {string} email */
async function signedIn(path, body, email) {
  const out = /** @type {Tokens & { user?: { email?: string } }} */ (
    await call(path, { method: 'POST', body, anonymous: true })
  );
  const value = {
    access_token: out.access_token,
    refresh_token: out.refresh_token,
    email: out.user?.email ?? email,
  };
  setSession(value);
  return value;
}

export async function logout() {
  // Revokes the session server-side, which also closes its personal sockets.
  await call('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
  setSession(null);
}
