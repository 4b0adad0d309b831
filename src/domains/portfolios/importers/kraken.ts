import { canonical, isFiat } from './normalize';
import { cellOf, decimal, headedRecords, isoDate, plain, type Rec } from './table';
import { type BrokerParse, emptyParse } from './types';

const QUOTES = [
  'ZEUR',
  'ZUSD',
  'ZGBP',
  'ZJPY',
  'EUR',
  'USD',
  'GBP',
  'JPY',
  'CHF',
  'USDC',
  'USDT',
  'XXBT',
  'XBT',
  'XETH',
  'ETH',
  'DAI',
];

/** A Kraken pair split into base and quote: XXBTZEUR → BTC/EUR, XBTUSDC → BTC/USDC. */
export function krakenPair(pair: string): [string, string] | null {
  const p = pair.toUpperCase().replace('/', '');
  for (const q of QUOTES) {
    if (p.endsWith(q) && p.length > q.length) return [canonical(p.slice(0, -q.length)), canonical(q)];
  }
  return null;
}

/** Kraken trades.csv: one row per trade; cost and fee in the quote currency, vol in the base. */
export function parseKrakenTrades(text: string): BrokerParse {
  const out = emptyParse();
  const table = headedRecords(text);
  if (!table) return out;
  const { h, rows } = table;
  for (const r of rows) {
    out.total++;
    const reasons: string[] = [];
    const pair = krakenPair(cellOf(r, h, 'pair'));
    const side = cellOf(r, h, 'type').toLowerCase();
    const date = isoDate(cellOf(r, h, 'time'));
    const vol = decimal(cellOf(r, h, 'vol'));
    const cost = decimal(cellOf(r, h, 'cost'));
    const fee = decimal(cellOf(r, h, 'fee'));
    if (!pair) reasons.push(`unknown pair "${cellOf(r, h, 'pair')}"`);
    if (side !== 'buy' && side !== 'sell') reasons.push(`type "${side}" is neither buy nor sell`);
    if (!date) reasons.push('unreadable time');
    if (!vol || !cost) reasons.push('unreadable vol or cost');
    if (reasons.length || !pair || !date || !vol || !cost) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons });
      continue;
    }
    out.txs.push({
      line: r.line,
      date,
      ref: `kraken ${cellOf(r, h, 'txid')}`,
      kind: 'trade',
      side: side as 'buy' | 'sell',
      symbol: pair[0],
      quantity: plain(vol),
      quote: pair[1],
      total: plain(cost),
      fee: fee && !fee.isZero() ? { amount: plain(fee), currency: pair[1] } : undefined,
      assetType: 'crypto',
    });
  }
  return out;
}

/**
 * Kraken ledgers.csv: a trade (or a spend/receive "Buy Crypto") is two rows sharing a refid,
 * one per asset, the fee on either leg outside `amount`; a deposit shows first as pending (no
 * txid) and again when credited, and is imported once.
 */
export function parseKrakenLedgers(text: string): BrokerParse {
  const out = emptyParse();
  const table = headedRecords(text);
  if (!table) return out;
  const { h, rows } = table;
  const groups = new Map<string, Rec[]>();
  for (const r of rows) {
    out.total++;
    const type = cellOf(r, h, 'type').toLowerCase();
    const txid = cellOf(r, h, 'txid');
    const date = isoDate(cellOf(r, h, 'time'));
    const amount = decimal(cellOf(r, h, 'amount'));
    const asset = canonical(cellOf(r, h, 'asset'));
    const fee = decimal(cellOf(r, h, 'fee'));
    if (!date || !amount || !asset) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons: ['unreadable time, asset or amount'] });
      continue;
    }
    if (!txid) {
      out.warnings.push(`Line ${r.line}: a pending ${type} (no txid); the credited row imports it`);
      continue;
    }
    if (type === 'trade' || type === 'spend' || type === 'receive') {
      const key = cellOf(r, h, 'refid');
      groups.set(key, [...(groups.get(key) ?? []), r]);
      continue;
    }
    if (type === 'deposit' || type === 'withdrawal') {
      const direction = type === 'deposit' ? 'in' : 'out';
      const feeMoney = fee && !fee.isZero() ? { amount: plain(fee), currency: asset } : undefined;
      if (isFiat(asset))
        out.txs.push({
          line: r.line,
          date,
          ref: `kraken ${txid}`,
          kind: 'cash',
          direction,
          amount: plain(amount),
          currency: asset,
          fee: feeMoney,
        });
      else
        out.txs.push({
          line: r.line,
          date,
          ref: `kraken ${txid}`,
          kind: 'transfer',
          direction,
          symbol: asset,
          quantity: plain(amount),
          fee: feeMoney,
          assetType: 'crypto',
        });
      continue;
    }
    if (type === 'staking' || type === 'earn' || type === 'reward') {
      out.txs.push({
        line: r.line,
        date,
        ref: `kraken ${txid}`,
        kind: 'income',
        symbol: asset,
        quantity: plain(amount),
        assetType: 'crypto',
      });
      continue;
    }
    out.rejected.push({ line: r.line, raw: r.raw, reasons: [`type "${type}" is not imported`] });
  }
  for (const [refid, rows] of groups) {
    const legs = rows.map((r) => ({
      r,
      asset: canonical(cellOf(r, h, 'asset')),
      amount: decimal(cellOf(r, h, 'amount')) as NonNullable<ReturnType<typeof decimal>>,
      fee: decimal(cellOf(r, h, 'fee')),
    }));
    const got = legs.filter((l) => l.amount.gt(0));
    const gave = legs.filter((l) => l.amount.lt(0));
    const first = legs[0];
    if (got.length !== 1 || gave.length !== 1 || !first) {
      for (const l of legs)
        out.rejected.push({
          line: l.r.line,
          raw: l.r.raw,
          reasons: [`refid ${refid} is not one asset given and one received`],
        });
      continue;
    }
    const g = got[0] as (typeof legs)[number];
    const s = gave[0] as (typeof legs)[number];
    const feeLeg = legs.find((l) => l.fee && !l.fee.isZero());
    // The received quantity net of a fee charged in it; the fee itself is priced separately.
    out.txs.push({
      line: Math.min(g.r.line, s.r.line),
      date: isoDate(cellOf(first.r, h, 'time')) as string,
      ref: `kraken ${refid}`,
      kind: 'trade',
      side: isFiat(s.asset) || !isFiat(g.asset) ? 'buy' : 'sell',
      ...(isFiat(s.asset) || !isFiat(g.asset)
        ? { symbol: g.asset, quantity: plain(g.amount), quote: s.asset, total: plain(s.amount) }
        : { symbol: s.asset, quantity: plain(s.amount), quote: g.asset, total: plain(g.amount) }),
      fee: feeLeg?.fee ? { amount: plain(feeLeg.fee), currency: feeLeg.asset } : undefined,
      assetType: 'crypto',
    });
  }
  out.txs.sort((a, b) => a.line - b.line);
  return out;
}
