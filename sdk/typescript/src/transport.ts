import { ConnectionError, errorFor, RateLimitError } from './errors';
import { fromApi, type ShapeTable, toApi } from './shapes';

/** How the generated methods describe an operation to the transport. */
export interface OperationSpec {
  method: string;
  path: string;
  response: 'json' | 'text' | 'none';
  /** The body is 001's `{success, data, meta}` envelope: return `data`. */
  unwrap: boolean;
  /** A list's items are under this key of the body (null: the body is the array). */
  listKey: string | null;
  bodyType: string | null;
  /** The shapes (ids in the SHAPES table) that rename the answer and the body; query renames. */
  res?: string;
  req?: string;
  q?: Record<string, string>;
  /** The body field of a two-factor code (`totp_code`, `two_factor_token`), when the operation takes one. */
  tf?: string;
}

export type QueryValue = string | number | boolean | null | undefined | Array<string | number | boolean>;

export interface CallArgs {
  path?: Record<string, string | number>;
  query?: object | undefined;
  body?: unknown;
}

/** Per-call options every method takes last. */
export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Your own key for a write; by default one is made per call and reused on its retries. */
  idempotencyKey?: string;
  timeoutMs?: number;
}

export interface Transport {
  call(spec: OperationSpec, args: CallArgs, options?: CallOptions): Promise<unknown>;
  paginate(spec: OperationSpec, args: CallArgs, options?: CallOptions): AsyncIterable<unknown>;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms when the access token expires, when the API said. */
  expiresAt: number | null;
}

export interface ClientOptions {
  /** The API's address: `https://api.example.com`, or with `/api` as the seed's examples write it. */
  baseUrl: string;
  /** An API key (`mk_...`), sent as a bearer token. */
  apiKey?: string;
  /** Tokens from an earlier `authenticate` (kept by `onTokens`). */
  accessToken?: string;
  refreshToken?: string;
  /** Called whenever tokens change (sign-in, each refresh-token rotation). */
  onTokens?: (tokens: Tokens | null) => void;
  /** Retries of 429 and 503 answers and of network failures that are safe to repeat (default 3). */
  maxRetries?: number;
  /** The longest wait between retries, whatever `Retry-After` says (default 30 s). */
  maxRetryDelayMs?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** `2` asks for 002's v2 envelope (unwrapped all the same). */
  apiVersion?: 1 | 2;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /**
   * Gives a current two-factor code when the API asks for one (sign-in, swaps over $100,
   * withdrawals): the call is sent once more with it. Without it such calls fail with
   * `INVALID_MFA_TOKEN`.
   */
  twoFactor?: () => string | Promise<string>;
  /** How retries wait (tests pass one that records the delays). */
  sleep?: (ms: number) => Promise<void>;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

const WRITES = new Set(['POST', 'PATCH']);
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const REFRESH_PATH = '/api/v1/auth/refresh';
const LOGIN_PATH = '/api/v1/auth/login';

/** The API origin from a base URL, which may end in `/api`, `/api/v1` or `/api/v2`. */
export function originOf(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/api(\/v[12])?$/, '');
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const raw = headers.get('Retry-After');
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function appendQuery(url: URL, query: object | undefined): void {
  for (const [name, value] of Object.entries(query ?? {}) as [string, QueryValue][]) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(name, String(v));
    else url.searchParams.set(name, String(value));
  }
}

function isEnvelope(body: unknown): body is { success: true; data: unknown; meta?: Record<string, unknown> } {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { success?: unknown }).success === true &&
    'data' in body
  );
}

const newKey = (): string => globalThis.crypto.randomUUID();

/** The API's D1 session bookmark: sent back, a read sees at least what the client last saw. */
const BOOKMARK_HEADER = 'X-D1-Bookmark';

/** The HTTP transport: auth, refresh-token rotation, retries, idempotency keys, envelopes. */
export class HttpTransport implements Transport {
  readonly origin: string;
  private tokens: Tokens | null;
  private refreshing: Promise<boolean> | null = null;
  /** The newest bookmark an answer carried (bookmarks order as strings). */
  private bookmark: string | null = null;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly options: ClientOptions,
    private readonly shapes: ShapeTable = {},
  ) {
    this.origin = originOf(options.baseUrl);
    this.tokens = options.accessToken
      ? { accessToken: options.accessToken, refreshToken: options.refreshToken ?? null, expiresAt: null }
      : null;
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The bearer credential in use: the API key, or the current access token. */
  credential(): string | null {
    return this.options.apiKey ?? this.tokens?.accessToken ?? null;
  }

  currentTokens(): Tokens | null {
    return this.tokens ? { ...this.tokens } : null;
  }

  setTokens(tokens: Tokens | null): void {
    this.tokens = tokens;
    this.options.onTokens?.(tokens ? { ...tokens } : null);
  }

  /** Stores the tokens of a sign-in or refresh answer. */
  acceptAuth(body: unknown): void {
    const b = (isEnvelope(body) ? body.data : body) as {
      access_token?: string;
      refresh_token?: string;
      expires_in?: number;
    };
    if (!b?.access_token) return;
    this.setTokens({
      accessToken: b.access_token,
      refreshToken: b.refresh_token ?? this.tokens?.refreshToken ?? null,
      expiresAt: typeof b.expires_in === 'number' ? Date.now() + b.expires_in * 1000 : null,
    });
  }

  /**
   * Rotates the refresh token for a new access token: one request however many calls ask at
   * once. False (and the tokens forgotten) when the API refuses it.
   */
  refreshTokens(): Promise<boolean> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken || this.options.apiKey) return Promise.resolve(false);
    this.refreshing ??= (async () => {
      try {
        const res = await this.fetchFn(`${this.origin}${REFRESH_PATH}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ refresh_token: refreshToken }),
        });
        if (!res.ok) {
          this.setTokens(null);
          return false;
        }
        this.acceptAuth(await res.json());
        return true;
      } catch {
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private url(spec: OperationSpec, args: CallArgs): URL {
    const path = spec.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = args.path?.[name];
      if (value === undefined) throw new TypeError(`missing path parameter ${name}`);
      return encodeURIComponent(String(value));
    });
    const url = new URL(`${this.origin}${path}`);
    const query = Object.fromEntries(
      Object.entries(args.query ?? {}).map(([name, value]) => [spec.q?.[name] ?? name, value]),
    );
    appendQuery(url, query);
    return url;
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.maxRetryDelayMs ?? 30_000, 500 * 2 ** attempt);
  }

  /** One logical call: retried on 429/503 and safe network failures, refreshed once on 401. */
  async send(spec: OperationSpec, args: CallArgs, options: CallOptions = {}): Promise<RawResponse> {
    const maxRetries = this.options.maxRetries ?? 3;
    let idempotencyKey = WRITES.has(spec.method) ? (options.idempotencyKey ?? newKey()) : undefined;
    let apiBody =
      args.body === undefined || (spec.bodyType ?? 'application/json') !== 'application/json'
        ? args.body
        : toApi(args.body, spec.req, this.shapes);
    let askedTwoFactor = false;
    const url = this.url(spec, args);
    const auth = spec.path !== LOGIN_PATH && spec.path !== REFRESH_PATH;
    let refreshed = false;
    if (
      auth &&
      !this.options.apiKey &&
      this.tokens?.expiresAt &&
      this.tokens.expiresAt - 30_000 < Date.now()
    ) {
      refreshed = await this.refreshTokens();
    }
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        Accept: spec.response === 'text' ? 'text/csv, application/json' : 'application/json',
        ...this.options.headers,
        ...options.headers,
      };
      if (this.options.apiVersion === 2) headers['X-API-Version'] = '2.0';
      const credential = auth ? this.credential() : null;
      if (credential) headers.Authorization = `Bearer ${credential}`;
      if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
      if (this.bookmark) headers[BOOKMARK_HEADER] = this.bookmark;
      let body: string | undefined;
      if (apiBody !== undefined) {
        const type = spec.bodyType ?? 'application/json';
        headers['Content-Type'] = type;
        body = type === 'application/json' ? JSON.stringify(apiBody) : String(apiBody);
      }
      const timeout = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? 30_000);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await this.fetchFn(url, { method: spec.method, headers, body, signal });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        const repeatable = SAFE.has(spec.method) || idempotencyKey !== undefined;
        if (repeatable && attempt < maxRetries) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        throw new ConnectionError(`${spec.method} ${url.pathname} failed: ${(err as Error).message}`);
      }
      this.noteBookmark(res.headers.get(BOOKMARK_HEADER));
      if (res.status === 401 && auth && !refreshed && this.tokens?.refreshToken && !this.options.apiKey) {
        refreshed = true;
        // Another call may have rotated the tokens while this one was out: use theirs.
        if (this.credential() !== credential || (await this.refreshTokens())) {
          await res.body?.cancel();
          continue;
        }
      }
      if ((res.status === 429 || res.status === 503) && attempt < maxRetries) {
        await res.body?.cancel();
        const wait = retryAfterMs(res.headers) ?? this.backoff(attempt);
        await this.sleep(Math.min(wait, this.options.maxRetryDelayMs ?? 30_000));
        continue;
      }
      const requestId = res.headers.get('X-Request-Id');
      if (!res.ok) {
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        const error = errorFor(res.status, parsed, requestId);
        const provider = this.options.twoFactor;
        const sent = apiBody as Record<string, unknown> | undefined;
        if (
          error.code === 'INVALID_MFA_TOKEN' &&
          spec.tf &&
          provider &&
          !askedTwoFactor &&
          (sent === undefined || (typeof sent === 'object' && !sent[spec.tf]))
        ) {
          // The API asks for a code this call did not carry: send it once more with one (a
          // new body, so a new idempotency key).
          askedTwoFactor = true;
          apiBody = { ...(sent ?? {}), [spec.tf]: await provider() };
          if (idempotencyKey) idempotencyKey = newKey();
          continue;
        }
        if (error instanceof RateLimitError) {
          const after = retryAfterMs(res.headers);
          error.retryAfter = after === null ? null : after / 1000;
        }
        throw error;
      }
      return { status: res.status, headers: res.headers, body: await this.read(spec, res) };
    }
  }

  /**
   * Keeps the newest bookmark, so every later call reads what this client wrote (read
   * replicas lag the primary; a bookmark makes the API read a copy at least that new).
   */
  private noteBookmark(bookmark: string | null): void {
    if (bookmark && (this.bookmark === null || bookmark > this.bookmark)) this.bookmark = bookmark;
  }

  private async read(spec: OperationSpec, res: Response): Promise<unknown> {
    if (spec.response === 'text') return res.text();
    const text = await res.text();
    if (!text) return null;
    const type = res.headers.get('Content-Type') ?? '';
    return type.includes('json') ? JSON.parse(text) : text;
  }

  /** The answer as the SDK returns it: the envelope's `data`, in the SDK's names. */
  private unwrap(spec: OperationSpec, body: unknown): unknown {
    const data =
      (spec.unwrap || (this.options.apiVersion === 2 && isEnvelope(body))) && isEnvelope(body)
        ? body.data
        : body;
    return fromApi(data, spec.res, this.shapes);
  }

  async call(spec: OperationSpec, args: CallArgs, options?: CallOptions): Promise<unknown> {
    const res = await this.send(spec, args, options);
    if (spec.response === 'none') return undefined;
    return this.unwrap(spec, res.body);
  }

  /** Walks a limit/offset list: meta.pagination, the `Link` header, or a short page ends it. */
  async *paginate(spec: OperationSpec, args: CallArgs, options?: CallOptions): AsyncIterable<unknown> {
    const query = { ...(args.query as Record<string, QueryValue> | undefined) };
    const limit = Number(query.limit ?? 100);
    let offset = Number(query.offset ?? (query.page ? (Number(query.page) - 1) * limit : 0));
    delete query.page;
    for (;;) {
      const res = await this.send(spec, { ...args, query: { ...query, limit, offset } }, options);
      const data = this.unwrap(spec, res.body);
      const items = (spec.listKey ? (data as Record<string, unknown>)?.[spec.listKey] : data) as unknown[];
      if (!Array.isArray(items) || !items.length) return;
      yield* items;
      const meta = isEnvelope(res.body)
        ? (res.body.meta?.pagination as { has_next?: boolean } | undefined)
        : undefined;
      const link = res.headers.get('Link');
      const more = meta
        ? Boolean(meta.has_next)
        : link !== null
          ? /rel="next"/.test(link)
          : items.length === limit;
      if (!more) return;
      offset += items.length;
    }
  }
}
