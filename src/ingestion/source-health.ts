import { eq } from 'drizzle-orm';
import { db } from '../db/client';
import { dataSources } from '../db/schema';
import {
  type CircuitState,
  circuitAllows,
  circuitOnFailure,
  circuitOnSuccess,
  closedCircuit,
} from '../providers/circuit';
import type { SourceHealth } from '../providers/types';
import { DATA_SOURCES } from './sources';

type Row = typeof dataSources.$inferSelect;

function stateOf(row: Row | undefined): CircuitState {
  if (!row) return closedCircuit();
  return {
    state: row.circuitState,
    consecutiveFailures: row.consecutiveFailures,
    openedAt: row.circuitOpenedAt ? Date.parse(row.circuitOpenedAt) : null,
  };
}

/**
 * Source health kept in D1's `data_sources`, shared by every isolate: calls and errors
 * today, last success and error, average latency, and the circuit (the adapters' pure
 * circuit functions decide; this stores their state).
 */
export class D1SourceHealth implements SourceHealth {
  constructor(
    private readonly env: Env,
    private readonly now: () => number = Date.now,
  ) {}

  private async read(id: string): Promise<Row | undefined> {
    return db(this.env).select().from(dataSources).where(eq(dataSources.id, id)).get();
  }

  private async write(
    id: string,
    row: Row | undefined,
    change: Partial<typeof dataSources.$inferInsert>,
  ): Promise<void> {
    const known = DATA_SOURCES.find((s) => s.id === id);
    const today = new Date(this.now()).toISOString().slice(0, 10);
    const sameDay = row?.callsDate === today;
    const { callsToday: addCalls = 0, errorsToday: addErrors = 0, ...rest } = change;
    const values = {
      id,
      name: row?.name ?? known?.name ?? id,
      kind: row?.kind ?? known?.kind ?? 'provider',
      baseUrl: row?.baseUrl ?? known?.baseUrl ?? null,
      ...rest,
      callsDate: today,
      callsToday: (sameDay ? (row?.callsToday ?? 0) : 0) + addCalls,
      errorsToday: (sameDay ? (row?.errorsToday ?? 0) : 0) + addErrors,
      updatedAt: new Date(this.now()).toISOString(),
    };
    await db(this.env)
      .insert(dataSources)
      .values(values)
      .onConflictDoUpdate({ target: dataSources.id, set: values });
  }

  async allowRequest(sourceId: string): Promise<boolean> {
    const row = await this.read(sourceId);
    if (row && !row.enabled) return false;
    const before = stateOf(row);
    const { allowed, state } = circuitAllows(before, this.now());
    if (state !== before) await this.write(sourceId, row, { circuitState: state.state });
    return allowed;
  }

  async recordSuccess(sourceId: string, latencyMs: number): Promise<void> {
    const row = await this.read(sourceId);
    const next = circuitOnSuccess(stateOf(row));
    const avg = row?.avgLatencyMs == null ? latencyMs : row.avgLatencyMs * 0.8 + latencyMs * 0.2;
    await this.write(sourceId, row, {
      callsToday: 1,
      lastSuccessAt: new Date(this.now()).toISOString(),
      consecutiveFailures: next.consecutiveFailures,
      circuitState: next.state,
      circuitOpenedAt: null,
      avgLatencyMs: Math.round(avg * 10) / 10,
    });
  }

  async recordFailure(sourceId: string, error: string): Promise<void> {
    const row = await this.read(sourceId);
    const next = circuitOnFailure(stateOf(row), this.now());
    await this.write(sourceId, row, {
      callsToday: 1,
      errorsToday: 1,
      lastErrorAt: new Date(this.now()).toISOString(),
      lastError: error.slice(0, 500),
      consecutiveFailures: next.consecutiveFailures,
      circuitState: next.state,
      circuitOpenedAt: next.openedAt === null ? null : new Date(next.openedAt).toISOString(),
    });
  }
}
