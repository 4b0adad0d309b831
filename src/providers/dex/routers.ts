import type { AggregatorId } from './types';

/**
 * 0x's AllowanceHolder, the entry point and allowance target of the Swap API v2
 * `/swap/allowance-holder` flow, deployed at one address on every Cancun chain, which the seven
 * chains we serve all are (0x docs, "0x Contracts: Settler, AllowanceHolder & Permit2").
 */
export const ZEROX_ALLOWANCE_HOLDER = '0x0000000000001fF3684f28c67538d4D072C22734';

/**
 * The contracts a swap may send to or approve, by chain and aggregator, before configuration.
 * Only 0x's is built in: OKX and Rubic publish router and approval addresses that change with
 * their upgrades (OKX's docs list different ones per doc version and say to monitor the page),
 * so a deployment adds them in DEX_ROUTER_ALLOWLIST after checking the providers' pages, and
 * until then their swap transactions are refused rather than signed or returned.
 */
export const DEFAULT_ROUTERS: Readonly<Record<number, Partial<Record<AggregatorId, readonly string[]>>>> = {
  1: { '0x': [ZEROX_ALLOWANCE_HOLDER] },
  8453: { '0x': [ZEROX_ALLOWANCE_HOLDER] },
  42161: { '0x': [ZEROX_ALLOWANCE_HOLDER] },
  137: { '0x': [ZEROX_ALLOWANCE_HOLDER] },
  10: { '0x': [ZEROX_ALLOWANCE_HOLDER] },
  43114: { '0x': [ZEROX_ALLOWANCE_HOLDER] },
  56: { '0x': [ZEROX_ALLOWANCE_HOLDER] },
};

export type RouterConfig = Record<string, Partial<Record<AggregatorId, string[]>>>;

/**
 * The allowed contracts (lower-case) for `aggregator` on `chainId`: the configured entry when the
 * deployment gives one for that chain and aggregator, else the built-in one, else none.
 */
export function allowedRouters(
  configured: RouterConfig,
  chainId: number,
  aggregator: AggregatorId,
): Set<string> {
  const list = configured[String(chainId)]?.[aggregator] ?? DEFAULT_ROUTERS[chainId]?.[aggregator] ?? [];
  return new Set(list.map((a) => a.toLowerCase()));
}
