import { z } from 'zod';
import { DAY_MS, isClosed, numericString, sortCandles } from './common';
import {
  type BaseProviderOptions,
  createProviderHttp,
  type ProviderHttp,
  type ProviderInit,
  type UpstreamProblem,
} from './http';
import type { Candle } from './types';

export const STOOQ_SOURCE_ID = 'stooq';
export const STOOQ_URL = 'https://stooq.com';

export type StooqOptions = BaseProviderOptions;

// --- upstream bodies -------------------------------------------------------------------

const REQUIRED_COLUMNS = ['Date', 'Open', 'High', 'Low', 'Close'] as const;

/** Splits CSV text (no quoted fields: Stooq never sends any) into its header and rows keyed by column. */
export function parseSimpleCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const rows = lines.slice(1).map((line) => {
    const cells = line.split(',');
    const row: Record<string, string> = {};
    header.forEach((name, i) => {
      const cell = cells[i];
      if (cell !== undefined) row[name] = cell.trim();
    });
    return row;
  });
  return { header, rows };
}

const dailyRow = z.object({
  Date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'),
  Open: numericString,
  High: numericString,
  Low: numericString,
  Close: numericString,
  // Indices and some FX series have no Volume column.
  Volume: numericString.optional(),
});

export const stooqSchemas = {
  daily: z
    .string()
    .transform(parseSimpleCsv)
    .pipe(
      z.object({
        header: z
          .array(z.string())
          .refine(
            (h) => REQUIRED_COLUMNS.every((c) => h.includes(c)),
            `header must name ${REQUIRED_COLUMNS.join(',')}`,
          ),
        rows: z.array(dailyRow),
      }),
    ),
};

// --- pure mapping ----------------------------------------------------------------------

/**
 * Stooq answers 200 with a plain-text sentence instead of CSV when it has nothing: "No data"
 * (in Polish "Brak danych") for an unknown symbol or an empty range, and "Exceeded the
 * daily hits limit" once a client has asked too much that day (not worth retrying today).
 */
export function stooqProblem(raw: unknown): UpstreamProblem | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (/^(no data|brak danych)/i.test(text))
    return { kind: 'not_found', message: `no data: ${text.slice(0, 80)}` };
  if (/exceeded the daily hits limit/i.test(text)) return { kind: 'upstream', message: text.slice(0, 120) };
  return undefined;
}

/**
 * Maps Stooq daily rows to Candles opening at 00:00 UTC of the trading date (the exchange's
 * local date, as in the seeded daily history). A row for a day that has not ended by `now`
 * is the session in progress and is dropped unless `includeOpen`. Missing volume is 0.
 */
export function mapStooqDaily(
  body: z.output<typeof stooqSchemas.daily>,
  now: number,
  includeOpen = false,
): Candle[] {
  const candles: Candle[] = [];
  for (const row of body.rows) {
    const openTime = Date.parse(`${row.Date}T00:00:00Z`);
    if (!includeOpen && !isClosed(openTime, DAY_MS, now)) continue;
    candles.push({
      openTime,
      open: row.Open,
      high: row.High,
      low: row.Low,
      close: row.Close,
      volume: row.Volume ?? 0,
    });
  }
  return sortCandles(candles);
}

function yyyymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
}

// --- the adapter -----------------------------------------------------------------------

/**
 * Stooq's CSV download (https://stooq.com/q/d/l/?s=spy.us&i=d): daily OHLCV for ETFs,
 * equities, indices, FX and commodities with no key. Symbols are Stooq's: 'spy.us' for US
 * listings, '^spx' for the S&P 500 index, 'eurusd', 'xauusd'. Stooq revises its history for
 * corporate actions while the seeded Alpha Vantage ETF history is unadjusted, so check a
 * series before splicing the two. No published rate limit, but a daily cap per client, so
 * calls are spaced a second apart.
 */
export class StooqClient {
  readonly sourceId: string;
  readonly #http: ProviderHttp;

  constructor(init: ProviderInit<StooqOptions>) {
    this.#http = createProviderHttp(init, {
      sourceId: STOOQ_SOURCE_ID,
      baseUrl: STOOQ_URL,
      minIntervalMs: 1_000,
    });
    this.sourceId = this.#http.sourceId;
  }

  /** Daily candles of `symbol`, oldest first, optionally limited to [from, to] (epoch ms, UTC dates). */
  async daily(
    symbol: string,
    params: { from?: number; to?: number; includeOpen?: boolean } = {},
  ): Promise<Candle[]> {
    const body = await this.#http.text(
      '/q/d/l/',
      {
        s: symbol.toLowerCase(),
        i: 'd',
        d1: params.from === undefined ? undefined : yyyymmdd(params.from),
        d2: params.to === undefined ? undefined : yyyymmdd(params.to),
      },
      stooqSchemas.daily,
      { inspect: stooqProblem },
    );
    return mapStooqDaily(body, this.#http.now(), params.includeOpen ?? false);
  }
}
