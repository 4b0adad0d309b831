import { z } from '@hono/zod-openapi';
import { DateOrDateTime, ordered, timeOf } from '../../core/dates';
import { TIMEFRAMES } from '../../db/schema/market';

export const CandleSchema = z
  .object({
    timestamp: z.string().openapi({ example: '2024-01-15T00:00:00.000Z' }),
    open: z.number(),
    high: z.number(),
    low: z.number(),
    close: z.number(),
    volume: z.number(),
  })
  .openapi('Candle');

/** A date or date-time a price query reads: the shared toolkit's (real days, years 1970..2100). */
export const isoDate = DateOrDateTime;

const HistoryFields = z.object({
  timeframe: z.enum(TIMEFRAMES).default('1d'),
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  adjusted: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .openapi({ description: 'Split-adjusted prices (ETFs with splits).' }),
});

/** A candle query: start_date on or before end_date, at most `limit` candles. */
export const HistoryQuery = ordered(HistoryFields, 'start_date', 'end_date');
/** The same without `adjusted` (series with no splits to adjust for). */
export const UnadjustedHistoryQuery = ordered(
  HistoryFields.omit({ adjusted: true }),
  'start_date',
  'end_date',
);

/** Epoch ms of a validated `isoDate` (a bare day: its start, or with `endOfDay` its last ms). */
export function parseTime(value: string | undefined, endOfDay = false): number | undefined {
  return value === undefined ? undefined : timeOf(value, endOfDay);
}
