import { z } from '@hono/zod-openapi';
import { CalendarDate, isCalendarDay } from '../../core/dates';
import { POSITION_TYPES, TRADE_ASSET_TYPES, TRADE_TYPES, type trades } from '../../db/schema';
import { MAX_NOTES, SYMBOL_RE, SYMBOL_RULE } from './csv';

/** Up to 15 integer digits and 18 decimals: every amount a ledger holds, none that overflows a double. */
const DECIMAL = /^(\d{1,15}(\.\d{1,18})?|\.\d{1,18})$/;
/** The largest amount (quantity, price, fee) the ledger accepts. */
export const MAX_AMOUNT = 1e15;

/**
 * A non-negative amount for the ledger, as a JSON number or a decimal string. Numbers are read
 * through their shortest round-trip text (0.1 stays "0.1"), so what the client wrote is what the
 * ledger computes with, exactly.
 */
export const DecimalInput = z
  .union([
    z.number().finite().nonnegative().lt(MAX_AMOUNT),
    z.string().trim().regex(DECIMAL, 'a decimal number like 12.5, under 1e15 with at most 18 decimals'),
  ])
  .transform((v) => (typeof v === 'number' ? numberText(v) : v))
  .openapi({
    type: 'string',
    example: '0.25',
    description: 'A decimal amount: a number or a string of digits, under 1e15, at most 18 decimals',
  });

/** Positive variant (quantities). */
/**
 * A traded symbol or an option's underlying, as every trades route and the CSV importer
 * accept it (any case; `BTC/USD` names BTC), so what is recorded always exports and re-imports.
 */
export const TradeSymbol = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .refine((s) => SYMBOL_RE.test(s.toUpperCase()), { message: SYMBOL_RULE });

/** Trade and position notes: the importer's limit too. */
export const TradeNotes = z.string().max(MAX_NOTES);

export const PositiveDecimal = DecimalInput.refine((v) => !/^[0.]*$/.test(v), 'must be greater than 0');

/** Plain notation for a JS number (no exponent), as the shortest text that round-trips. */
function numberText(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // Exponent forms (1e-7, 1e21): expand without losing the digits JavaScript printed.
  const [mantissa = '0', exp = '0'] = s.toLowerCase().split('e');
  const e = Number(exp);
  const [int = '0', frac = ''] = mantissa.split('.');
  const digits = int + frac;
  const point = int.length + e;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A calendar day, YYYY-MM-DD (the shared toolkit's: real dates, years 1970..2100). */
export const IsoDay = CalendarDate;

/** A trade date: a day, or a date-time (kept as given, UTC), on a real day of years 1970..2100. */
export const TradeDate = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/,
    'YYYY-MM-DD or an ISO 8601 date-time',
  )
  .refine(
    (v) => isCalendarDay(v.slice(0, 10)) && !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)),
    'not a calendar date (a real day, years 1970..2100)',
  )
  .openapi({ example: '2024-03-01' });

export const PositionTypeSchema = z.enum(POSITION_TYPES);
export const TradeTypeSchema = z.enum(TRADE_TYPES);
export const TradeAssetTypeSchema = z.enum(TRADE_ASSET_TYPES);
export const PortfolioId = z.object({ portfolio_id: z.string().min(1).max(64) });
export const PositionId = z.object({ position_id: z.string().min(1).max(64) });
export const CostMethod = z.enum(['wac', 'fifo']).openapi({
  description: 'Cost method for cost basis and realized P&L: weighted average (default, 003) or FIFO lots',
});

/** Rounds money for display (cents and below kept to 8 places); the ledger itself stays exact. */
export const round = (n: number, places = 8) => {
  const f = 10 ** places;
  return Math.round(n * f) / f;
};

/** One sale (or short cover) and what it realized, by the cost method asked for. */
export const RealizedRowSchema = z
  .object({
    trade_id: z.string(),
    position_id: z.string(),
    symbol: z.string(),
    asset_type: z.string(),
    position_type: z.string(),
    date: z.string(),
    quantity: z.number(),
    proceeds: z.number(),
    cost_basis: z.number(),
    realized_pnl: z.number(),
    realized_pnl_percent: z.number().nullable(),
    method: CostMethod,
    lots: z
      .array(z.object({ trade_id: z.string(), quantity: z.number(), unit_cost: z.number() }))
      .optional()
      .openapi({ description: 'FIFO only: the lots the sale consumed' }),
  })
  .openapi('RealizedPnlRow');

/** The fields every surface shows of a trade, amounts as JSON numbers; each adds its own ids. */
export function tradeFields(t: typeof trades.$inferSelect) {
  return {
    trade_type: t.tradeType,
    asset_type: t.assetType,
    symbol: t.symbol,
    quantity: Number(t.quantity),
    price: Number(t.price),
    fees: Number(t.fees),
    total_amount: Number(t.totalAmount),
    trade_date: t.tradeDate,
    notes: t.notes,
    source: t.source,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

/** A ledger entry as 004's position views list it (2.13 `transactions`). */
export const TransactionSchema = z
  .object({
    id: z.string(),
    date: z.string(),
    type: z.string().openapi({ example: 'BUY' }),
    quantity: z.number(),
    price: z.number(),
    value: z.number().openapi({ description: 'quantity × price × multiplier' }),
    fees: z.number(),
    notes: z.string().nullable(),
  })
  .openapi('PositionTransaction');

/** A CSV import's request: the file as text/csv, and whether to only report what would happen. */
export const CsvImportRequest = {
  query: z.object({
    dry_run: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  }),
  body: { content: { 'text/csv': { schema: z.string() } }, required: true },
};
