import { ASSET_CATALOG } from '../src/domains/assets/catalog';
import type { Scenario } from './lib/load';

const POSITIONS = 50;
const TRADES = 5000;

/**
 * The trades of a portfolio of 50 positions (46 catalog assets long, 4 of them also short)
 * and 5,000 trades: per position, buys and smaller sells spread over 2023, so no sale ever
 * exceeds what is held. Prices are synthetic; the valuation uses the real closes.
 */
export function benchLedgerCsv(): string {
  const assets = ASSET_CATALOG.filter((a) => a.history).slice(0, 46);
  const positions = [
    ...assets.map((a) => ({ symbol: a.symbol, type: a.type, side: 'LONG' as const })),
    ...assets
      .slice(0, POSITIONS - assets.length)
      .map((a) => ({ symbol: a.symbol, type: a.type, side: 'SHORT' as const })),
  ];
  const assetType = (t: string) =>
    t === 'crypto' || t === 'stablecoin'
      ? 'crypto'
      : t === 'etf' || t === 'index'
        ? 'etf'
        : t === 'metal' || t === 'commodity'
          ? 'metal'
          : 'us-equity';
  const lines = ['date,type,asset_type,symbol,quantity,price,fees,position_type'];
  const perPosition = Math.floor(TRADES / positions.length);
  for (const [p, pos] of positions.entries()) {
    for (let i = 0; i < perPosition; i++) {
      const day = new Date(Date.UTC(2023, 0, 1) + Math.floor((i * 364) / perPosition) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      // Open on even trades, close half as much on odd ones: holdings only grow.
      const opening = i % 2 === 0;
      const type = pos.side === 'SHORT' ? (opening ? 'sell' : 'buy') : opening ? 'buy' : 'sell';
      const price = (100 + p + (i % 17)).toFixed(2);
      lines.push(
        [day, type, assetType(pos.type), pos.symbol, opening ? '2' : '1', price, '0.5', pos.side].join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Makes the bench user's 50-position, 5,000-trade portfolio over the API and returns its scenarios. */
export async function portfolioScenarios(origin: string, token: string): Promise<Scenario[]> {
  const headers = { Authorization: `Bearer ${token}` };
  const created = await fetch(`${origin}/api/v1/portfolios`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Bench: 50 positions, 5,000 trades' }),
  });
  const { data } = (await created.json()) as { data: { id: string } };
  const started = performance.now();
  const imported = await fetch(`${origin}/api/v1/portfolios/${data.id}/trades/import`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'text/csv' },
    body: benchLedgerCsv(),
  });
  const report = (await imported.json()) as { data?: { accepted: number; rejected: unknown[] } };
  if (report.data?.accepted !== TRADES) {
    throw new Error(`bench portfolio import: ${JSON.stringify(report).slice(0, 500)}`);
  }
  process.stderr.write(
    `bench: imported ${TRADES} trades in ${(performance.now() - started).toFixed(0)} ms\n`,
  );
  const complete = `/api/v1/data/portfolio/${data.id}/complete`;
  return [
    { name: 'GET complete portfolio, 50 positions / 5,000 trades', path: complete, auth: true },
    {
      name: 'GET complete portfolio as of a past date (ledger replay of 5,000 trades)',
      path: `${complete}?as_of_date=2023-09-30`,
      auth: true,
    },
  ];
}
