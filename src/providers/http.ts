import { z } from 'zod';
import type { SourceHealth } from './types';

/**
 * Why a provider call failed.
 * - `timeout`: no complete answer within the per-attempt timeout.
 * - `network`: the request never got an HTTP answer (DNS, TLS, reset).
 * - `http`: a non-2xx status (`status` says which).
 * - `invalid_body`: a 2xx whose body is not what the provider documents (zod said no).
 * - `circuit_open`: the source's circuit is open; nothing was sent.
 * - `upstream`: a 2xx whose body reports an error (Kraken's `error` array, alternative.me's
 *   `metadata.error`, Stooq's daily-limit text).
 * - `not_found`: the provider says the symbol or id does not exist (a configuration problem
 *   on our side, so it does not count against the source's health).
 */
export type ProviderErrorKind =
  | 'timeout'
  | 'http'
  | 'invalid_body'
  | 'circuit_open'
  | 'network'
  | 'upstream'
  | 'not_found';

export interface ProviderErrorInit {
  kind: ProviderErrorKind;
  sourceId: string;
  message: string;
  status?: number | null;
  url?: string | null;
  attempts?: number;
  retryable?: boolean;
  retryAfterMs?: number | null;
  cause?: unknown;
}

/** The one error every adapter throws. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly sourceId: string;
  /** The HTTP status, when there was an answer. */
  readonly status: number | null;
  readonly url: string | null;
  /** How many requests went out for this call (0 when the circuit was open). */
  readonly attempts: number;
  /** Whether the same call may work later: network, timeout, 408, 429, 5xx, some upstream errors. */
  readonly retryable: boolean;
  /** What the provider asked for in `Retry-After`, in ms, when it did. */
  readonly retryAfterMs: number | null;

  constructor(init: ProviderErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.sourceId = init.sourceId;
    this.status = init.status ?? null;
    this.url = init.url ?? null;
    this.attempts = init.attempts ?? 0;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }

  /** The same error with the final attempt count. */
  withAttempts(attempts: number): ProviderError {
    return new ProviderError({
      kind: this.kind,
      sourceId: this.sourceId,
      message: this.message,
      status: this.status,
      url: this.url,
      attempts,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      cause: this.cause,
    });
  }
}

/** True for a ProviderError, optionally of one of `kinds`. */
export function isProviderError(error: unknown, ...kinds: ProviderErrorKind[]): error is ProviderError {
  return error instanceof ProviderError && (kinds.length === 0 || kinds.includes(error.kind));
}

/** The part of `fetch` the adapters use; tests pass a function that returns `new Response(...)`. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface RetryPolicy {
  /** Retries after the first attempt (so `retries + 1` requests at most). */
  retries: number;
  /** First backoff; doubles per retry, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The longest `Retry-After` we wait. A provider asking for longer is not retried at all:
   * waiting less than it asked only earns another 429, and a cron run should move on.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 20_000,
};

export const DEFAULT_TIMEOUT_MS = 10_000;

/** The seams that make adapters testable without a network or real waiting. */
export interface ProviderRuntime {
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** Epoch ms. */
  now?: () => number;
  /** In [0, 1); for backoff jitter. */
  random?: () => number;
  /** Builds the abort signal of one attempt; `AbortSignal.timeout` by default. */
  timeoutSignal?: (ms: number) => AbortSignal;
  /** Spaces calls per source; one shared pacer per isolate by default. */
  pacer?: Pacer;
}

/** What every adapter's constructor takes. */
export interface ProviderInit<O> extends ProviderRuntime {
  health: SourceHealth;
  options?: O;
}

/** Options every adapter accepts (each adapter adds its own). */
export interface BaseProviderOptions {
  /** Overrides the provider's base URL (a mirror, a proxy, a test server). */
  baseUrl?: string;
  /** The id health is recorded under; the adapter's name by default. */
  sourceId?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Minimum spacing between calls to this source within an isolate. */
  minIntervalMs?: number;
}

/**
 * Spaces calls to each source at least `minIntervalMs` apart within an isolate. The slot is
 * reserved before waiting, so concurrent callers queue up instead of bursting together.
 */
export class Pacer {
  readonly #nextSlot = new Map<string, number>();

  /** Waits until `sourceId` may be called again and reserves the following slot. */
  async wait(sourceId: string, minIntervalMs: number, now: number, sleep: (ms: number) => Promise<void>) {
    if (minIntervalMs <= 0) return;
    const slot = Math.max(now, this.#nextSlot.get(sourceId) ?? 0);
    this.#nextSlot.set(sourceId, slot + minIntervalMs);
    if (slot > now) await sleep(slot - now);
  }
}

/** The pacer adapters share unless given their own: providers limit per client, not per adapter object. */
export const isolatePacer = new Pacer();

/**
 * Milliseconds a `Retry-After` header asks for: either delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Null when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Backoff before retry number `retry` (1-based): base·2^(retry-1), capped, with "equal
 * jitter" (half fixed, half random) so clients that failed together do not retry together.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return exp / 2 + random() * (exp / 2);
}

export type QueryParams = Record<string, string | number | boolean | undefined>;

/** A problem the provider reports inside a 2xx body. */
export interface UpstreamProblem {
  kind: 'upstream' | 'not_found';
  message: string;
  /** Retry it like a 5xx (e.g. Kraken's `EService:Unavailable`). */
  retryable?: boolean;
}

export interface CallOptions {
  /** Looks at the raw body (parsed JSON, or the text) before the schema, for in-body errors. */
  inspect?: (raw: unknown) => UpstreamProblem | undefined;
  /** Whether a non-2xx answer means "no such symbol" (e.g. CoinGecko 404, Binance -1121). */
  notFound?: (status: number, body: string) => boolean;
  headers?: Record<string, string>;
}

export interface ProviderHttpConfig extends ProviderRuntime {
  sourceId: string;
  health: SourceHealth;
  baseUrl: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  minIntervalMs?: number;
}

/**
 * Builds the ProviderHttp of an adapter from its constructor argument: the caller's options
 * win over the adapter's defaults (source id, base URL, pacing).
 */
export function createProviderHttp(
  init: ProviderInit<BaseProviderOptions>,
  defaults: { sourceId: string; baseUrl: string; minIntervalMs: number; headers?: Record<string, string> },
): ProviderHttp {
  const options = init.options ?? {};
  return new ProviderHttp({
    fetch: init.fetch,
    sleep: init.sleep,
    now: init.now,
    random: init.random,
    timeoutSignal: init.timeoutSignal,
    pacer: init.pacer,
    health: init.health,
    sourceId: options.sourceId ?? defaults.sourceId,
    baseUrl: options.baseUrl ?? defaults.baseUrl,
    headers: defaults.headers,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    minIntervalMs: options.minIntervalMs ?? defaults.minIntervalMs,
  });
}

const USER_AGENT = 'Meridian/0.1 (market-data ingestion; Cloudflare Workers)';
const SNIPPET_CHARS = 200;

/**
 * The resilient GET every adapter goes through. Per call: ask the source's health whether
 * the circuit allows it (throw `circuit_open` without sending if not); then per attempt:
 * wait for the per-source pacing slot, send with a timeout, and classify the outcome.
 * Network errors, timeouts, 408, 429, 5xx and retryable in-body errors are retried with
 * exponential backoff and jitter (429/503 honour `Retry-After` up to a cap); other 4xx and
 * invalid bodies are not. The call's final outcome, not each attempt, is recorded on the
 * health with the last attempt's latency (pacing and backoff waits excluded), so a blip
 * that a retry absorbed counts as a success.
 */
export class ProviderHttp {
  readonly sourceId: string;
  readonly #config: ProviderHttpConfig;
  readonly #retry: RetryPolicy;
  readonly #fetch: FetchLike;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #timeoutSignal: (ms: number) => AbortSignal;
  readonly #pacer: Pacer;

  constructor(config: ProviderHttpConfig) {
    this.sourceId = config.sourceId;
    this.#config = config;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...config.retry };
    // Wrapped so the Workers runtime sees fetch called on the global, not on this object.
    this.#fetch = config.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = config.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = config.now ?? Date.now;
    this.#random = config.random ?? Math.random;
    this.#timeoutSignal = config.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms));
    this.#pacer = config.pacer ?? isolatePacer;
  }

  /** The clock adapters should use for "now" (e.g. a Kraken ticker has no timestamp). */
  now(): number {
    return this.#now();
  }

  /** GET `path` with `params`, parse the body as JSON and validate it with `schema`. */
  json<S extends z.ZodType>(
    path: string,
    params: QueryParams,
    schema: S,
    options: CallOptions = {},
  ): Promise<z.output<S>> {
    return this.#call(path, params, schema, 'json', options);
  }

  /** GET `path` with `params` and validate the body text with `schema` (which may parse it). */
  text<S extends z.ZodType>(
    path: string,
    params: QueryParams,
    schema: S,
    options: CallOptions = {},
  ): Promise<z.output<S>> {
    return this.#call(path, params, schema, 'text', options);
  }

  /** The full URL of `path` with `params` (undefined params are left out). */
  url(path: string, params: QueryParams = {}): string {
    const base = this.#config.baseUrl.endsWith('/') ? this.#config.baseUrl : `${this.#config.baseUrl}/`;
    const url = new URL(path.replace(/^\//, ''), base);
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async #call<S extends z.ZodType>(
    path: string,
    params: QueryParams,
    schema: S,
    mode: 'json' | 'text',
    options: CallOptions,
  ): Promise<z.output<S>> {
    const url = this.url(path, params);
    const { health } = this.#config;
    if (!(await health.allowRequest(this.sourceId))) {
      throw new ProviderError({
        kind: 'circuit_open',
        sourceId: this.sourceId,
        message: `${this.sourceId}: circuit open, call not sent`,
        url,
        retryable: true,
      });
    }
    const maxAttempts = this.#retry.retries + 1;
    for (let attempt = 1; ; attempt++) {
      await this.#pacer.wait(this.sourceId, this.#config.minIntervalMs ?? 0, this.#now(), this.#sleep);
      const started = this.#now();
      let outcome: { ok: true; data: z.output<S> } | { ok: false; error: ProviderError };
      try {
        outcome = { ok: true, data: await this.#attempt(url, schema, mode, options) };
      } catch (thrown) {
        outcome = { ok: false, error: this.#asProviderError(thrown, url) };
      }
      // Health is recorded outside the try: a failing health store is not a provider failure.
      if (outcome.ok) {
        await health.recordSuccess(this.sourceId, this.#now() - started);
        return outcome.data;
      }
      const { error } = outcome;
      const delay = attempt < maxAttempts && error.retryable ? this.#retryDelay(error, attempt) : null;
      if (delay === null) {
        const final = error.withAttempts(attempt);
        // "No such symbol" is an answer from a working source, not a sign it is down.
        if (final.kind === 'not_found') await health.recordSuccess(this.sourceId, this.#now() - started);
        else await health.recordFailure(this.sourceId, `${final.kind}: ${final.message}`);
        throw final;
      }
      await this.#sleep(delay);
    }
  }

  #asProviderError(thrown: unknown, url: string): ProviderError {
    if (thrown instanceof ProviderError) return thrown;
    return new ProviderError({
      kind: 'network',
      sourceId: this.sourceId,
      message: `${this.sourceId}: ${errorMessage(thrown)}`,
      url,
      retryable: true,
      cause: thrown,
    });
  }

  /** The wait before the next attempt, or null to give up (Retry-After above the cap). */
  #retryDelay(error: ProviderError, attempt: number): number | null {
    if (error.retryAfterMs !== null) {
      return error.retryAfterMs <= this.#retry.maxRetryAfterMs ? error.retryAfterMs : null;
    }
    return backoffDelay(attempt, this.#retry, this.#random);
  }

  async #attempt<S extends z.ZodType>(
    url: string,
    schema: S,
    mode: 'json' | 'text',
    options: CallOptions,
  ): Promise<z.output<S>> {
    const sourceId = this.sourceId;
    const timeoutMs = this.#config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signal = this.#timeoutSignal(timeoutMs);
    const headers = {
      accept: mode === 'json' ? 'application/json' : 'text/plain, text/csv, */*',
      'user-agent': USER_AGENT,
      ...this.#config.headers,
      ...options.headers,
    };
    const transportError = (cause: unknown): ProviderError =>
      signal.aborted || isAbort(cause)
        ? new ProviderError({
            kind: 'timeout',
            sourceId,
            message: `${sourceId}: no answer within ${timeoutMs} ms`,
            url,
            retryable: true,
            cause,
          })
        : new ProviderError({
            kind: 'network',
            sourceId,
            message: `${sourceId}: ${errorMessage(cause)}`,
            url,
            retryable: true,
            cause,
          });

    let response: Response;
    let body: string;
    try {
      response = await this.#fetch(url, { method: 'GET', headers, signal });
      // The signal also bounds the body: a provider that stalls mid-body times out too.
      body = await response.text();
    } catch (cause) {
      throw transportError(cause);
    }

    if (!response.ok) {
      const status = response.status;
      if (options.notFound?.(status, body)) {
        throw new ProviderError({
          kind: 'not_found',
          sourceId,
          status,
          url,
          message: `${sourceId}: unknown symbol (HTTP ${status}: ${snippet(body)})`,
        });
      }
      throw new ProviderError({
        kind: 'http',
        sourceId,
        status,
        url,
        message: `${sourceId}: HTTP ${status}: ${snippet(body)}`,
        retryable: status === 408 || status === 429 || status >= 500,
        retryAfterMs:
          status === 429 || status === 503
            ? parseRetryAfter(response.headers.get('retry-after'), this.#now())
            : null,
      });
    }

    let raw: unknown = body;
    if (mode === 'json') {
      try {
        raw = JSON.parse(body);
      } catch (cause) {
        throw new ProviderError({
          kind: 'invalid_body',
          sourceId,
          status: response.status,
          url,
          message: `${sourceId}: body is not JSON: ${snippet(body)}`,
          cause,
        });
      }
    }

    const problem = options.inspect?.(raw);
    if (problem) {
      throw new ProviderError({
        kind: problem.kind,
        sourceId,
        status: response.status,
        url,
        message: `${sourceId}: ${problem.message}`,
        retryable: problem.retryable ?? false,
      });
    }

    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new ProviderError({
        kind: 'invalid_body',
        sourceId,
        status: response.status,
        url,
        message: `${sourceId}: unexpected body: ${z.prettifyError(parsed.error).slice(0, 500)}`,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat || '(empty body)';
}
