import type { SourceHealth } from './types';

// The breaker is a pure state machine so every store can share it: the in-memory health
// below (tests, the replay source) and the D1-backed data_sources table, which loads a
// CircuitState from its row, applies one of these functions and writes the result back.
//
//   closed --N consecutive failures--> open --cool-down elapsed--> half_open
//   half_open --success--> closed          half_open --failure--> open (cool-down restarts)
//
// Half-open lets calls through until the first outcome is recorded. Stores that cannot
// coordinate (D1 rows read by several isolates) would let a few probes through at once
// anyway, and one extra call to a recovering provider is harmless.

export type CircuitStatus = 'closed' | 'open' | 'half_open';

/** What a store keeps per source to run the breaker. */
export interface CircuitState {
  state: CircuitStatus;
  consecutiveFailures: number;
  /** Epoch ms when the circuit last opened; null while it has never opened since closing. */
  openedAt: number | null;
}

export interface CircuitPolicy {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting a probe through. */
  cooldownMs: number;
}

export const DEFAULT_CIRCUIT_POLICY: CircuitPolicy = { failureThreshold: 5, cooldownMs: 60_000 };

/** A closed circuit with no failures: the state of a source never seen before. */
export function closedCircuit(): CircuitState {
  return { state: 'closed', consecutiveFailures: 0, openedAt: null };
}

/**
 * Whether a call may go out at `now`, and the state to store. An open circuit whose
 * cool-down has elapsed turns half-open and allows the call (the probe); `state` is the
 * same object when nothing changed, so a store can skip the write.
 */
export function circuitAllows(
  state: CircuitState,
  now: number,
  policy: CircuitPolicy = DEFAULT_CIRCUIT_POLICY,
): { allowed: boolean; state: CircuitState } {
  if (state.state !== 'open') return { allowed: true, state };
  if (state.openedAt !== null && now - state.openedAt < policy.cooldownMs) return { allowed: false, state };
  return { allowed: true, state: { ...state, state: 'half_open' } };
}

/** The state after a successful call: closed with the failure count reset, whatever it was. */
export function circuitOnSuccess(_state: CircuitState): CircuitState {
  return closedCircuit();
}

/**
 * The state after a failed call at `now`. Closed opens once `failureThreshold` consecutive
 * failures are reached; a failed half-open probe re-opens at once and restarts the
 * cool-down; a failure reported while already open (a call that left before it opened)
 * only counts, so it cannot extend the cool-down.
 */
export function circuitOnFailure(
  state: CircuitState,
  now: number,
  policy: CircuitPolicy = DEFAULT_CIRCUIT_POLICY,
): CircuitState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  switch (state.state) {
    case 'half_open':
      return { state: 'open', consecutiveFailures, openedAt: now };
    case 'open':
      return { ...state, consecutiveFailures };
    case 'closed':
      return consecutiveFailures >= policy.failureThreshold
        ? { state: 'open', consecutiveFailures, openedAt: now }
        : { ...state, consecutiveFailures };
  }
}

/** When an open circuit will let the next probe through (epoch ms); null unless open. */
export function circuitRetryAt(
  state: CircuitState,
  policy: CircuitPolicy = DEFAULT_CIRCUIT_POLICY,
): number | null {
  if (state.state !== 'open' || state.openedAt === null) return null;
  return state.openedAt + policy.cooldownMs;
}

/** Everything the in-memory health knows about one source. */
export interface SourceHealthSnapshot {
  circuit: CircuitState;
  successes: number;
  failures: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
}

/**
 * SourceHealth kept in memory, per isolate: for tests and for the replay source, which has
 * nothing durable to protect. Live ingestion uses the D1-backed health, built on the same
 * circuit functions.
 */
export class MemorySourceHealth implements SourceHealth {
  readonly policy: CircuitPolicy;
  readonly #now: () => number;
  readonly #sources = new Map<string, SourceHealthSnapshot>();

  constructor(options: { policy?: Partial<CircuitPolicy>; now?: () => number } = {}) {
    this.policy = { ...DEFAULT_CIRCUIT_POLICY, ...options.policy };
    this.#now = options.now ?? Date.now;
  }

  async allowRequest(sourceId: string): Promise<boolean> {
    const entry = this.#entry(sourceId);
    const decision = circuitAllows(entry.circuit, this.#now(), this.policy);
    entry.circuit = decision.state;
    return decision.allowed;
  }

  async recordSuccess(sourceId: string, latencyMs: number): Promise<void> {
    const entry = this.#entry(sourceId);
    entry.circuit = circuitOnSuccess(entry.circuit);
    entry.successes += 1;
    entry.lastSuccessAt = this.#now();
    entry.lastLatencyMs = latencyMs;
  }

  async recordFailure(sourceId: string, error: string): Promise<void> {
    const entry = this.#entry(sourceId);
    const now = this.#now();
    entry.circuit = circuitOnFailure(entry.circuit, now, this.policy);
    entry.failures += 1;
    entry.lastFailureAt = now;
    entry.lastError = error;
  }

  /** A copy of what is known about `sourceId` (a fresh closed record if nothing yet). */
  snapshot(sourceId: string): SourceHealthSnapshot {
    const entry = this.#entry(sourceId);
    return { ...entry, circuit: { ...entry.circuit } };
  }

  #entry(sourceId: string): SourceHealthSnapshot {
    let entry = this.#sources.get(sourceId);
    if (!entry) {
      entry = {
        circuit: closedCircuit(),
        successes: 0,
        failures: 0,
        lastSuccessAt: null,
        lastFailureAt: null,
        lastError: null,
        lastLatencyMs: null,
      };
      this.#sources.set(sourceId, entry);
    }
    return entry;
  }
}
