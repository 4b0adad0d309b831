/**
 * Work the isolate goes on with after an answer: a request's `waitUntil` (a cache write, a
 * session touch, telemetry's flush), a cron run and a queue batch. Each is kept here until it
 * settles, so that `settleBackground` can wait for all of it: the test suite does, before it
 * empties storage for the next test file (test/setup/reset-storage.ts), so that no file's
 * late writes land in another's database. Costs one set entry per piece of work.
 */
const running = new Set<Promise<unknown>>();
/** Waits kept alive but not tracked: they only wait on a timer of their own (see `idle`). */
const idling = new WeakSet<Promise<unknown>>();

/** Keeps `work` until it settles, and returns it. */
export function inBackground<T>(work: Promise<T>): Promise<T> {
  running.add(work);
  const forget = () => running.delete(work);
  work.then(forget, forget);
  return work;
}

/**
 * Marks a `waitUntil` promise that only keeps the isolate alive for a timer of its own and
 * whose work its readers wait for themselves (telemetry's timed flush: `drainTelemetry`), so
 * settling does not wait out the timer.
 */
export function idle<T>(wait: Promise<T>): Promise<T> {
  idling.add(wait);
  return wait;
}

/**
 * The runtime's context, with what is handed to `waitUntil` kept as background work; every
 * other member is the runtime's own.
 */
export function trackedContext(ctx: ExecutionContext): ExecutionContext {
  return {
    waitUntil: (work: Promise<unknown>) => ctx.waitUntil(idling.has(work) ? work : inBackground(work)),
    passThroughOnException: () => ctx.passThroughOnException(),
    abort: (reason?: unknown) => ctx.abort(reason),
    mapVirtualHost: (fetcher: Fetcher, port: number) => ctx.mapVirtualHost(fetcher, port),
    get exports() {
      return ctx.exports;
    },
    get props() {
      return ctx.props;
    },
    get cache() {
      return ctx.cache;
    },
    get access() {
      return ctx.access;
    },
    get tracing() {
      return ctx.tracing;
    },
  };
}

/**
 * Resolves once no background work is running (including work started meanwhile), or rejects
 * after `timeoutMs`. It polls the count instead of awaiting the work: a promise of another
 * request's context cannot be awaited from this one.
 */
export async function settleBackground(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (running.size > 0) {
    if (Date.now() > deadline)
      throw new Error(`background work still running after ${timeoutMs} ms: ${running.size}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
