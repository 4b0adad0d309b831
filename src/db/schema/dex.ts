import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { updatedAt } from './columns';

/**
 * Each DEX aggregator's health and circuit breaker, shared by every isolate (one row per
 * aggregator). Counters and circuit transitions are single conditional statements, so
 * concurrent quotes in several isolates update them without losing counts.
 */
export const dexAggregatorHealth = sqliteTable('dex_aggregator_health', {
  id: text('id').primaryKey(),
  circuitState: text('circuit_state', { enum: ['closed', 'open', 'half_open'] })
    .notNull()
    .default('closed'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  /** Epoch ms the circuit last opened. */
  circuitOpenedAt: integer('circuit_opened_at'),
  successes: integer('successes').notNull().default(0),
  failures: integer('failures').notNull().default(0),
  lastSuccessAt: integer('last_success_at'),
  lastFailureAt: integer('last_failure_at'),
  lastError: text('last_error'),
  lastLatencyMs: integer('last_latency_ms'),
  updatedAt: updatedAt(),
});
