import { callJson } from './api';
import type { TestUser } from './users';

/** Creates a BTC/USD dollar-cost-averaging bot named `d` through 002's API (needs BTC seeded). */
export function createDcaBot(user: TestUser) {
  return callJson<{ id: string; portfolioId: string }>('/api/bots', {
    method: 'POST',
    as: user.as,
    body: { name: 'd', tradingPair: 'BTC/USD', strategy: 'dca', parameters: { amount: 10, intervalBars: 1 } },
  });
}
