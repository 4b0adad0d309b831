import { db } from '../../db/client';
import { dataSources } from '../../db/schema';
import { DATA_SOURCES } from '../../ingestion/sources';

/** Every known source with its recorded health (never-used sources show empty health). */
export async function listDataSources(env: Env, mode: string) {
  const rows = await db(env).select().from(dataSources);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return DATA_SOURCES.map((s) => {
    const h = byId.get(s.id);
    const today = new Date().toISOString().slice(0, 10);
    const calls = h?.callsDate === today ? h.callsToday : 0;
    const errors = h?.callsDate === today ? h.errorsToday : 0;
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      base_url: s.baseUrl,
      enabled: h?.enabled ?? true,
      active: mode === 'replay' ? s.id === 'replay' : s.id !== 'replay',
      status: !h
        ? 'unused'
        : h.circuitState === 'open'
          ? 'down'
          : h.consecutiveFailures > 0
            ? 'degraded'
            : 'healthy',
      circuit_state: h?.circuitState ?? 'closed',
      last_success_at: h?.lastSuccessAt ?? null,
      last_error_at: h?.lastErrorAt ?? null,
      last_error: h?.lastError ?? null,
      calls_today: calls,
      errors_today: errors,
      error_rate: calls ? Math.round((errors / calls) * 1000) / 1000 : null,
      consecutive_failures: h?.consecutiveFailures ?? 0,
      avg_latency_ms: h?.avgLatencyMs ?? null,
    };
  });
}
