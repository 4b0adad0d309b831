import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { getPath } from 'hono/utils/url';
import { idle } from '../core/background';
import { log } from '../core/logger';
import { requestEnv } from '../core/request-d1';
import { dayOf, type RequestRecord, type Trace, withTrace } from '../core/telemetry';
import type { AppEnv } from '../env';

/**
 * Records every request for the ops plane: route template, method, status, duration, user,
 * request id, trace id, cache outcomes, log lines and the D1 statements it ran (through a
 * traced D1 binding). Recording never delays the response: records wait in this isolate's
 * buffer and go to the sink (durable/telemetry.ts) in batches, off the response path through
 * `waitUntil`, either when 100 are waiting or a second after the first.
 */
export const telemetry: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sink = c.env.TELEMETRY;
  if (!sink || c.env.TELEMETRY_DISABLED === 'true') return next();
  const started = performance.now();
  const ts = Date.now();
  const trace: Trace = { statements: [], cache: [], logs: [] };
  c.env = requestEnv(c.env);
  try {
    await withTrace(trace, () => next());
  } finally {
    const matched = routePath(c);
    const record: RequestRecord = {
      ts,
      request_id: c.get('requestId') ?? c.res.headers.get('X-Request-Id') ?? crypto.randomUUID(),
      trace_id: traceIdOf(c.req.raw.headers) ?? c.get('requestId') ?? '',
      method: c.req.method,
      route: matched && matched !== '*' && matched !== '/*' ? template(matched) : '(unmatched)',
      path: getPath(c.req.raw).slice(0, 300),
      status: c.res.status,
      duration_ms: performance.now() - started,
      user_id: c.get('principal')?.userId ?? null,
      cache: trace.cache,
      statements: trace.statements,
      logs: trace.logs,
    };
    enqueue(c.env, record, (p) => waitUntilOf(c)(p));
  }
};

/**
 * The request's `waitUntil`; an app called without an execution context (`app.request` in
 * tests, a script) has none, and then the flush simply runs on its own.
 */
function waitUntilOf(c: {
  executionCtx: { waitUntil(p: Promise<unknown>): void };
}): (p: Promise<unknown>) => void {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return (p) => {
      p.catch(() => {});
    };
  }
}

/** `/api/v1/jobs/:job_id` → `/api/v1/jobs/{job_id}`, the form the document uses. */
function template(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
}

/** The W3C `traceparent` trace id, else Cloudflare's ray id. */
function traceIdOf(headers: Headers): string | undefined {
  const parent = headers.get('traceparent');
  const m = parent ? /^[0-9a-f]{2}-([0-9a-f]{32})-/.exec(parent) : null;
  return m?.[1] ?? headers.get('cf-ray') ?? undefined;
}

// --- the isolate's buffer ---------------------------------------------------------------

const MAX_BATCH = 100;
const FLUSH_AFTER_MS = 1000;

let buffer: RequestRecord[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
let sinkOf: Env['TELEMETRY'] | null = null;
const inFlight = new Set<Promise<void>>();

function enqueue(env: Env, record: RequestRecord, waitUntil: (p: Promise<unknown>) => void): void {
  sinkOf = env.TELEMETRY;
  buffer.push(record);
  if (buffer.length >= MAX_BATCH) {
    waitUntil(flushTelemetry());
    return;
  }
  if (timer === null) {
    waitUntil(
      idle(
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            timer = null;
            flushTelemetry().then(resolve, resolve);
          }, FLUSH_AFTER_MS);
        }),
      ),
    );
  }
}

/** Sends what is buffered to the sink now, one batch per day shard. */
export function flushTelemetry(): Promise<void> {
  const sink = sinkOf;
  const batch = buffer;
  buffer = [];
  if (!sink || batch.length === 0) return Promise.resolve();
  const byDay = new Map<string, RequestRecord[]>();
  for (const r of batch) {
    const day = dayOf(r.ts);
    const list = byDay.get(day) ?? [];
    list.push(r);
    byDay.set(day, list);
  }
  const sent = Promise.all(
    [...byDay].map(([day, records]) =>
      sink
        .getByName(`telemetry:${day}`)
        .ingest(records)
        .catch((err: unknown) => {
          // Telemetry never fails a request; a lost batch is logged for Workers Logs.
          log('warn', 'telemetry.ingest_failed', { records: records.length, error_message: String(err) });
        }),
    ),
  ).then(() => undefined);
  inFlight.add(sent);
  void sent.finally(() => inFlight.delete(sent));
  return sent;
}

/**
 * Flushes this isolate's buffer and waits for every batch in flight: readers call it first
 * so a report includes the requests this isolate just served.
 */
export async function drainTelemetry(): Promise<void> {
  await flushTelemetry();
  await Promise.all([...inFlight]);
}

/** What waits in this isolate's buffer: record count and the oldest record's time. */
export function pendingTelemetry(): { records: number; oldest: number | null } {
  return { records: buffer.length, oldest: buffer[0]?.ts ?? null };
}
