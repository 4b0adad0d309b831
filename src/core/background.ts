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
 * other member is the runtime's own. A class, not an object literal of getters and closures:
 * one is made per request (`bench/profile.ts` found the literal's ~10 allocations on `/health`).
 */
class TrackedContext implements ExecutionContext {
  constructor(private readonly ctx: ExecutionContext) {}
  waitUntil(work: Promise<unknown>): void {
    this.ctx.waitUntil(idling.has(work) ? work : inBackground(work));
  }
  passThroughOnException(): void {
    this.ctx.passThroughOnException();
  }
  abort(reason?: unknown): void {
    this.ctx.abort(reason);
  }
  mapVirtualHost(fetcher: Fetcher, port: number) {
    return this.ctx.mapVirtualHost(fetcher, port);
  }
  get exports() {
    return this.ctx.exports;
  }
  get props() {
    return this.ctx.props;
  }
  get cache() {
    return this.ctx.cache;
  }
  get access() {
    return this.ctx.access;
  }
  get tracing() {
    return this.ctx.tracing;
  }
}

export function trackedContext(ctx: ExecutionContext): ExecutionContext {
  return new TrackedContext(ctx);
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
