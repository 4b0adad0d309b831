import { beforeAll, describe, expect, it } from 'vitest';
import {
  csvRows,
  ExpectedLedger,
  importMatches,
  onceAndRoundTrip,
  onlySalesRealize,
} from '../../helpers/broker-ledger';
import { seedBrokerMarket } from '../../helpers/broker-market';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Every Kraken and CoinTracking sample imports to the ledger its rows describe: the rows are
 * read here with a reader of their own, and each becomes the entries it must (broker-ledger.ts).
 */
let user: TestUser;
beforeAll(async () => {
  await seedBrokerMarket('2017-04-01');
  user = await signUp();
}, 180_000);

/** Kraken's asset codes as the catalog spells them. */
const kraken = (a: string) =>
  ({ XXBT: 'BTC', XBT: 'BTC', ZEUR: 'EUR', ZUSD: 'USD', EUR: 'EUR', USD: 'USD' })[a] ?? a;
const FIAT = new Set(['EUR', 'USD']);
const utc = (s: string) => new Date(`${s.replace(' ', 'T')}Z`).toISOString();

describe('Kraken samples import to the ledger their rows describe', () => {
  it('ledgers: legs joined by refid, the fee on its own leg, the pending deposit once, a Buy Crypto spend as a sale', async () => {
    const x = new ExpectedLedger();
    const groups = new Map<
      string,
      { line: number; date: string; legs: { asset: string; amount: number; fee: number }[] }
    >();
    for (const { line, f } of csvRows('cointaxman_kraken-ledgers.csv')) {
      const [txid, refid, time, type, , , asset, amount, fee] = f as string[];
      if (!txid) continue; // pending: the credited row repeats it
      const date = utc(time as string);
      if (type === 'deposit') {
        await x.cash(line, date, 'in', Number(amount), kraken(asset as string));
        continue;
      }
      const g = groups.get(refid as string) ?? { line, date, legs: [] };
      groups.set(refid as string, g);
      g.legs.push({ asset: kraken(asset as string), amount: Number(amount), fee: Number(fee) });
    }
    for (const g of groups.values()) {
      const got = g.legs.find((l) => l.amount > 0) as { asset: string; amount: number; fee: number };
      const gave = g.legs.find((l) => l.amount < 0) as { asset: string; amount: number; fee: number };
      const feeLeg = g.legs.find((l) => l.fee > 0);
      const fee: [number, string] | undefined = feeLeg ? [feeLeg.fee, feeLeg.asset] : undefined;
      if (FIAT.has(got.asset))
        await x.trade(g.line, g.date, 'sell', gave.asset, gave.amount, got.asset, got.amount, fee);
      else await x.trade(g.line, g.date, 'buy', got.asset, got.amount, gave.asset, gave.amount, fee);
    }
    const { report, id, ledger } = await importMatches(
      user,
      'cointaxman_kraken-ledgers.csv',
      'kraken-ledgers',
      x,
    );
    expect(report.warnings).toContain('Line 2: a pending deposit (no txid); the credited row imports it');
    await onlySalesRealize(user, id, ledger);
  });

  it.each(['cointaxman_kraken-trades.csv', 'everytrade_kraken_trades_v001.csv'])(
    'trades %s: base and quote from the pair, cost and fee in the quote, both legs against a coin',
    async (name) => {
      const x = new ExpectedLedger();
      for (const { line, f } of csvRows(name)) {
        // By position: the redacted file has 14 fields against 13 headers (a split ledgers column).
        const [, , pair, time, type, , , cost, fee, vol] = f as string[];
        const m = /^(XXBT|XBT)(ZEUR|ZUSD|USDC|EUR|USD)$/.exec(pair as string);
        if (!m) throw new Error(`pair ${pair}`);
        const quote = kraken(m[2] as string);
        await x.trade(
          line,
          utc(time as string),
          type === 'buy' ? 'buy' : 'sell',
          'BTC',
          Number(vol),
          quote,
          Number(cost),
          [Number(fee), quote],
        );
      }
      const { id } = await importMatches(user, name, 'kraken-trades', x);
      if (name === 'cointaxman_kraken-trades.csv') await onceAndRoundTrip(user, name, id);
    },
  );
});

/** CoinTracking dates: `DD.MM.YYYY HH:MM:SS`, ISO, or US `M/D/YYYY H:MM`. */
function ctDate(s: string): string {
  let m = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}:\d{2}:\d{2})$/.exec(s);
  if (m) return `${m[3]}-${m[2]}-${m[1]}T${m[4]}Z`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})$/.exec(s);
  if (m)
    return `${m[3]}-${m[1]?.padStart(2, '0')}-${m[2]?.padStart(2, '0')}T${m[4]?.padStart(2, '0')}:${m[5]}:00Z`;
  return `${s.replace(' ', 'T')}Z`;
}

describe('CoinTracking trade lists import to the ledger their rows describe', () => {
  it.each([
    'rotki_cointracking_trades_list.csv',
    'rotki_cointracking_custom_dates.csv',
    'etg_cointracking-export.csv',
  ])('%s: columns by position, "-" for none, income in kind, withdrawals not gains', async (name) => {
    const x = new ExpectedLedger();
    const seen = new Map<string, number>();
    const amt = (s: string | undefined) => (s && s !== '-' ? Number(s) : 0);
    for (const { line, f } of csvRows(name)) {
      const [type, buy, buyCur, sell, sellCur, fee, feeCur, , , , date] = f as string[];
      const key = f.join('\u0000');
      if (seen.has(key)) {
        x.reject(line, new RegExp(`repeats line ${seen.get(key)}`));
        continue;
      }
      seen.set(key, line);
      const at = ctDate(date as string);
      const fees: [number, string] | undefined = amt(fee) > 0 ? [amt(fee), feeCur as string] : undefined;
      if (type === 'Trade') {
        if (!(amt(buy) > 0 && amt(sell) > 0)) x.reject(line, /both a buy and a sell/);
        else if (FIAT.has(buyCur as string))
          await x.trade(line, at, 'sell', sellCur as string, amt(sell), buyCur as string, amt(buy), fees);
        else await x.trade(line, at, 'buy', buyCur as string, amt(buy), sellCur as string, amt(sell), fees);
      } else if (type === 'Deposit') await x.transfer(line, at, 'in', buyCur as string, amt(buy), fees);
      else if (type === 'Withdrawal') await x.transfer(line, at, 'out', sellCur as string, amt(sell), fees);
      else {
        // Staking, Income, Gift/Tip: income in kind; a fee on it is its own fee entry.
        if (fees) await x.fee(line, at, fees[0], fees[1]);
        await x.income(line, at, buyCur as string, amt(buy));
      }
    }
    const { id, ledger } = await importMatches(user, name, 'cointracking', x);
    await onlySalesRealize(user, id, ledger);
    if (name === 'rotki_cointracking_trades_list.csv') await onceAndRoundTrip(user, name, id);
  });
});
