import { z } from 'zod';
import { ProviderError } from '../http';
import type { SourceHealth } from '../types';

/** The native coin in aggregator APIs (0x, OKX and Rubic all use this sentinel). */
export const NATIVE_TOKEN = '0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE';

export interface DexQuoteRequest {
  chainId: number;
  sellToken: string;
  buyToken: string;
  /** Base units. */
  sellAmount: bigint;
  sellDecimals: number;
  buyDecimals: number;
  /** Fraction: 0.005 = 0.5 %. */
  slippage: number;
  /** The address that will send the swap; with it, adapters return a transaction to sign. */
  taker?: string | undefined;
}

export interface DexTransaction {
  to: `0x${string}`;
  data: `0x${string}`;
  value: bigint;
  gas: bigint | null;
}

export interface DexQuote {
  aggregator: AggregatorId;
  buyAmount: bigint;
  /** The least the swap may deliver (the aggregator's, or buyAmount less slippage). */
  minBuyAmount: bigint;
  estimatedGas: bigint | null;
  sources: { dex: string; percentage: number }[];
  /** Price impact the aggregator reports, as a fraction; null when it reports none. */
  priceImpact: number | null;
  /** Fee taken in the buy token's base units, when the aggregator says. */
  feeAmount: bigint;
  transaction: DexTransaction | null;
  /** Who must be approved to pull an ERC-20 sell token. */
  allowanceTarget: string | null;
}

export type AggregatorId = '0x' | 'okx' | 'rubic';

/** The aggregator credentials (wrangler secrets); the Worker's Env satisfies it. */
export interface DexKeys {
  ZEROX_API_KEY?: string | undefined;
  OKX_API_KEY?: string | undefined;
  OKX_SECRET_KEY?: string | undefined;
  OKX_PASSPHRASE?: string | undefined;
}

export interface DexAdapter {
  id: AggregatorId;
  /** Whether the deployment has what this aggregator needs (API keys). */
  configured(env: DexKeys): boolean;
  quote(env: DexKeys, req: DexQuoteRequest, ctx: DexCallContext): Promise<DexQuote>;
}

export interface DexCallContext {
  health: SourceHealth;
  timeoutMs: number;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
export const HexSchema = hex.transform((v) => v as `0x${string}`);
export const BigIntString = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));

/**
 * One HTTP call to an aggregator: the circuit is asked first, the call has a hard timeout, the
 * body is validated with `schema`, and the outcome (with latency) is recorded on the health.
 * No retries: a quote is only worth something now, and the other aggregators are the fallback.
 */
export async function dexCall<S extends z.ZodType>(
  sourceId: AggregatorId,
  url: string,
  init: RequestInit,
  schema: S,
  ctx: DexCallContext,
): Promise<z.output<S>> {
  if (!(await ctx.health.allowRequest(sourceId)))
    throw new ProviderError({
      kind: 'circuit_open',
      sourceId,
      message: `${sourceId}: circuit open, call not sent`,
      url,
    });
  const started = Date.now();
  const doFetch = ctx.fetch ?? ((i: string, r: RequestInit) => fetch(i, r));
  let error: ProviderError;
  try {
    const res = await doFetch(url, { ...init, signal: AbortSignal.timeout(ctx.timeoutMs) });
    const text = await res.text();
    if (!res.ok) {
      error = new ProviderError({
        kind: 'http',
        sourceId,
        status: res.status,
        url,
        message: `${sourceId}: HTTP ${res.status}`,
      });
    } else {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        raw = undefined;
      }
      const parsed = schema.safeParse(raw);
      if (parsed.success) {
        await ctx.health.recordSuccess(sourceId, Date.now() - started);
        return parsed.data;
      }
      error = new ProviderError({
        kind: 'invalid_body',
        sourceId,
        url,
        message: `${sourceId}: unexpected response body`,
      });
    }
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    error = new ProviderError({
      kind: timedOut ? 'timeout' : 'network',
      sourceId,
      url,
      message: timedOut ? `${sourceId}: no answer within ${ctx.timeoutMs} ms` : `${sourceId}: network error`,
      cause,
    });
  }
  await ctx.health.recordFailure(sourceId, error.message);
  throw error;
}

/** An error an aggregator reports inside a 2xx body (no liquidity, unsupported token...). */
export function upstreamError(sourceId: AggregatorId, message: string): ProviderError {
  return new ProviderError({ kind: 'upstream', sourceId, message: `${sourceId}: ${message}` });
}

/** buyAmount less the slippage fraction, rounded down. */
export function minAfterSlippage(buyAmount: bigint, slippage: number): bigint {
  const bps = BigInt(Math.round(slippage * 10_000));
  return (buyAmount * (10_000n - bps)) / 10_000n;
}
