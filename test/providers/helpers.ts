import { MemorySourceHealth } from '../../src/providers/circuit';
import { type FetchLike, Pacer, ProviderError, type ProviderRuntime } from '../../src/providers/http';

/** 2025-01-01T00:00:00Z: later than every recorded fixture, so their candles are all closed. */
export const T0 = Date.UTC(2025, 0, 1);

export interface FakeRuntime extends Required<Pick<ProviderRuntime, 'now' | 'sleep' | 'random' | 'pacer'>> {
  /** Every sleep asked for, in order: backoff, Retry-After and pacing waits. */
  sleeps: number[];
  advance(ms: number): void;
}

/** A virtual clock whose sleep returns at once and moves the clock: tests never wait. */
export function fakeRuntime(start = T0): FakeRuntime {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
    pacer: new Pacer(),
    sleeps,
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface RecordedCall {
  url: URL;
  headers: Headers;
}

export type Responder = (url: string, init: RequestInit) => Response | Promise<Response>;

/**
 * A fetch that answers from `responders` in order (the last one repeats) and records each
 * request. Strings and plain values become 200 JSON (or text) responses.
 */
export function fakeFetch(...responders: (Responder | Response | string | object)[]): {
  fetch: FetchLike;
  calls: RecordedCall[];
} {
  const calls: RecordedCall[] = [];
  const fetch: FetchLike = async (input, init) => {
    calls.push({ url: new URL(input), headers: new Headers(init.headers) });
    const next = responders[Math.min(calls.length - 1, responders.length - 1)];
    if (typeof next === 'function') return next(input, init);
    if (next instanceof Response) return next.clone();
    if (typeof next === 'string') return new Response(next, { status: 200 });
    return Response.json(next);
  };
  return { fetch, calls };
}

export function status(code: number, body = '', headers: Record<string, string> = {}): Responder {
  return () => new Response(body, { status: code, headers });
}

/** An upstream that never answers: the promise settles only when the request's signal aborts. */
export const hang: Responder = (_url, init) =>
  new Promise<Response>((_resolve, reject) => {
    const signal = init.signal;
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason));
  });

/** The ProviderError a promise rejects with (fails the test when it resolves or throws something else). */
export async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError, the call succeeded');
}

/** Health whose circuit opens after `failureThreshold` failed calls, on the runtime's clock. */
export function memoryHealth(runtime: FakeRuntime, failureThreshold = 3, cooldownMs = 60_000) {
  return new MemorySourceHealth({ policy: { failureThreshold, cooldownMs }, now: runtime.now });
}
