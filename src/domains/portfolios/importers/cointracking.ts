import { canonical, isFiat } from './normalize';
import { decimal, isoDate, plain, records } from './table';
import { type BrokerParse, emptyParse, type ImportTx } from './types';

const INCOME = /^(income|staking|mining|gift\/tip|airdrop|interest income|reward \/ bonus|lending income)$/i;

/**
 * CoinTracking "Trade List": columns read by position (the header repeats `Cur.`): Type, Buy,
 * Cur., Sell, Cur., Fee, Cur., Exchange, Group, Comment, Date[, Tx-ID]. `-` is empty. A trade
 * between two assets imports both legs; deposits and withdrawals of an asset are the user's
 * own transfers; income, staking, gifts are income in kind. An exact repeat of a row imports once.
 */
export function parseCoinTracking(text: string): BrokerParse {
  const recs = records(text);
  const out: BrokerParse = emptyParse();
  const seen = new Map<string, number>();
  for (const r of recs.slice(1)) {
    out.total++;
    const [
      type = '',
      buy = '',
      buyCur = '',
      sell = '',
      sellCur = '',
      fee = '',
      feeCur = '',
      exchange = '',
      ,
      comment = '',
      when = '',
    ] = r.cells.map((c) => c.trim());
    const reasons: string[] = [];
    const date = isoDate(when);
    if (!date) reasons.push(`unreadable date "${when}"`);
    const key = r.cells.join('\u0001');
    if (seen.has(key)) reasons.push(`repeats line ${seen.get(key)} exactly`);
    const b = decimal(buy);
    const s = decimal(sell);
    const f = decimal(fee);
    const feeMoney = f && !f.isZero() && feeCur ? { amount: plain(f), currency: feeCur } : undefined;
    const ref = `cointracking ${exchange || type}${comment ? ` ${comment}` : ''}`;
    let tx: ImportTx | null = null;
    if (!reasons.length && date) {
      seen.set(key, r.line);
      const base = { line: r.line, date, ref };
      if (/^trade$/i.test(type)) {
        if (!b || b.isZero() || !s || s.isZero())
          reasons.push('a trade needs both a buy and a sell amount above zero');
        else {
          const bc = canonical(buyCur);
          const sc = canonical(sellCur);
          tx =
            isFiat(bc) && !isFiat(sc)
              ? {
                  ...base,
                  kind: 'trade',
                  side: 'sell',
                  symbol: sc,
                  quantity: plain(s),
                  quote: bc,
                  total: plain(b),
                  fee: feeMoney,
                }
              : {
                  ...base,
                  kind: 'trade',
                  side: 'buy',
                  symbol: bc,
                  quantity: plain(b),
                  quote: sc,
                  total: plain(s),
                  fee: feeMoney,
                };
        }
      } else if (/^deposit$/i.test(type) && b) {
        tx = isFiat(canonical(buyCur))
          ? { ...base, kind: 'cash', direction: 'in', amount: plain(b), currency: buyCur, fee: feeMoney }
          : { ...base, kind: 'transfer', direction: 'in', symbol: buyCur, quantity: plain(b), fee: feeMoney };
      } else if (/^withdrawal$/i.test(type) && s) {
        tx = isFiat(canonical(sellCur))
          ? { ...base, kind: 'cash', direction: 'out', amount: plain(s), currency: sellCur, fee: feeMoney }
          : {
              ...base,
              kind: 'transfer',
              direction: 'out',
              symbol: sellCur,
              quantity: plain(s),
              fee: feeMoney,
            };
      } else if (INCOME.test(type) && b) {
        tx = { ...base, kind: 'income', symbol: buyCur, quantity: plain(b) };
        if (feeMoney)
          out.txs.push({ ...base, kind: 'fee', amount: feeMoney.amount, currency: feeMoney.currency });
      } else reasons.push(`type "${type}" is not imported, or its amount is missing`);
    }
    if (tx) out.txs.push({ ...tx, assetType: 'crypto' });
    else out.rejected.push({ line: r.line, raw: r.raw, reasons });
  }
  return out;
}
