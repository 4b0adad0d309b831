export interface Scenario {
  name: string;
  method?: string;
  /** A fixed path, or one per request (to defeat caches, say). */
  path: string | ((i: number) => string);
  /** Send the bench user's access token. */
  auth?: boolean;
  /** Fixed headers, or one set per request (a new client address each time, say). */
  headers?: Record<string, string> | ((i: number) => Record<string, string>);
  /** Send to the bare platform Worker instead of Meridian (the baseline). */
  bare?: boolean;
  /** Send to the bare Worker deployed with static assets in front, as Meridian is (bench/bare-assets/). */
  bareAssets?: boolean;
  /** Send to the build of another checkout (`--against DIR`) instead of this one. */
  against?: boolean;
  body?: unknown;
  /** Status every response must have; anything else counts as an error. */
  expectStatus?: number;
}

export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Server CPU (ms, its whole process group) per request in the timed window, when measured. */
  cpuMs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * Closed-loop load: `concurrency` clients each send the next request when the last one
 * answers, for `seconds` after a warm-up. Latency is measured client-side, per request.
 */
export async function runLoad(
  origin: string,
  scenario: Scenario,
  options: { seconds: number; concurrency: number; warmupSeconds: number },
  token?: string,
  /** The server's CPU time so far (ms), sampled when the timed window opens and closes. */
  cpuOf?: () => number,
): Promise<LoadResult> {
  let n = 0;
  const pathFor = (i: number) => (typeof scenario.path === 'string' ? scenario.path : scenario.path(i));
  const fixed = {
    ...(scenario.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...(scenario.auth && token ? { Authorization: `Bearer ${token}` } : {}),
  };
  const body = scenario.body !== undefined ? { body: JSON.stringify(scenario.body) } : {};
  const next = (): [string, RequestInit] => {
    const i = n++;
    const extra = typeof scenario.headers === 'function' ? scenario.headers(i) : scenario.headers;
    return [
      `${origin}${pathFor(i)}`,
      { method: scenario.method ?? 'GET', headers: { ...fixed, ...extra }, ...body },
    ];
  };
  const expected = scenario.expectStatus ?? 200;
  const latencies: number[] = [];
  let errors = 0;
  const warmupEnd = performance.now() + options.warmupSeconds * 1000;
  const end = warmupEnd + options.seconds * 1000;
  let cpuStart = Number.NaN;
  const opened = setTimeout(
    () => {
      cpuStart = cpuOf ? cpuOf() : Number.NaN;
    },
    Math.max(0, warmupEnd - performance.now()),
  );
  // Requests sent inside the timed window (answered or not): what its CPU was spent on.
  let sent = 0;
  const client = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      let ok = false;
      try {
        const res = await fetch(...next());
        await res.arrayBuffer();
        ok = res.status === expected;
      } catch {
        ok = false;
      }
      const t1 = performance.now();
      if (t0 < warmupEnd) continue;
      sent++;
      if (ok) latencies.push(t1 - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  clearTimeout(opened);
  const cpuMs = cpuOf && sent ? (cpuOf() - cpuStart) / sent : Number.NaN;
  const sorted = Float64Array.from(latencies).sort();
  return {
    name: scenario.name,
    requests: latencies.length,
    errors,
    seconds: options.seconds,
    rps: latencies.length / options.seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    cpuMs,
  };
}
