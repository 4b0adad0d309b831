import { z } from 'zod';
import { numericString, sortCandles } from './common';
import {
  type BaseProviderOptions,
  createProviderHttp,
  type ProviderHttp,
  type ProviderInit,
  type UpstreamProblem,
} from './http';
import type { Candle, Quote, Timeframe } from './types';

export const KRAKEN_SOURCE_ID = 'kraken';
export const KRAKEN_URL = 'https://api.kraken.com';

export type KrakenOptions = BaseProviderOptions;

/** Our timeframes as Kraken OHLC intervals, in minutes. */
export const KRAKEN_INTERVALS: Record<Timeframe, number> = {
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '1h': 60,
  '4h': 240,
  '1d': 1440,
  '1w': 10080,
};

// --- upstream bodies -------------------------------------------------------------------

/** [time (s), open, high, low, close, vwap, volume, count]: prices and volumes are strings. */
const ohlcRow = z.tuple([
  z.number().int(),
  numericString,
  numericString,
  numericString,
  numericString,
  numericString,
  numericString,
  z.number().int(),
]);

const pairTicker = z.object({
  /** ask [price, whole lot volume, lot volume] */
  a: z.tuple([numericString, numericString, numericString]),
  b: z.tuple([numericString, numericString, numericString]),
  /** last trade [price, lot volume] */
  c: z.tuple([numericString, numericString]),
  /** [today, last 24 hours] */
  v: z.tuple([numericString, numericString]),
  p: z.tuple([numericString, numericString]),
  t: z.tuple([z.number().int(), z.number().int()]),
  l: z.tuple([numericString, numericString]),
  h: z.tuple([numericString, numericString]),
  /** today's opening price (since 00:00 UTC), not the price 24 hours ago */
  o: numericString,
});

const envelope = z.object({ error: z.array(z.string()) });

export const krakenSchemas = {
  ohlc: envelope.extend({
    result: z
      .object({ last: z.number().int() })
      .catchall(z.array(ohlcRow))
      .refine((r) => Object.keys(r).some((key) => key !== 'last'), 'result names no pair'),
  }),
  ticker: envelope.extend({ result: z.record(z.string(), pairTicker) }),
};

// --- what the adapter returns ----------------------------------------------------------

export interface KrakenOhlc {
  /** The pair as Kraken names it in the answer (XXBTZUSD when asked for XBTUSD). */
  pair: string;
  candles: Candle[];
  /** Cursor for the next poll: pass it as `since` to get only newer committed candles. */
  nextSince: number;
}

/**
 * A Kraken ticker as a Quote. Kraken gives no rolling 24h open (its `o` is today's UTC open),
 * so `open24h`, `change24h` and `changePct24h` are null; `volume24h` is in the quote
 * currency (24h base volume times 24h VWAP), comparable with CoinGecko's and Binance's.
 */
export interface KrakenQuote extends Quote {
  /** Today's open, 00:00 UTC. */
  todayOpen: number;
  baseVolume24h: number;
  vwap24h: number;
  bid: number;
  ask: number;
}

// --- pure mapping ----------------------------------------------------------------------

/**
 * Reads Kraken's `error` array. Entries starting with 'W' are warnings and ignored; an
 * unknown pair is `not_found`; service and rate-limit errors are retried; anything else
 * fails the call.
 */
export function krakenProblem(raw: unknown): UpstreamProblem | undefined {
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) return undefined;
  const errors = parsed.data.error.filter((e) => !e.startsWith('W'));
  if (errors.length === 0) return undefined;
  const message = errors.join('; ');
  if (errors.some((e) => e.startsWith('EQuery:Unknown asset pair'))) return { kind: 'not_found', message };
  const retryable = errors.some(
    (e) =>
      e.startsWith('EService:') ||
      e.startsWith('EAPI:Rate limit') ||
      e.startsWith('EGeneral:Too many requests'),
  );
  return { kind: 'upstream', message, retryable };
}

/**
 * Maps a /0/public/OHLC result: times are seconds (to ms here), and the last row is always
 * the current, not-yet-committed frame, dropped unless `includeOpen`.
 */
export function mapKrakenOhlc(
  result: z.output<typeof krakenSchemas.ohlc>['result'],
  includeOpen = false,
): KrakenOhlc {
  let pair: string | null = null;
  let rows: z.output<typeof ohlcRow>[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (key === 'last' || !Array.isArray(value)) continue;
    pair = key;
    rows = value;
  }
  const kept = includeOpen ? rows : rows.slice(0, -1);
  const candles = kept.map(([time, open, high, low, close, _vwap, volume]) => ({
    openTime: time * 1000,
    open,
    high,
    low,
    close,
    volume,
  }));
  return { pair: pair ?? '', candles: sortCandles(candles), nextSince: result.last };
}

/** Maps one pair of a /0/public/Ticker result to a Quote stamped `now` (Kraken sends no time). */
export function mapKrakenTicker(pair: string, t: z.output<typeof pairTicker>, now: number): KrakenQuote {
  return {
    providerSymbol: pair,
    price: t.c[0],
    open24h: null,
    high24h: t.h[1],
    low24h: t.l[1],
    change24h: null,
    changePct24h: null,
    volume24h: t.v[1] * t.p[1],
    marketCap: null,
    asOf: now,
    todayOpen: t.o,
    baseVolume24h: t.v[1],
    vwap24h: t.p[1],
    bid: t.b[0],
    ask: t.a[0],
  };
}

// --- the adapter -----------------------------------------------------------------------

/**
 * Kraken spot REST, public endpoints (https://docs.kraken.com/api/). Kraken answers 200
 * even for errors, with a non-empty `error` array, and renames pairs in its answers
 * (XBTUSD comes back as XXBTZUSD): store Kraken's canonical names as external ids, since
 * Kraken accepts them in requests too. Public calls are limited to about one a second.
 */
export class KrakenClient {
  readonly sourceId: string;
  readonly #http: ProviderHttp;

  constructor(init: ProviderInit<KrakenOptions>) {
    this.#http = createProviderHttp(init, {
      sourceId: KRAKEN_SOURCE_ID,
      baseUrl: KRAKEN_URL,
      minIntervalMs: 1_000,
    });
    this.sourceId = this.#http.sourceId;
  }

  /**
   * /0/public/OHLC: the most recent 720 candles of `pair` at `timeframe` (Kraken keeps no
   * more), or those since the `since` cursor of a previous call.
   */
  async ohlc(
    pair: string,
    timeframe: Timeframe,
    params: { since?: number; includeOpen?: boolean } = {},
  ): Promise<KrakenOhlc> {
    const body = await this.#http.json(
      '/0/public/OHLC',
      { pair, interval: KRAKEN_INTERVALS[timeframe], since: params.since },
      krakenSchemas.ohlc,
      { inspect: krakenProblem },
    );
    return mapKrakenOhlc(body.result, params.includeOpen ?? false);
  }

  /** /0/public/Ticker for one or more pairs in one call, keyed in the answer by Kraken's names. */
  async ticker(pairs: string[]): Promise<KrakenQuote[]> {
    if (pairs.length === 0) return [];
    const body = await this.#http.json('/0/public/Ticker', { pair: pairs.join(',') }, krakenSchemas.ticker, {
      inspect: krakenProblem,
    });
    const now = this.#http.now();
    return Object.entries(body.result).map(([pair, t]) => mapKrakenTicker(pair, t, now));
  }
}
