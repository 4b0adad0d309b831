import { desc, gte, lt } from 'drizzle-orm';
import { round2 } from '../../../core/telemetry';
import { db } from '../../../db/client';
import { opsHealthSnapshots } from '../../../db/schema';
import { detailedHealth } from '../../health/service';
import { minuteRows } from './profiling';

/**
 * The system health snapshot the cron takes each minute: every binding's probe (D1, the
 * Durable Object namespaces, R2, the queue backlog), market-data providers and their
 * circuits, jobs, and the last minutes' traffic from the telemetry. Kept 7 days.
 */

const KEEP_DAYS = 7;

export interface HealthSnapshot {
  status: 'healthy' | 'degraded' | 'unhealthy';
  services: { service: string; status: string; response_time: number; detail?: string | undefined }[];
  providers: {
    id: string;
    circuit_state: string;
    seconds_since_success: number | null;
    errors_today: number;
  }[];
  jobs: { queued: number; running: number; failed_24h: number };
  traffic: { window_minutes: number; requests: number; errors: number; error_rate: number; avg_ms: number };
}

export async function currentHealth(env: Env, now = Date.now()): Promise<HealthSnapshot> {
  const since = new Date(now - 86_400_000).toISOString();
  const [probe, providers, jobs, rows] = await Promise.all([
    detailedHealth(env, null, env.ENVIRONMENT),
    env.DB.prepare(
      'SELECT id, circuit_state, last_success_at, errors_today FROM data_sources WHERE enabled = 1 ORDER BY id',
    ).all<{ id: string; circuit_state: string; last_success_at: string | null; errors_today: number }>(),
    env.DB.prepare(
      `SELECT SUM(status IN ('queued', 'retrying')) AS queued, SUM(status = 'running') AS running,
              SUM(status = 'failed' AND finished_at >= ?) AS failed FROM jobs`,
    )
      .bind(since)
      .first<{ queued: number | null; running: number | null; failed: number | null }>(),
    minuteRows(env, { start: now - 5 * 60_000, end: now }),
  ]);
  const requests = rows.reduce((s, r) => s + r.count, 0);
  const errors = rows.reduce((s, r) => s + r.errors, 0);
  const openCircuits = providers.results.filter((p) => p.circuit_state === 'open').length;
  let status = probe.status;
  if (status === 'healthy' && (openCircuits > 0 || (requests >= 20 && errors / requests > 0.05)))
    status = 'degraded';
  return {
    status,
    services: probe.services,
    // Ages, not timestamps: a health view compares with now.
    providers: providers.results.map((p) => ({
      id: p.id,
      circuit_state: p.circuit_state,
      seconds_since_success: p.last_success_at
        ? Math.max(0, Math.round((now - Date.parse(p.last_success_at)) / 1000))
        : null,
      errors_today: p.errors_today,
    })),
    jobs: { queued: jobs?.queued ?? 0, running: jobs?.running ?? 0, failed_24h: jobs?.failed ?? 0 },
    traffic: {
      window_minutes: 5,
      requests,
      errors,
      error_rate: requests ? Math.round((errors / requests) * 1e6) / 1e6 : 0,
      avg_ms: requests ? round2(rows.reduce((s, r) => s + r.sum_ms, 0) / requests) : 0,
    },
  };
}

/** Takes and stores this minute's snapshot (a rerun for the same minute replaces it). */
export async function snapshotHealth(env: Env, now = Date.now()) {
  const snapshot = await currentHealth(env, now);
  const minute = new Date(Math.floor(now / 60_000) * 60_000).toISOString();
  const d = db(env);
  await d.batch([
    d
      .insert(opsHealthSnapshots)
      .values({ minute, status: snapshot.status, checks: { ...snapshot } })
      .onConflictDoUpdate({
        target: opsHealthSnapshots.minute,
        set: { status: snapshot.status, checks: { ...snapshot } },
      }),
    d
      .delete(opsHealthSnapshots)
      .where(lt(opsHealthSnapshots.minute, new Date(now - KEEP_DAYS * 86_400_000).toISOString())),
  ]);
  return { minute, status: snapshot.status };
}

export async function healthHistory(env: Env, hours: number, limit: number, now = Date.now()) {
  const rows = await db(env)
    .select()
    .from(opsHealthSnapshots)
    .where(gte(opsHealthSnapshots.minute, new Date(now - hours * 3_600_000).toISOString()))
    .orderBy(desc(opsHealthSnapshots.minute))
    .limit(limit);
  const counts = { healthy: 0, degraded: 0, unhealthy: 0 };
  for (const r of rows) counts[r.status]++;
  return {
    snapshots: rows.map((r) => ({ minute: r.minute, status: r.status, checks: r.checks })),
    summary: {
      snapshots: rows.length,
      ...counts,
      availability_percent: rows.length ? round2((counts.healthy / rows.length) * 100) : null,
    },
  };
}

/** 004's /system/status: the health probe now, with alerting state. */
export async function systemStatus(env: Env, now = Date.now()) {
  const [health, alerts] = await Promise.all([
    currentHealth(env, now),
    env.DB.prepare(
      "SELECT (SELECT COUNT(*) FROM ops_alerts WHERE status = 'firing') AS firing, (SELECT COUNT(*) FROM ops_incidents WHERE status = 'open') AS open",
    ).first<{ firing: number; open: number }>(),
  ]);
  return {
    ...health,
    alerts: { firing: alerts?.firing ?? 0, open_incidents: alerts?.open ?? 0 },
    generated_at: new Date(now).toISOString(),
  };
}
