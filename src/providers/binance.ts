import { z } from 'zod';
import { numericString, sortCandles } from './common';
import { type BaseProviderOptions, createProviderHttp, type ProviderHttp, type ProviderInit } from './http';
import type { Candle, Quote, Timeframe } from './types';

export const BINANCE_SOURCE_ID = 'binance';
export const BINANCE_URL = 'https://api.binance.com';
/**
 * Binance's market-data-only host. api.binance.com answers 451 from restricted locations
 * (including US data centres a Worker may run in); this host serves the same public
 * endpoints. Pass it as `baseUrl` if 451s show up in the source's health.
 */
export const BINANCE_DATA_API_URL = 'https://data-api.binance.vision';

export type BinanceOptions = BaseProviderOptions;

/** Our timeframes as Binance interval names (they coincide; the map keeps it explicit). */
export const BINANCE_INTERVALS: Record<Timeframe, string> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '1h': '1h',
  '4h': '4h',
  '1d': '1d',
  '1w': '1w',
};

// --- upstream bodies -------------------------------------------------------------------

/** [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, ignore] */
const klineRow = z.tuple(
  [
    z.number().int(),
    numericString,
    numericString,
    numericString,
    numericString,
    numericString,
    z.number().int(),
    numericString,
    z.number().int(),
  ],
  z.unknown(),
);

const ticker = z.object({
  symbol: z.string().min(1),
  priceChange: numericString,
  priceChangePercent: numericString,
  lastPrice: numericString,
  openPrice: numericString,
  highPrice: numericString,
  lowPrice: numericString,
  volume: numericString,
  quoteVolume: numericString,
  weightedAvgPrice: numericString,
  closeTime: z.number().int(),
});

export const binanceSchemas = {
  klines: z.array(klineRow),
  ticker24h: ticker,
  tickers24h: z.array(ticker),
};

// --- what the adapter returns ----------------------------------------------------------

/** A 24h ticker as a Quote. `volume24h` is in the quote asset (USDT for BTCUSDT), as CoinGecko's is. */
export interface BinanceQuote extends Quote {
  /** The 24h volume in the base asset (BTC for BTCUSDT). */
  baseVolume24h: number;
  weightedAvgPrice24h: number;
}

// --- pure mapping ----------------------------------------------------------------------

/**
 * Maps /api/v3/klines rows to Candles (`volume` in the base asset). Prices and volumes come
 * as strings, times as epoch ms, and the close time is open + interval - 1 ms. The last
 * row is usually the forming candle (close time in the future); it is dropped unless
 * `includeOpen`.
 */
export function mapBinanceKlines(
  rows: z.output<typeof binanceSchemas.klines>,
  now: number,
  includeOpen = false,
): Candle[] {
  const candles: Candle[] = [];
  for (const [openTime, open, high, low, close, volume, closeTime] of rows) {
    if (!includeOpen && closeTime >= now) continue;
    candles.push({ openTime, open, high, low, close, volume });
  }
  return sortCandles(candles);
}

/** Maps a /api/v3/ticker/24hr body (rolling 24 hours ending at `closeTime`) to a Quote. */
export function mapBinanceTicker(t: z.output<typeof ticker>): BinanceQuote {
  return {
    providerSymbol: t.symbol,
    price: t.lastPrice,
    open24h: t.openPrice,
    high24h: t.highPrice,
    low24h: t.lowPrice,
    change24h: t.priceChange,
    changePct24h: t.priceChangePercent,
    volume24h: t.quoteVolume,
    marketCap: null,
    asOf: t.closeTime,
    baseVolume24h: t.volume,
    weightedAvgPrice24h: t.weightedAvgPrice,
  };
}

// Binance answers an unknown symbol with HTTP 400 {"code":-1121,"msg":"Invalid symbol."}.
function invalidSymbol(status: number, body: string): boolean {
  return status === 400 && /"code"\s*:\s*-1121\b/.test(body);
}

// --- the adapter -----------------------------------------------------------------------

/**
 * Binance spot public market data (https://developers.binance.com/docs/binance-spot-api-docs).
 * Limits are by request weight per IP (6000 a minute; klines cost 2, a 24h ticker 2, up to
 * 80 for many symbols); over it Binance answers 429 with Retry-After, and repeated abuse
 * 418 (an IP ban, not retried). Symbols are pair names without separator ('BTCUSDT').
 */
export class BinanceClient {
  readonly sourceId: string;
  readonly #http: ProviderHttp;

  constructor(init: ProviderInit<BinanceOptions>) {
    this.#http = createProviderHttp(init, {
      sourceId: BINANCE_SOURCE_ID,
      baseUrl: BINANCE_URL,
      minIntervalMs: 100,
    });
    this.sourceId = this.#http.sourceId;
  }

  /**
   * /api/v3/klines: up to `limit` (default 500, max 1000) candles of `symbol` at
   * `timeframe`, oldest first, from `startTime` (epoch ms) if given, else the most recent.
   * Weekly candles open on Monday 00:00 UTC.
   */
  async klines(
    symbol: string,
    timeframe: Timeframe,
    params: { startTime?: number; endTime?: number; limit?: number; includeOpen?: boolean } = {},
  ): Promise<Candle[]> {
    const rows = await this.#http.json(
      '/api/v3/klines',
      {
        symbol,
        interval: BINANCE_INTERVALS[timeframe],
        startTime: params.startTime,
        endTime: params.endTime,
        limit: params.limit,
      },
      binanceSchemas.klines,
      { notFound: invalidSymbol },
    );
    return mapBinanceKlines(rows, this.#http.now(), params.includeOpen ?? false);
  }

  /** /api/v3/ticker/24hr for one symbol: last price and rolling 24-hour figures. */
  async ticker24h(symbol: string): Promise<BinanceQuote> {
    const body = await this.#http.json('/api/v3/ticker/24hr', { symbol }, binanceSchemas.ticker24h, {
      notFound: invalidSymbol,
    });
    return mapBinanceTicker(body);
  }

  /**
   * /api/v3/ticker/24hr for several symbols in one call (`symbols` is a JSON array in the
   * query). One unknown symbol fails the whole call with -1121.
   */
  async tickers24h(symbols: string[]): Promise<BinanceQuote[]> {
    if (symbols.length === 0) return [];
    const body = await this.#http.json(
      '/api/v3/ticker/24hr',
      { symbols: JSON.stringify(symbols) },
      binanceSchemas.tickers24h,
      { notFound: invalidSymbol },
    );
    return body.map(mapBinanceTicker);
  }
}
