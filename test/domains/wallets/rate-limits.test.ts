import { describe, expect, it } from 'vitest';
import { bucketsFor } from '../../../src/core/rate-limits';
import { call } from '../../helpers/api';
import { signUp } from '../../helpers/users';

const user = { kind: 'user', role: 'user', tier: 'free' } as const;
const limitOf = (method: string, path: string, rule: string) =>
  bucketsFor(method, path, user).user.find((b) => b.rule === rule);

describe("002's wallet and DEX rate limits", () => {
  it('apply the documented limit and window to each path, per user', () => {
    const HOUR = 3600;
    const cases: [string, string, string, number, number][] = [
      ['GET', '/api/wallets', 'wallets', 100, HOUR],
      ['POST', '/api/wallets', 'wallets', 100, HOUR],
      ['POST', '/api/wallets/refresh-balances', 'wallets.refresh-balances', 20, HOUR],
      ['POST', '/api/wallets/wal_1/withdraw', 'wallets.withdraw', 10, HOUR],
      ['POST', '/api/dex/quote', 'dex.quote', 60, 60],
      ['POST', '/api/dex/swap', 'dex.swap', 20, HOUR],
      ['POST', '/api/dex/trades/trade_1/submit', 'dex.trade-submit', 60, HOUR],
    ];
    for (const [method, path, rule, limit, window] of cases)
      expect(limitOf(method, path, rule), `${method} ${path}`).toMatchObject({
        limit,
        windowSeconds: window,
      });
    // A GET of one wallet is not a create/list call, and a quote is not a swap.
    expect(limitOf('GET', '/api/wallets/wal_1', 'wallets')).toBeUndefined();
    expect(limitOf('POST', '/api/dex/quote', 'dex.swap')).toBeUndefined();
  });

  it('allows 20 refresh-balances calls an hour, then 429 with nothing read', async () => {
    const u = await signUp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++)
      statuses.push((await call('/api/wallets/refresh-balances', { method: 'POST', as: u.as })).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
  }, 60_000);
});
