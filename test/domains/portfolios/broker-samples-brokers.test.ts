import { beforeAll, describe, expect, it } from 'vitest';
import {
  csvFields,
  csvRows,
  ExpectedLedger,
  fixture,
  importMatches,
  linesOf,
  onceAndRoundTrip,
  onlySalesRealize,
} from '../../helpers/broker-ledger';
import { seedBrokerMarket } from '../../helpers/broker-market';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Every Ghostfolio, Interactive Brokers, Trading 212, Schwab and DEGIRO sample imports to the ledger its
 * rows describe: the rows are read here with a reader of their own, and each becomes the entries
 * it must (broker-ledger.ts).
 */
let user: TestUser;
beforeAll(async () => {
  await seedBrokerMarket('2019-01-01');
  user = await signUp();
}, 180_000);

interface Activity {
  type: string;
  symbol: string;
  quantity: number;
  unitPrice: number;
  fee: number;
  currency: string;
  date: string;
  dataSource: string;
}

describe('Ghostfolio exports import to the ledger their activities describe', () => {
  it.each(['sample.json', 'without-accounts.json', 'btcusd-short.json', '500-activities.json'])(
    '%s',
    async (name) => {
      const data = JSON.parse(fixture(name)) as {
        activities: Activity[];
        assetProfiles?: { symbol: string; name: string }[];
      };
      const names = new Map((data.assetProfiles ?? []).map((p) => [p.symbol, p.name]));
      const x = new ExpectedLedger();
      let line = 0;
      for (const a of data.activities) {
        line++;
        // A manual asset is named by its profile; Yahoo's BTCUSD is bitcoin.
        const symbol =
          a.dataSource === 'MANUAL'
            ? (names.get(a.symbol) ?? a.symbol).toUpperCase().replace(/[^A-Z0-9]+/g, '-')
            : a.symbol === 'BTCUSD'
              ? 'BTC'
              : a.symbol;
        if (a.type === 'FEE') await x.fee(line, a.date, a.quantity * a.unitPrice + a.fee, a.currency);
        else if (a.type === 'DIVIDEND')
          await x.dividend(line, a.date, symbol, a.quantity * a.unitPrice, a.currency);
        else if (a.quantity === 0) x.reject(line, /zero quantity/);
        else
          await x.trade(
            line,
            a.date,
            a.type === 'BUY' ? 'buy' : 'sell',
            symbol,
            a.quantity,
            a.currency,
            a.quantity * a.unitPrice,
            [a.fee, a.currency],
          );
      }
      const { id, ledger } = await importMatches(user, name, 'ghostfolio', x);
      if (name === 'sample.json') await onceAndRoundTrip(user, name, id);
      if (ledger.length) await onlySalesRealize(user, id, ledger);
    },
  );
});

const ymd = (s: string) => `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;

describe('Interactive Brokers Flex exports import to the ledger their rows describe', () => {
  it.each(['ghostfolio_vti-buy-on-ibkr.csv', 'etg_ibkr-trades-export.csv'])(
    '%s: columns by name, the commission in its own currency, FX conversions not trades',
    async (name) => {
      const header = csvFields(linesOf(fixture(name))[0] as string);
      const col = new Map(header.map((h, i) => [h, i]));
      const x = new ExpectedLedger();
      for (const { line, f } of csvRows(name)) {
        const v = (k: string) => f[col.get(k) as number] ?? '';
        const symbol = v('Symbol') || v('ISIN');
        if (!symbol) continue; // a currency conversion (USD.CHF): cash between currencies
        const dt = v('DateTime');
        const date = dt
          ? `${ymd(dt)}T${dt.slice(9, 11)}:${dt.slice(11, 13)}:${dt.slice(13, 15)}Z`
          : `${ymd(v('TradeDate'))}T00:00:00Z`;
        await x.trade(
          line,
          date,
          v('Buy/Sell') === 'BUY' ? 'buy' : 'sell',
          symbol,
          Number(v('Quantity')),
          v('CurrencyPrimary'),
          Number(v('TradeMoney')),
          [Number(v('IBCommission')), v('IBCommissionCurrency')],
        );
      }
      const { id, report } = await importMatches(user, name, 'ibkr-flex', x);
      if (name === 'etg_ibkr-trades-export.csv') {
        expect(report.warnings.filter((w: string) => w.includes('currency conversion'))).toHaveLength(3);
        await onceAndRoundTrip(user, name, id);
      }
    },
  );
});

describe('Trading 212, Schwab and DEGIRO exports import to the ledger their rows describe', () => {
  it('Trading 212: a EUR deposit, fractional buys priced in USD, net dividends; shifted rows and cash interest refused', async () => {
    const x = new ExpectedLedger();
    for (const { line, f } of csvRows('etg_trading212-export.csv')) {
      const [action, time, , ticker, , shares, price, priceCur, , , , total, totalCur] = f as string[];
      const date = `${(time as string).replace(' ', 'T').replace(/\.\d+$/, '')}Z`;
      if (!/^[\d.]+$/.test(price as string) && /distribution|transfer|split/i.test(action as string))
        x.reject(line, /does not line up with the header/);
      else if (action === 'Deposit') await x.cash(line, date, 'in', Number(total), totalCur as string);
      else if (action === 'Interest on cash') x.reject(line, /interest on cash/);
      else if (/^Market (buy|sell)$/.test(action as string))
        await x.trade(
          line,
          date,
          action === 'Market buy' ? 'buy' : 'sell',
          ticker as string,
          Number(shares),
          priceCur as string,
          Number(shares) * Number(price),
        );
      else if (/^Dividend/.test(action as string))
        await x.dividend(line, date, ticker as string, Number(total), totalCur as string);
      else throw new Error(`line ${line}: ${action}`);
    }
    const { id } = await importMatches(user, 'etg_trading212-export.csv', 'trading212', x);
    await onceAndRoundTrip(user, 'etg_trading212-export.csv', id);
  });

  it('Schwab: as-of dates, money with $ and separators, reinvestments at the cash they used; corporate actions without a ratio refused', async () => {
    const money = (s: string | undefined) => (s ? Number(s.replace(/[$,]/g, '')) : 0);
    const DIVIDEND = [
      'Reinvest Dividend',
      'Cash Dividend',
      'Qual Div Reinvest',
      'Special Non Qual Div',
      'Pr Yr Div Reinvest',
      'Non-Qualified Div',
      'Long Term Cap Gain Reinvest',
      'Pr Yr Cash Div',
      'Cash In Lieu',
    ];
    const FEE = ['Advisor Fee', 'Foreign Tax Paid', 'ADR Mgmt Fee'];
    const CASH = ['Wire Sent', 'MoneyLink Transfer', 'Internal Transfer'];
    const CORPORATE = [
      'Stock Merger',
      'Reverse Split',
      'Name Change',
      'Conversion',
      'Stock Split',
      'Stock Div Dist',
      'Spin-off',
    ];
    const x = new ExpectedLedger();
    for (const { line, f } of csvRows('etg_schwab-export.csv')) {
      const [dateText, action, symbol, , qty, price, fees, amount] = f as string[];
      if ((dateText as string).startsWith('Transactions Total')) continue;
      const us = /as of (\S+)/.exec(dateText as string)?.[1] ?? (dateText as string);
      const [mm, dd, yyyy] = us.split('/');
      const date = `${yyyy}-${mm}-${dd}T00:00:00Z`;
      const a = action as string;
      if (['Buy', 'Sell', 'Reinvest Shares'].includes(a)) {
        // The cash the trade moved is its Amount: a buy's is its cost with the fee, a sale's its proceeds less it.
        const fee = money(fees);
        const cash = Math.abs(money(amount));
        const total = a === 'Sell' ? cash + fee : cash - fee;
        await x.trade(line, date, a === 'Sell' ? 'sell' : 'buy', symbol as string, money(qty), 'USD', total, [
          fee,
          'USD',
        ]);
        expect(Math.abs(total - Math.abs(money(qty)) * money(price)), `line ${line}`).toBeLessThan(0.1);
      } else if (DIVIDEND.includes(a) && !symbol) x.reject(line, /a dividend needs a Symbol/);
      else if (DIVIDEND.includes(a)) await x.dividend(line, date, symbol as string, money(amount), 'USD');
      else if (FEE.includes(a)) await x.fee(line, date, money(amount), 'USD');
      else if (CASH.includes(a))
        await x.cash(line, date, money(amount) < 0 ? 'out' : 'in', money(amount), 'USD');
      else if (a === 'Journaled Shares')
        await x.transfer(line, date, money(qty) < 0 ? 'out' : 'in', symbol as string, money(qty));
      else if (a === 'Credit Interest') x.reject(line, /interest on cash/);
      else if (CORPORATE.includes(a)) x.reject(line, /corporate action/);
      else throw new Error(`line ${line}: ${a}`);
    }
    const { id, ledger } = await importMatches(user, 'etg_schwab-export.csv', 'schwab', x);
    await onlySalesRealize(user, id, ledger);
  });

  it('DEGIRO: trades from their Dutch (or Spanish, French) description with the fee rows of their Order Id, dividends, tax, deposits; cash moves and FX legs record nothing', async () => {
    const lines = linesOf(fixture('etg_degiro-export.csv'));
    // Join the wrapped Order Id (a row empty but for its last cell) to the row above.
    const recs: { line: number; f: string[] }[] = [];
    lines.forEach((l, i) => {
      if (i === 0 || !l.trim()) return;
      const f = csvFields(l);
      const prev = recs.at(-1);
      if (prev && f.slice(0, -1).every((c) => c === '') && f.at(-1)) prev.f[11] = `${prev.f[11]}${f.at(-1)}`;
      else recs.push({ line: i + 1, f });
    });
    const dec = (s: string) => Number(s.includes(',') ? s.replace(/\./g, '').replace(',', '.') : s);
    const TRADE = /^(?:STOCK DIVIDEND: )?(Koop|Verkoop|Compra|Achat|Sell) (\d+) [^@]*@ ?([\d,]+) ([A-Z]{3})/;
    const FEE =
      /(Transactiekosten|Comissões de transação|Frais DEGIRO de courtage|Aansluitingskosten|Connection Fee|Corporate Action Kosten)/;
    const NOTHING =
      /^(Overboeking|Degiro Cash Sweep|Reservation|Valuta (Creditering|Debitering)|flatex terugstorting|Ingreso Cambio|Retirada Cambio|Levantamento de divisa|CrÃ©dito de divisa|DEGIRO courtesy|Variation Fonds|Conversion Fonds|FX (Credit|Debit)|PRODUCTWIJZIGING)/;
    const fees = new Map<string, [number, string]>();
    for (const { f } of recs) {
      const [, , , , , desc, , cur, amount, , , id] = f as string[];
      if (id && FEE.test(desc as string)) {
        const had = fees.get(id)?.[0] ?? 0;
        fees.set(id, [had + Math.abs(dec(amount as string)), cur as string]);
      }
    }
    const x = new ExpectedLedger();
    for (const { line, f } of recs) {
      const [day, time, , , isin, desc, , cur, amount, , , id] = f as string[];
      const [dd, mm, yyyy] = (day as string).split('-');
      const date = `${yyyy}-${mm}-${dd}T${time}:00Z`;
      const d = desc as string;
      const m = TRADE.exec(d);
      if (NOTHING.test(d)) continue;
      if (m) {
        const q = Number(m[2]);
        await x.trade(
          line,
          date,
          /^(Koop|Compra|Achat)$/.test(m[1] as string) ? 'buy' : 'sell',
          isin as string,
          q,
          m[4] as string,
          q * dec(m[3] as string),
          fees.get(id as string),
        );
      } else if (FEE.test(d)) {
        if (!id) await x.fee(line, date, dec(amount as string), cur as string);
      } else if (/^Dividende?$/.test(d))
        await x.dividend(line, date, isin as string, dec(amount as string), cur as string);
      else if (/^(Dividendbelasting|Impôts sur dividende)$/.test(d))
        await x.fee(line, date, dec(amount as string), cur as string);
      else if (/^(iDEAL Deposit|Ingreso)$/.test(d))
        await x.cash(line, date, 'in', dec(amount as string), cur as string);
      else if (d === 'Processed Flatex Withdrawal')
        await x.cash(line, date, 'out', dec(amount as string), cur as string);
      else throw new Error(`line ${line}: ${d}`);
    }
    const { id, ledger, report } = await importMatches(user, 'etg_degiro-export.csv', 'degiro', x);
    expect(report.warnings).toContain(
      'Line 34: "PRODUCTWIJZIGING : Koop 500 @ 0,039 EUR" is a product change (the holding re-listed, AU000000FBR4); nothing recorded',
    );
    await onlySalesRealize(user, id, ledger);
    await onceAndRoundTrip(user, 'etg_degiro-export.csv', id);
  });
});
