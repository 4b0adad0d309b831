import { ASSET_CATALOG } from '../src/domains/assets/catalog';
import type { Scenario } from './lib/load';

const IMPORT_TRADES = 10_000;
const POSITIONS = 50;

/**
 * A Kraken trades.csv of 10,000 fills over 2019-2023 on the catalog's crypto assets against USD
 * (buys twice the size of sells, so no sale exceeds what is held).
 */
export function krakenCsv(): string {
  const coins = ASSET_CATALOG.filter((a) => a.type === 'crypto' && a.history).map((a) => a.symbol);
  const lines = ['txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers'];
  for (let i = 0; i < IMPORT_TRADES; i++) {
    const coin = coins[i % coins.length] as string;
    const day = new Date(Date.UTC(2019, 0, 1) + Math.floor((i * 1800) / IMPORT_TRADES) * 86_400_000);
    const buy = Math.floor(i / coins.length) % 2 === 0;
    const vol = buy ? 2 : 1;
    const price = 10 + (i % 97);
    lines.push(
      [
        `T${i}`,
        `O${i}`,
        `${coin}USD`,
        `${day.toISOString().slice(0, 10)} 12:00:00.0000`,
        buy ? 'buy' : 'sell',
        'limit',
        price,
        price * vol,
        '0.1',
        vol,
        0,
        '',
        `L${i}`,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** 50 positions held over five years: a buy of each in 2019 and quarterly top-ups. */
function fiveYearCsv(): string {
  const assets = ASSET_CATALOG.filter((a) => a.history && (a.type === 'crypto' || a.type === 'etf')).slice(
    0,
    POSITIONS,
  );
  const lines = ['date,type,asset_type,symbol,quantity,price,fees'];
  lines.push('2019-01-02,add,cash,USD,5000000,1,0');
  for (const a of assets) {
    for (let q = 0; q < 20; q++) {
      const day = new Date(Date.UTC(2019, 0, 2 + q * 91)).toISOString().slice(0, 10);
      lines.push([day, 'buy', a.type === 'crypto' ? 'crypto' : 'etf', a.symbol, '1', '10', '0.5'].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Imports the 10,000-fill Kraken file (timed) and makes the five-year portfolio; returns the performance scenarios. */
export async function returnsScenarios(origin: string, token: string): Promise<Scenario[]> {
  const headers = { Authorization: `Bearer ${token}` };
  const make = async (name: string) => {
    const r = await fetch(`${origin}/api/v1/portfolios`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    return ((await r.json()) as { data: { id: string } }).data.id;
  };
  const importer = await make('Bench: 10,000 Kraken fills');
  const started = performance.now();
  const imported = await fetch(`${origin}/api/v1/portfolios/${importer}/trades/import?format=kraken-trades`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'text/csv' },
    body: krakenCsv(),
  });
  const report = (await imported.json()) as { data?: { accepted: number; rejected: unknown[] } };
  process.stderr.write(
    `bench: Kraken import of ${IMPORT_TRADES} fills: ${report.data?.accepted ?? JSON.stringify(report).slice(0, 300)} accepted in ${(performance.now() - started).toFixed(0)} ms\n`,
  );
  const five = await make('Bench: 50 positions over five years');
  const r = await fetch(`${origin}/api/v1/portfolios/${five}/trades/import`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'text/csv' },
    body: fiveYearCsv(),
  });
  if (!r.ok) throw new Error(`bench five-year portfolio: ${(await r.text()).slice(0, 300)}`);
  const perf = `/api/v1/portfolios/${five}/performance?period=5Y`;
  return [
    // The floor every authenticated read pays (session check, rate limit, portfolio row), beside /health.
    {
      name: 'GET performance floor: the same portfolio read (authenticated)',
      path: `/api/v1/portfolios/${five}`,
      auth: true,
    },
    { name: 'GET performance 5Y, 50 positions, returns + reconciliation', path: perf, auth: true },
    {
      name: 'GET performance 5Y, 50 positions, vs SPY:60,AGG:40 monthly',
      path: `${perf}&benchmark=SPY:60,AGG:40`,
      auth: true,
    },
  ];
}
