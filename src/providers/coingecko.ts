import { z } from 'zod';
import { DAY_MS, isClosed, nullableNumber, sortCandles, TIMEFRAME_MS, utcDayStart } from './common';
import { type BaseProviderOptions, createProviderHttp, type ProviderHttp, type ProviderInit } from './http';
import type { Candle, Quote, Timeframe } from './types';

export const COINGECKO_SOURCE_ID = 'coingecko';
/** Keyless and Demo-key calls. */
export const COINGECKO_PUBLIC_URL = 'https://api.coingecko.com/api/v3';
/** Paid-plan calls; only this host accepts a pro key. */
export const COINGECKO_PRO_URL = 'https://pro-api.coingecko.com/api/v3';

export interface CoinGeckoOptions extends BaseProviderOptions {
  /** A Demo key goes in `x-cg-demo-api-key` on the public host; a Pro key in `x-cg-pro-api-key` on the pro host. */
  apiKey?: string;
  /** Which kind of key `apiKey` is; 'demo' by default. */
  plan?: 'demo' | 'pro';
}

// --- upstream bodies -------------------------------------------------------------------

const marketRow = z.object({
  id: z.string().min(1),
  symbol: z.string(),
  name: z.string(),
  current_price: nullableNumber,
  market_cap: nullableNumber,
  market_cap_rank: nullableNumber,
  fully_diluted_valuation: nullableNumber,
  total_volume: nullableNumber,
  high_24h: nullableNumber,
  low_24h: nullableNumber,
  price_change_24h: nullableNumber,
  price_change_percentage_24h: nullableNumber,
  circulating_supply: nullableNumber,
  last_updated: z.string().nullable().optional(),
});

/** The bodies CoinGecko documents, as far as the adapter reads them (unknown fields pass). */
export const coinGeckoSchemas = {
  markets: z.array(marketRow),
  global: z.object({
    data: z.object({
      active_cryptocurrencies: z.number().int(),
      markets: z.number().int().optional(),
      total_market_cap: z.object({ usd: z.number() }).catchall(z.number()),
      total_volume: z.object({ usd: z.number() }).catchall(z.number()),
      market_cap_percentage: z.object({ btc: z.number(), eth: z.number() }).catchall(z.number()),
      market_cap_change_percentage_24h_usd: z.number().nullable().optional(),
      updated_at: z.number().int(),
    }),
  }),
  // Points can carry null where CoinGecko has no value for that instant.
  marketChart: z.object({
    prices: z.array(z.tuple([z.number(), z.number().nullable()])),
    market_caps: z.array(z.tuple([z.number(), z.number().nullable()])),
    total_volumes: z.array(z.tuple([z.number(), z.number().nullable()])),
  }),
  ohlc: z.array(z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()])),
};

// --- what the adapter returns ----------------------------------------------------------

/** A /coins/markets row: a Quote plus CoinGecko's listing facts. */
export interface CoinGeckoMarket extends Quote {
  symbol: string;
  name: string;
  marketCapRank: number | null;
  fullyDilutedValuation: number | null;
  circulatingSupply: number | null;
}

/** The whole crypto market from /global. Dominance figures are percentages (60.7 means 60.7 %). */
export interface GlobalMarket {
  totalMarketCapUsd: number;
  totalVolumeUsd: number;
  btcDominance: number;
  ethDominance: number;
  /** Each listed coin's share of total market cap, in percent, by lower-case symbol. */
  dominance: Record<string, number>;
  marketCapChangePct24h: number | null;
  activeCryptocurrencies: number;
  /** Epoch ms. */
  updatedAt: number;
}

export interface ChartPoint {
  /** Epoch ms. */
  time: number;
  value: number;
}

export interface MarketChart {
  prices: ChartPoint[];
  marketCaps: ChartPoint[];
  /** Rolling 24-hour volume at each instant, in the quote currency. */
  volumes: ChartPoint[];
}

export interface DailyClose {
  /** Start of the UTC day, epoch ms. */
  date: number;
  close: number;
  /** The 24-hour volume up to the close, in the quote currency. */
  volume: number | null;
  marketCap: number | null;
}

export interface CoinGeckoOhlc {
  /** The candle length CoinGecko picked for `days`. */
  granularityMs: number;
  /** Our timeframe for that length, or null when we have none (30 minutes, 4 days). */
  timeframe: Timeframe | null;
  candles: Candle[];
}

/** The `days` values /coins/{id}/ohlc accepts. */
export type CoinGeckoOhlcDays = 1 | 7 | 14 | 30 | 90 | 180 | 365 | 'max';

// --- pure mapping ----------------------------------------------------------------------

/**
 * CoinGecko's automatic OHLC candle length for `days`: 30 minutes for 1-2 days, 4 hours for
 * 3-30 days, 4 days beyond (and for 'max'). Paid plans can ask for `interval=daily|hourly`;
 * keyless and Demo calls cannot.
 */
export function coinGeckoOhlcGranularity(days: number | 'max'): {
  granularityMs: number;
  timeframe: Timeframe | null;
} {
  if (days !== 'max' && days <= 2) return { granularityMs: 30 * 60_000, timeframe: null };
  if (days !== 'max' && days <= 30) return { granularityMs: TIMEFRAME_MS['4h'], timeframe: '4h' };
  return { granularityMs: 4 * DAY_MS, timeframe: null };
}

/**
 * Maps /coins/{id}/ohlc rows `[time, open, high, low, close]` to Candles. CoinGecko stamps
 * each candle with its CLOSE time, so the open time is `time - granularity`. The endpoint
 * has no volume: `volume` is 0 on every candle (take volumes from market_chart). A candle
 * whose close time is after `now` is still forming and is dropped unless `includeOpen`.
 */
export function mapCoinGeckoOhlc(
  rows: z.output<typeof coinGeckoSchemas.ohlc>,
  granularityMs: number,
  now: number,
  includeOpen = false,
): Candle[] {
  const candles: Candle[] = [];
  for (const [closeTime, open, high, low, close] of rows) {
    const openTime = closeTime - granularityMs;
    if (!includeOpen && !isClosed(openTime, granularityMs, now)) continue;
    candles.push({ openTime, open, high, low, close, volume: 0 });
  }
  return sortCandles(candles);
}

/** Maps /coins/markets rows to quotes; rows without a price (dead or unpriced coins) are left out. */
export function mapCoinGeckoMarkets(
  rows: z.output<typeof coinGeckoSchemas.markets>,
  now: number,
): CoinGeckoMarket[] {
  const quotes: CoinGeckoMarket[] = [];
  for (const row of rows) {
    if (row.current_price === null) continue;
    const updated = row.last_updated ? Date.parse(row.last_updated) : Number.NaN;
    quotes.push({
      providerSymbol: row.id,
      price: row.current_price,
      // CoinGecko gives the 24h change, not the price 24h ago; we do not derive one.
      open24h: null,
      high24h: row.high_24h,
      low24h: row.low_24h,
      change24h: row.price_change_24h,
      changePct24h: row.price_change_percentage_24h,
      volume24h: row.total_volume,
      marketCap: row.market_cap,
      asOf: Number.isNaN(updated) ? now : updated,
      symbol: row.symbol,
      name: row.name,
      marketCapRank: row.market_cap_rank,
      fullyDilutedValuation: row.fully_diluted_valuation,
      circulatingSupply: row.circulating_supply,
    });
  }
  return quotes;
}

function points(rows: [number, number | null][]): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const [time, value] of rows) if (value !== null) out.push({ time, value });
  return out.sort((a, b) => a.time - b.time);
}

/**
 * Daily closes from a market chart. CoinGecko's daily point stamped 00:00 UTC is the
 * snapshot at that midnight, i.e. the CLOSE of the day before (its volume is that day's
 * 24 hours); the last point of a series is stamped "now" and is the forming day. So a
 * point at time t closes the UTC day containing t - 1 ms, the latest point of a day wins,
 * and a day counts as complete when its point sits exactly on its closing midnight or a
 * later point exists. Forming days are left out unless `includePartial`.
 */
export function dailyClosesFromChart(chart: MarketChart, includePartial = false): DailyClose[] {
  const volumes = new Map(chart.volumes.map((p) => [p.time, p.value]));
  const caps = new Map(chart.marketCaps.map((p) => [p.time, p.value]));
  const byDay = new Map<number, ChartPoint>();
  for (const p of chart.prices) byDay.set(utcDayStart(p.time - 1), p);
  const last = chart.prices.at(-1)?.time ?? 0;
  const out: DailyClose[] = [];
  for (const [date, p] of byDay) {
    const complete = p.time === date + DAY_MS || p.time < last;
    if (!complete && !includePartial) continue;
    out.push({
      date,
      close: p.value,
      volume: volumes.get(p.time) ?? null,
      marketCap: caps.get(p.time) ?? null,
    });
  }
  return out.sort((a, b) => a.date - b.date);
}

// --- the adapter -----------------------------------------------------------------------

/**
 * CoinGecko v3 (https://docs.coingecko.com). Keyless calls are limited to roughly 5-15 a
 * minute and Demo keys to 30, so calls are spaced 2.1 s apart unless a Pro key is given.
 * Coins are addressed by CoinGecko id ('bitcoin'), not by ticker; an unknown id is a 404
 * ({"error":"coin not found"}), thrown as `not_found`. Data is cached upstream: prices move
 * every 1-5 minutes, OHLC every 15 minutes.
 */
export class CoinGeckoClient {
  readonly sourceId: string;
  readonly #http: ProviderHttp;

  constructor(init: ProviderInit<CoinGeckoOptions>) {
    const options = init.options ?? {};
    const pro = options.plan === 'pro';
    const headers: Record<string, string> = {};
    if (options.apiKey) headers[pro ? 'x-cg-pro-api-key' : 'x-cg-demo-api-key'] = options.apiKey;
    this.#http = createProviderHttp(init, {
      sourceId: COINGECKO_SOURCE_ID,
      baseUrl: pro ? COINGECKO_PRO_URL : COINGECKO_PUBLIC_URL,
      minIntervalMs: pro ? 120 : 2_100,
      headers,
    });
    this.sourceId = this.#http.sourceId;
  }

  /**
   * /coins/markets: quotes with market cap, rank and 24h figures for `ids` (or the top of
   * the market when omitted), priced in `vsCurrency`. At most 250 per page; ids CoinGecko
   * does not know are simply missing from the answer (no error).
   */
  async markets(
    params: { ids?: string[]; vsCurrency?: string; perPage?: number; page?: number } = {},
  ): Promise<CoinGeckoMarket[]> {
    const rows = await this.#http.json(
      '/coins/markets',
      {
        vs_currency: params.vsCurrency ?? 'usd',
        ids: params.ids?.join(','),
        order: 'market_cap_desc',
        per_page: params.perPage ?? Math.min(250, params.ids?.length ?? 100),
        page: params.page ?? 1,
        sparkline: false,
      },
      coinGeckoSchemas.markets,
    );
    return mapCoinGeckoMarkets(rows, this.#http.now());
  }

  /** /global: total market cap and volume in USD, BTC and ETH dominance. `updated_at` is in seconds. */
  async global(): Promise<GlobalMarket> {
    const { data } = await this.#http.json('/global', {}, coinGeckoSchemas.global);
    return {
      totalMarketCapUsd: data.total_market_cap.usd,
      totalVolumeUsd: data.total_volume.usd,
      btcDominance: data.market_cap_percentage.btc,
      ethDominance: data.market_cap_percentage.eth,
      dominance: { ...data.market_cap_percentage },
      marketCapChangePct24h: data.market_cap_change_percentage_24h_usd ?? null,
      activeCryptocurrencies: data.active_cryptocurrencies,
      updatedAt: data.updated_at * 1000,
    };
  }

  /**
   * /coins/{id}/market_chart: prices, market caps and 24h volumes. Granularity is
   * automatic: 5-minutely for 1 day, hourly for 2-90 days, daily (00:00 UTC) beyond, or
   * daily for any range with `interval: 'daily'`. The last point is always "now".
   */
  async marketChart(
    id: string,
    params: { days: number | 'max'; vsCurrency?: string; interval?: 'daily' },
  ): Promise<MarketChart> {
    const body = await this.#http.json(
      `/coins/${encodeURIComponent(id)}/market_chart`,
      { vs_currency: params.vsCurrency ?? 'usd', days: params.days, interval: params.interval },
      coinGeckoSchemas.marketChart,
      { notFound: (status) => status === 404 },
    );
    return {
      prices: points(body.prices),
      marketCaps: points(body.market_caps),
      volumes: points(body.total_volumes),
    };
  }

  /** Completed daily closes (see `dailyClosesFromChart`) from market_chart with `interval=daily`. */
  async dailyCloses(
    id: string,
    params: { days: number | 'max'; vsCurrency?: string; includePartial?: boolean },
  ): Promise<DailyClose[]> {
    const chart = await this.marketChart(id, {
      days: params.days,
      vsCurrency: params.vsCurrency,
      interval: 'daily',
    });
    return dailyClosesFromChart(chart, params.includePartial ?? false);
  }

  /**
   * /coins/{id}/ohlc: candles whose length depends on `days` (see
   * `coinGeckoOhlcGranularity`), timestamped at their close, without volume. Keyless and
   * Demo calls only reach the past 365 days.
   */
  async ohlc(
    id: string,
    params: { days: CoinGeckoOhlcDays; vsCurrency?: string; includeOpen?: boolean },
  ): Promise<CoinGeckoOhlc> {
    const rows = await this.#http.json(
      `/coins/${encodeURIComponent(id)}/ohlc`,
      { vs_currency: params.vsCurrency ?? 'usd', days: params.days },
      coinGeckoSchemas.ohlc,
      { notFound: (status) => status === 404 },
    );
    const { granularityMs, timeframe } = coinGeckoOhlcGranularity(params.days);
    return {
      granularityMs,
      timeframe,
      candles: mapCoinGeckoOhlc(rows, granularityMs, this.#http.now(), params.includeOpen ?? false),
    };
  }
}
