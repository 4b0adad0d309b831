import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogAssetId } from '../../src/domains/assets/catalog';
import { upsertQuotes } from '../../src/domains/prices/service';
import { publish } from '../../src/events/bus';
import { callJson } from '../helpers/api';
import { seedMarket } from '../helpers/market';
import { signUp } from '../helpers/users';
import { connect } from './client';

describe('/ws/portfolio', () => {
  beforeAll(async () => {
    await seedMarket(['BTC']);
  });

  it('tells the owner of every ledger change, and nobody else', async () => {
    const owner = await signUp();
    const other = await signUp();
    const mine = await connect(`/ws/portfolio?token=${owner.token}`);
    const theirs = await connect(`/ws/portfolio?token=${other.token}`);
    await mine.next((m) => m.type === 'welcome');
    await theirs.next((m) => m.type === 'welcome');

    const { res } = await callJson('/api/user/trades', {
      method: 'POST',
      as: owner.as,
      body: {
        assetType: 'crypto',
        symbol: 'BTC',
        tradeType: 'buy',
        quantity: 0.5,
        price: 40000,
        tradeDate: '2023-12-01',
      },
    });
    expect(res.status).toBe(201);
    const update = await mine.next((m) => m.type === 'portfolio_update');
    expect(update).toMatchObject({
      reason: 'ledger',
      ledger_version: 1,
      action: 'trade.create',
      cash: 0,
      positions: [{ symbol: 'BTC', quantity: 0.5, cost_basis: 20000, realized_pnl: 0 }],
    });
    expect(update.seq).toEqual(expect.any(Number));
    await expect(theirs.next((m) => m.type === 'portfolio_update', 500)).rejects.toThrow(
      /no matching message/,
    );
    mine.close();
    theirs.close();
  });

  it("revalues holders' portfolios when the prices of their assets move", async () => {
    const owner = await signUp();
    const bystander = await signUp();
    await callJson('/api/user/trades', {
      method: 'POST',
      as: owner.as,
      body: { assetType: 'cash', tradeType: 'deposit', quantity: 1000, tradeDate: '2023-11-30' },
    });
    await callJson('/api/user/trades', {
      method: 'POST',
      as: owner.as,
      body: {
        assetType: 'crypto',
        symbol: 'BTC',
        tradeType: 'buy',
        quantity: 0.5,
        price: 40000,
        tradeDate: '2023-12-01',
      },
    });
    const mine = await connect(`/ws/portfolio?token=${owner.token}`);
    const theirs = await connect(`/ws/portfolio?token=${bystander.token}`);
    await mine.next((m) => m.type === 'welcome');
    await theirs.next((m) => m.type === 'welcome');

    const assetId = catalogAssetId('BTC');
    const at = Date.parse('2024-01-02T00:00:00Z');
    await upsertQuotes(env, [
      {
        assetId,
        source: 'test',
        quote: {
          providerSymbol: 'BTC',
          price: 50000,
          open24h: 48000,
          high24h: 50500,
          low24h: 47500,
          change24h: 2000,
          changePct24h: 4.1667,
          volume24h: 1,
          marketCap: null,
          asOf: at,
        },
      },
    ]);
    await publish(env, {
      type: 'prices.updated',
      source: 'test',
      at,
      assets: [{ assetId, symbol: 'BTC', price: 50000, changePct24h: 4.1667 }],
    });
    const update = await mine.next((m) => m.type === 'portfolio_update' && m.reason === 'prices');
    // 0.5 BTC at 50,000 and no cash left (the buy took the 1,000 and 19,000 more as an implicit deposit).
    expect(update).toMatchObject({
      currency: 'USD',
      market_value: 25000,
      cash: 0,
      total_value: 25000,
      unrealized_pnl: 5000,
    });
    await expect(theirs.next((m) => m.type === 'portfolio_update', 500)).rejects.toThrow(
      /no matching message/,
    );
    mine.close();
    theirs.close();
  });
});
