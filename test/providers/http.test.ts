import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  type FetchLike,
  isProviderError,
  Pacer,
  ProviderHttp,
  type ProviderHttpConfig,
  parseRetryAfter,
} from '../../src/providers/http';
import { fakeFetch, fakeRuntime, hang, memoryHealth, providerError, status } from './helpers';

const schema = z.object({ price: z.number() });

function setup(fetch: FetchLike, config: Partial<ProviderHttpConfig> = {}) {
  const runtime = fakeRuntime();
  const health = memoryHealth(runtime, 3);
  const http = new ProviderHttp({
    ...runtime,
    fetch,
    health,
    sourceId: 'test-source',
    baseUrl: 'https://api.example.test/v1',
    ...config,
  });
  return { http, health, runtime };
}

describe('ProviderHttp', () => {
  it('builds the URL, sends JSON headers, validates, and records the success with its latency', async () => {
    const { fetch, calls } = fakeFetch({ price: 1.5 });
    const runtime = fakeRuntime();
    const slowFetch: FetchLike = async (url, init) => {
      runtime.advance(120);
      return fetch(url, init);
    };
    const health = memoryHealth(runtime);
    const http = new ProviderHttp({
      ...runtime,
      fetch: slowFetch,
      health,
      sourceId: 's',
      baseUrl: 'https://api.example.test/v1/',
      headers: { 'x-key': 'k' },
    });
    expect(await http.json('/quote', { symbol: 'BTC', skip: undefined, n: 2 }, schema)).toEqual({
      price: 1.5,
    });
    expect(calls[0]?.url.toString()).toBe('https://api.example.test/v1/quote?symbol=BTC&n=2');
    expect(calls[0]?.headers.get('accept')).toBe('application/json');
    expect(calls[0]?.headers.get('x-key')).toBe('k');
    expect(calls[0]?.headers.get('user-agent')).toMatch(/^Meridian/);
    expect(health.snapshot('s')).toMatchObject({ successes: 1, failures: 0, lastLatencyMs: 120 });
  });

  it('retries 5xx with exponential backoff and jitter, then succeeds (one success recorded)', async () => {
    const runtime = fakeRuntime();
    const { fetch: answer, calls } = fakeFetch(status(503), status(502), { price: 2 });
    const fetch: FetchLike = async (url, init) => {
      runtime.advance(40);
      return answer(url, init);
    };
    const health = memoryHealth(runtime);
    const http = new ProviderHttp({
      ...runtime,
      fetch,
      health,
      sourceId: 'test-source',
      baseUrl: 'https://x.test',
    });
    expect(await http.json('/q', {}, schema)).toEqual({ price: 2 });
    expect(calls).toHaveLength(3);
    // random() = 0.5: half of base·2^(n-1) fixed plus a quarter of it.
    expect(runtime.sleeps).toEqual([375, 750]);
    // Latency is the last attempt's, not the backoff waits.
    expect(health.snapshot('test-source')).toMatchObject({ successes: 1, failures: 0, lastLatencyMs: 40 });
  });

  it('persistent 5xx: throws after the retries, and opens the circuit after N failed calls', async () => {
    const { fetch, calls } = fakeFetch(status(500, 'Internal Server Error'));
    const { http, health, runtime } = setup(fetch);
    for (let i = 1; i <= 3; i++) {
      const error = await providerError(http.json('/q', {}, schema));
      expect(error).toMatchObject({
        kind: 'http',
        status: 500,
        attempts: 3,
        sourceId: 'test-source',
        retryable: true,
      });
      expect(error.message).toContain('Internal Server Error');
    }
    expect(calls).toHaveLength(9);
    expect(health.snapshot('test-source').circuit.state).toBe('open');

    const refused = await providerError(http.json('/q', {}, schema));
    expect(refused).toMatchObject({ kind: 'circuit_open', attempts: 0 });
    expect(calls).toHaveLength(9);

    // After the cool-down one probe goes out; its success closes the circuit.
    runtime.advance(60_000);
    const recovering = fakeFetch({ price: 3 });
    const probe = new ProviderHttp({
      ...runtime,
      fetch: recovering.fetch,
      health,
      sourceId: 'test-source',
      baseUrl: 'https://api.example.test',
    });
    expect(await probe.json('/q', {}, schema)).toEqual({ price: 3 });
    expect(health.snapshot('test-source').circuit.state).toBe('closed');
  });

  it('honours Retry-After seconds on 429', async () => {
    const { fetch, calls } = fakeFetch(status(429, 'slow down', { 'retry-after': '7' }), { price: 4 });
    const { http, runtime } = setup(fetch);
    expect(await http.json('/q', {}, schema)).toEqual({ price: 4 });
    expect(calls).toHaveLength(2);
    expect(runtime.sleeps).toEqual([7_000]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const runtime = fakeRuntime();
    const at = new Date(runtime.now() + 3_000).toUTCString();
    const { fetch } = fakeFetch(status(429, '', { 'retry-after': at }), { price: 4 });
    const http = new ProviderHttp({
      ...runtime,
      fetch,
      health: memoryHealth(runtime),
      sourceId: 's',
      baseUrl: 'https://x.test',
    });
    await http.json('/q', {}, schema);
    expect(runtime.sleeps).toEqual([3_000]);
  });

  it('gives up at once when Retry-After is beyond the cap, and says how long was asked', async () => {
    const { fetch, calls } = fakeFetch(status(429, '', { 'retry-after': '3600' }));
    const { http, runtime, health } = setup(fetch);
    const error = await providerError(http.json('/q', {}, schema));
    expect(error).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 3_600_000, attempts: 1 });
    expect(calls).toHaveLength(1);
    expect(runtime.sleeps).toEqual([]);
    expect(health.snapshot('test-source').failures).toBe(1);
  });

  it('does not retry other 4xx', async () => {
    const { fetch, calls } = fakeFetch(status(403, 'forbidden'), { price: 1 });
    const { http } = setup(fetch);
    expect(await providerError(http.json('/q', {}, schema))).toMatchObject({
      kind: 'http',
      status: 403,
      attempts: 1,
    });
    expect(calls).toHaveLength(1);
  });

  it('retries network errors and reports them as network', async () => {
    const { fetch, calls } = fakeFetch(() => {
      throw new TypeError('connection reset');
    });
    const { http } = setup(fetch);
    const error = await providerError(http.json('/q', {}, schema));
    expect(error).toMatchObject({ kind: 'network', attempts: 3 });
    expect(error.message).toContain('connection reset');
    expect(calls).toHaveLength(3);
  });

  it('times out a hanging upstream on its real AbortSignal.timeout', async () => {
    const { fetch } = fakeFetch(hang);
    const { http, health } = setup(fetch, { timeoutMs: 15, retry: { retries: 0 } });
    const error = await providerError(http.json('/q', {}, schema));
    expect(error).toMatchObject({ kind: 'timeout', attempts: 1 });
    expect(health.snapshot('test-source').lastError).toMatch(/^timeout: /);
  });

  it('rejects a body that is not JSON or fails the schema, without retrying', async () => {
    const html = fakeFetch('<html>maintenance</html>');
    const a = setup(html.fetch);
    expect(await providerError(a.http.json('/q', {}, schema))).toMatchObject({
      kind: 'invalid_body',
      status: 200,
    });
    expect(html.calls).toHaveLength(1);

    const wrong = fakeFetch({ price: 'high' });
    const b = setup(wrong.fetch);
    const error = await providerError(b.http.json('/q', {}, schema));
    expect(error.kind).toBe('invalid_body');
    expect(isProviderError(error, 'invalid_body', 'http')).toBe(true);
    expect(isProviderError(error, 'timeout')).toBe(false);
    expect(isProviderError(new Error('x'))).toBe(false);
    expect(error.message).toContain('price');
    expect(b.health.snapshot('test-source').failures).toBe(1);
  });

  it('lets an adapter turn a 2xx body into an upstream error, retried when it says so', async () => {
    const { fetch, calls } = fakeFetch({ error: 'busy' }, { price: 5 });
    const { http } = setup(fetch);
    const inspect = (raw: unknown) =>
      isRecord(raw) && raw.error === 'busy'
        ? { kind: 'upstream' as const, message: 'busy', retryable: true }
        : undefined;
    expect(await http.json('/q', {}, schema, { inspect })).toEqual({ price: 5 });
    expect(calls).toHaveLength(2);
  });

  it('a failing health store surfaces as itself, not as a provider failure to retry', async () => {
    const { fetch, calls } = fakeFetch({ price: 1 });
    const runtime = fakeRuntime();
    const health = memoryHealth(runtime);
    health.recordSuccess = async () => {
      throw new Error('D1 is down');
    };
    const http = new ProviderHttp({ ...runtime, fetch, health, sourceId: 's', baseUrl: 'https://x.test' });
    await expect(http.json('/q', {}, schema)).rejects.toThrow('D1 is down');
    expect(calls).toHaveLength(1);
  });

  it('spaces calls to one source by minIntervalMs', async () => {
    const { fetch } = fakeFetch({ price: 1 });
    const { http, runtime } = setup(fetch, { minIntervalMs: 1_000 });
    await http.json('/q', {}, schema);
    await http.json('/q', {}, schema);
    runtime.advance(5_000);
    await http.json('/q', {}, schema);
    expect(runtime.sleeps).toEqual([1_000]);
  });
});

describe('retry arithmetic', () => {
  it('parses Retry-After seconds and dates, ignoring junk', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('1.5', 0)).toBe(1_500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(10_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 8))).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter(null, 0)).toBeNull();
  });

  it('backs off exponentially within [half, full] of the step, capped', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelay(1, p, () => 0)).toBe(50);
    expect(backoffDelay(1, p, () => 0.999_999)).toBeCloseTo(100, 3);
    expect(backoffDelay(3, p, () => 0)).toBe(200);
    expect(backoffDelay(10, p, () => 1)).toBe(1_000);
  });

  it('pacer reserves slots so concurrent callers queue', async () => {
    const pacer = new Pacer();
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    await Promise.all([
      pacer.wait('s', 500, 0, sleep),
      pacer.wait('s', 500, 0, sleep),
      pacer.wait('s', 500, 0, sleep),
    ]);
    await pacer.wait('other', 500, 0, sleep);
    expect(waits).toEqual([500, 1_000]);
  });
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
