import { z } from 'zod';
import { canonical } from './normalize';
import { decimal, isoDate, plain } from './table';
import { type BrokerParse, emptyParse, type ImportTx } from './types';

const Activity = z.object({
  type: z.string(),
  symbol: z.string().nullable().optional(),
  quantity: z.number(),
  unitPrice: z.number(),
  fee: z.number().nullable().optional(),
  currency: z.string().nullable().optional(),
  date: z.string(),
  comment: z.string().nullable().optional(),
  dataSource: z.string().nullable().optional(),
});
const Export = z.object({
  activities: z.array(z.unknown()),
  assetProfiles: z
    .array(z.object({ symbol: z.string(), name: z.string().nullable().optional() }).passthrough())
    .optional(),
});

/** Ghostfolio symbols for crypto pairs (BTCUSD) as the catalog spells the asset. */
function symbolOf(raw: string): string {
  const s = raw.toUpperCase();
  const pair = /^([A-Z0-9]{2,10})(USD|EUR|GBP|CHF)$/.exec(s);
  return canonical(pair?.[1] ?? s);
}

/**
 * Ghostfolio's JSON export: BUY, SELL, DIVIDEND, FEE, INTEREST (unsupported: reported) and
 * ITEM/LIABILITY (not securities: reported). A SELL with nothing held is a short sale the
 * ledger opens as such only if asked; here it is reported by the ledger as a sale beyond what
 * is held. Manual assets are named from their profile.
 */
export function parseGhostfolio(text: string): BrokerParse {
  const out: BrokerParse = emptyParse();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    out.warnings.push('Not JSON: a Ghostfolio export is the JSON file of Settings → Export');
    return out;
  }
  const parsed = Export.safeParse(json);
  if (!parsed.success) {
    out.warnings.push('Not a Ghostfolio export: no activities array');
    return out;
  }
  const names = new Map((parsed.data.assetProfiles ?? []).map((p) => [p.symbol, p.name ?? p.symbol]));
  parsed.data.activities.forEach((raw, i) => {
    const line = i + 1;
    out.total++;
    const a = Activity.safeParse(raw);
    const rawText = JSON.stringify(raw).slice(0, 500);
    if (!a.success) {
      out.rejected.push({
        line,
        raw: rawText,
        reasons: a.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`),
      });
      return;
    }
    const v = a.data;
    const date = isoDate(v.date.replace(/\.\d+Z$/, 'Z'));
    const reasons: string[] = [];
    if (!date) reasons.push(`unreadable date "${v.date}"`);
    const currency = v.currency ?? 'USD';
    const q = decimal(String(v.quantity));
    const p = decimal(String(v.unitPrice));
    const fee = v.fee ? decimal(String(v.fee)) : null;
    const manual = v.dataSource === 'MANUAL' && v.symbol ? names.get(v.symbol) : undefined;
    const symbol = v.symbol
      ? manual
        ? manual
            .toUpperCase()
            .replace(/[^A-Z0-9]+/g, '-')
            .slice(0, 32)
        : symbolOf(v.symbol)
      : '';
    const ref = `ghostfolio ${v.type}${v.comment ? ` ${v.comment}` : ''}`;
    const feeMoney = fee && !fee.isZero() ? { amount: plain(fee), currency } : undefined;
    let tx: ImportTx | null = null;
    if (!date || !q || !p) reasons.push('unreadable quantity or price');
    else if ((v.type === 'BUY' || v.type === 'SELL') && symbol) {
      if (q.isZero()) reasons.push('zero quantity');
      else
        tx = {
          line,
          date,
          ref,
          kind: 'trade',
          side: v.type === 'BUY' ? 'buy' : 'sell',
          symbol,
          quantity: plain(q),
          quote: currency,
          total: plain(q.times(p)),
          fee: feeMoney,
          ...(manual ? { assetType: 'us-equity' as const } : {}),
        };
    } else if (v.type === 'DIVIDEND' && symbol) {
      tx = { line, date, ref, kind: 'dividend', symbol, amount: plain(q.times(p)), currency, fee: feeMoney };
    } else if (v.type === 'FEE') {
      tx = { line, date, ref, kind: 'fee', amount: plain(q.times(p).plus(fee ?? 0)), currency };
    } else reasons.push(`activity type ${v.type} is not imported (no ledger entry for it)`);
    if (tx && !reasons.length) out.txs.push(tx);
    else out.rejected.push({ line, raw: rawText, reasons });
  });
  return out;
}
