import { D, type Dec } from '../ledger';
import { cellOf, decimal, headedRecords, headerIndex, isoDate, plain, type Rec, records } from './table';
import { type BrokerParse, emptyParse, type ImportTx } from './types';

/**
 * Interactive Brokers Flex Query trades (the full 81-column layout or a chosen subset): one row
 * per execution, signed quantity, a negative commission in its own currency. Currency
 * conversions (USD.CHF, asset class CASH) move cash between currencies and record nothing.
 */
export function parseIbkr(text: string): BrokerParse {
  const out = emptyParse();
  const table = headedRecords(text);
  if (!table) return out;
  const { h, rows } = table;
  for (const r of rows) {
    out.total++;
    const symbol = cellOf(r, h, 'Symbol') || cellOf(r, h, 'ISIN');
    const side = cellOf(r, h, 'Buy/Sell').toLowerCase();
    const date = isoDate(cellOf(r, h, 'DateTime') || cellOf(r, h, 'TradeDate'));
    const q = decimal(cellOf(r, h, 'Quantity'));
    const price = decimal(cellOf(r, h, 'TradePrice'));
    const currency = cellOf(r, h, 'CurrencyPrimary');
    const fee = decimal(cellOf(r, h, 'IBCommission'));
    const feeCurrency = cellOf(r, h, 'IBCommissionCurrency') || currency;
    const assetClass = cellOf(r, h, 'AssetClass');
    const reasons: string[] = [];
    if (assetClass === 'CASH' || (!cellOf(r, h, 'ISIN') && !cellOf(r, h, 'Symbol'))) {
      out.warnings.push(
        `Line ${r.line}: a currency conversion moves cash between currencies; nothing recorded`,
      );
      continue;
    }
    if (side !== 'buy' && side !== 'sell') reasons.push(`Buy/Sell "${side}" is neither BUY nor SELL`);
    if (!date) reasons.push('unreadable TradeDate');
    if (!q || !price) reasons.push('unreadable Quantity or TradePrice');
    if (!currency) reasons.push('no CurrencyPrimary');
    if (reasons.length || !date || !q || !price) {
      out.rejected.push({ line: r.line, raw: r.raw, reasons });
      continue;
    }
    const etf = /ETF/i.test(cellOf(r, h, 'SubCategory'));
    out.txs.push({
      line: r.line,
      date,
      ref: `ibkr ${cellOf(r, h, 'TradeID') || cellOf(r, h, 'ISIN') || symbol}`,
      kind: 'trade',
      side: side as 'buy' | 'sell',
      symbol,
      quantity: plain(q),
      quote: currency,
      total: plain(q.abs().times(price)),
      fee: fee && !fee.isZero() ? { amount: plain(fee), currency: feeCurrency } : undefined,
      ...(etf ? { assetType: 'etf' as const } : {}),
    });
  }
  return out;
}

/**
 * Trading 212 exports: market/limit buys and sells (shares × price in the price's currency, GBX
 * in pence), deposits and withdrawals, dividends (net of withholding tax, in the total's
 * currency). Rows Trading 212 shifts against the header (distributions, transfers, splits) and
 * interest on cash (no ledger entry) are reported with their reason.
 */
export function parseTrading212(text: string): BrokerParse {
  const out = emptyParse();
  const table = headedRecords(text);
  if (!table) return out;
  const { h, rows } = table;
  for (const r of rows) {
    out.total++;
    const action = cellOf(r, h, 'Action');
    const date = isoDate(cellOf(r, h, 'Time'));
    const ticker = cellOf(r, h, 'Ticker') || cellOf(r, h, 'ISIN');
    const shares = decimal(cellOf(r, h, 'No. of shares'));
    const priceText = cellOf(r, h, 'Price / share');
    const price = decimal(priceText);
    const priceCur = cellOf(r, h, 'Currency (Price / share)');
    const total = decimal(cellOf(r, h, 'Total'));
    const totalCur = cellOf(r, h, 'Currency (Total)');
    const tax = decimal(cellOf(r, h, 'Withholding tax'));
    const taxCur = cellOf(r, h, 'Currency (Withholding tax)');
    const fx = decimal(cellOf(r, h, 'Currency conversion fee'));
    const fxCur = cellOf(r, h, 'Currency (Currency conversion fee)');
    const reasons: string[] = [];
    if (!date) reasons.push('unreadable Time');
    const base = { line: r.line, date: date ?? '', ref: `trading212 ${cellOf(r, h, 'ID') || action}` };
    let tx: ImportTx | null = null;
    if (/^EOF/.test(priceText) || (!shares && /distribution|transfer|split/i.test(action))) {
      reasons.push(
        `"${action}" row does not line up with the header (Trading 212 shifts these columns); enter it by hand`,
      );
    } else if (/^(market|limit|stop) (buy|sell)$/i.test(action)) {
      if (!shares || !price || !priceCur) reasons.push('unreadable shares, price or its currency');
      else {
        // Pence: the price currency GBX is priced as GBP / 100 in the conversion.
        tx = {
          ...base,
          kind: 'trade',
          side: /buy$/i.test(action) ? 'buy' : 'sell',
          symbol: ticker,
          quantity: plain(shares),
          quote: priceCur === 'GBX' ? 'GBX' : priceCur,
          total: plain(shares.times(price)),
          fee: fx && !fx.isZero() ? { amount: plain(fx), currency: fxCur || totalCur } : undefined,
        };
      }
    } else if (/^deposit$/i.test(action) || /^withdrawal$/i.test(action)) {
      if (!total || !totalCur) reasons.push('unreadable Total');
      else
        tx = {
          ...base,
          kind: 'cash',
          direction: /deposit/i.test(action) ? 'in' : 'out',
          amount: plain(total),
          currency: totalCur,
        };
    } else if (/^dividend/i.test(action)) {
      if (!total || !totalCur || !ticker) reasons.push('unreadable Total or Ticker');
      else tx = { ...base, kind: 'dividend', symbol: ticker, amount: plain(total), currency: totalCur };
      if (tax && !tax.isZero())
        out.warnings.push(
          `Line ${r.line}: withholding tax ${plain(tax)} ${taxCur} is already out of the net Total`,
        );
    } else if (/interest on cash/i.test(action)) {
      reasons.push('interest on cash has no ledger entry (cash income); not imported');
    } else reasons.push(`action "${action}" is not imported`);
    if (tx && !reasons.length) out.txs.push(tx);
    else out.rejected.push({ line: r.line, raw: r.raw, reasons });
  }
  return out;
}

const SCHWAB_DIVIDEND = /(div|cap gain|cash in lieu)/i;
const SCHWAB_FEE = /(advisor fee|mgmt fee|foreign tax paid|service fee|margin interest)/i;
const SCHWAB_CASH = /(wire|moneylink|internal transfer|funds received|journal$|bank transfer)/i;
const SCHWAB_CORPORATE = /(split|merger|name change|spin-off|conversion|stock div dist)/i;

/**
 * Charles Schwab transactions CSV: buys, sells and reinvested shares; dividends and capital
 * gain distributions (cash or reinvested); advisor fees and foreign tax; cash wires and
 * transfers; journaled shares (own accounts). Corporate actions (splits, mergers, spin-offs)
 * need their ratio, which the file does not carry: reported, not guessed. "as of" dates are the
 * effective day.
 */
export function parseSchwab(text: string): BrokerParse {
  const recs = records(text);
  const out = emptyParse();
  const headAt = recs.findIndex((r) => r.cells[0]?.trim() === 'Date' && r.cells[1]?.trim() === 'Action');
  if (headAt < 0) {
    out.warnings.push(
      'No Schwab header (Date, Action, Symbol, Description, Quantity, Price, Fees & Comm, Amount)',
    );
    return out;
  }
  const h = headerIndex((recs[headAt] as Rec).cells);
  for (const r of recs.slice(headAt + 1)) {
    const dateText = cellOf(r, h, 'Date');
    if (/^transactions total/i.test(dateText)) continue;
    out.total++;
    const asOf = /as of (\S+)/.exec(dateText)?.[1];
    const date = isoDate(asOf ?? dateText);
    const action = cellOf(r, h, 'Action');
    const symbol = cellOf(r, h, 'Symbol');
    const q = decimal(cellOf(r, h, 'Quantity'));
    const price = decimal(cellOf(r, h, 'Price'));
    const fee = decimal(cellOf(r, h, 'Fees & Comm'));
    const amount = decimal(cellOf(r, h, 'Amount'));
    const reasons: string[] = [];
    if (!date) reasons.push(`unreadable Date "${dateText}"`);
    const base = { line: r.line, date: date ?? '', ref: `schwab ${action}` };
    const feeMoney = fee && !fee.isZero() ? { amount: plain(fee), currency: 'USD' } : undefined;
    let tx: ImportTx | null = null;
    if (/^(buy|sell|reinvest shares)$/i.test(action)) {
      const sell = /sell/i.test(action);
      if (!q || !price || !symbol) reasons.push('unreadable Symbol, Quantity or Price');
      else
        tx = {
          ...base,
          kind: 'trade',
          side: sell ? 'sell' : 'buy',
          symbol,
          quantity: plain(q),
          quote: 'USD',
          // The cash the trade moved is its Amount (the Price column is rounded to the cent): a
          // buy's cost is the Amount less the fee, a sale's proceeds the Amount plus it.
          total: plain(
            amount && !amount.isZero()
              ? amount.abs().plus(sell ? (fee?.abs() ?? 0) : (fee?.abs().neg() ?? 0))
              : q.abs().times(price),
          ),
          fee: feeMoney,
        };
    } else if (SCHWAB_CORPORATE.test(action)) {
      reasons.push(
        `corporate action "${action}": the file does not give its ratio; record it as a split or trades by hand`,
      );
    } else if (SCHWAB_DIVIDEND.test(action)) {
      if (!amount || !symbol)
        reasons.push(
          'a dividend needs a Symbol and an Amount (cash income without a position has no ledger entry)',
        );
      else tx = { ...base, kind: 'dividend', symbol, amount: plain(amount), currency: 'USD' };
    } else if (SCHWAB_FEE.test(action)) {
      if (!amount) reasons.push('unreadable Amount');
      else tx = { ...base, kind: 'fee', amount: plain(amount), currency: 'USD' };
    } else if (SCHWAB_CASH.test(action)) {
      if (!amount) reasons.push('unreadable Amount');
      else
        tx = {
          ...base,
          kind: 'cash',
          direction: amount.isNegative() ? 'out' : 'in',
          amount: plain(amount),
          currency: 'USD',
        };
    } else if (/journaled shares/i.test(action)) {
      if (!q || !symbol) reasons.push('unreadable Symbol or Quantity');
      else
        tx = {
          ...base,
          kind: 'transfer',
          direction: q.isNegative() ? 'out' : 'in',
          symbol,
          quantity: plain(q),
        };
    } else if (/credit interest|bank interest/i.test(action)) {
      reasons.push('interest on cash has no ledger entry (cash income); not imported');
    } else reasons.push(`action "${action}" is not imported`);
    if (tx && !reasons.length) out.txs.push(tx);
    else out.rejected.push({ line: r.line, raw: r.raw, reasons });
  }
  return out;
}

const DEGIRO_TRADE =
  /^(?:STOCK DIVIDEND:\s*)?(Koop|Verkoop|Buy|Sell|Compra|Venta|Achat|Vente|Kauf|Verkauf)\s+([\d.,]+)\s+(?:[^@]*?)@\s*([\d.,]+)\s+([A-Z]{3})/i;
const DEGIRO_FEE =
  /(transactiekosten|kosten van derden|aansluitingskosten|corporate action kosten|courtage|transaction (fee|costs)|gebühr|connection fee|comisi|comiss)/i;
const DEGIRO_DIVIDEND = /^(dividend|dividende|dividendo)$/i;
const DEGIRO_TAX = /(dividendbelasting|impôts sur dividende|dividend tax|retenci)/i;
const DEGIRO_INTERNAL =
  /(cash sweep|reservation|valuta (debitering|creditering)|fx (debit|credit)|overboeking|terugstorting|cambio de divisa|levantamento de divisa|de divisa|courtesy|fonds monétaires)/i;
// "Ingreso" and "Retirada" alone are the Spanish statement's deposit and withdrawal (their FX
// legs, "Ingreso/Retirada Cambio de Divisa", are internal and matched above).
const DEGIRO_DEPOSIT = /(ideal deposit|deposit|storting|^ingreso)$/i;
const DEGIRO_WITHDRAWAL = /(withdrawal|opname|^retirada)$/i;
/** A product change: the same holding sold and bought back under its new listing, at the same price. */
const DEGIRO_PRODUCT_CHANGE = /^productwijziging\s*:/i;

/**
 * DEGIRO account statements (any language of the descriptions): a trade's quantity, price and
 * currency are read from its description ("Koop 1 @ 33,9 USD"), its fee rows joined by Order
 * Id; dividends and their withholding tax; deposits and withdrawals. Cash sweeps, reservations
 * and the FX legs of a trade move the user's own cash and record nothing. A wrapped Order Id
 * (continuation row) is joined back.
 */
export function parseDegiro(text: string): BrokerParse {
  const recs = records(text);
  const out = emptyParse();
  // Join continuation rows (every cell empty but the last) to the Order Id above them.
  const rows: Rec[] = [];
  for (const r of recs.slice(1)) {
    const cont = r.cells.slice(0, -1).every((c) => c.trim() === '') && (r.cells.at(-1) ?? '').trim() !== '';
    const prev = rows.at(-1);
    if (cont && prev) {
      prev.cells[11] = `${prev.cells[11] ?? ''}${(r.cells.at(-1) ?? '').trim()}`;
      continue;
    }
    rows.push({ ...r, cells: [...r.cells] });
  }
  const fees = new Map<string, { amount: Dec; currency: string }>();
  for (const r of rows) {
    const id = (r.cells[11] ?? '').trim();
    const amount = decimal(r.cells[8] ?? '', { comma: true });
    if (id && DEGIRO_FEE.test(r.cells[5] ?? '') && amount) {
      const f = fees.get(id);
      fees.set(id, {
        amount: (f?.amount ?? new D(0)).plus(amount.abs()),
        currency: (r.cells[7] ?? '').trim(),
      });
    }
  }
  for (const r of rows) {
    out.total++;
    const c = (i: number) => (r.cells[i] ?? '').trim();
    const date = isoDate(`${c(0)} ${c(1)}`);
    const desc = c(5);
    const id = c(11);
    const amount = decimal(c(8), { comma: true });
    const currency = c(7);
    const isin = c(4);
    const reasons: string[] = [];
    if (!date) reasons.push('unreadable Datum/Tijd');
    const base = { line: r.line, date: date ?? '', ref: `degiro ${id || desc}`.slice(0, 200) };
    const m = DEGIRO_TRADE.exec(desc);
    let tx: ImportTx | null = null;
    if (DEGIRO_PRODUCT_CHANGE.test(desc)) {
      out.warnings.push(
        `Line ${r.line}: "${desc.slice(0, 60)}" is a product change (the holding re-listed, ${isin || 'no ISIN'}); nothing recorded`,
      );
      continue;
    }
    if (m) {
      const q = decimal(m[2] as string, { comma: true });
      const p = decimal(m[3] as string, { comma: true });
      if (!q || !p || !isin) reasons.push('unreadable quantity, price or ISIN in the description');
      else {
        const fee = fees.get(id);
        tx = {
          ...base,
          kind: 'trade',
          side: /^(koop|buy|compra|achat|kauf)/i.test(m[1] as string) ? 'buy' : 'sell',
          symbol: isin,
          quantity: plain(q),
          quote: (m[4] as string).toUpperCase(),
          total: plain(q.times(p)),
          fee: fee ? { amount: plain(fee.amount), currency: fee.currency } : undefined,
        };
      }
    } else if (DEGIRO_FEE.test(desc)) {
      if (id) continue; // joined to its trade
      if (!amount) reasons.push('unreadable Mutatie');
      else tx = { ...base, kind: 'fee', amount: plain(amount), currency };
    } else if (DEGIRO_DIVIDEND.test(desc)) {
      if (!amount || !isin) reasons.push('unreadable amount or ISIN');
      else tx = { ...base, kind: 'dividend', symbol: isin, amount: plain(amount), currency };
    } else if (DEGIRO_TAX.test(desc)) {
      if (!amount) reasons.push('unreadable amount');
      else tx = { ...base, kind: 'fee', amount: plain(amount), currency };
    } else if (DEGIRO_INTERNAL.test(desc)) {
      out.warnings.push(`Line ${r.line}: "${desc.slice(0, 60)}" moves the user's own cash; nothing recorded`);
      continue;
    } else if (DEGIRO_DEPOSIT.test(desc) || DEGIRO_WITHDRAWAL.test(desc)) {
      if (!amount) reasons.push('unreadable amount');
      else
        tx = {
          ...base,
          kind: 'cash',
          direction: DEGIRO_DEPOSIT.test(desc) ? 'in' : 'out',
          amount: plain(amount),
          currency,
        };
    } else reasons.push(`"${desc.slice(0, 80)}" is not imported`);
    if (tx && !reasons.length) out.txs.push(tx);
    else out.rejected.push({ line: r.line, raw: r.raw, reasons });
  }
  return out;
}
