import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../../helpers/api';
import { seedBrokerMarket } from '../../helpers/broker-market';
import { expectError } from '../../helpers/errors';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Every sample export in ../shared/data/fixtures/broker/ imported (dry run) into a USD
 * portfolio over the shipped closes up to the market clock: each data row is accounted for
 * (imported, rejected with reasons, or noted in a warning), and the figures of the rows below
 * are checked against the closes read independently here.
 */
const files = import.meta.glob('../../../../shared/data/fixtures/broker/*/*', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;
const file = (name: string): string => {
  const hit = Object.entries(files).find(([k]) => k.endsWith(`/${name}`));
  if (!hit) throw new Error(`no fixture ${name}`);
  return hit[1];
};

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = Record<string, any>;

let user: TestUser;
beforeAll(async () => {
  await seedBrokerMarket();
  user = await signUp();
}, 180_000);

async function portfolio(who: TestUser = user) {
  const r = await callJson<{ data: Json }>('/api/v1/portfolios', {
    method: 'POST',
    as: who.as,
    body: { name: 'Import' },
  });
  expect(r.res.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data.id as string;
}

async function importText(id: string, text: string, query = 'dry_run=true', who: TestUser = user) {
  return callJson<{ data: Json }>(`/api/v1/portfolios/${id}/trades/import?${query}`, {
    method: 'POST',
    as: who.as,
    body: text,
    headers: { 'content-type': 'text/csv' },
  });
}

/** USD close of a catalog asset on or before a day, read straight from the table. */
async function close(symbol: string, day: string): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT close FROM price_data WHERE asset_id = ? AND timeframe = '1d' AND open_time <= ? ORDER BY open_time DESC LIMIT 1`,
  )
    .bind(`ast_${symbol.toLowerCase()}`, Date.parse(`${day}T00:00:00Z`))
    .first<{ close: number }>();
  if (!row) throw new Error(`no close of ${symbol} on ${day}`);
  return row.close;
}

const SAMPLES: [string, string, number][] = [
  ['etg_coinbase-export.csv', 'coinbase', 8],
  ['everytrade_coinbase_v001_M.csv', 'coinbase', 3],
  ['everytrade_coinbasepro_fills_v001.csv', 'coinbase-fills', 2],
  ['rotki_coinbasepro_account.csv', 'coinbase-account', 21],
  ['rotki_binance_history.csv', 'binance', 230],
  ['privatefolio_binance.csv', 'binance', 27],
  ['cointaxman_binance.csv', 'binance', 11],
  ['cointaxman_binance-earn.csv', 'binance', 12],
  ['everytrade_binance_v001.csv', 'binance-trades', 2],
  ['everytrade_binance_v002.csv', 'binance-trades', 3],
  ['cointaxman_kraken-ledgers.csv', 'kraken-ledgers', 10],
  ['cointaxman_kraken-trades.csv', 'kraken-trades', 3],
  ['everytrade_kraken_trades_v001.csv', 'kraken-trades', 2],
  ['sample.json', 'ghostfolio', 5],
  ['500-activities.json', 'ghostfolio', 500],
  ['btcusd-short.json', 'ghostfolio', 2],
  ['without-accounts.json', 'ghostfolio', 4],
  ['ghostfolio_vti-buy-on-ibkr.csv', 'ibkr-flex', 1],
  ['etg_ibkr-trades-export.csv', 'ibkr-flex', 11],
  ['etg_trading212-export.csv', 'trading212', 13],
  ['etg_schwab-export.csv', 'schwab', 119],
  ['etg_degiro-export.csv', 'degiro', 73],
  ['rotki_cointracking_trades_list.csv', 'cointracking', 12],
  ['rotki_cointracking_custom_dates.csv', 'cointracking', 2],
  ['etg_cointracking-export.csv', 'cointracking', 6],
];

describe('broker imports: every sample export', () => {
  it('detects each format and accounts for every row: imported, rejected with its reasons, or noted', {
    timeout: 300_000,
  }, async () => {
    const id = await portfolio();
    for (const [name, format, rows] of SAMPLES) {
      const text = file(name);
      const { res, body } = await importText(id, text);
      expect(res.status, `${name}: ${JSON.stringify(body)}`).toBe(200);
      const r = body.data;
      expect(r.format, name).toBe(format);
      expect(r.total_rows, name).toBe(rows);
      expect(r.trade_ids).toEqual([]);
      for (const x of r.rejected as Json[])
        expect(x.reasons.length, `${name} line ${x.line}`).toBeGreaterThan(0);
      if (name.endsWith('.json') || name === 'everytrade_binance_v002.csv') continue;
      // Every data line of a CSV appears in the preview, the rejections or a warning.
      const seen = new Set<number>([
        ...(r.preview as Json[]).map((p) => p.line),
        ...(r.rejected as Json[]).map((x) => x.line),
        ...(r.warnings as string[]).flatMap((w) =>
          /^Line (\d+):/.exec(w) ? [Number(/^Line (\d+):/.exec(w)?.[1])] : [],
        ),
      ]);
      const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
      const hasHeader = name !== 'cointaxman_binance-earn.csv';
      const grouped = new Set<number>(); // rows joined into another row's event (same trade id / second)
      for (let i = hasHeader ? 2 : 1; i <= lines.length; i++) {
        const line = lines[i - 1] ?? '';
        if (line.trim() === '' || /^,+[^,]*$/.test(line) || /^Transactions Total/.test(line)) continue;
        if (!seen.has(i)) grouped.add(i);
      }
      // Multi-row events (trade legs and fees) are reported on their first line.
      if (
        ![
          'rotki_binance_history.csv',
          'privatefolio_binance.csv',
          'cointaxman_binance.csv',
          'cointaxman_binance-earn.csv',
          'cointaxman_kraken-ledgers.csv',
          'rotki_coinbasepro_account.csv',
          'etg_degiro-export.csv',
        ].includes(name)
      ) {
        expect([...grouped], name).toEqual([]);
      }
      expect(r.preview.length + r.rejected.length, name).toBeGreaterThan(0);
    }
    // Dry runs wrote nothing.
    const trades = await callJson<{ data: Json }>(`/api/v1/portfolios/${id}/trades`, { as: user.as });
    expect(trades.body.data.trades).toEqual([]);
  });

  it('prices a EUR trade at the close of its day, refuses the repeated ID, and leaves later days to the market clock (Coinbase)', async () => {
    const id = await portfolio();
    const r = (await importText(id, file('etg_coinbase-export.csv'))).body.data;
    const eur = await close('EURUSD', '2022-03-25');
    expect(r.preview).toEqual([
      expect.objectContaining({
        line: 8,
        trade_type: 'buy',
        symbol: 'BTC',
        quantity: '0.00166779',
        asset_type: 'crypto',
      }),
    ]);
    expect(Number(r.preview[0].price)).toBeCloseTo((67.01 * eur) / 0.00166779, 6);
    expect(Number(r.preview[0].fees)).toBeCloseTo(2.99 * eur, 8);
    const reasons = (line: number) => (r.rejected as Json[]).find((x) => x.line === line)?.reasons.join(' ');
    expect(reasons(9)).toContain('repeats ID');
    // After the replay start (2024-01-01) no close is stored yet: priced rows wait for the clock.
    expect(reasons(6)).toContain('no stored price of BTC in USD on or before 2024-12-05');
    expect(r.warnings).toContain('Line 7: ETH to ETH2 is the same asset; nothing recorded');
    // The 2020 layout (currency in the column names): the convert of BTC to ETH on 2020-07-01 sells
    // BTC before the file's first buy of it (2020-09-27), so the ledger refuses it and says why.
    const old = (await importText(id, file('everytrade_coinbase_v001_M.csv'))).body.data;
    // Both legs of the convert or neither: its ETH is not bought either.
    expect(old.preview).toHaveLength(1);
    expect(old.preview[0]).toMatchObject({
      line: 2,
      trade_type: 'buy',
      symbol: 'BTC',
      quantity: '0.03182812',
    });
    expect(Number(old.preview[0].price)).toBeCloseTo(
      (295.6 * (await close('EURUSD', '2020-09-27'))) / 0.03182812,
      6,
    );
    expect((old.rejected as Json[]).find((x) => x.line === 4)?.reasons[0]).toBe(
      'No BTC held in this portfolio to sell',
    );
  });

  it('imports both legs of a crypto-to-crypto trade, and the trades and ledgers exports of one Kraken account agree', async () => {
    const id = await portfolio();
    const trades = (await importText(id, file('cointaxman_kraken-trades.csv'))).body.data;
    const ledgers = (await importText(id, file('cointaxman_kraken-ledgers.csv'))).body.data;
    const eur = await close('EURUSD', '2021-02-02');
    const usdc2 = await close('USDC', '2021-02-02');
    // XXBTZEUR buy: 0.03441778 BTC for 997.4067 EUR + 2.59326 EUR fee.
    expect(trades.preview[0]).toMatchObject({
      line: 2,
      trade_type: 'buy',
      symbol: 'BTC',
      quantity: '0.03441778',
    });
    expect(Number(trades.preview[0].price)).toBeCloseTo((997.4067 * eur) / 0.03441778, 6);
    expect(Number(trades.preview[0].fees)).toBeCloseTo(2.59326 * eur, 6);
    // XBTUSDC sell: BTC out, USDC in (both legs), the USDC fee paid by selling USDC.
    const legs = (trades.preview as Json[])
      .filter((p) => p.line === 3)
      .map((p) => `${p.trade_type} ${p.symbol} ${p.quantity}`);
    expect(legs).toEqual(['sell BTC 0.00023108', 'buy USDC 8.05962', 'sell USDC 0.02096']);
    expect(
      Number((trades.preview as Json[]).find((p) => p.line === 3 && p.symbol === 'USDC')?.price),
    ).toBeCloseTo(usdc2, 8);
    // The same account's ledgers give the same quantities of each asset.
    const net = (rows: Json[]) => {
      const m: Record<string, number> = {};
      for (const p of rows) {
        if (p.asset_type === 'cash') continue;
        const sign =
          p.trade_type === 'buy' || p.trade_type === 'add'
            ? 1
            : p.trade_type === 'sell' || p.trade_type === 'remove'
              ? -1
              : 0;
        m[p.symbol] = (m[p.symbol] ?? 0) + sign * Number(p.quantity);
      }
      return m;
    };
    const fromTrades = net(trades.preview);
    const fromLedgers = net(ledgers.preview);
    // The ledgers also hold the Buy Crypto spend of 0.00002196 BTC for 1 EUR.
    expect(fromLedgers.BTC).toBeCloseTo((fromTrades.BTC ?? 0) - 0.00002196, 10);
    expect(fromLedgers.USDC).toBeCloseTo(fromTrades.USDC ?? 0, 10);
    expect(ledgers.warnings).toContain('Line 2: a pending deposit (no txid); the credited row imports it');
    expect(ledgers.preview[0]).toMatchObject({ line: 3, trade_type: 'add', asset_type: 'cash' });
    expect(Number(ledgers.preview[0].quantity)).toBeCloseTo(1000 * eur, 8);
  });

  it('fees in BNB are BNB sold at the market; moves between own wallets and futures are not gains (Binance)', async () => {
    const id = await portfolio();
    const r = (await importText(id, file('rotki_binance_history.csv'))).body.data;
    const at17 = (r.preview as Json[]).filter((p) => p.line === 17);
    // Two fills of ETH for EUR in one second, fees in BNB and in ETH.
    expect(at17.map((p) => `${p.trade_type} ${p.symbol} ${p.quantity}`)).toEqual([
      'buy ETH 0.09825',
      'sell BNB 0.00009009',
      'sell ETH 0.00008345',
      'fee USD 0.032345401324462891',
    ]);
    const bnb = await close('BNB', '2020-11-03');
    expect(Number(at17[0]?.fees)).toBeCloseTo(0.00009009 * bnb, 8);
    expect(Number(at17[1]?.price)).toBeCloseTo(bnb, 6);
    expect(r.warnings).toContain(
      "Line 51: Transfer Between Main and Funding Wallet moves USDT between the user's own Binance wallets; nothing recorded",
    );
    const reasons = (line: number) => (r.rejected as Json[]).find((x) => x.line === line)?.reasons.join(' ');
    expect(reasons(80)).toContain('futures');
    expect(reasons(5)).toContain('empty or unreadable UTC_Time');
    expect(reasons(6)).toContain('empty Coin');
    expect(reasons(42)).toContain('operation "ABC" is not imported');
  });

  it('reads brokers: IBKR Flex, Trading 212, Schwab (newest first), DEGIRO (decimal commas, fees by order id), Ghostfolio', async () => {
    const id = await portfolio();
    const vti = (await importText(id, file('ghostfolio_vti-buy-on-ibkr.csv'))).body.data;
    expect(vti.preview).toEqual([
      expect.objectContaining({
        trade_type: 'buy',
        asset_type: 'etf',
        symbol: 'VTI',
        quantity: '17',
        price: '204.3473',
        fees: '1',
      }),
    ]);
    const ibkr = (await importText(id, file('etg_ibkr-trades-export.csv'))).body.data;
    expect(ibkr.warnings.filter((w: string) => w.includes('currency conversion'))).toHaveLength(3);
    expect((ibkr.rejected as Json[]).find((x) => x.line === 2)?.reasons[0]).toContain(
      'no stored price of CHF',
    );
    const t212 = (await importText(id, file('etg_trading212-export.csv'))).body.data;
    const eur = await close('EURUSD', '2023-12-18');
    expect(Number(t212.preview[0].quantity)).toBeCloseTo(31 * eur, 8);
    expect(t212.preview[1]).toMatchObject({ symbol: 'CSCO', quantity: '0.029053' });
    expect(Number(t212.preview[1].price)).toBeCloseTo(49.96, 8);
    expect((t212.rejected as Json[]).find((x) => x.line === 11)?.reasons[0]).toContain('does not line up');
    const schwab = (await importText(id, file('etg_schwab-export.csv'))).body.data;
    // Newest first in the file, oldest first into the ledger: SPY's reinvested dividend after its buy.
    expect(schwab.preview.find((p: Json) => p.line === 3)).toMatchObject({
      trade_type: 'dividend',
      symbol: 'SPY',
      quantity: '694.48',
    });
    expect((schwab.rejected as Json[]).find((x) => x.line === 111)?.reasons[0]).toContain('corporate action');
    const degiro = (await importText(id, file('etg_degiro-export.csv'))).body.data;
    const eur22 = await close('EURUSD', '2022-12-15');
    const vici = degiro.preview.find((p: Json) => p.line === 22);
    expect(vici).toMatchObject({ trade_type: 'buy', symbol: 'US9256521090', quantity: '1', price: '33.9' });
    expect(Number(vici.fees)).toBeCloseTo(1 * eur22, 8); // the EUR 1,00 fee row of the same Order Id
    const korea = degiro.preview.find((p: Json) => p.line === 41);
    expect(Number(korea.fees)).toBeCloseTo(1 * (await close('EURUSD', '2023-07-25')), 8); // "-1.00", a dot in a comma file
    const gf = (await importText(id, file('sample.json'))).body.data;
    expect(gf.preview.map((p: Json) => `${p.trade_type} ${p.symbol}`)).toEqual([
      'fee USD',
      'buy MSFT',
      'dividend MSFT',
      'buy PENTHOUSE-APARTMENT',
    ]);
    expect(gf.rejected).toEqual([expect.objectContaining({ line: 5, reasons: ['zero quantity'] })]);
  });

  it('imports for real all or nothing, once per file, and its export re-imports to the same ledger', async () => {
    const id = await portfolio();
    const text = file('rotki_coinbasepro_account.csv');
    const first = await importText(id, text, '');
    expect(first.res.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data.accepted).toBe(21);
    const again = await importText(id, text, '');
    expect(again.body.data.warnings.at(-1)).toContain('already imported');
    const list = async (pid: string) =>
      (
        (await callJson<{ data: Json }>(`/api/v1/portfolios/${pid}/trades?limit=1000`, { as: user.as })).body
          .data.trades as Json[]
      )
        .map((t) => [t.trade_date, t.trade_type, t.symbol, t.quantity, t.price, t.fees].join('|'))
        .sort();
    expect(await list(id)).toHaveLength(21);
    // Transfers of coins between the user's own accounts are flows (add/remove), never sales.
    const realized = await callJson<{ data: Json }>(`/api/v1/portfolios/${id}/realized-pnl?method=fifo`, {
      as: user.as,
    });
    const sold = new Set((realized.body.data.realizations as Json[]).map((x) => x.symbol));
    expect(sold).toEqual(new Set(['BTC']));
    const exported = await call(`/api/v1/portfolios/${id}/trades/export`, { as: user.as });
    const copy = await portfolio();
    const back = await importText(copy, await exported.text(), '');
    expect(back.body.data.format).toBe('meridian');
    expect(await list(copy)).toEqual(await list(id));
  });

  it('reads any CSV through a column mapping saved in the preferences', async () => {
    const id = await portfolio();
    const prefs = await callJson('/api/preferences', {
      method: 'PUT',
      as: user.as,
      body: {
        import_mappings: {
          mybank: {
            columns: {
              date: 'Booked',
              symbol: 'Ticker',
              quantity: 'Units',
              price: 'Unit price',
              fees: 'Commission',
              side: 'Direction',
              currency: 'Ccy',
            },
            delimiter: ';',
            decimal_comma: true,
            buy_values: ['K'],
            sell_values: ['V'],
            asset_type: 'crypto',
          },
        },
      },
    });
    expect(prefs.res.status, JSON.stringify(prefs.body)).toBe(200);
    const csv =
      'Booked;Ticker;Units;Unit price;Commission;Direction;Ccy\n2021-02-02;BTC;0,5;30000;10;K;USD\n2021-02-03;BTC;0,1;31000;;V;EUR\nbad;BTC;1;1;;X;USD\n';
    const r = await importText(id, csv, 'dry_run=true&format=generic&mapping=mybank');
    expect(r.res.status, JSON.stringify(r.body)).toBe(200);
    const eur = await close('EURUSD', '2021-02-03');
    expect(r.body.data.preview[0]).toMatchObject({
      trade_type: 'buy',
      symbol: 'BTC',
      quantity: '0.5',
      price: '30000',
      fees: '10',
    });
    expect(Number(r.body.data.preview[1].price)).toBeCloseTo(31000 * eur, 6);
    expect(r.body.data.rejected[0]).toMatchObject({ line: 4 });
    expect(r.body.data.rejected[0].reasons).toEqual(
      expect.arrayContaining([
        expect.stringContaining('unreadable date'),
        expect.stringContaining('side "x"'),
      ]),
    );
    const missing = await importText(id, csv, 'dry_run=true&format=generic&mapping=nosuch');
    expectError(missing.res, missing.body, 400, 'VALIDATION_ERROR');
    const noName = await importText(id, csv, 'dry_run=true&format=generic');
    expectError(noName.res, noName.body, 400, 'VALIDATION_ERROR');
    const badFormat = await importText(id, csv, 'format=excel');
    expectError(badFormat.res, badFormat.body, 400, 'VALIDATION_ERROR');
    const other = await signUp();
    const foreign = await importText(id, file('cointaxman_kraken-trades.csv'), 'dry_run=true', other);
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
  });
});
