// HTTP side of the web app: the API's JSON bodies, its error shape, and the session.
// Every call goes to this origin's public API (the CSP allows nothing else).

export interface Session {
  access_token: string;
  refresh_token: string;
  email: string;
  role: 'user' | 'admin';
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** A raw body (CSV) sent with this content type instead of JSON. */
  raw?: { text: string; type: string };
  anonymous?: boolean;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
}

const KEY = 'meridian.session';

/** The API's error shape, `{ error: { code, message, details } }`, as a throwable. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();

/** Called whenever the session changes (sign-in, refresh, sign-out). */
export function onSession(listener: Listener): void {
  listeners.add(listener);
}

/**
 * Tokens live in sessionStorage: they survive a reload but not the tab, and are only ever
 * sent to this origin's API and WebSocket endpoints.
 */
export function session(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function setSession(value: Session | null): void {
  if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
  else sessionStorage.removeItem(KEY);
  for (const l of listeners) l(value);
}

/**
 * Calls the API and returns its JSON body as `T` (the shapes in ./types.ts, typed by hand
 * from /openapi.json). A 401 with a session tries the refresh token once, then signs out.
 */
export async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  const res = await callRaw(path, options);
  return (await res.json()) as T;
}

/** Like `call`, for the response itself (CSV exports). Throws ApiFailure on a non-2xx. */
export async function callRaw(path: string, options: CallOptions = {}): Promise<Response> {
  let res = await send(path, options);
  if (res.status === 401 && !options.anonymous && session() && (await refresh()))
    res = await send(path, options);
  if (res.ok) return res;
  const json = (await res.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: unknown };
  } | null;
  const error = json?.error ?? {};
  throw new ApiFailure(
    res.status,
    error.code ?? 'HTTP_ERROR',
    error.message ?? `HTTP ${res.status}`,
    error.details ?? null,
  );
}

function send(path: string, { method = 'GET', body, raw, anonymous = false }: CallOptions) {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const s = session();
  // Signed in, every call carries the token, so the user's rate limit applies, not the address's.
  if (s && !anonymous) headers.Authorization = `Bearer ${s.access_token}`;
  let payload: string | undefined;
  if (raw) {
    headers['Content-Type'] = raw.type;
    payload = raw.text;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return fetch(path, { method, headers, body: payload });
}

let refreshing: Promise<boolean> | null = null;

/** Exchanges the refresh token for new tokens; false (and signed out) when that fails. */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const s = session();
    if (!s) return false;
    try {
      const out = await call<Tokens>('/api/v1/auth/refresh', {
        method: 'POST',
        body: { refresh_token: s.refresh_token },
        anonymous: true,
      });
      setSession({ ...s, access_token: out.access_token, refresh_token: out.refresh_token });
      return true;
    } catch {
      setSession(null);
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

interface AuthBody extends Tokens {
  user: { email: string; role: 'user' | 'admin' };
}

/** Signs in; `totp_code` only when the account has two-factor on (the API says INVALID_MFA_TOKEN). */
export async function login(email: string, password: string, totp_code?: string): Promise<Session> {
  const out = await call<AuthBody>('/api/v1/auth/login', {
    method: 'POST',
    body: { email, password, ...(totp_code ? { totp_code } : {}) },
    anonymous: true,
  });
  return signedIn(out);
}

/** Creates an account, which signs it in like login. */
export async function register(body: {
  email: string;
  password: string;
  first_name?: string;
  last_name?: string;
}): Promise<Session> {
  return signedIn(await call<AuthBody>('/api/v1/auth/register', { method: 'POST', body, anonymous: true }));
}

function signedIn(out: AuthBody): Session {
  const value: Session = {
    access_token: out.access_token,
    refresh_token: out.refresh_token,
    email: out.user.email,
    role: out.user.role,
  };
  setSession(value);
  return value;
}

export async function logout(): Promise<void> {
  // Revokes the session server-side, which also closes its personal sockets.
  await call('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
  setSession(null);
}
