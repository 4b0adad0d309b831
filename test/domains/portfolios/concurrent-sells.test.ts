import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { seedMarket } from '../../helpers/market';
import { portfolioWithTrades } from '../../helpers/portfolios';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Issue 12 (Low): concurrent writers on one portfolio are each answered on their merits.
 * Commits to one portfolio run one at a time (the owner's user object orders them), so 50
 * sells of one unit against a position of 20 are 20 accepted and 30 refused for balance,
 * never "portfolio changed".
 */
let owner: TestUser;
let portfolioId: string;

beforeAll(async () => {
  await seedMarket(['BTC']);
  owner = await signUp();
  ({ id: portfolioId } = await portfolioWithTrades(owner, { name: 'Race' }, [
    { trade_type: 'buy', symbol: 'BTC', quantity: 20, price: 40000, trade_date: '2023-12-01' },
  ]));
});

describe('50 concurrent sells of 1 BTC on a position of 20', () => {
  it('accepts exactly 20 and refuses 30 for balance, none for a conflict', async () => {
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const { res, body } = await callJson<{ error?: { code: string } }>(
          `/api/v1/portfolios/${portfolioId}/trades`,
          {
            method: 'POST',
            as: owner.as,
            body: { trade_type: 'sell', symbol: 'BTC', quantity: 1, price: 42000, trade_date: '2023-12-15' },
          },
        );
        return `${res.status} ${body.error?.code ?? ''}`.trim();
      }),
    );
    const ms = performance.now() - started;
    const tally = Object.fromEntries(
      [...new Set(answers)].map((a) => [a, answers.filter((x) => x === a).length]),
    );
    console.log(`concurrent sells: ${JSON.stringify(tally)} in ${ms.toFixed(0)} ms`);
    expect(tally).toEqual({ '201': 20, '400 INSUFFICIENT_BALANCE': 30 });
    const position = await env.DB.prepare(
      "SELECT quantity FROM positions WHERE portfolio_id = ? AND symbol = 'BTC'",
    )
      .bind(portfolioId)
      .first<{ quantity: string }>();
    expect(position?.quantity).toBe('0');
    const commits = await env.DB.prepare('SELECT count(*) AS n FROM ledger_commits WHERE portfolio_id = ?')
      .bind(portfolioId)
      .first<{ n: number }>();
    expect(commits?.n).toBe(21);
  }, 120_000);
});
