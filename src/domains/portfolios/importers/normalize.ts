import type { TradeAssetType } from '../../../db/schema';
import { catalogAssetId } from '../../assets/catalog';
import type { ParsedTradeRow } from '../csv';
import { D, type Dec } from '../ledger';
import { CURRENCIES } from '../services/valuation';
import type { ImportTx, Money, RowProblem } from './types';

const DAY_MS = 86_400_000;
/** How far back a close may be to price a moment (weekends, holidays, a quiet market). */
const LOOKBACK_DAYS = 10;

/** Crypto tickers exports spell their own way. */
const ALIASES: Record<string, string> = {
  XBT: 'BTC',
  XXBT: 'BTC',
  XETH: 'ETH',
  XXRP: 'XRP',
  XLTC: 'LTC',
  XXLM: 'XLM',
  XXDG: 'DOGE',
  ZEUR: 'EUR',
  ZUSD: 'USD',
  ZGBP: 'GBP',
  ZJPY: 'JPY',
  ETH2: 'ETH',
  'ETH2.S': 'ETH',
  GBX: 'GBX',
};

/** A symbol as the ledger and catalog spell it. */
export function canonical(symbol: string): string {
  const s = symbol.trim().toUpperCase();
  return ALIASES[s] ?? s;
}

export const isFiat = (c: string) =>
  Object.hasOwn(CURRENCIES, c) || c === 'GBX' || c === 'CHF' || c === 'CZK';

/**
 * Closes of the assets that price the file: for each asset, the daily closes between the file's
 * first day (less the look-back) and its last. Only what the market clock has stored exists.
 */
async function loadCloses(env: Env, assetIds: string[], from: number, to: number) {
  const out = new Map<string, { t: number; c: number }[]>();
  if (assetIds.length === 0) return out;
  const { results } = await env.DB.prepare(
    `SELECT asset_id, open_time, close FROM price_data
     WHERE timeframe = '1d' AND asset_id IN (SELECT value FROM json_each(?1)) AND open_time BETWEEN ?2 AND ?3
     ORDER BY asset_id, open_time`,
  )
    .bind(JSON.stringify(assetIds), from - LOOKBACK_DAYS * DAY_MS, to)
    .all<{ asset_id: string; open_time: number; close: number }>();
  for (const r of results) {
    const list = out.get(r.asset_id) ?? [];
    list.push({ t: r.open_time, c: r.close });
    out.set(r.asset_id, list);
  }
  return out;
}

function dayStart(date: string): number {
  const ms = Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export interface Pricer {
  /** Units of the portfolio's currency per unit of `c` at the close of the day of `date` (or the latest before it). */
  rate(c: string, date: string): Dec | null;
  /** The catalog's ledger type of a symbol, if it knows it. */
  typeOf(symbol: string): TradeAssetType | null;
}

/** Prices every currency and asset a file's transactions name, in one read of the stored closes. */
export async function pricer(env: Env, txs: ImportTx[], base: string): Promise<Pricer> {
  const names = new Set<string>([base]);
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const t of txs) {
    const d = dayStart(t.date);
    if (Number.isFinite(d)) {
      first = Math.min(first, d);
      last = Math.max(last, d);
    }
    if ('symbol' in t) names.add(canonical(t.symbol));
    if ('quote' in t) names.add(canonical(t.quote));
    if ('currency' in t) names.add(canonical(t.currency));
    if ('fee' in t && t.fee) names.add(canonical(t.fee.currency));
  }
  const idOf = new Map<string, string>();
  for (const n of names) {
    if (n === 'USD') continue;
    const fx = CURRENCIES[n as keyof typeof CURRENCIES];
    idOf.set(n, fx ? catalogAssetId(fx.symbol) : n === 'GBX' ? catalogAssetId('GBPUSD') : catalogAssetId(n));
  }
  const ids = [...new Set(idOf.values())];
  const known = new Map<string, string>();
  if (ids.length) {
    const { results } = await env.DB.prepare(
      'SELECT id, asset_type FROM assets WHERE id IN (SELECT value FROM json_each(?1))',
    )
      .bind(JSON.stringify(ids))
      .all<{ id: string; asset_type: string }>();
    for (const r of results) known.set(r.id, r.asset_type);
  }
  const closes = Number.isFinite(first) ? await loadCloses(env, [...known.keys()], first, last) : new Map();
  const usdAt = (c: string, date: string): Dec | null => {
    if (c === 'USD') return new D(1);
    const id = idOf.get(c);
    const series = id ? closes.get(id) : undefined;
    if (!series) return null;
    const t = dayStart(date);
    let lo = 0;
    let hi = series.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((series[mid] as { t: number }).t <= t) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const hit = series[best];
    if (!hit || t - hit.t > LOOKBACK_DAYS * DAY_MS) return null;
    const fx = CURRENCIES[c as keyof typeof CURRENCIES];
    if (fx && !fx.usdPerUnit) return new D(1).div(hit.c); // USDJPY: yen per dollar
    if (c === 'GBX') return new D(hit.c).div(100); // pence
    return new D(hit.c);
  };
  return {
    rate(c, date) {
      const cur = canonical(c);
      if (cur === base) return new D(1);
      const a = usdAt(cur, date);
      const b = usdAt(base, date);
      return a && b ? a.div(b) : null;
    },
    typeOf(symbol) {
      const t = known.get(catalogAssetId(canonical(symbol)));
      if (!t) return null;
      if (t === 'crypto' || t === 'stablecoin') return 'crypto';
      if (t === 'etf' || t === 'index') return 'etf';
      if (t === 'us-equity' || t === 'pk-equity' || t === 'metal') return t;
      return null;
    },
  };
}

const px = (d: Dec) => d.toDecimalPlaces(10).toFixed();
const qty = (d: Dec) => d.abs().toDecimalPlaces(18).toFixed();

/**
 * Ledger rows from priced transactions, in the portfolio's currency. A trade against another
 * asset becomes both legs (the asset given sold, the one received bought, at the value of the
 * moment); a fee paid in an asset is that asset sold at the market with the proceeds as the
 * fee; a transfer between the user's own accounts moves units at their market value (a flow,
 * not a gain); income in kind is a buy at the market plus a dividend of that value.
 */
export function ledgerRows(
  txs: ImportTx[],
  prices: Pricer,
  base: string,
  defaultType: TradeAssetType,
): { rows: ParsedTradeRow[]; rejected: RowProblem[] } {
  const rows: ParsedTradeRow[] = [];
  const rejected: RowProblem[] = [];
  // Oldest first (exports are often newest first): a dividend or sale then finds its position.
  const ordered = [...txs].sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.line - b.line);
  for (const t of ordered) {
    const out: ParsedTradeRow[] = [];
    const reasons: string[] = [];
    const at = t.date;
    const need = (c: string) => {
      const r = prices.rate(c, at);
      if (!r) reasons.push(`no stored price of ${canonical(c)} in ${base} on or before ${at.slice(0, 10)}`);
      return r;
    };
    const typeOf = (s: string): TradeAssetType => t.assetType ?? prices.typeOf(s) ?? defaultType;
    const row = (r: Partial<ParsedTradeRow> & Pick<ParsedTradeRow, 'type' | 'quantity'>): ParsedTradeRow => ({
      date: at,
      assetType: 'cash',
      symbol: base,
      price: '1',
      fees: '0',
      positionType: 'LONG',
      underlying: null,
      strike: null,
      expiry: null,
      multiplier: '1',
      notes: t.ref ? `import ${t.ref}`.slice(0, 2000) : null,
      line: t.line,
      ...r,
    });
    // A fee: its value in the base currency, and (paid in an asset) the sale of those units.
    const feeOf = (fee: Money | undefined): { value: Dec; sale: ParsedTradeRow | null } => {
      if (!fee) return { value: new D(0), sale: null };
      const amount = new D(fee.amount).abs();
      if (amount.isZero()) return { value: amount, sale: null };
      const cur = canonical(fee.currency);
      const r = need(cur);
      if (!r) return { value: new D(0), sale: null };
      const value = amount.times(r);
      if (isFiat(cur) || cur === base) return { value, sale: null };
      return {
        value,
        sale: row({
          type: 'sell',
          assetType: typeOf(cur),
          symbol: cur,
          quantity: qty(amount),
          price: px(r),
          notes: `fee paid in ${cur}${t.ref ? ` (import ${t.ref})` : ''}`,
        }),
      };
    };
    switch (t.kind) {
      case 'trade': {
        const q = new D(t.quantity).abs();
        const total = new D(t.total).abs();
        const sym = canonical(t.symbol);
        const quote = canonical(t.quote);
        if (q.isZero()) {
          reasons.push('zero quantity');
          break;
        }
        const r = need(quote);
        const fee = feeOf(t.fee);
        if (!r) break;
        const value = total.times(r);
        const unit = value.div(q);
        const quoteLeg = !isFiat(quote) && quote !== base;
        if (quoteLeg && t.side === 'buy')
          out.push(
            row({
              type: 'sell',
              assetType: typeOf(quote),
              symbol: quote,
              quantity: qty(total),
              price: px(r),
            }),
          );
        out.push(
          row({
            type: t.side,
            assetType: typeOf(sym),
            symbol: sym,
            quantity: qty(q),
            price: px(unit),
            fees: px(fee.value),
          }),
        );
        if (quoteLeg && t.side === 'sell')
          out.push(
            row({ type: 'buy', assetType: typeOf(quote), symbol: quote, quantity: qty(total), price: px(r) }),
          );
        if (fee.sale) out.push(fee.sale);
        break;
      }
      case 'cash': {
        const cur = canonical(t.currency);
        const r = need(cur);
        const fee = feeOf(t.fee);
        if (!r) break;
        if (!isFiat(cur) && cur !== base) {
          reasons.push(`${cur} is not a currency; a deposit of an asset is a transfer`);
          break;
        }
        out.push(
          row({
            type: t.direction === 'in' ? 'add' : 'remove',
            quantity: qty(new D(t.amount).times(r)),
            fees: px(fee.value),
          }),
        );
        break;
      }
      case 'transfer': {
        const sym = canonical(t.symbol);
        if (isFiat(sym)) {
          const r = need(sym);
          if (r)
            out.push(
              row({
                type: t.direction === 'in' ? 'add' : 'remove',
                quantity: qty(new D(t.quantity).times(r)),
              }),
            );
          break;
        }
        const r = need(sym);
        const fee = feeOf(t.fee);
        if (!r) break;
        out.push(
          row({
            type: t.direction === 'in' ? 'add' : 'remove',
            assetType: typeOf(sym),
            symbol: sym,
            quantity: qty(new D(t.quantity)),
            price: px(r),
            fees: px(fee.value),
          }),
        );
        if (fee.sale) out.push(fee.sale);
        break;
      }
      case 'income': {
        const sym = canonical(t.symbol);
        const r = need(sym);
        if (!r) break;
        const q = new D(t.quantity).abs();
        if (q.isZero()) {
          reasons.push('zero quantity');
          break;
        }
        // Income in kind: the units bought at the market, and their value income (a dividend). The
        // buy comes first so a coin not held before has its position for the dividend.
        out.push(row({ type: 'buy', assetType: typeOf(sym), symbol: sym, quantity: qty(q), price: px(r) }));
        out.push(
          row({ type: 'dividend', assetType: typeOf(sym), symbol: sym, quantity: qty(q), price: px(r) }),
        );
        break;
      }
      case 'dividend': {
        const r = need(t.currency);
        const fee = feeOf(t.fee);
        if (!r) break;
        const amount = new D(t.amount).abs().times(r);
        if (amount.isZero()) {
          reasons.push('zero amount');
          break;
        }
        out.push(
          row({
            type: 'dividend',
            assetType: typeOf(t.symbol),
            symbol: canonical(t.symbol),
            quantity: qty(amount),
            price: '1',
            fees: px(fee.value),
          }),
        );
        break;
      }
      case 'fee': {
        const fee = feeOf({ amount: t.amount, currency: t.currency });
        if (fee.value.isZero()) {
          if (!reasons.length) reasons.push('zero fee');
          break;
        }
        if (fee.sale) out.push(fee.sale);
        out.push(row({ type: 'fee', quantity: qty(fee.value), price: '1' }));
        break;
      }
      case 'split': {
        out.push(
          row({
            type: 'split',
            assetType: typeOf(t.symbol),
            symbol: canonical(t.symbol),
            quantity: qty(new D(t.ratio)),
            price: '0',
          }),
        );
        break;
      }
    }
    if (reasons.length) rejected.push({ line: t.line, raw: '', reasons: [...new Set(reasons)] });
    else rows.push(...out);
  }
  return { rows, rejected };
}
