import { canonical } from './normalize';
import { cellOf, decimal, headedRecords, headerIndex, isoDate, plain, type Rec, records } from './table';
import { type BrokerParse, emptyParse, type ImportTx } from './types';

const INCOME = /^(staking income|rewards income|learning reward|inflation reward|coinbase earn|interest)$/i;

/**
 * Coinbase "Transaction history" (2024+ layout with `Price Currency`, and the 2020-2021 layout
 * whose currency is in the column names): Buy, Sell, Convert (the received asset read from the
 * notes), Send/Receive (own accounts), staking and other rewards (income), fiat deposits and
 * withdrawals. The same ID twice (the same buy in two currencies) imports once.
 */
export function parseCoinbase(text: string): BrokerParse {
  const recs = records(text);
  const headerAt = recs.findIndex((r) => r.cells.some((c) => /^transaction type$/i.test(c.trim())));
  const out: BrokerParse = emptyParse();
  if (headerAt < 0) {
    out.warnings.push('No Coinbase header (Timestamp, Transaction Type, Asset, Quantity Transacted) found');
    return out;
  }
  const header = recs[headerAt]?.cells ?? [];
  const h = headerIndex(header);
  const named = header.map((c) => /^([A-Z]{3}) Spot Price at Transaction$/.exec(c.trim())?.[1]).find(Boolean);
  const col = (r: Rec[][number], ...names: string[]) => {
    for (const n of names) {
      const v = cellOf(r, h, n);
      if (v) return v;
    }
    return '';
  };
  const seen = new Map<string, number>();
  for (const r of recs.slice(headerAt + 1)) {
    out.total++;
    const reasons: string[] = [];
    const id = cellOf(r, h, 'ID');
    const date = isoDate(cellOf(r, h, 'Timestamp'));
    const type = cellOf(r, h, 'Transaction Type');
    const asset = canonical(cellOf(r, h, 'Asset'));
    const quantity = decimal(cellOf(r, h, 'Quantity Transacted'));
    const currency = cellOf(r, h, 'Price Currency') || named || 'USD';
    const subtotal = decimal(col(r, 'Subtotal', `${currency} Subtotal`));
    const fee = decimal(col(r, 'Fees and/or Spread', `${currency} Fees`));
    const notes = cellOf(r, h, 'Notes');
    if (!date) reasons.push('unreadable timestamp');
    if (!quantity) reasons.push('unreadable quantity');
    if (id && seen.has(id))
      reasons.push(`repeats ID ${id} of line ${seen.get(id)} (the same transaction in another currency)`);
    if (reasons.length || !date || !quantity) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons });
      continue;
    }
    if (id) seen.set(id, r.line);
    const base = { line: r.line, date, ref: `coinbase ${id || type}` };
    const feeMoney = fee && !fee.isZero() ? { amount: plain(fee), currency } : undefined;
    let tx: ImportTx | null = null;
    if (/^(buy|advanced trade buy)$/i.test(type)) {
      if (!subtotal) reasons.push('unreadable subtotal');
      else
        tx = {
          ...base,
          kind: 'trade',
          side: 'buy',
          symbol: asset,
          quantity: plain(quantity),
          quote: currency,
          total: plain(subtotal),
          fee: feeMoney,
        };
    } else if (/^(sell|advanced trade sell)$/i.test(type)) {
      if (!subtotal) reasons.push('unreadable subtotal');
      else
        tx = {
          ...base,
          kind: 'trade',
          side: 'sell',
          symbol: asset,
          quantity: plain(quantity),
          quote: currency,
          total: plain(subtotal),
          fee: feeMoney,
        };
    } else if (/^convert$/i.test(type)) {
      const m = /Converted\s+([\d.,]+)\s+(\S+)\s+to\s+([\d.,]+)\s+(\S+)/i.exec(notes);
      if (!m) reasons.push('a Convert row without "Converted X A to Y B" in its notes');
      else {
        const to = canonical(m[4] as string);
        if (fee && subtotal && fee.abs().gt(subtotal.abs())) {
          reasons.push(
            `the fee (${plain(fee)} ${currency}) exceeds the converted value (${plain(subtotal)} ${currency}); the row is inconsistent`,
          );
          out.rejected.push({ line: r.line, raw: r.raw, reasons });
          continue;
        }
        if (to === asset) {
          out.warnings.push(`Line ${r.line}: ${m[2]} to ${m[4]} is the same asset; nothing recorded`);
          continue;
        }
        // Receiving `to` paid with `asset`: a crypto-to-crypto trade, both legs at the market.
        tx = {
          ...base,
          kind: 'trade',
          side: 'buy',
          symbol: to,
          quantity: (m[3] as string).replace(/,/g, ''),
          quote: asset,
          total: plain(quantity),
          fee: feeMoney,
        };
      }
    } else if (/^(send|withdrawal)$/i.test(type)) {
      tx = { ...base, kind: 'transfer', direction: 'out', symbol: asset, quantity: plain(quantity) };
    } else if (/^(receive|deposit)$/i.test(type)) {
      tx = { ...base, kind: 'transfer', direction: 'in', symbol: asset, quantity: plain(quantity) };
    } else if (INCOME.test(type)) {
      tx = { ...base, kind: 'income', symbol: asset, quantity: plain(quantity) };
    } else reasons.push(`transaction type "${type}" is not imported`);
    if (tx) out.txs.push({ ...tx, assetType: 'crypto' });
    else out.rejected.push({ line: r.line, raw: r.raw, reasons });
  }
  return out;
}

/** Coinbase Pro / Advanced "fills": one trade per row, fee and total in the quote unit. */
export function parseCoinbaseFills(text: string): BrokerParse {
  const out = emptyParse();
  const table = headedRecords(text);
  if (!table) return out;
  const { h, rows } = table;
  for (const r of rows) {
    out.total++;
    const [baseSym, quoteSym] = cellOf(r, h, 'product').split('-');
    const side = cellOf(r, h, 'side').toLowerCase();
    const date = isoDate(cellOf(r, h, 'created at'));
    const size = decimal(cellOf(r, h, 'size'));
    const price = decimal(cellOf(r, h, 'price'));
    const fee = decimal(cellOf(r, h, 'fee'));
    const unit = cellOf(r, h, 'price/fee/total unit') || quoteSym || '';
    const reasons: string[] = [];
    if (!baseSym || !unit) reasons.push('unreadable product');
    if (side !== 'buy' && side !== 'sell') reasons.push(`side "${side}" is neither BUY nor SELL`);
    if (!date) reasons.push('unreadable created at');
    if (!size || !price) reasons.push('unreadable size or price');
    if (reasons.length || !date || !size || !price || !baseSym) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons });
      continue;
    }
    out.txs.push({
      line: r.line,
      date,
      ref: `coinbase fill ${cellOf(r, h, 'trade id')}`,
      kind: 'trade',
      side: side as 'buy' | 'sell',
      symbol: cellOf(r, h, 'size unit') || baseSym,
      quantity: plain(size),
      quote: unit,
      total: plain(size.times(price)),
      fee: fee && !fee.isZero() ? { amount: plain(fee), currency: unit } : undefined,
      assetType: 'crypto',
    });
  }
  return out;
}

/**
 * Coinbase Pro "account" statements: a trade is two signed `match` rows (one per unit) and its
 * `fee` rows, linked by trade id; deposits and withdrawals of an asset are transfers of the
 * user's own units.
 */
export function parseCoinbaseAccount(text: string): BrokerParse {
  const out = emptyParse();
  const table = headedRecords(text);
  if (!table) return out;
  const { h, rows } = table;
  const time = (r: Rec) => cellOf(r, h, 'timestamp') || cellOf(r, h, 'time');
  const groups = new Map<string, Rec[]>();
  for (const r of rows) {
    out.total++;
    const type = cellOf(r, h, 'type').toLowerCase();
    const amount = decimal(cellOf(r, h, 'amount'));
    const unit = cellOf(r, h, 'amount/balance unit');
    const date = isoDate(time(r));
    if (!amount || !unit || !date) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons: ['unreadable amount, unit or time'] });
      continue;
    }
    if (type === 'match' || type === 'fee') {
      const key = cellOf(r, h, 'trade id') || `${date}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    } else if (type === 'deposit' || type === 'withdrawal') {
      out.txs.push({
        line: r.line,
        date,
        ref: `coinbase pro ${type} ${cellOf(r, h, 'transfer id')}`,
        kind: 'transfer',
        direction: amount.isNegative() ? 'out' : 'in',
        symbol: unit,
        quantity: plain(amount),
        assetType: 'crypto',
      });
    } else out.rejected.push({ line: r.line, raw: r.raw, reasons: [`type "${type}" is not imported`] });
  }
  for (const [tradeId, rows] of groups) {
    const first = rows[0] as Rec;
    const legs = rows.filter((r) => cellOf(r, h, 'type').toLowerCase() === 'match');
    const got = legs.filter((r) => !decimal(cellOf(r, h, 'amount'))?.isNegative());
    const gave = legs.filter((r) => decimal(cellOf(r, h, 'amount'))?.isNegative());
    const unitsOf = (rs: Rec[]) => new Set(rs.map((r) => cellOf(r, h, 'amount/balance unit')));
    if (unitsOf(got).size !== 1 || unitsOf(gave).size !== 1) {
      for (const r of rows)
        out.rejected.push({
          line: r.line,
          raw: r.raw,
          reasons: [`trade ${tradeId} does not have one unit received and one given`],
        });
      continue;
    }
    const sum = (rs: Rec[]) =>
      rs.reduce(
        (s, r) => s.plus(decimal(cellOf(r, h, 'amount'))?.abs() ?? 0),
        decimal('0') as NonNullable<ReturnType<typeof decimal>>,
      );
    const fees = rows.filter((r) => cellOf(r, h, 'type').toLowerCase() === 'fee');
    const feeUnit = fees[0] ? cellOf(fees[0], h, 'amount/balance unit') : '';
    out.txs.push({
      line: first.line,
      date: isoDate(time(first)) as string,
      ref: `coinbase pro trade ${tradeId}`,
      kind: 'trade',
      side: 'buy',
      symbol: [...unitsOf(got)][0] as string,
      quantity: plain(sum(got)),
      quote: [...unitsOf(gave)][0] as string,
      total: plain(sum(gave)),
      fee: fees.length ? { amount: plain(sum(fees)), currency: feeUnit } : undefined,
      assetType: 'crypto',
    });
  }
  out.txs.sort((a, b) => a.line - b.line);
  return out;
}
