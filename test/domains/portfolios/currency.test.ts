import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp } from '../../helpers/users';

// Shipped closes on 2023-12-15: BTC 41,929.7578125 USD; EURUSD 1.0993602275848389 USD per EUR.
const BTC_USD = 41929.7578125;
const EUR_USD = 1.0993602275848389;

describe('portfolios in another currency', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'EURUSD']);
  });

  it('keeps the ledger in euros and converts USD prices at the stored rate of the day', async () => {
    const user = await signUp();
    const { res, body } = await callJson<{ data: { id: string; base_currency: string } }>(
      '/api/v1/portfolios',
      {
        method: 'POST',
        as: user.as,
        body: { name: 'Euro book', base_currency: 'EUR' },
      },
    );
    expect(res.status).toBe(201);
    expect(body.data.base_currency).toBe('EUR');
    const id = body.data.id;
    const trade = await callJson(`/api/v1/portfolios/${id}/trades`, {
      method: 'POST',
      as: user.as,
      body: {
        trade_type: 'buy',
        asset_type: 'crypto',
        symbol: 'BTC',
        quantity: 0.1,
        price: 35000,
        trade_date: '2023-12-01',
      },
    });
    expect(trade.res.status).toBe(201);

    const { body: complete } = await callJson<{
      portfolio: { currency: string };
      positions: {
        current_price: number;
        market_value: number;
        unrealized_pnl: number;
        cost_basis: number;
      }[];
    }>(`/api/v1/data/portfolio/${id}/complete?as_of_date=2023-12-15`, { as: user.as });
    expect(complete.portfolio.currency).toBe('EUR');
    const eur = BTC_USD / EUR_USD;
    expect(complete.positions[0]?.current_price).toBeCloseTo(eur, 4);
    expect(complete.positions[0]?.market_value).toBeCloseTo(0.1 * eur, 2);
    expect(complete.positions[0]?.unrealized_pnl).toBeCloseTo(0.1 * eur - 3500, 2);

    const { body: perf } = await callJson<{ data: { points: { date: string; value: number }[] } }>(
      `/api/v1/portfolios/${id}/performance?from=2023-12-01&to=2023-12-15`,
      { as: user.as },
    );
    expect(perf.data.points.at(-1)).toMatchObject({ date: '2023-12-15' });
    expect(perf.data.points.at(-1)?.value).toBeCloseTo(0.1 * eur, 2);

    // Current figures convert at the current quotes of both.
    const { body: live } = await callJson<{ totalValue: number; positions: { currency: string }[] }>(
      '/api/portfolio/live',
      { as: user.as },
    );
    expect(live.positions[0]?.currency).toBe('EUR');
    expect(live.totalValue).toBeGreaterThan(0);
  });

  it('refuses a currency without a stored exchange rate, listing the ones it can use', async () => {
    const user = await signUp();
    const { res, body } = await callJson('/api/v1/portfolios', {
      method: 'POST',
      as: user.as,
      body: { name: 'Swiss', base_currency: 'CHF' },
    });
    expectError(res, body, 400, 'VALIDATION_ERROR');
    expect(body).toMatchObject({ error: { details: { supported: ['USD', 'EUR', 'GBP', 'JPY'] } } });
  });
});
