import { z } from '@hono/zod-openapi';
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

export const isoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'Expected an ISO 8601 date or time')
  .openapi({ example: '2024-01-01' });

export const HistoryQuery = z.object({
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

export function parseTime(value: string | undefined, endOfDay = false): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(value) ? t + 86_399_999 : t;
}
