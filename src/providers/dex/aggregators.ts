import type { CircuitPolicy, SourceHealthSnapshot } from '../circuit';
import { isProviderError } from '../http';
import type { SourceHealth } from '../types';
import { okx } from './okx';
import { rubic } from './rubic';
import type { AggregatorId, DexAdapter, DexCallContext, DexKeys, DexQuote, DexQuoteRequest } from './types';
import { zeroEx } from './zerox';

/**
 * The documented fallback order. All configured aggregators are asked at once, each under its
 * own timeout; the largest `buyAmount` wins, and on a tie the earlier one in this order (0x has
 * the deepest single-chain routing, OKX the widest chain coverage, Rubic is keyless and comes last).
 * An aggregator whose circuit is open is skipped without a call.
 */
export const AGGREGATORS: readonly DexAdapter[] = [zeroEx, okx, rubic];

export const QUOTE_TIMEOUT_MS = 2_500;

/** 3 consecutive failures open an aggregator's circuit for 30 s. */
export const DEX_CIRCUIT_POLICY: CircuitPolicy = { failureThreshold: 3, cooldownMs: 30_000 };

export interface AggregatorOutcome {
  aggregator: AggregatorId;
  status: 'ok' | 'timeout' | 'error' | 'circuit_open' | 'not_configured' | 'no_route';
  latency_ms: number | null;
  buy_amount: string | null;
  error: string | null;
}

export interface BestQuote {
  best: DexQuote | null;
  outcomes: AggregatorOutcome[];
  reason: string;
}

export async function bestQuote(
  env: DexKeys,
  req: DexQuoteRequest,
  options: {
    /** Where circuits and outcomes live: shared D1 rows in the Worker, memory in the bench. */
    health: SourceHealth;
    fetch?: DexCallContext['fetch'];
    timeoutMs?: number;
    adapters?: readonly DexAdapter[];
  },
): Promise<BestQuote> {
  const ctx: DexCallContext = {
    health: options.health,
    timeoutMs: options.timeoutMs ?? QUOTE_TIMEOUT_MS,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const adapters = options.adapters ?? AGGREGATORS;
  const settled = await Promise.all(
    adapters.map(async (a): Promise<{ outcome: AggregatorOutcome; quote: DexQuote | null }> => {
      if (!a.configured(env))
        return {
          outcome: {
            aggregator: a.id,
            status: 'not_configured',
            latency_ms: null,
            buy_amount: null,
            error: 'no API key configured',
          },
          quote: null,
        };
      const started = Date.now();
      try {
        const quote = await a.quote(env, req, ctx);
        return {
          outcome: {
            aggregator: a.id,
            status: 'ok',
            latency_ms: Date.now() - started,
            buy_amount: quote.buyAmount.toString(),
            error: null,
          },
          quote,
        };
      } catch (e) {
        const status: AggregatorOutcome['status'] = isProviderError(e, 'timeout')
          ? 'timeout'
          : isProviderError(e, 'circuit_open')
            ? 'circuit_open'
            : isProviderError(e, 'upstream')
              ? 'no_route'
              : 'error';
        return {
          outcome: {
            aggregator: a.id,
            status,
            latency_ms: status === 'circuit_open' ? null : Date.now() - started,
            buy_amount: null,
            error: e instanceof Error ? e.message : 'failed',
          },
          quote: null,
        };
      }
    }),
  );
  let best: DexQuote | null = null;
  for (const s of settled) if (s.quote && (!best || s.quote.buyAmount > best.buyAmount)) best = s.quote;
  const outcomes = settled.map((s) => s.outcome);
  const others = outcomes.filter((o) => o.aggregator !== best?.aggregator);
  const reason = best
    ? `${best.aggregator} offered the largest buy_amount (${best.buyAmount}); ${
        others.length
          ? others
              .map((o) => `${o.aggregator}: ${o.status === 'ok' ? `${o.buy_amount}` : o.status}`)
              .join(', ')
          : 'no other aggregator'
      }. Ties go to the earlier in the fallback order 0x, OKX, Rubic.`
    : `No aggregator answered: ${outcomes.map((o) => `${o.aggregator}: ${o.status}`).join(', ')}`;
  return { best, outcomes, reason };
}

/** Each aggregator's state as the health endpoint shows it, from the stored snapshots. */
export function aggregatorHealth(env: DexKeys, snapshots: ReadonlyMap<string, SourceHealthSnapshot>) {
  const out: Record<
    string,
    {
      status: 'healthy' | 'degraded' | 'down' | 'unknown' | 'not_configured';
      response_time_ms: number | null;
      circuit: 'closed' | 'open' | 'half_open';
      consecutive_failures: number;
      successes: number;
      failures: number;
      last_success_at: string | null;
      last_failure_at: string | null;
      last_error: string | null;
    }
  > = {};
  for (const a of AGGREGATORS) {
    const s = snapshots.get(a.id);
    if (!s) continue;
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const status = !a.configured(env)
      ? 'not_configured'
      : s.circuit.state === 'open'
        ? 'down'
        : s.successes + s.failures === 0
          ? 'unknown'
          : s.circuit.consecutiveFailures > 0 ||
              s.circuit.state === 'half_open' ||
              (s.lastLatencyMs ?? 0) > 1_000
            ? 'degraded'
            : 'healthy';
    out[a.id] = {
      status,
      response_time_ms: s.lastLatencyMs,
      circuit: s.circuit.state,
      consecutive_failures: s.circuit.consecutiveFailures,
      successes: s.successes,
      failures: s.failures,
      last_success_at: iso(s.lastSuccessAt),
      last_failure_at: iso(s.lastFailureAt),
      last_error: s.lastError,
    };
  }
  const states = Object.values(out).map((v) => v.status);
  const usable = states.filter((s) => s === 'healthy' || s === 'degraded' || s === 'unknown').length;
  const overall_status =
    usable === 0 ? 'down' : states.every((s) => s === 'healthy') ? 'healthy' : 'degraded';
  return { aggregators: out, overall_status: overall_status as 'healthy' | 'degraded' | 'down' };
}
