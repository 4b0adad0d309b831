import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { pageOf } from '../../../src/core/pagination';
import { forgetUserPortfolios, heldList } from '../../../src/domains/portfolios/services/held-lists';
import { listPortfoliosWithHoldings, listQuery } from '../../../src/domains/portfolios/services/portfolios';
import { callJson } from '../../helpers/api';
import { createDcaBot } from '../../helpers/bots';
import { seedMarket } from '../../helpers/market';
import { portfolioWithTrades, recordTrade } from '../../helpers/portfolios';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Issue 20: the portfolio list (`GET /api/v1/portfolios`) is served from the isolate, without
 * D1, while the user object hands out the portfolios' token it was read under; every write to
 * the user's portfolios or positions moves that token, so the next list reads D1 and shows it.
 */
type Listed = { id: string; name: string; assets_count: number; cost_basis: number };

/** What a list without query parameters is kept by. */
const defaultListQuery = listQuery({ page: pageOf({}) });

/** The token the user's object hands over with a list request now. */
async function listToken(user: TestUser): Promise<string> {
  const result = await env.USER.getByName(user.id).authorize({
    sessionId: user.sessionId,
    method: 'GET',
    path: '/api/v1/portfolios',
    withPortfoliosToken: true,
  });
  if (result.status !== 'ok' || !result.portfoliosToken) throw new Error(`authorize: ${result.status}`);
  return result.portfoliosToken;
}

/** `env` whose D1 counts the batches run through it. */
function countingEnv() {
  const counted = { batches: 0 };
  const DB = {
    prepare: (query: string) => env.DB.prepare(query),
    batch: (statements: D1PreparedStatement[]) => {
      counted.batches++;
      return env.DB.batch(statements);
    },
  } as unknown as D1Database;
  return { env: { ...env, DB }, counted };
}

async function listed(user: TestUser): Promise<Listed[]> {
  const { res, body } = await callJson<{ data: { portfolios: Listed[] } }>('/api/v1/portfolios', {
    as: user.as,
  });
  expect(res.status).toBe(200);
  return body.data.portfolios;
}

/** Lists twice: the second list must be the kept one (same token, nothing written between). */
async function listedAndKept(user: TestUser): Promise<Listed[]> {
  const first = await listed(user);
  expect(heldList(user.id, await listToken(user), defaultListQuery)).toBeDefined();
  expect(await listed(user)).toEqual(first);
  return first;
}

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
});

describe('the portfolio list kept under the user object’s token', () => {
  it('is read from D1 once per token, and again once the token moves', async () => {
    const user = await signUp();
    await portfolioWithTrades(user, { name: 'One' }, [
      { trade_type: 'buy', symbol: 'BTC', quantity: 1, price: 30000, trade_date: '2023-06-01' },
    ]);
    const counting = countingEnv();
    const token = await listToken(user);
    const cold = await listPortfoliosWithHoldings(counting.env, user.id, {}, token);
    expect(counting.counted.batches).toBe(1);
    const warm = await listPortfoliosWithHoldings(counting.env, user.id, {}, token);
    expect(counting.counted.batches).toBe(1);
    expect(warm).toBe(cold);
    // Another query of the same user is a list of its own.
    await listPortfoliosWithHoldings(counting.env, user.id, { mode: 'paper' }, token);
    expect(counting.counted.batches).toBe(2);

    await forgetUserPortfolios(env, user.id);
    const moved = await listToken(user);
    expect(moved).not.toBe(token);
    // A read that raced that write is kept under the token from before it, so it is not served
    // under the new one.
    await listPortfoliosWithHoldings(counting.env, user.id, {}, token);
    expect(counting.counted.batches).toBe(3);
    await listPortfoliosWithHoldings(counting.env, user.id, {}, moved);
    await listPortfoliosWithHoldings(counting.env, user.id, {}, moved);
    expect(counting.counted.batches).toBe(4);
  });

  it('shows every write to the user’s portfolios on the next list', async () => {
    const user = await signUp();
    expect(await listedAndKept(user)).toEqual([]);

    // Creation.
    const { id } = await portfolioWithTrades(user, { name: 'Alpha' });
    expect((await listedAndKept(user)).map((p) => p.name)).toEqual(['Alpha']);

    // A ledger commit (a trade).
    await recordTrade(user, id, {
      trade_type: 'buy',
      symbol: 'ETH',
      quantity: 2,
      price: 2000,
      trade_date: '2023-06-01',
    });
    expect(await listedAndKept(user)).toMatchObject([{ id, assets_count: 1, cost_basis: 4000 }]);

    // An edit.
    const put = await callJson(`/api/v1/portfolios/${id}`, {
      method: 'PUT',
      as: user.as,
      body: { name: 'Beta' },
    });
    expect(put.res.status).toBe(200);
    expect((await listedAndKept(user)).map((p) => p.name)).toEqual(['Beta']);

    // The default portfolio, made on first use (`/auth/me` names it).
    const me = await callJson<{ data: { portfolio_id: string } }>('/api/v1/auth/me', { as: user.as });
    expect((await listedAndKept(user)).map((p) => p.id)).toEqual([me.body.data.portfolio_id, id]);

    // A bot and its funded paper account, then the bot's deletion.
    const bot = await createDcaBot(user);
    expect(bot.res.status).toBe(201);
    expect((await listedAndKept(user)).map((p) => p.name)).toEqual(['Bot: d', 'My Portfolio', 'Beta']);
    expect((await callJson(`/api/bots/${bot.body.id}`, { method: 'DELETE', as: user.as })).res.status).toBe(
      200,
    );
    expect((await listedAndKept(user)).map((p) => p.name)).toEqual(['My Portfolio', 'Beta']);

    // A deletion.
    const del = await callJson(`/api/v1/portfolios/${id}`, { method: 'DELETE', as: user.as });
    expect(del.res.status).toBe(200);
    expect((await listedAndKept(user)).map((p) => p.name)).toEqual(['My Portfolio']);
  });

  it('is kept per user: another user’s token does not serve it', async () => {
    const [a, b] = [await signUp(), await signUp()];
    await portfolioWithTrades(a, { name: 'Mine' });
    expect((await listedAndKept(a)).map((p) => p.name)).toEqual(['Mine']);
    expect(await listed(b)).toEqual([]);
    expect(heldList(b.id, await listToken(a), defaultListQuery)).toBeUndefined();
  });
});
