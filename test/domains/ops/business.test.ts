import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson } from '../../helpers/api';
import { seedMarket } from '../../helpers/market';
import { portfolioWithTrades } from '../../helpers/portfolios';
import { signUp, signUpAdmin, type TestUser } from '../../helpers/users';

let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH']);
  admin = await signUpAdmin();
  alice = await signUp();
  bob = await signUp();
}, 120_000);

async function setTier(user: TestUser, tier: string) {
  const res = await call(`/api/v1/admin/users/${user.id}`, { method: 'PUT', as: admin.as, body: { tier } });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe('business metrics from real tables', () => {
  it('prices tier changes with the configured plans: MRR, ARR, churn, revenue', async () => {
    const plans = await callJson<{ data: { plans: { tier: string; monthly_price: number }[] } }>(
      '/api/v1/admin/billing/plans',
      {
        method: 'PUT',
        as: admin.as,
        body: {
          plans: [
            { tier: 'pro', monthly_price: 30 },
            { tier: 'basic', monthly_price: 10 },
          ],
        },
      },
    );
    expect(plans.res.status).toBe(200);
    expect(plans.body.data.plans.find((p) => p.tier === 'pro')?.monthly_price).toBe(30);

    await setTier(alice, 'pro');
    await setTier(bob, 'basic');
    const events = await env.DB.prepare(
      'SELECT user_id, kind, monthly_price FROM subscription_events ORDER BY occurred_at',
    ).all<{
      user_id: string;
      kind: string;
      monthly_price: number;
    }>();
    expect(events.results.map((e) => [e.user_id, e.kind, e.monthly_price])).toEqual([
      [alice.id, 'new', 30],
      [bob.id, 'new', 10],
    ]);

    const rev = await callJson<{
      mrr: number;
      arr: number;
      paying_users: number;
      churn_rate: number;
      subscription_events: Record<string, number>;
    }>('/api/business-metrics/revenue', { as: admin.as });
    expect(rev.res.status).toBe(200);
    expect(rev.body.mrr).toBe(40);
    expect(rev.body.arr).toBe(480);
    expect(rev.body.paying_users).toBe(2);
    expect(rev.body.subscription_events.new).toBe(2);

    // Bob cancels: churn counts only users paying at the start of the period.
    const start = new Date(Date.now() + 5).toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await setTier(bob, 'free');
    const after = await callJson<{
      mrr: number;
      churned_users: number;
      churn_rate: number;
      subscription_revenue: number;
    }>(`/api/business-metrics/revenue?start_date=${start}`, { as: admin.as });
    expect(after.body.mrr).toBe(30);
    expect(after.body.churned_users).toBe(1);
    expect(after.body.churn_rate).toBe(0.5);
    expect(after.body.subscription_revenue).toBeGreaterThanOrEqual(0);

    const daily = await callJson<{
      days: { date: string; mrr: number; new_subscriptions: number; cancellations: number }[];
    }>('/api/business-metrics/revenue/daily?days=3', { as: admin.as });
    expect(daily.body.days).toHaveLength(3);
    const today = daily.body.days.at(-1);
    expect(today?.new_subscriptions).toBe(2);
    expect(today?.cancellations).toBe(1);
    expect(today?.mrr).toBe(30);
  });

  it('counts users, trades and activity from the tables', async () => {
    await portfolioWithTrades(alice, { name: 'Biz' }, [
      { trade_type: 'buy', symbol: 'BTC', quantity: 0.1, price: 1000, trade_date: '2023-06-01' },
      { trade_type: 'buy', symbol: 'ETH', quantity: 1, price: 1000, trade_date: '2023-06-02' },
    ]);
    const users = await callJson<{
      total_users: number;
      active_users_24h: number;
      new_users_24h: number;
      by_tier: Record<string, number>;
    }>('/api/business-metrics/users', { as: admin.as });
    expect(users.body.total_users).toBe(3);
    expect(users.body.new_users_24h).toBe(3);
    expect(users.body.active_users_24h).toBeGreaterThanOrEqual(3);
    expect(users.body.by_tier.pro).toBe(1);

    const trades = await callJson<{
      total_trades: number;
      trading_users: number;
      trades_per_day: { trade_count: number; mode: string }[];
    }>('/api/business-metrics/trades?days=7', { as: admin.as });
    expect(trades.body.total_trades).toBe(2);
    expect(trades.body.trading_users).toBe(1);
    expect(trades.body.trades_per_day.reduce((s, d) => s + d.trade_count, 0)).toBe(2);

    const activity = await callJson<{
      by_surface: Record<string, { trades: number }>;
      top_assets: { symbol: string }[];
    }>('/api/business-metrics/trading-activity', { as: admin.as });
    expect(activity.body.by_surface.api?.trades).toBe(2);
    expect(activity.body.top_assets.map((a) => a.symbol).sort()).toEqual(['BTC', 'ETH']);

    const acq = await callJson<{
      total_registrations: number;
      daily_registrations: { registrations: number }[];
    }>('/api/business-metrics/user-acquisition?days=2', { as: admin.as });
    expect(acq.body.total_registrations).toBe(3);

    const k = await callJson<{ kpis: Record<string, { value: number; previous: number }> }>(
      '/api/business-metrics/kpis?period_days=7',
      { as: admin.as },
    );
    expect(k.body.kpis.new_users?.value).toBe(3);
    expect(k.body.kpis.trades?.value).toBe(2);
    expect(k.body.kpis.mrr?.value).toBe(30);

    const summary = await callJson<{ users: { total_users: number }; revenue: { mrr: number } }>(
      '/api/business-metrics/summary',
      { as: admin.as },
    );
    expect(summary.body.users.total_users).toBe(3);
    expect(summary.body.revenue.mrr).toBe(30);

    const dash = await callJson<{
      summary: unknown;
      kpis: unknown;
      trading_activity: { total_trades: number };
    }>('/api/business-metrics/dashboard', { as: admin.as });
    expect(dash.body.trading_activity.total_trades).toBe(2);
  });

  it('refuses bad ranges and prices', async () => {
    expect((await call('/api/business-metrics/trades?days=0', { as: admin.as })).status).toBe(400);
    expect((await call('/api/business-metrics/trades?days=366', { as: admin.as })).status).toBe(400);
    expect(
      (
        await call('/api/business-metrics/revenue?start_date=2026-02-01&end_date=2026-01-01', {
          as: admin.as,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call('/api/v1/admin/billing/plans', {
          method: 'PUT',
          as: admin.as,
          body: { plans: [{ tier: 'gold', monthly_price: 1 }] },
        })
      ).status,
    ).toBe(400);
    expect((await call('/api/v1/admin/billing/plans', { as: alice.as })).status).toBe(403);
  });
});
