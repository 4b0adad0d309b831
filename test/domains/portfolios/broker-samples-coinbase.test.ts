import { beforeAll, describe, expect, it } from 'vitest';
import { csvRows, ExpectedLedger, importMatches, onceAndRoundTrip } from '../../helpers/broker-ledger';
import { seedBrokerMarket } from '../../helpers/broker-market';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Every Coinbase sample imports to the ledger its rows describe: the rows are read here with a
 * reader of their own, and each becomes the entries it must (see broker-ledger.ts).
 */
let user: TestUser;
beforeAll(async () => {
  await seedBrokerMarket('2017-12-01');
  user = await signUp();
}, 180_000);

const num = (s: string) => Number(s.replace(/[€$£,\s]/g, ''));
const iso = (s: string) => new Date(s.replace(' UTC', 'Z').replace(' ', 'T')).toISOString();
describe('Coinbase samples import to the ledger their rows describe', () => {
  it('transaction history (2024 layout): a buy with its EUR fee, a convert as both legs, staking as income, send/receive as transfers', async () => {
    const x = new ExpectedLedger();
    const seen = new Set<string>();
    for (const { line, f } of csvRows('etg_coinbase-export.csv')) {
      const [id, ts, type, asset, qty, cur, , subtotal, , fees, notes] = f as string[];
      const date = iso(ts as string);
      if (seen.has(id as string)) {
        x.reject(line, /repeats ID/); // the maintainer's USD copy of the same buy
        continue;
      }
      seen.add(id as string);
      const sym = asset === 'ETH2' ? 'ETH' : (asset as string);
      if (type === 'Staking Income') await x.income(line, date, sym, num(qty as string));
      else if (type === 'Send') await x.transfer(line, date, 'out', sym, num(qty as string));
      else if (type === 'Receive') await x.transfer(line, date, 'in', sym, num(qty as string));
      else if (type === 'Buy')
        await x.trade(line, date, 'buy', sym, num(qty as string), cur as string, num(subtotal as string), [
          num(fees as string),
          cur as string,
        ]);
      else if (type === 'Convert') {
        const m = /Converted ([\d.]+) (\w+) to ([\d.]+) (\w+)/.exec(notes as string);
        if (!m) throw new Error(`line ${line}`);
        const to = m[4] === 'ETH2' ? 'ETH' : (m[4] as string);
        if (to === m[2]) continue; // ETH to ETH2: the same asset, nothing happens
        await x.trade(line, date, 'buy', to, Number(m[3]), m[2] as string, Number(m[1]));
      }
    }
    const { report } = await importMatches(user, 'etg_coinbase-export.csv', 'coinbase', x);
    expect(report.warnings).toContain('Line 7: ETH to ETH2 is the same asset; nothing recorded');
  });

  it('2020 report (currency in the column names): a sell before any buy is refused, the convert with it', async () => {
    const x = new ExpectedLedger();
    for (const { line, f } of csvRows('everytrade_coinbase_v001_M.csv')) {
      const [ts, type, asset, qty, , subtotal, , fees, notes] = f as string[];
      const date = iso(ts as string);
      if (type === 'Buy' || type === 'Sell')
        await x.trade(
          line,
          date,
          type === 'Buy' ? 'buy' : 'sell',
          asset as string,
          num(qty as string),
          'EUR',
          num(subtotal as string),
          [num(fees as string), 'EUR'],
        );
      else {
        const m = /Converted ([\d.]+) (\w+) to ([\d.]+) (\w+)/.exec(notes as string);
        if (!m) throw new Error(`line ${line}`);
        await x.trade(line, date, 'buy', m[4] as string, Number(m[3]), m[2] as string, Number(m[1]), [
          num(fees as string),
          'EUR',
        ]);
      }
    }
    await importMatches(user, 'everytrade_coinbase_v001_M.csv', 'coinbase', x);
  });

  it('Advanced fills: size × price in the quote currency, the fee in it; imported once, and its export re-imports', async () => {
    const x = new ExpectedLedger();
    for (const { line, f } of csvRows('everytrade_coinbasepro_fills_v001.csv')) {
      const [, , product, side, ts, size, unit, price, fee, , feeUnit] = f as string[];
      expect(product).toBe(`${unit}-${feeUnit}`);
      const q = Number(size);
      await x.trade(
        line,
        iso(ts as string),
        side === 'BUY' ? 'buy' : 'sell',
        unit as string,
        q,
        feeUnit as string,
        q * Number(price),
        [Number(fee), feeUnit as string],
      );
    }
    const { id } = await importMatches(user, 'everytrade_coinbasepro_fills_v001.csv', 'coinbase-fills', x);
    await onceAndRoundTrip(user, 'everytrade_coinbasepro_fills_v001.csv', id);
  });

  it('Pro account statement: two signed match rows and a fee row per trade id, deposits and withdrawals as transfers (no gains)', async () => {
    const x = new ExpectedLedger();
    const trades = new Map<
      string,
      { line: number; date: string; legs: [number, string][]; fee: number; feeCur: string }
    >();
    for (const { line, f } of csvRows('rotki_coinbasepro_account.csv')) {
      const [, type, ts, amount, , unit, , tradeId] = f as string[];
      const date = iso(ts as string);
      const a = Number(amount);
      if (type === 'deposit' || type === 'withdrawal') {
        await x.transfer(line, date, a > 0 ? 'in' : 'out', unit as string, a);
        continue;
      }
      const t = trades.get(tradeId as string) ?? { line, date, legs: [], fee: 0, feeCur: '' };
      trades.set(tradeId as string, t);
      if (type === 'match') t.legs.push([a, unit as string]);
      else if (type === 'fee') {
        t.fee += Math.abs(a);
        t.feeCur = unit as string;
      }
    }
    for (const t of trades.values()) {
      const got = t.legs.find(([a]) => a > 0) as [number, string];
      const gave = t.legs.find(([a]) => a < 0) as [number, string];
      await x.trade(t.line, t.date, 'buy', got[1], got[0], gave[1], gave[0], [t.fee, t.feeCur]);
    }
    const { ledger } = await importMatches(user, 'rotki_coinbasepro_account.csv', 'coinbase-account', x);
    // Withdrawals of coins are removals (flows), never sales.
    expect(ledger.filter((t) => t.trade_type === 'remove').map((t) => t.symbol)).toEqual(['BTC', 'ETH']);
  });
});
