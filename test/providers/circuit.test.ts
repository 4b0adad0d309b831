import { describe, expect, it } from 'vitest';
import {
  type CircuitPolicy,
  type CircuitState,
  circuitAllows,
  circuitOnFailure,
  circuitOnSuccess,
  circuitRetryAt,
  closedCircuit,
  MemorySourceHealth,
} from '../../src/providers/circuit';

const policy: CircuitPolicy = { failureThreshold: 3, cooldownMs: 60_000 };

function failTimes(state: CircuitState, n: number, at: number): CircuitState {
  let s = state;
  for (let i = 0; i < n; i++) s = circuitOnFailure(s, at, policy);
  return s;
}

describe('circuit breaker state machine', () => {
  it('stays closed below the threshold and opens on the Nth consecutive failure', () => {
    const two = failTimes(closedCircuit(), 2, 1_000);
    expect(two).toEqual({ state: 'closed', consecutiveFailures: 2, openedAt: null });
    expect(circuitAllows(two, 1_000, policy).allowed).toBe(true);
    const three = circuitOnFailure(two, 5_000, policy);
    expect(three).toEqual({ state: 'open', consecutiveFailures: 3, openedAt: 5_000 });
    expect(circuitRetryAt(three, policy)).toBe(65_000);
  });

  it('a success resets the count, so only consecutive failures open it', () => {
    const s = circuitOnSuccess(failTimes(closedCircuit(), 2, 0));
    expect(failTimes(s, 2, 0).state).toBe('closed');
  });

  it('refuses calls while cooling down, then lets a probe through half-open', () => {
    const open = failTimes(closedCircuit(), 3, 10_000);
    const during = circuitAllows(open, 69_999, policy);
    expect(during).toEqual({ allowed: false, state: open });
    expect(during.state).toBe(open);
    const after = circuitAllows(open, 70_000, policy);
    expect(after.allowed).toBe(true);
    expect(after.state).toEqual({ state: 'half_open', consecutiveFailures: 3, openedAt: 10_000 });
  });

  it('closes on a half-open success and re-opens with a fresh cool-down on a half-open failure', () => {
    const half = circuitAllows(failTimes(closedCircuit(), 3, 0), 60_000, policy).state;
    expect(circuitOnSuccess(half)).toEqual(closedCircuit());
    const reopened = circuitOnFailure(half, 61_000, policy);
    expect(reopened).toEqual({ state: 'open', consecutiveFailures: 4, openedAt: 61_000 });
    expect(circuitAllows(reopened, 100_000, policy).allowed).toBe(false);
  });

  it('a late failure while open does not extend the cool-down', () => {
    const open = failTimes(closedCircuit(), 3, 0);
    expect(circuitOnFailure(open, 30_000, policy)).toEqual({
      state: 'open',
      consecutiveFailures: 4,
      openedAt: 0,
    });
  });
});

describe('MemorySourceHealth', () => {
  it('keeps counts, last error and latency per source, and runs the breaker', async () => {
    let now = 1_000;
    const health = new MemorySourceHealth({
      policy: { failureThreshold: 2, cooldownMs: 500 },
      now: () => now,
    });
    await health.recordSuccess('a', 42);
    await health.recordFailure('a', 'http: 500');
    await health.recordFailure('a', 'timeout');
    expect(health.snapshot('a')).toEqual({
      circuit: { state: 'open', consecutiveFailures: 2, openedAt: 1_000 },
      successes: 1,
      failures: 2,
      lastSuccessAt: 1_000,
      lastFailureAt: 1_000,
      lastError: 'timeout',
      lastLatencyMs: 42,
    });
    expect(await health.allowRequest('a')).toBe(false);
    expect(await health.allowRequest('b')).toBe(true);
    now = 1_500;
    expect(await health.allowRequest('a')).toBe(true);
    expect(health.snapshot('a').circuit.state).toBe('half_open');
    await health.recordSuccess('a', 10);
    expect(health.snapshot('a').circuit).toEqual(closedCircuit());
  });
});
