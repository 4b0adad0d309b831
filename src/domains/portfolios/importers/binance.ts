import { D, type Dec } from '../ledger';
import { canonical, isFiat } from './normalize';
import { decimal, headedRecords, headerIndex, isoDate, plain, records } from './table';
import { type BrokerParse, emptyParse, type ImportTx } from './types';

const TRADE_OPS =
  /^(buy|sell|transaction buy|transaction spend|transaction sold|transaction revenue|transaction related|small assets exchange bnb|binance convert|buy crypto|large otc trading)$/i;
const FEE_OPS = /^(fee|transaction fee)$/i;
const INCOME_OPS =
  /(interest|rewards?|distribution|launchpool|mining|commission history|cashback|voucher|airdrop|bonus)/i;
const INTERNAL_OPS =
  /(transfer between|savings purchase|savings principal redemption|savings redemption|subscription|redemption|staking purchase|eth 2\.0 staking$|pos savings purchase|pos savings redemption)/i;
const FUTURES = /(futures|realized profit and loss|funding fee|insurance fund|liquidation)/i;

const QUOTES = [
  'USDT',
  'BUSD',
  'USDC',
  'FDUSD',
  'TUSD',
  'BTC',
  'ETH',
  'BNB',
  'EUR',
  'USD',
  'GBP',
  'TRY',
  'BRL',
];
export function binancePair(market: string): [string, string] | null {
  const m = market.toUpperCase().replace(/[/-]/g, '');
  for (const q of QUOTES) if (m.endsWith(q) && m.length > q.length) return [m.slice(0, -q.length), q];
  return null;
}

interface Row {
  line: number;
  raw: string;
  time: string;
  account: string;
  op: string;
  coin: string;
  change: Dec;
}

/**
 * Binance "Transaction History" statements (with or without User_ID, with or without a header):
 * the rows of one second and account make one event: trade rows give one coin and receive
 * another (several fills summed), fee rows (in BNB, or in the coin received) are fees sold at the
 * market; deposits and withdrawals of coins are the user's own transfers; interest, rewards and
 * distributions are income in kind; moves between Binance wallets, savings and staking are not
 * gains and record nothing; futures are reported, not imported.
 */
export function parseBinance(text: string): BrokerParse {
  const recs = records(text);
  const out: BrokerParse = emptyParse();
  const first = recs[0];
  if (!first) return out;
  const hasHeader = !isoDate(first.cells[0] ?? '') && !isoDate(first.cells[1] ?? '');
  const h = hasHeader ? headerIndex(first.cells) : null;
  const idx = (name: string, fallback: number) => h?.get(name) ?? fallback;
  const withUser = h ? h.has('user_id') : /^\d+$/.test(first.cells[0] ?? '');
  const off = withUser ? 1 : 0;
  const at = {
    time: idx('utc_time', off),
    account: idx('account', off + 1),
    op: idx('operation', off + 2),
    coin: idx('coin', off + 3),
    change: idx('change', off + 4),
  };
  const rows: Row[] = [];
  for (const r of hasHeader ? recs.slice(1) : recs) {
    out.total++;
    const cell = (i: number) => (r.cells[i] ?? '').trim();
    const time = isoDate(cell(at.time));
    const change = decimal(cell(at.change));
    const coin = canonical(cell(at.coin));
    const op = cell(at.op);
    const reasons: string[] = [];
    if (!time) reasons.push('empty or unreadable UTC_Time');
    if (!coin) reasons.push('empty Coin');
    if (!change) reasons.push('empty or unreadable Change');
    if (reasons.length || !time || !change) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons });
      continue;
    }
    rows.push({ line: r.line, raw: r.raw, time, account: cell(at.account), op, coin, change });
  }
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    if (FUTURES.test(row.account) || FUTURES.test(row.op)) {
      out.rejected.push({
        line: row.line,
        raw: row.raw,
        reasons: [`futures (${row.account} ${row.op}) are not imported`],
      });
      continue;
    }
    if (TRADE_OPS.test(row.op) || FEE_OPS.test(row.op)) {
      const key = `${row.time}|${row.account}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
      continue;
    }
    const base = { line: row.line, date: row.time, ref: `binance ${row.op}`, assetType: 'crypto' as const };
    if (/^(deposit|fiat deposit)$/i.test(row.op) || /^(withdraw|withdrawal|fiat withdraw)$/i.test(row.op)) {
      const direction = row.change.isNegative() || /withdraw/i.test(row.op) ? 'out' : 'in';
      out.txs.push(
        isFiat(row.coin)
          ? { ...base, kind: 'cash', direction, amount: plain(row.change), currency: row.coin }
          : { ...base, kind: 'transfer', direction, symbol: row.coin, quantity: plain(row.change) },
      );
    } else if (INTERNAL_OPS.test(row.op)) {
      out.warnings.push(
        `Line ${row.line}: ${row.op} moves ${row.coin} between the user's own Binance wallets; nothing recorded`,
      );
    } else if (INCOME_OPS.test(row.op) && row.change.gt(0)) {
      out.txs.push({ ...base, kind: 'income', symbol: row.coin, quantity: plain(row.change) });
    } else {
      out.rejected.push({ line: row.line, raw: row.raw, reasons: [`operation "${row.op}" is not imported`] });
    }
  }
  for (const rs of groups.values()) {
    const net = new Map<string, Dec>();
    const fees = new Map<string, Dec>();
    for (const r of rs) {
      const m = FEE_OPS.test(r.op) ? fees : net;
      m.set(r.coin, (m.get(r.coin) ?? new D(0)).plus(r.change));
    }
    const got = [...net].filter(([, v]) => v.gt(0));
    const gave = [...net].filter(([, v]) => v.lt(0));
    const line = Math.min(...rs.map((r) => r.line));
    const head = rs[0] as Row;
    if (got.length !== 1 || gave.length !== 1) {
      for (const r of rs)
        out.rejected.push({
          line: r.line,
          raw: r.raw,
          reasons: [
            `the rows of ${head.time} do not give one coin for another (received: ${got.map(([c]) => c).join(', ') || 'none'}; given: ${gave.map(([c]) => c).join(', ') || 'none'})`,
          ],
        });
      continue;
    }
    const [[recv, q]] = got as [[string, Dec]];
    const [[paid, cost]] = gave as [[string, Dec]];
    const feeList = [...fees].filter(([, v]) => !v.isZero());
    const [firstFee, ...moreFees] = feeList;
    const sellingForFiat = isFiat(recv) && !isFiat(paid);
    const tx: ImportTx = sellingForFiat
      ? {
          line,
          date: head.time,
          ref: `binance ${head.op}`,
          kind: 'trade',
          side: 'sell',
          symbol: paid,
          quantity: plain(cost),
          quote: recv,
          total: plain(q),
        }
      : {
          line,
          date: head.time,
          ref: `binance ${head.op}`,
          kind: 'trade',
          side: 'buy',
          symbol: recv,
          quantity: plain(q),
          quote: paid,
          total: plain(cost),
        };
    out.txs.push({
      ...tx,
      assetType: 'crypto',
      ...(firstFee ? { fee: { amount: plain(firstFee[1]), currency: firstFee[0] } } : {}),
    } as ImportTx);
    for (const [coin, v] of moreFees)
      out.txs.push({
        line,
        date: head.time,
        ref: `binance fee`,
        kind: 'fee',
        amount: plain(v),
        currency: coin,
      });
  }
  out.txs.sort((a, b) => a.line - b.line);
  return out;
}

/**
 * Binance's old XLSX-era exports saved as `;` CSV: "Trade History" (one row per trade) and
 * "Order History" (order rows followed by their fills, each fee with its coin glued on).
 */
export function parseBinanceTrades(text: string): BrokerParse {
  const out = emptyParse();
  const table = headedRecords(text, ';');
  if (!table) return out;
  const { h, rows } = table;
  const orders = h.has('pair');
  let pair: [string, string] | null = null;
  let side = '';
  for (const r of rows) {
    const c = (i: number) => (r.cells[i] ?? '').trim();
    if (orders && c(0) !== '') {
      pair = binancePair(c(1));
      side = c(2).toLowerCase();
      continue; // the order row; its fills follow
    }
    if (orders && c(1).toLowerCase().startsWith('date')) continue; // the fills' sub-header
    out.total++;
    const reasons: string[] = [];
    let date: string | null;
    let qty: Dec | null;
    let total: Dec | null;
    let fee: Dec | null;
    let feeCoin: string;
    let p: [string, string] | null;
    let s: string;
    if (orders) {
      date = isoDate(c(1));
      qty = decimal(c(3));
      total = decimal(c(4));
      const m = /^([\d.eE+-]+)([A-Z]+)$/.exec(c(5));
      fee = m ? decimal(m[1] as string) : null;
      feeCoin = m?.[2] ?? '';
      p = pair;
      s = side;
    } else {
      date = isoDate(c(h.get('date(utc)') ?? 0));
      p = binancePair(c(h.get('market') ?? 1));
      s = c(h.get('type') ?? 2).toLowerCase();
      qty = decimal(c(h.get('amount') ?? 4));
      total = decimal(c(h.get('total') ?? 5));
      fee = decimal(c(h.get('fee') ?? 6));
      feeCoin = c(h.get('fee coin') ?? 7);
    }
    if (!date) reasons.push('unreadable date');
    if (!p) reasons.push('unknown market');
    if (s !== 'buy' && s !== 'sell') reasons.push(`type "${s}" is neither BUY nor SELL`);
    if (!qty || !total) reasons.push('unreadable amount or total');
    if (reasons.length || !date || !p || !qty || !total) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons });
      continue;
    }
    out.txs.push({
      line: r.line,
      date,
      ref: `binance ${p.join('')}`,
      kind: 'trade',
      side: s as 'buy' | 'sell',
      symbol: p[0],
      quantity: plain(qty),
      quote: p[1],
      total: plain(total),
      fee: fee && !fee.isZero() && feeCoin ? { amount: plain(fee), currency: feeCoin } : undefined,
      assetType: 'crypto',
    });
  }
  return out;
}
