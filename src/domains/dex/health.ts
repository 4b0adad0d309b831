import { eq, inArray, sql } from 'drizzle-orm';
import { db } from '../../db/client';
import { dexAggregatorHealth } from '../../db/schema';
import { type CircuitPolicy, circuitAllows, type SourceHealthSnapshot } from '../../providers/circuit';
import { DEX_CIRCUIT_POLICY } from '../../providers/dex/aggregators';
import type { SourceHealth } from '../../providers/types';

type Row = typeof dexAggregatorHealth.$inferSelect;
const t = dexAggregatorHealth;

function snapshotOf(row: Row | undefined): SourceHealthSnapshot {
  return {
    circuit: {
      state: row?.circuitState ?? 'closed',
      consecutiveFailures: row?.consecutiveFailures ?? 0,
      openedAt: row?.circuitOpenedAt ?? null,
    },
    successes: row?.successes ?? 0,
    failures: row?.failures ?? 0,
    lastSuccessAt: row?.lastSuccessAt ?? null,
    lastFailureAt: row?.lastFailureAt ?? null,
    lastError: row?.lastError ?? null,
    lastLatencyMs: row?.lastLatencyMs ?? null,
  };
}

/**
 * The aggregators' health and circuit breakers in D1, one row per aggregator, so every isolate
 * sees (and the health endpoint reports) the same circuit. Each outcome is one upsert whose
 * transition is computed by SQLite from the stored row (the same rules as `providers/circuit.ts`:
 * closed opens at the threshold, a failed half-open probe re-opens, a success closes), so two
 * isolates recording at once never lose a count.
 */
export class D1AggregatorHealth implements SourceHealth {
  constructor(
    private readonly env: Env,
    readonly policy: CircuitPolicy = DEX_CIRCUIT_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  async allowRequest(sourceId: string): Promise<boolean> {
    const d = db(this.env);
    const row = await d.select().from(t).where(eq(t.id, sourceId)).get();
    const before = snapshotOf(row).circuit;
    const { allowed, state } = circuitAllows(before, this.now(), this.policy);
    if (state !== before && state.state === 'half_open') {
      // Only the isolate that moves open -> half_open sends the probe; the others keep waiting.
      const moved = await d
        .update(t)
        .set({ circuitState: 'half_open', updatedAt: new Date(this.now()).toISOString() })
        .where(
          sql`${t.id} = ${sourceId} AND ${t.circuitState} = 'open' AND ${t.circuitOpenedAt} IS ${before.openedAt}`,
        )
        .returning({ id: t.id });
      return moved.length === 1;
    }
    return allowed;
  }

  async recordSuccess(sourceId: string, latencyMs: number): Promise<void> {
    const now = this.now();
    const iso = new Date(now).toISOString();
    const latency = Math.round(latencyMs);
    await db(this.env)
      .insert(t)
      .values({ id: sourceId, successes: 1, lastSuccessAt: now, lastLatencyMs: latency, updatedAt: iso })
      .onConflictDoUpdate({
        target: t.id,
        set: {
          circuitState: 'closed',
          consecutiveFailures: 0,
          circuitOpenedAt: null,
          successes: sql`${t.successes} + 1`,
          lastSuccessAt: now,
          lastLatencyMs: latency,
          updatedAt: iso,
        },
      });
  }

  async recordFailure(sourceId: string, error: string): Promise<void> {
    const now = this.now();
    const iso = new Date(now).toISOString();
    const threshold = this.policy.failureThreshold;
    const opens = sql`(${t.circuitState} = 'half_open' OR (${t.circuitState} = 'closed' AND ${t.consecutiveFailures} + 1 >= ${threshold}))`;
    await db(this.env)
      .insert(t)
      .values({
        id: sourceId,
        circuitState: threshold <= 1 ? 'open' : 'closed',
        consecutiveFailures: 1,
        circuitOpenedAt: threshold <= 1 ? now : null,
        failures: 1,
        lastFailureAt: now,
        lastError: error.slice(0, 300),
        updatedAt: iso,
      })
      .onConflictDoUpdate({
        target: t.id,
        set: {
          circuitState: sql`CASE WHEN ${opens} THEN 'open' ELSE ${t.circuitState} END`,
          circuitOpenedAt: sql`CASE WHEN ${opens} THEN ${now} ELSE ${t.circuitOpenedAt} END`,
          consecutiveFailures: sql`${t.consecutiveFailures} + 1`,
          failures: sql`${t.failures} + 1`,
          lastFailureAt: now,
          lastError: error.slice(0, 300),
          updatedAt: iso,
        },
      });
  }

  /** What is stored for each of `ids` (a fresh closed record for one never called). */
  async snapshots(ids: readonly string[]): Promise<Map<string, SourceHealthSnapshot>> {
    const rows = await db(this.env)
      .select()
      .from(t)
      .where(inArray(t.id, [...ids]));
    return new Map(ids.map((id) => [id, snapshotOf(rows.find((r) => r.id === id))]));
  }
}
