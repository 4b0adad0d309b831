// HTTP side of the web app: the API's JSON bodies, its error shape, and the session.
// Every call goes to this origin's public API (the CSP allows nothing else).

import { CryptoOrchestratorError } from '../../../sdk/typescript/src/errors';
import { HttpTransport, type OperationSpec } from '../../../sdk/typescript/src/transport';

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
  storeSession(value);
  syncTransport(value);
}

function storeSession(value: Session | null): void {
  if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
  else sessionStorage.removeItem(KEY);
  for (const l of listeners) l(value);
}

// Every call goes through the TypeScript SDK's transport (sdk/typescript): the bearer token,
// refresh-token rotation on a 401 (one refresh however many calls fail at once), retries of
// 429/503 after Retry-After, and an Idempotency-Key per write reused on its retries. Its
// tokens follow the session in sessionStorage both ways.
const signedInTransport = new HttpTransport({
  baseUrl: location.origin,
  onTokens: (tokens) => {
    const current = session();
    if (!tokens) {
      if (current) setSession(null);
      return;
    }
    if (current && current.access_token !== tokens.accessToken)
      storeSession({
        ...current,
        access_token: tokens.accessToken,
        refresh_token: tokens.refreshToken ?? current.refresh_token,
      });
  },
});
const anonymousTransport = new HttpTransport({ baseUrl: location.origin });

/** Keeps the transport's tokens on the session (after a reload, a sign-in or a sign-out). */
function syncTransport(value: Session | null): void {
  const held = signedInTransport.currentTokens();
  if (!value) {
    if (held) signedInTransport.setTokens(null);
  } else if (held?.accessToken !== value.access_token) {
    signedInTransport.setTokens({
      accessToken: value.access_token,
      refreshToken: value.refresh_token,
      expiresAt: null,
    });
  }
}

/** The SDK transport's description of a call to `path` (bodies are JSON unless `bodyType` says). */
function operation(
  method: string,
  path: string,
  response: 'json' | 'text',
  bodyType = 'application/json',
): OperationSpec {
  return { method, path, response, unwrap: false, listKey: null, bodyType };
}

async function send(path: string, options: CallOptions, response: 'json' | 'text') {
  const { method = 'GET', body, raw, anonymous = false } = options;
  const spec = operation(method, path, response, raw?.type);
  if (!anonymous) syncTransport(session());
  try {
    const res = await (anonymous ? anonymousTransport : signedInTransport).send(spec, {
      body: raw ? raw.text : body,
    });
    return res.body;
  } catch (err) {
    if (err instanceof CryptoOrchestratorError)
      throw new ApiFailure(err.status, err.code, err.message, err.details);
    throw new ApiFailure(0, 'NETWORK_ERROR', err instanceof Error ? err.message : String(err));
  }
}

/**
 * Calls the API and returns its JSON body as `T` (the shapes in ./types.ts, typed by hand
 * from /openapi.json). A 401 with a session tries the refresh token once, then signs out.
 */
export async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  return (await send(path, options, 'json')) as T;
}

/** Like `call`, for a text body (CSV exports). Throws ApiFailure on a non-2xx. */
export async function callText(path: string, options: CallOptions = {}): Promise<string> {
  return String(await send(path, options, 'text'));
}

/** Exchanges the refresh token for new tokens; false (and signed out) when that fails. */
export function refresh(): Promise<boolean> {
  syncTransport(session());
  return signedInTransport.refreshTokens();
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
  // Signed out here first, so no call the page makes from now on carries a token the server
  // is about to revoke (it would answer 401). Then the server revokes the session, which also
  // closes its personal sockets, through a transport of its own that holds the session's
  // tokens: an access token that expired meanwhile is refreshed once, as any call's would be.
  const held = session();
  setSession(null);
  if (!held) return;
  const revoking = new HttpTransport({
    baseUrl: location.origin,
    accessToken: held.access_token,
    refreshToken: held.refresh_token,
  });
  await revoking.send(operation('POST', '/api/v1/auth/logout', 'json'), {}).catch(() => undefined);
}
