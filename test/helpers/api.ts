import { exports } from 'cloudflare:workers';

export type Caller = 'guest' | { token: string };

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  as?: Caller;
}

/**
 * Calls the Worker as a client would. `as` chooses the caller: a guest, or a bearer token
 * (the identity issue adds helpers that sign up a user or an admin and return their token).
 */
export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  // Each call from its own address unless the test names one, so per-address limits
  // only bite where a test means them to.
  if (!headers.has('CF-Connecting-IP')) headers.set('CF-Connecting-IP', randomTestAddress());
  if (options.as && options.as !== 'guest') headers.set('Authorization', `Bearer ${options.as.token}`);
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  return exports.default.fetch(
    new Request(`https://meridian.test${path}`, { method: options.method ?? 'GET', headers, body }),
  );
}

/** Calls and parses the JSON body, returning both. */
export async function callJson<T = Record<string, unknown>>(
  path: string,
  options: CallOptions = {},
): Promise<{ res: Response; body: T }> {
  const res = await call(path, options);
  return { res, body: (await res.json()) as T };
}

/** An address in IPv6's documentation range (RFC 3849), a different /64 each time. */
export function randomTestAddress(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${a.toString(16)}:${b.toString(16)}::1`;
}
