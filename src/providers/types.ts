import type { Timeframe } from '../db/schema/market';

/** A candle as every adapter returns it: open time in epoch ms UTC, numbers, not strings. */
export interface Candle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A latest price with the 24-hour figures a provider gives (null where it gives none). */
export interface Quote {
  /** The provider's own symbol or id for the asset. */
  providerSymbol: string;
  price: number;
  open24h: number | null;
  high24h: number | null;
  low24h: number | null;
  change24h: number | null;
  changePct24h: number | null;
  volume24h: number | null;
  marketCap: number | null;
  /** Epoch ms of the price. */
  asOf: number;
}

/** Where an adapter reports each call's outcome, and asks whether it may call at all. */
export interface SourceHealth {
  /** False while the circuit is open: the adapter must not call and throws ProviderError('circuit_open'). */
  allowRequest(sourceId: string): Promise<boolean>;
  recordSuccess(sourceId: string, latencyMs: number): Promise<void>;
  recordFailure(sourceId: string, error: string): Promise<void>;
}

export type { Timeframe };
