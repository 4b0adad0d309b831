import { beforeAll, describe, expect, it } from 'vitest';
import {
  csvFields,
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
 * Every Binance sample imports to the ledger its rows describe: the rows are read here with a
 * reader of their own, and each event becomes the entries it must (broker-ledger.ts).
 */
let user: TestUser;
beforeAll(async () => {
  await seedBrokerMarket('2017-11-01');
  user = await signUp();
}, 180_000);

const FIAT = new Set(['EUR', 'USD', 'GBP']);
const TRADE = new Set([
  'Buy',
  'Sell',
  'Transaction Buy',
  'Transaction Spend',
  'Transaction Sold',
  'Transaction Revenue',
  'Transaction Related',
  'Small assets exchange BNB',
  'Binance Convert',
  'Buy Crypto',
]);
const FEE = new Set(['Fee', 'Transaction Fee']);
/** Moves between the user's own Binance wallets: nothing happens to what they own. */
const WALLET = new Set([
  'Savings purchase',
  'Savings Principal redemption',
  'POS savings purchase',
  'POS savings redemption',
  'Staking Purchase',
  'Staking Redemption',
  'Simple Earn Flexible Subscription',
  'Simple Earn Locked Subscription',
  'Simple Earn Flexible Redemption',
  'ETH 2.0 Staking',
  'Transfer Between Main and Funding Wallet',
]);
const INCOME = new Set([
  'Distribution',
  'Savings Interest',
  'POS savings interest',
  'Simple Earn Flexible Interest',
  'Simple Earn Locked Rewards',
  'ETH 2.0 Staking Rewards',
  'Launchpool Interest',
  'Super BNB Mining',
  'Commission History',
  'Cash Voucher Distribution',
  'Mission Reward Distribution',
  'BNB Vault Rewards',
]);

/** A Binance transaction history: each row's event, the rows of one second and account joined into one trade. */
async function binanceHistory(name: string, hasHeader: boolean): Promise<ExpectedLedger> {
  const x = new ExpectedLedger();
  const lines = linesOf(fixture(name));
  const header = hasHeader ? csvFields(lines[0] as string) : [];
  const off = header[0] === 'User_ID' || /^\d+$/.test(csvFields(lines[0] as string)[0] ?? '') ? 1 : 0;
  const groups = new Map<string, { line: number; coin: string; change: number; op: string }[]>();
  const first = new Map<string, { line: number; date: string }>();
  for (let i = hasHeader ? 1 : 0; i < lines.length; i++) {
    const line = i + 1;
    const f = csvFields(lines[i] as string);
    if (f.length < 5) continue;
    const [time, account, op, coin, change] = f.slice(off, off + 5) as string[];
    if (!time) {
      x.reject(line, /empty or unreadable UTC_Time/);
      continue;
    }
    if (!coin) {
      x.reject(line, /empty Coin/);
      continue;
    }
    const date = `${(time as string).replace(' ', 'T')}Z`;
    const c = Number(change);
    const sym = coin === 'ETH2' ? 'ETH' : (coin as string);
    if (
      /Futures/.test(account as string) ||
      /Futures|Realized Profit and Loss|Funding Fee/.test(op as string)
    )
      x.reject(line, /futures/);
    else if (TRADE.has(op as string) || FEE.has(op as string)) {
      const key = `${date}|${account}`;
      groups.set(key, [...(groups.get(key) ?? []), { line, coin: sym, change: c, op: op as string }]);
      if (!first.has(key)) first.set(key, { line, date });
    } else if (op === 'Deposit' || op === 'Fiat Deposit' || op === 'Withdraw') {
      const dir = op === 'Withdraw' || c < 0 ? 'out' : 'in';
      if (FIAT.has(sym)) await x.cash(line, date, dir, c, sym);
      else await x.transfer(line, date, dir, sym, c);
    } else if (WALLET.has(op as string)) {
      // nothing recorded
    } else if (INCOME.has(op as string) && c > 0) await x.income(line, date, sym, c);
    else x.reject(line, /is not imported/);
  }
  for (const [key, rows] of groups) {
    const { line, date } = first.get(key) as { line: number; date: string };
    const net = new Map<string, number>();
    const fees = new Map<string, number>();
    for (const r of rows) {
      const m = FEE.has(r.op) ? fees : net;
      m.set(r.coin, (m.get(r.coin) ?? 0) + r.change);
    }
    const got = [...net].filter(([, v]) => v > 1e-15);
    const gave = [...net].filter(([, v]) => v < -1e-15);
    if (got.length !== 1 || gave.length !== 1) {
      // Not one coin for another: nothing says what was paid for what.
      for (const r of rows) x.reject(r.line, /do not give one coin for another/);
      continue;
    }
    const [[recv, q]] = got as [[string, number]];
    const [[paid, cost]] = gave as [[string, number]];
    const [fee, ...more] = [...fees]
      .filter(([, v]) => v !== 0)
      .map(([c, v]) => [Math.abs(v), c] as [number, string]);
    if (FIAT.has(recv) && !FIAT.has(paid)) await x.trade(line, date, 'sell', paid, cost, recv, q, fee, more);
    else await x.trade(line, date, 'buy', recv, q, paid, cost, fee, more);
  }
  return x;
}

describe('Binance samples import to the ledger their rows describe', () => {
  it.each([
    ['privatefolio_binance.csv', true],
    ['cointaxman_binance.csv', true],
    ['cointaxman_binance-earn.csv', false],
    ['rotki_binance_history.csv', true],
  ] as const)(
    'transaction history %s: one trade per second and account, coin fees sold at the market, wallet moves not gains',
    async (name, hasHeader) => {
      const x = await binanceHistory(name, hasHeader);
      const { id, ledger } = await importMatches(user, name, 'binance', x);
      if (ledger.length) await onlySalesRealize(user, id, ledger);
      if (name === 'privatefolio_binance.csv') await onceAndRoundTrip(user, name, id);
    },
  );

  it('old trade history (; separated): the pair split into base and quote, the fee in its coin', async () => {
    const x = new ExpectedLedger();
    const lines = linesOf(fixture('everytrade_binance_v001.csv'));
    for (let i = 1; i < lines.length; i++) {
      const [time, market, type, , amount, total, fee, feeCoin] = csvFields(
        lines[i] as string,
        ';',
      ) as string[];
      if (!time) continue;
      const m = /^(\w+?)(BTC|USDT|ETH|BNB)$/.exec(market as string);
      expect(m, market).not.toBeNull();
      await x.trade(
        i + 1,
        `${(time as string).replace(' ', 'T')}Z`,
        type === 'BUY' ? 'buy' : 'sell',
        m?.[1] as string,
        Number(amount),
        m?.[2] as string,
        Number(total),
        [Number(fee), feeCoin as string],
      );
    }
    await importMatches(user, 'everytrade_binance_v001.csv', 'binance-trades', x);
  });

  it('old order history: each fill under its order row is a trade, the fee coin glued to its amount', async () => {
    const x = new ExpectedLedger();
    const lines = linesOf(fixture('everytrade_binance_v002.csv'));
    let pair: [string, string] = ['', ''];
    let side: 'buy' | 'sell' = 'buy';
    for (let i = 1; i < lines.length; i++) {
      const f = csvFields(lines[i] as string, ';');
      if (f[0]) {
        const m = /^(\w+?)(BTC|USDT|ETH|BNB)$/.exec(f[1] as string);
        pair = [m?.[1] as string, m?.[2] as string];
        side = f[2] === 'BUY' ? 'buy' : 'sell';
        continue;
      }
      if (f[1] === 'Date(UTC)' || !f[1]) continue;
      const [, time, , filled, total, fee] = f as string[];
      const fm = /^([\d.]+)([A-Z]+)$/.exec(fee as string);
      await x.trade(
        i + 1,
        `${(time as string).replace(' ', 'T')}Z`,
        side,
        pair[0],
        Number(filled),
        pair[1],
        Number(total),
        [Number(fm?.[1]), fm?.[2] as string],
      );
    }
    await importMatches(user, 'everytrade_binance_v002.csv', 'binance-trades', x);
  });
});
