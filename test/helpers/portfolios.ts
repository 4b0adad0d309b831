import { expect } from 'vitest';
import { callJson } from './api';
import type { TestUser } from './users';

export interface TradeBody {
  trade_type: 'buy' | 'sell';
  symbol: string;
  quantity: number;
  price: number;
  trade_date: string;
  asset_type?: string;
}

/** Records a trade through 000's trades API and expects it accepted; returns its id. */
export async function recordTrade(user: TestUser, portfolioId: string, trade: TradeBody): Promise<string> {
  const { res, body } = await callJson<{ data: { id: string } }>(`/api/v1/portfolios/${portfolioId}/trades`, {
    method: 'POST',
    as: user.as,
    body: trade,
  });
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.data.id;
}

/** Creates a portfolio through 000's API (with `body`'s fields) and records `trades` in it, in order. */
export async function portfolioWithTrades(
  user: TestUser,
  body: Record<string, unknown>,
  trades: TradeBody[] = [],
): Promise<{ id: string; tradeIds: string[] }> {
  const created = await callJson<{ data: { id: string } }>('/api/v1/portfolios', {
    method: 'POST',
    as: user.as,
    body,
  });
  expect(created.res.status, JSON.stringify(created.body)).toBe(201);
  const tradeIds: string[] = [];
  for (const trade of trades) tradeIds.push(await recordTrade(user, created.body.data.id, trade));
  return { id: created.body.data.id, tradeIds };
}
