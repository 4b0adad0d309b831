import { VERSION } from '../../core/version';
import type { DetailedHealth, Health, HealthStatus, ServiceCheck } from './schemas';

let firstRequestAt: number | undefined;
let requestsServed = 0;

/** Counts a request for this isolate; the first one starts the uptime clock. */
export function noteRequest(now = Date.now()): void {
  firstRequestAt ??= now;
  requestsServed++;
}

function uptimeSeconds(now: number): number {
  return Math.round((now - (firstRequestAt ?? now)) / 10) / 100;
}

export function basicHealth(now = Date.now()): Health {
  return {
    status: 'healthy',
    timestamp: new Date(now).toISOString(),
    uptime: uptimeSeconds(now),
    version: VERSION,
  };
}

/** A backlog older than this means the Queue consumer is not keeping up or not running. */
const STALE_BACKLOG_SECONDS = 15 * 60;
const CHECK_TIMEOUT_MS = 3000;

async function timed(service: string, probe: () => Promise<string | undefined>): Promise<ServiceCheck> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | null = null;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    const detail = await Promise.race([probe(), timeout]);
    return { service, status: 'healthy', response_time: elapsed(started), ...(detail ? { detail } : {}) };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { service, status: 'unhealthy', response_time: elapsed(started), detail };
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

interface Backlog {
  count: number;
  oldestAgeSeconds: number | null;
}

async function jobsBacklog(env: Env, now: number): Promise<Backlog> {
  const row = await env.DB.prepare(
    "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs WHERE status IN ('queued', 'retrying')",
  ).first<{ n: number; oldest: string | null }>();
  const oldest = row?.oldest ? Date.parse(row.oldest) : null;
  return { count: row?.n ?? 0, oldestAgeSeconds: oldest === null ? null : Math.round((now - oldest) / 1000) };
}

/**
 * Probes every binding: a D1 round trip, a `ping()` to each Durable Object namespace, an R2
 * read, and the job backlog the Queue consumer should be draining. D1 down makes the whole
 * service unhealthy; any other failure makes it degraded.
 */
export async function detailedHealth(
  env: Env,
  colo: string | null,
  environment: string,
): Promise<DetailedHealth> {
  const now = Date.now();
  let backlog: Backlog | null = null;
  const checks = await Promise.all([
    timed('d1', async () => {
      await env.DB.prepare('SELECT 1').first();
      return undefined;
    }),
    timed('durable_object.user', async () => `sqlite=${(await env.USER.getByName('health').ping()).sqlite}`),
    timed(
      'durable_object.client_address',
      async () => `sqlite=${(await env.CLIENT_ADDRESS.getByName('health').ping()).sqlite}`,
    ),
    timed('durable_object.hub', async () => `sqlite=${(await env.HUB.getByName('health').ping()).sqlite}`),
    timed('r2', async () => {
      await env.ARCHIVE.head('health/probe');
      return undefined;
    }),
    timed('queue', async () => {
      backlog = await jobsBacklog(env, now);
      if (backlog.oldestAgeSeconds !== null && backlog.oldestAgeSeconds > STALE_BACKLOG_SECONDS) {
        throw new Error(`${backlog.count} jobs waiting, oldest ${backlog.oldestAgeSeconds}s`);
      }
      return `${backlog.count} jobs waiting`;
    }),
  ]);
  const d1 = checks[0];
  const status: HealthStatus =
    d1?.status !== 'healthy'
      ? 'unhealthy'
      : checks.every((c) => c.status === 'healthy')
        ? 'healthy'
        : 'degraded';
  const finalBacklog = backlog as Backlog | null;
  return {
    ...basicHealth(now),
    status,
    environment,
    system_metrics: {
      runtime: 'workerd',
      colo,
      d1_round_trip_ms: d1?.status === 'healthy' ? d1.response_time : null,
      isolate_requests_served: requestsServed,
      jobs_backlog: finalBacklog?.count ?? null,
      oldest_queued_job_age_s: finalBacklog?.oldestAgeSeconds ?? null,
    },
    services: checks,
  };
}
