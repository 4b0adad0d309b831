import { z } from 'zod';
import { CSV_ASSET_TYPES } from '../csv';
import { cellOf, decimal, headerIndex, isoDate, plain, records } from './table';
import { type BrokerParse, emptyParse } from './types';

const Col = z.string().min(1).max(100);

/** A saved column mapping for any CSV of trades (kept in the user's preferences under `import_mappings`). */
export const ColumnMapping = z
  .object({
    columns: z
      .object({
        date: Col,
        symbol: Col,
        quantity: Col,
        price: Col.optional(),
        total: Col.optional(),
        fees: Col.optional(),
        fee_currency: Col.optional(),
        currency: Col.optional(),
        side: Col.optional(),
      })
      .strict(),
    delimiter: z.enum([',', ';', '\t', '|']).default(','),
    decimal_comma: z.boolean().default(false),
    currency: z.string().min(3).max(10).default('USD').describe('Currency of prices when no currency column'),
    buy_values: z.array(z.string().max(40)).max(20).default(['buy', 'b', 'bought', 'purchase']),
    sell_values: z.array(z.string().max(40)).max(20).default(['sell', 's', 'sold', 'sale']),
    asset_type: z.enum(CSV_ASSET_TYPES).optional(),
  })
  .strict();
export type ColumnMapping = z.infer<typeof ColumnMapping>;

/**
 * A CSV read through a column mapping: date, symbol, quantity and a price or total are required;
 * the side comes from the side column's values, or from the quantity's sign (negative sells).
 */
export function parseGeneric(text: string, mapping: ColumnMapping): BrokerParse {
  const recs = records(text, mapping.delimiter);
  const out: BrokerParse = emptyParse();
  const head = recs[0];
  if (!head) return out;
  const h = headerIndex(head.cells);
  const cols = mapping.columns;
  const missing = Object.entries(cols).filter(([, name]) => name && !h.has(name.toLowerCase()));
  if (missing.length) {
    out.warnings.push(
      `The mapping names columns the file does not have: ${missing.map(([k, v]) => `${k} → "${v}"`).join(', ')}`,
    );
  }
  const num = (t: string) => decimal(t, { comma: mapping.decimal_comma });
  const buys = new Set(mapping.buy_values.map((v) => v.toLowerCase()));
  const sells = new Set(mapping.sell_values.map((v) => v.toLowerCase()));
  for (const r of recs.slice(1)) {
    out.total++;
    const get = (name: string | undefined) => (name ? cellOf(r, h, name) : '');
    const reasons: string[] = [];
    const date = isoDate(get(cols.date));
    const symbol = get(cols.symbol).toUpperCase();
    const q = num(get(cols.quantity));
    const price = cols.price ? num(get(cols.price)) : null;
    const total = cols.total ? num(get(cols.total)) : null;
    const fee = cols.fees ? num(get(cols.fees)) : null;
    const currency = get(cols.currency) || mapping.currency;
    const sideText = get(cols.side).toLowerCase();
    const side = cols.side
      ? buys.has(sideText)
        ? 'buy'
        : sells.has(sideText)
          ? 'sell'
          : null
      : q?.isNegative()
        ? 'sell'
        : 'buy';
    if (!date) reasons.push(`unreadable date "${get(cols.date)}"`);
    if (!symbol) reasons.push('empty symbol');
    if (!q || q.isZero()) reasons.push('unreadable or zero quantity');
    if (!price && !total) reasons.push('unreadable price and total');
    if (!side) reasons.push(`side "${sideText}" is in neither buy_values nor sell_values`);
    if (reasons.length || !date || !q || !side || (!price && !total)) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons });
      continue;
    }
    out.txs.push({
      line: r.line,
      date,
      ref: 'generic csv',
      kind: 'trade',
      side,
      symbol,
      quantity: plain(q),
      quote: currency,
      total: plain(total ?? q.abs().times(price ?? 0)),
      fee:
        fee && !fee.isZero()
          ? { amount: plain(fee), currency: get(cols.fee_currency) || currency }
          : undefined,
      ...(mapping.asset_type ? { assetType: mapping.asset_type } : {}),
    });
  }
  return out;
}
