import { beforeAll, describe, expect, it } from 'vitest';
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
});
