import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../src/db/client';
import { ledgerCommits } from '../../../src/db/schema';
import { commitLedger, loadLedger, recordTrades } from '../../../src/domains/portfolios/services/ledger';
import { valuationHistory } from '../../../src/domains/portfolios/services/performance';
import { createPortfolio, portfolioPositions } from '../../../src/domains/portfolios/services/portfolios';
import { deleteTrade, updateTrade } from '../../../src/domains/portfolios/services/trades';
import { upsertCandles } from '../../../src/domains/prices/service';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

describe('ledger commits', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
  });

  it('records trades, keeps derived figures in step, and refuses a backdated edit that oversells', async () => {
    const user = await signUp();
    const pf = await createPortfolio(env, user.id, { name: 'Core' });
    const { trades } = await recordTrades(env, pf, user.id, [
      {
        trade_type: 'buy',
        asset_type: 'crypto',
        symbol: 'BTC',
        quantity: '0.5',
        price: '40000',
        fees: '10',
        trade_date: '2024-01-02',
      },
      {
        trade_type: 'buy',
        asset_type: 'crypto',
        symbol: 'btc/usd',
        quantity: '0.5',
        price: '42000',
        trade_date: '2024-01-03',
      },
      {
        trade_type: 'sell',
        asset_type: 'crypto',
        symbol: 'BTC',
        quantity: '0.25',
        price: '45000',
        fees: '5',
        trade_date: '2024-01-10',
      },
    ]);
    expect(trades).toHaveLength(3);
    const [btc] = await portfolioPositions(env, [pf.id]);
    expect(btc?.symbol).toBe('BTC');
    expect(btc?.quantity).toBe('0.75');
    // WAC: cost 20010 + 21000 = 41010 for 1 BTC; 0.25 sold removes 10252.5.
    expect(btc?.costBasis).toBe('30757.5');
    expect(btc?.realizedPnl).toBe('992.5'); // 11245 - 10252.5
    // FIFO: the 0.25 comes from the first lot at 40020/BTC → cost 10005, realized 1240.
    expect(btc?.fifoRealizedPnl).toBe('1240');

    const first = trades[0]?.id as string;
    await expect(updateTrade(env, pf, user.id, first, { quantity: '0.1' })).resolves.toBeDefined();
    // 0.1 + 0.5 = 0.6 held on the 10th: the sale of 0.25 still fits. Cutting the second buy makes it not fit.
    const second = trades[1]?.id as string;
    await expect(deleteTrade(env, pf, user.id, second)).rejects.toMatchObject({
      code: 'INSUFFICIENT_BALANCE',
    });
    const [after] = await portfolioPositions(env, [pf.id]);
    expect(after?.quantity).toBe('0.35');
    const commits = await db(env).select().from(ledgerCommits);
    expect(commits.filter((c) => c.portfolioId === pf.id).map((c) => c.version)).toEqual([1, 2]);
  });

  it('serialises concurrent changes: both land, at consecutive versions', async () => {
    const user = await signUp();
    const pf = await createPortfolio(env, user.id, { name: 'Race' });
    await Promise.all(
      [1, 2, 3].map((i) =>
        recordTrades(env, pf, user.id, [
          { trade_type: 'add', asset_type: 'cash', quantity: String(i * 100), trade_date: '2024-02-01' },
        ]),
      ),
    );
    const rows = await env.DB.prepare('SELECT cash, ledger_version FROM portfolios WHERE id = ?')
      .bind(pf.id)
      .first();
    expect(rows).toEqual({ cash: '600', ledger_version: 3 });
    await expect(commitLedger(env, pf, user.id, 'noop', () => ({ details: {} }))).resolves.toMatchObject({
      version: 4,
    });
  });

  it('values the first days of a window at the last close before it, however old', async () => {
    const user = await signUp();
    const assetId = `ast_sparse_${user.id.slice(-6)}`;
    await env.DB.prepare(
      "INSERT INTO assets (id, symbol, name, asset_type, owner_id) VALUES (?, 'SPARSE', 'Thinly traded', 'us-equity', ?)",
    )
      .bind(assetId, user.id)
      .run();
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
    const candle = (d: string, close: number) => ({
      openTime: day(d),
      open: close,
      high: close,
      low: close,
      close,
      volume: 1,
    });
    await upsertCandles(env, assetId, '1d', [candle('2023-01-02', 10), candle('2023-12-20', 12)], 'test');
    const pf = await createPortfolio(env, user.id, { name: 'Sparse' });
    await recordTrades(env, pf, user.id, [
      {
        trade_type: 'buy',
        asset_type: 'us-equity',
        symbol: 'SPARSE',
        quantity: '10',
        price: '9',
        trade_date: '2023-01-02',
      },
    ]);
    const ledger = await loadLedger(env, { ...pf, ledgerVersion: 1 });
    expect(ledger.positions[0]?.assetId).toBe(assetId);
    const points = await valuationHistory(env, ledger, { from: '2023-12-01', to: '2023-12-31' });
    expect(points[0]).toMatchObject({ date: '2023-12-01', value: 100 });
    expect(points.find((p) => p.date === '2023-12-20')?.value).toBe(120);
    expect(points.at(-1)?.value).toBe(120);
  });
});
