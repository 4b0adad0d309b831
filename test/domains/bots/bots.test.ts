import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';
import { connect } from '../../live/client';

interface Bot {
  id: string;
  status: string;
  strategy: string;
  tradingPair: string;
  portfolioId: string;
  stopReason: string | null;
}
interface Trade {
  id: string;
  botId: string | null;
  side: string;
  amount: number;
  price: number;
}

let owner: TestUser;
let other: TestUser;
const dca = {
  name: 'DCA',
  tradingPair: 'BTC/USD',
  strategy: 'dca',
  parameters: { amount: 1000, intervalBars: 1 },
  initialBalance: 10_000,
};

async function createBot(user: TestUser, body: Record<string, unknown>): Promise<Bot> {
  const { res, body: bot } = await callJson<Bot>('/api/bots', { method: 'POST', as: user.as, body });
  expect(res.status).toBe(201);
  return bot;
}

beforeAll(async () => {
  await seedMarket(['BTC']);
  owner = await signUp();
  other = await signUp();
});

describe('bots CRUD and validation', () => {
  it("takes the pair as `symbol`, the name seed 002's SDK examples use, and refuses two different pairs", async () => {
    const bot = await createBot(owner, {
      name: 'My Trading Bot',
      symbol: 'BTC/USD',
      strategy: 'momentum',
      mode: 'paper',
    });
    expect(bot.tradingPair).toBe('BTC/USD');
    const both = await callJson('/api/bots', {
      method: 'POST',
      as: owner.as,
      body: { name: 'x', symbol: 'BTC/USD', tradingPair: 'ETH/USD', strategy: 'momentum' },
    });
    expect(both.res.status).toBe(400);
    const neither = await callJson('/api/bots', {
      method: 'POST',
      as: owner.as,
      body: { name: 'x', strategy: 'momentum' },
    });
    expect(neither.res.status).toBe(400);
  });

  it('creates a stopped paper bot with its own funded paper portfolio, lists and reads it', async () => {
    const bot = await createBot(owner, {
      name: 'ETH-less momentum',
      tradingPair: 'BTC/USD',
      strategy: 'momentum',
      mode: 'paper',
      riskPerTrade: 2,
      stopLoss: 3,
      takeProfit: 6,
      indicators: ['RSI', 'MACD', 'BollingerBands'],
    });
    expect(bot).toMatchObject({
      status: 'stopped',
      strategy: 'momentum',
      tradingPair: 'BTC/USD',
      mode: 'paper',
      indicators: ['MACD', 'RSI'],
    });
    expect(bot.id).toMatch(/^bot_/);
    const { body: list } = await callJson<Bot[]>('/api/bots', { as: owner.as });
    expect(list.map((b) => b.id)).toContain(bot.id);
    const { body: paper } = await callJson<{ availableBalance: number }>('/api/portfolio/paper', {
      as: owner.as,
    });
    expect(paper.availableBalance).toBeGreaterThanOrEqual(10_000);
    const { res: v2, body: env2 } = await callJson<{ data: Bot[] }>('/api/v2/bots', { as: owner.as });
    expect(v2.status).toBe(200);
    expect(env2.data.map((b) => b.id)).toContain(bot.id);
  });

  it('refuses bad configurations with a clear 4xx and creates nothing', async () => {
    const fresh = await signUp();
    const cases: [Record<string, unknown>, number, string, RegExp][] = [
      [{ ...dca, tradingPair: 'ZZZ/USD' }, 400, 'INVALID_SYMBOL', /ZZZ/],
      [{ ...dca, strategy: 'astrology' }, 400, 'VALIDATION_ERROR', /strategy/],
      [{ ...dca, parameters: { amount: -5 } }, 400, 'VALIDATION_ERROR', /parameters.amount/],
      [
        { ...dca, strategy: 'grid', parameters: { lower: 50000, upper: 40000 } },
        400,
        'VALIDATION_ERROR',
        /lower/,
      ],
      [{ ...dca, strategy: 'ml_adaptive', parameters: {} }, 422, 'UNPROCESSABLE_ENTITY', /model/],
      [{ ...dca, mode: 'live' }, 400, 'VALIDATION_ERROR', /live/],
      [{ ...dca, initialBalance: 0 }, 400, 'VALIDATION_ERROR', /initialBalance/],
      [{ ...dca, stopLoss: 0 }, 400, 'VALIDATION_ERROR', /stopLoss/],
    ];
    for (const [body, status, code, message] of cases) {
      const { res, body: err } = await callJson<{ error: { message: string } }>('/api/bots', {
        method: 'POST',
        as: fresh.as,
        body,
      });
      expectError(res, err, status, code);
      expect(err.error.message).toMatch(message);
    }
    const { body: list } = await callJson<Bot[]>('/api/bots', { as: fresh.as });
    expect(list).toEqual([]);
    const { body: portfolios } = await callJson<{ positions: unknown[]; totalValue: number }>(
      '/api/portfolio/paper',
      { as: fresh.as },
    );
    expect(portfolios.totalValue).toBe(0);
  });

  it("answers 404 for another user's bot on every id route", async () => {
    const bot = await createBot(owner, dca);
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/bots/${bot.id}`],
      ['PATCH', `/api/bots/${bot.id}`, { name: 'mine now' }],
      ['DELETE', `/api/bots/${bot.id}`],
      ['POST', `/api/bots/${bot.id}/start`],
      ['POST', `/api/bots/${bot.id}/stop`],
      ['GET', `/api/bots/${bot.id}/status`],
    ];
    for (const [method, path, body] of routes) {
      const { res, body: err } = await callJson(path, { method, as: other.as, body });
      expectError(res, err, 404, 'NOT_FOUND');
    }
    const { res, body: err } = await callJson('/api/trades', {
      method: 'POST',
      as: other.as,
      body: { botId: bot.id, symbol: 'BTC/USD', side: 'buy', amount: 0.01, price: 40000, mode: 'paper' },
    });
    expectError(res, err, 404, 'NOT_FOUND');
    const { body: still } = await callJson<Bot>(`/api/bots/${bot.id}`, { as: owner.as });
    expect(still.status).toBe('stopped');
  });

  it('updates a stopped bot, validating parameters, and deletes it', async () => {
    const bot = await createBot(owner, { ...dca, name: 'to change' });
    const { res, body: patched } = await callJson<Bot & { name: string; parameters: Record<string, number> }>(
      `/api/bots/${bot.id}`,
      {
        method: 'PATCH',
        as: owner.as,
        body: { name: 'changed', parameters: { amount: 50, intervalBars: 2 } },
      },
    );
    expect(res.status).toBe(200);
    expect(patched).toMatchObject({ name: 'changed', parameters: { amount: 50, intervalBars: 2 } });
    const bad = await callJson(`/api/bots/${bot.id}`, {
      method: 'PATCH',
      as: owner.as,
      body: { parameters: { intervalBars: 0 } },
    });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    const del = await callJson(`/api/bots/${bot.id}`, { method: 'DELETE', as: owner.as });
    expect(del.res.status).toBe(200);
    const gone = await callJson(`/api/bots/${bot.id}`, { as: owner.as });
    expectError(gone.res, gone.body, 404, 'NOT_FOUND');
  });
});

describe('lifecycle on the Durable Object', () => {
  it('starts idempotently, decides on the last closed bar, fills at the quote into the ledger, never twice', async () => {
    const user = await signUp();
    const status = await connect(`/ws/bot-status?token=${user.token}`);
    const perf = await connect(`/ws/performance-metrics?token=${user.token}`);
    await status.next((m) => m.type === 'welcome');
    await perf.next((m) => m.type === 'welcome');
    const bot = await createBot(user, dca);
    const first = await callJson<{ success: boolean; changed: boolean; status: string }>(
      `/api/bots/${bot.id}/start`,
      { method: 'POST', as: user.as },
    );
    expect(first.res.status).toBe(200);
    expect(first.body).toMatchObject({ success: true, changed: true, status: 'running', botId: bot.id });
    const again = await callJson<{ changed: boolean; status: string }>(`/api/bots/${bot.id}/start`, {
      method: 'POST',
      as: user.as,
    });
    expect(again.body).toMatchObject({ changed: false, status: 'running' });

    const msg = await status.next((m) => m.type === 'bot_status');
    expect(msg).toMatchObject({ botId: bot.id, decision: 'buy', bar: '2023-12-31T00:00:00.000Z' });
    const metrics = await perf.next((m) => m.type === 'performance_metrics');
    expect(metrics).toMatchObject({ botId: bot.id });
    expect(metrics.equity).toBeGreaterThan(9900);

    const { body: trades } = await callJson<Trade[]>(`/api/trades?botId=${bot.id}`, { as: user.as });
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ botId: bot.id, side: 'buy' });
    const closeOf20231231 = 42265.1875;
    expect(trades[0]?.price).toBeCloseTo(closeOf20231231 * 1.0005, 6);
    expect((trades[0]?.amount ?? 0) * (trades[0]?.price ?? 0)).toBeCloseTo(1000, 0);

    // Ticks again (an alarm firing twice, a restart): the bar is decided, no second order.
    const stub = env.BOT.getByName(bot.id);
    const tick = await stub.tick();
    expect(tick?.action).toBe('skipped');
    await callJson(`/api/bots/${bot.id}/stop`, { method: 'POST', as: user.as });
    const stopAgain = await callJson<{ changed: boolean; status: string }>(`/api/bots/${bot.id}/stop`, {
      method: 'POST',
      as: user.as,
    });
    expect(stopAgain.body).toMatchObject({ changed: false, status: 'stopped' });
    await callJson(`/api/bots/${bot.id}/start`, { method: 'POST', as: user.as });
    // A crash after the fill but before the decision was recorded: the ledger's order id guards.
    await stub.forgetDecision(Date.parse('2023-12-31T00:00:00Z'));
    const retried = await stub.tick();
    expect(retried?.action).toBe('skipped');
    expect(retried?.reason).toMatch(/ledger/);
    const { body: after } = await callJson<Trade[]>(`/api/trades?botId=${bot.id}`, { as: user.as });
    expect(after).toHaveLength(1);

    const { body: st } = await callJson<{
      status: string;
      nextAlarm: string | null;
      positionAmount: number;
      decisions: unknown[];
    }>(`/api/bots/${bot.id}/status`, { as: user.as });
    expect(st.status).toBe('running');
    expect(st.nextAlarm).not.toBeNull();
    expect(st.positionAmount).toBeCloseTo(trades[0]?.amount ?? 0, 8);
    const { body: paper } = await callJson<{ positions: { symbol: string; amount: number }[] }>(
      '/api/portfolio/paper',
      { as: user.as },
    );
    expect(paper.positions.find((p) => p.symbol === 'BTC/USD')?.amount).toBeCloseTo(
      trades[0]?.amount ?? 0,
      8,
    );
    status.close();
    perf.close();
  });
});

describe('risk limits', () => {
  it('GET defaults, POST validates 002 ranges and changes nothing on bad input', async () => {
    const user = await signUp();
    const { body: d } = await callJson('/api/risk-management/limits', { as: user.as });
    expect(d).toMatchObject({
      maxPositionSize: 50,
      maxDailyLoss: 5,
      maxDrawdown: 15,
      maxLeverage: 3,
      isDefault: true,
    });
    for (const bad of [
      { maxPositionSize: 101 },
      { maxDailyLoss: -1 },
      { maxDrawdown: 150 },
      { maxLeverage: 0.5 },
      { maxLeverage: 11 },
      {},
    ]) {
      const { res, body } = await callJson('/api/risk-management/limits', {
        method: 'POST',
        as: user.as,
        body: bad,
      });
      expectError(res, body, 400, 'VALIDATION_ERROR');
    }
    const ok = await callJson('/api/risk-management/limits', {
      method: 'POST',
      as: user.as,
      body: { maxPositionSize: 60, maxDailyLoss: 7.5, maxDrawdown: 20, maxLeverage: 2.5 },
    });
    expect(ok.body).toEqual({
      status: 'success',
      limits: { maxPositionSize: 60, maxDailyLoss: 7.5, maxDrawdown: 20, maxLeverage: 2.5 },
    });
    const { body: now } = await callJson('/api/risk-management/limits', { as: user.as });
    expect(now).toMatchObject({ maxPositionSize: 60, isDefault: false });
  });

  it('refuses a manual bot order above maxPositionSize with 422 naming the limit, before recording it', async () => {
    const user = await signUp();
    const bot = await createBot(user, dca);
    await callJson('/api/risk-management/limits', {
      method: 'POST',
      as: user.as,
      body: { maxPositionSize: 10 },
    });
    const { res, body } = await callJson<{ error: { message: string; details: { limit: string } } }>(
      '/api/trades',
      {
        method: 'POST',
        as: user.as,
        body: { botId: bot.id, symbol: 'BTC/USD', side: 'buy', amount: 0.05, price: 42265, mode: 'paper' },
      },
    );
    expectError(res, body, 422, 'UNPROCESSABLE_ENTITY');
    expect(body.error.message).toMatch(/maxPositionSize/);
    expect(body.error.details.limit).toBe('maxPositionSize');
    const small = await callJson<Trade>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { botId: bot.id, symbol: 'BTC/USD', side: 'buy', amount: 0.01, price: 42265, mode: 'paper' },
    });
    expect(small.res.status).toBe(201);
    expect(small.body.botId).toBe(bot.id);
    const { body: trades } = await callJson<Trade[]>(`/api/trades?botId=${bot.id}`, { as: user.as });
    expect(trades).toHaveLength(1);
  });

  it('a bot sizes its buy down to maxPositionSize', async () => {
    const user = await signUp();
    await callJson('/api/risk-management/limits', {
      method: 'POST',
      as: user.as,
      body: { maxPositionSize: 5 },
    });
    const bot = await createBot(user, { ...dca, parameters: { amount: 5000, intervalBars: 1 } });
    await callJson(`/api/bots/${bot.id}/start`, { method: 'POST', as: user.as });
    const { body: trades } = await callJson<Trade[]>(`/api/trades?botId=${bot.id}`, { as: user.as });
    expect(trades).toHaveLength(1);
    const value = (trades[0]?.amount ?? 0) * 42265.1875;
    expect(value).toBeLessThanOrEqual(500.0001);
    expect(value).toBeGreaterThan(499);
  });

  it('a drawdown breach stops every bot of the user and raises an acknowledgeable alert', async () => {
    const user = await signUp();
    const a = await createBot(user, dca);
    const b = await createBot(user, { ...dca, name: 'second' });
    await callJson(`/api/bots/${a.id}/start`, { method: 'POST', as: user.as });
    await callJson(`/api/bots/${b.id}/start`, { method: 'POST', as: user.as });
    // The peak the object remembers was higher than today's equity: a 20% drawdown.
    const stub = env.BOT.getByName(a.id);
    await stub.forgetDecision(Date.parse('2023-12-31T00:00:00Z'));
    await runInObject(a.id, 13_000);
    const tick = await stub.tick();
    expect(tick?.action).toBe('refused');
    expect(tick?.limit).toBe('maxDrawdown');
    for (const id of [a.id, b.id]) {
      const { body } = await callJson<Bot>(`/api/bots/${id}`, { as: user.as });
      expect(body.status).toBe('stopped');
      expect(body.stopReason).toMatch(/maxDrawdown/);
    }
    const { body: alerts } = await callJson<
      { id: string; type: string; severity: string; acknowledged: boolean }[]
    >('/api/risk-management/alerts', { as: user.as });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'MAX_DRAWDOWN', severity: 'critical', acknowledged: false });
    const { body: notes } = await callJson<{ data: { type: string }[] }>('/api/v1/notifications', {
      as: user.as,
    });
    expect(JSON.stringify(notes)).toMatch(/risk_alert/);
    const id = alerts[0]?.id ?? '';
    const theirs = await callJson(`/api/risk-management/alerts/${id}/acknowledge`, {
      method: 'POST',
      as: other.as,
    });
    expectError(theirs.res, theirs.body, 404, 'NOT_FOUND');
    const ack = await callJson<{ acknowledged: boolean; acknowledgedAt: string }>(
      `/api/risk-management/alerts/${id}/acknowledge`,
      { method: 'POST', as: user.as },
    );
    expect(ack.body).toMatchObject({ id, acknowledged: true });
    const { body: active } = await callJson<unknown[]>('/api/risk-management/alerts', { as: user.as });
    expect(active).toHaveLength(0);
    const { body: all } = await callJson<unknown[]>('/api/risk-management/alerts?all=true', { as: user.as });
    expect(all).toHaveLength(1);
  });
});

/** Sets the peak equity a bot's object remembers (as if its account had been worth that). */
async function runInObject(botId: string, peak: number): Promise<void> {
  const { runInDurableObject } = await import('cloudflare:test');
  await runInDurableObject(env.BOT.getByName(botId), async (_obj, state) => {
    state.storage.sql.exec(
      "INSERT INTO state (key, value) VALUES ('memory', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      JSON.stringify({ peakEquity: peak, dayStart: null }),
    );
  });
}
