import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgetIsolateMemos } from '../../../src/core/isolate-memos';
import { listPortfoliosWithHoldings } from '../../../src/domains/portfolios/services/portfolios';
import { callJson } from '../../helpers/api';
import { seedMarket } from '../../helpers/market';
import { portfolioWithTrades, recordTrade } from '../../helpers/portfolios';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Issue 20: the portfolio list (`GET /api/v1/portfolios`) reads positions only for portfolios
 * whose ledger version this isolate does not hold. Every write to positions is a versioned
 * ledger commit, so a held version's positions are still the stored ones; a change moves the
 * version and the next list reads that portfolio again.
 */
let user: TestUser;
let first: string;
let second: string;

/** `env` whose D1 records, per batch, how many rows each statement returned. */
function countingEnv() {
  const batches: number[][] = [];
  const DB = {
    prepare: (query: string) => env.DB.prepare(query),
    batch: async (statements: D1PreparedStatement[]) => {
      const results = await env.DB.batch(statements);
      batches.push(results.map((r) => r.results.length));
      return results;
    },
  } as unknown as D1Database;
  return { env: { ...env, DB }, batches };
}

type Listed = { id: string; assets_count: number; market_value: number; cost_basis: number };

async function listed(): Promise<Listed[]> {
  const { res, body } = await callJson<{ data: { portfolios: Listed[] } }>('/api/v1/portfolios', {
    as: user.as,
  });
  expect(res.status).toBe(200);
  return body.data.portfolios;
}

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  user = await signUp();
  ({ id: first } = await portfolioWithTrades(user, { name: 'First' }, [
    { trade_type: 'buy', symbol: 'BTC', quantity: 2, price: 30000, trade_date: '2023-06-01' },
    { trade_type: 'buy', symbol: 'ETH', quantity: 10, price: 1800, trade_date: '2023-06-02' },
  ]));
  ({ id: second } = await portfolioWithTrades(user, { name: 'Second' }, [
    { trade_type: 'buy', symbol: 'ETH', quantity: 5, price: 2000, trade_date: '2023-07-01' },
  ]));
});

describe('the portfolio list holds positions per ledger version', () => {
  it('reads no positions for versions it holds, and only the changed portfolio after a trade', async () => {
    const counting = countingEnv();
    const cold = await listPortfoliosWithHoldings(counting.env, user.id);
    // One batch of two statements: the page (2 portfolios, each with the total) and positions (3).
    expect(counting.batches[0]).toEqual([2, 3]);
    const warm = await listPortfoliosWithHoldings(counting.env, user.id);
    expect(counting.batches[1]).toEqual([2, 0]);
    expect(warm.holdings.positions).toEqual(cold.holdings.positions);
    expect(warm.holdings.counts).toEqual(cold.holdings.counts);

    await recordTrade(user, second, {
      trade_type: 'buy',
      symbol: 'BTC',
      quantity: 1,
      price: 31000,
      trade_date: '2023-07-05',
    });
    const after = await listPortfoliosWithHoldings(counting.env, user.id);
    // Only the second portfolio's positions (ETH and the new BTC) are read.
    expect(counting.batches[2]).toEqual([2, 2]);
    expect(after.holdings.counts.get(second)).toBe(2);
    expect(after.holdings.counts.get(first)).toBe(2);
    expect(after.holdings.positions.filter((p) => p.portfolioId === second)).toHaveLength(2);
  });

  it('carries the total on each row of the page, and counts it alone for a page past the end', async () => {
    const page = async (query: string) =>
      (
        await callJson<{ data: { portfolios: Listed[] }; meta: { pagination: { total: number } } }>(
          `/api/v1/portfolios${query}`,
          { as: user.as },
        )
      ).body;
    const one = await page('?limit=1');
    expect(one.data.portfolios).toHaveLength(1);
    expect(one.meta.pagination.total).toBe(2);
    expect(one.data.portfolios[0]).not.toHaveProperty('total');
    const past = await page('?limit=5&offset=10');
    expect(past.data.portfolios).toEqual([]);
    expect(past.meta.pagination.total).toBe(2);
    const listed = await listPortfoliosWithHoldings(env, user.id, {
      page: { limit: 5, offset: 10, page: 3 },
    });
    expect(listed).toMatchObject({ rows: [], total: 2 });
  });

  it('values a change on the next list, as a fresh read of storage does', async () => {
    const before = await listed();
    const beforeFirst = before.find((p) => p.id === first);
    expect(beforeFirst?.assets_count).toBe(2);
    await recordTrade(user, first, {
      trade_type: 'sell',
      symbol: 'ETH',
      quantity: 10,
      price: 1900,
      trade_date: '2023-08-01',
    });
    const after = (await listed()).find((p) => p.id === first);
    // The ETH position is closed: one asset left, its cost gone from the estimate.
    expect(after?.assets_count).toBe(1);
    expect(after?.cost_basis).toBeCloseTo(60000, 6);
    // With nothing held (as in a new isolate), the list reads every portfolio again and agrees.
    forgetIsolateMemos();
    const counting = countingEnv();
    const fresh = await listPortfoliosWithHoldings(counting.env, user.id);
    // Four positions: the closed ETH stays, at zero, and is not counted open.
    expect(counting.batches[0]).toEqual([2, 4]);
    expect(fresh.holdings.counts.get(first)).toBe(1);
    expect((await listed()).find((p) => p.id === first)).toEqual(after);
  });
});
