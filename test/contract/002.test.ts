import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNotification } from '../../src/domains/notifications/service';
import { call, callJson } from '../helpers/api';
import { expectError } from '../helpers/errors';
import { seedMarket } from '../helpers/market';
import { freshIp, signUp, signUpAdmin, type TestUser } from '../helpers/users';
import { expectPlain, expectStatus, expectV2, isoTime, type Json } from './plain-helpers';

// Seed 002 (CryptoOrchestrator): every path our /openapi.json serves from it, called as its
// document shows (base /api, camelCase bodies, 002's error table, v2 under /api/v2).

const num = expect.any(Number);

describe('002 auth', () => {
  it('register takes firstName/lastName and answers { user, token }', async () => {
    const email = `c002-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const body = await expectStatus('/api/auth/register', 201, {
      method: 'POST',
      body: { email, password: 'securepassword123', firstName: 'John', lastName: 'Doe' },
      headers: { 'CF-Connecting-IP': freshIp() },
    });
    expect(body).toMatchObject({
      user: { id: expect.any(String), email, firstName: 'John', lastName: 'Doe' },
      token: expect.any(String),
    });
    const login = await expectStatus('/api/auth/login', 200, {
      method: 'POST',
      body: { email, password: 'securepassword123' },
      headers: { 'CF-Connecting-IP': freshIp() },
    });
    expect(login).toMatchObject({
      user: { email, firstName: 'John', lastName: 'Doe' },
      token: expect.any(String),
    });
    const me = await expectStatus('/api/auth/me', 200, { as: { token: login.token } });
    expect(me.role).toBe('user');
  });

  it('a taken email answers 409 INTEGRITY_ERROR; bad credentials 401 INVALID_CREDENTIALS', async () => {
    const user = await signUp();
    const taken = await callJson<Json>('/api/auth/register', {
      method: 'POST',
      body: { email: user.email, password: 'securepassword123' },
    });
    expectError(taken.res, taken.body, 409, 'INTEGRITY_ERROR');
    const wrong = await callJson<Json>('/api/auth/login', {
      method: 'POST',
      body: { email: user.email, password: 'not-the-password-1' },
    });
    expectError(wrong.res, wrong.body, 401, 'INVALID_CREDENTIALS');
    const invalid = await callJson<Json>('/api/auth/register', {
      method: 'POST',
      body: { email: 'not-an-email', password: 'securepassword123' },
    });
    expectError(invalid.res, invalid.body, 400, 'VALIDATION_ERROR');
  });
});

describe('002 markets', () => {
  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
  });

  it('GET /api/markets lists pairs as the seed shows, plain, and in the v2 envelope', async () => {
    const body = (await expectStatus('/api/markets', 200)) as unknown as Json[];
    expect(Array.isArray(body)).toBe(true);
    const btc = body.find((m) => m.symbol === 'BTC/USD');
    expect(btc).toMatchObject({
      symbol: 'BTC/USD',
      baseAsset: 'BTC',
      quoteAsset: 'USD',
      price: num,
      change24h: num,
      volume24h: num,
    });
    for (const res of [
      await call('/api/v2/markets'),
      await call('/api/markets', { headers: { 'X-API-Version': '2.0' } }),
    ]) {
      const v2 = (await res.json()) as Json;
      expectV2(v2, res.headers.get('X-Request-Id'));
      expect(v2.data).toEqual(body);
    }
  });

  it('GET /api/markets/{pair}/ohlcv answers candles from startTime, at most limit', async () => {
    const body = (await expectStatus(
      '/api/markets/BTC-USD/ohlcv?timeframe=1d&limit=5&startTime=2023-12-01T00:00:00Z',
      200,
    )) as unknown as Json[];
    expect(body).toHaveLength(5);
    expect(body.map((c) => c.timestamp.slice(0, 10))).toEqual([
      '2023-12-01',
      '2023-12-02',
      '2023-12-03',
      '2023-12-04',
      '2023-12-05',
    ]);
    for (const c of body) {
      expect(c).toMatchObject({
        timestamp: isoTime,
        open: num,
        high: num,
        low: num,
        close: num,
        volume: num,
      });
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
    }
  });

  it('GET /api/markets/{pair}/price answers symbol, price, timestamp and source', async () => {
    const body = await expectStatus(`/api/markets/${encodeURIComponent('BTC/USD')}/price`, 200);
    expectPlain(body);
    expect(body).toMatchObject({
      symbol: 'BTC/USD',
      price: num,
      timestamp: isoTime,
      source: expect.any(String),
    });
    const list = (await expectStatus('/api/markets', 200)) as unknown as Json[];
    expect(list.find((m) => m.symbol === 'BTC/USD')?.price).toBe(body.price);
  });

  it('an invalid trading pair answers 400 INVALID_SYMBOL (002’s table), a bad timeframe 400 VALIDATION_ERROR', async () => {
    for (const path of [
      '/api/markets/XYZ-USD/price',
      '/api/markets/XYZ-USD/ohlcv',
      '/api/markets/BTC-EUR/price',
    ]) {
      const { res, body } = await callJson<Json>(path);
      expectError(res, body, 400, 'INVALID_SYMBOL');
      expect(body.error.classification).toBe('user_error');
    }
    const { res, body } = await callJson<Json>('/api/markets/BTC-USD/ohlcv?timeframe=2d');
    expectError(res, body, 400, 'VALIDATION_ERROR');
  });
});

describe('002 trading and portfolio', () => {
  let user: TestUser;

  beforeAll(async () => {
    await seedMarket(['BTC', 'ETH']);
    user = await signUp();
  });

  it('POST /api/trades records a manual trade; GET /api/trades lists it with the seed’s fields', async () => {
    const trade = await expectStatus('/api/trades', 201, {
      method: 'POST',
      as: user.as,
      body: { symbol: 'BTC/USD', side: 'buy', amount: 0.01, price: 44500.0, mode: 'paper' },
    });
    expectPlain(trade);
    expect(trade).toMatchObject({
      id: expect.any(String),
      botId: null,
      symbol: 'BTC/USD',
      side: 'buy',
      amount: 0.01,
      price: 44500,
      timestamp: isoTime,
      mode: 'paper',
      pnl: 0,
    });
    const list = (await expectStatus('/api/trades?mode=paper&limit=10', 200, {
      as: user.as,
    })) as unknown as Json[];
    expect(list.map((t) => t.id)).toContain(trade.id);
    const live = (await expectStatus('/api/trades?mode=live', 200, { as: user.as })) as unknown as Json[];
    expect(live.map((t) => t.id)).not.toContain(trade.id);
  });

  it('GET /api/portfolio/{mode} answers totals, positions and performance in camelCase', async () => {
    const body = await expectStatus('/api/portfolio/paper', 200, { as: user.as });
    expect(body).toMatchObject({
      totalValue: num,
      availableBalance: num,
      positions: expect.any(Array),
    });
    // Returns over a window the ledger does not cover yet are null (never invented).
    for (const key of ['daily', 'weekly', 'monthly']) {
      expect(body.performance).toHaveProperty(key);
      expect(body.performance[key] === null || typeof body.performance[key] === 'number').toBe(true);
    }
    const btc = body.positions.find((p: Json) => p.symbol === 'BTC/USD');
    expect(btc).toMatchObject({
      symbol: 'BTC/USD',
      amount: 0.01,
      avgPrice: 44500,
      currentPrice: num,
      pnl: num,
      pnlPercent: num,
    });
    expect(btc.pnl).toBeCloseTo(0.01 * (btc.currentPrice - 44500), 2);
    const bad = await callJson<Json>('/api/portfolio/margin', { as: user.as });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });

  it('trades refuse unknown symbols (400 INVALID_SYMBOL), bad sides (400) and guests (401); sales beyond holdings 400 INSUFFICIENT_BALANCE', async () => {
    const unknown = await callJson<Json>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'XYZ/USD', side: 'buy', amount: 1, price: 1, mode: 'paper' },
    });
    expectError(unknown.res, unknown.body, 400, 'INVALID_SYMBOL');
    const side = await callJson<Json>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'BTC/USD', side: 'hold', amount: 1, price: 1 },
    });
    expectError(side.res, side.body, 400, 'VALIDATION_ERROR');
    const oversell = await callJson<Json>('/api/trades', {
      method: 'POST',
      as: user.as,
      body: { symbol: 'ETH/USD', side: 'sell', amount: 5, price: 2000, mode: 'paper' },
    });
    expectError(oversell.res, oversell.body, 400, 'INSUFFICIENT_BALANCE');
    const guest = await callJson<Json>('/api/trades');
    expectError(guest.res, guest.body, 401, 'AUTHENTICATION_ERROR');
  });
});

describe('002 preferences, notifications and push', () => {
  it('GET/PUT /api/preferences deep-merges the seed’s body', async () => {
    const user = await signUp();
    await expectStatus('/api/preferences', 200, { as: user.as });
    await expectStatus('/api/preferences', 200, {
      method: 'PUT',
      as: user.as,
      body: { theme: 'dark', notifications: { email: true, tradeAlerts: true } },
    });
    await expectStatus('/api/preferences', 200, {
      method: 'PUT',
      as: user.as,
      body: { theme: 'light', notifications: { tradeAlerts: false } },
    });
    const prefs = await expectStatus('/api/preferences', 200, { as: user.as });
    expect(prefs).toMatchObject({ theme: 'light', notifications: { email: true, tradeAlerts: false } });
  });

  it('GET /api/notifications answers the seed’s list with timestamp; PATCH .../read marks one read', async () => {
    const user = await signUp();
    const made = await createNotification(env, {
      userId: user.id,
      type: 'trade',
      title: 'Trade Executed',
      message: 'BTC/USD buy order filled at $45,000',
    });
    if (!made) throw new Error('notification not created');
    const list = (await expectStatus('/api/notifications?category=trade&read=false&limit=10', 200, {
      as: user.as,
    })) as unknown as Json[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: made.id,
      type: 'trade',
      title: 'Trade Executed',
      message: 'BTC/USD buy order filled at $45,000',
      timestamp: isoTime,
      read: false,
    });
    expect(list[0]?.timestamp).toBe(made.createdAt);
    const v2 = await callJson<Json>('/api/v2/notifications', { as: user.as });
    expectV2(v2.body, v2.res.headers.get('X-Request-Id'));
    expect(v2.body.data[0].timestamp).toBe(made.createdAt);

    const read = await expectStatus(`/api/notifications/${made.id}/read`, 200, {
      method: 'PATCH',
      as: user.as,
    });
    expect(read).toMatchObject({ id: made.id, read: true, timestamp: made.createdAt });
    const unread = (await expectStatus('/api/notifications?read=false', 200, {
      as: user.as,
    })) as unknown as Json[];
    expect(unread).toHaveLength(0);

    const stranger = await signUp();
    const other = await callJson<Json>(`/api/notifications/${made.id}/read`, {
      method: 'PATCH',
      as: stranger.as,
    });
    expectError(other.res, other.body, 404, 'NOT_FOUND');
  });

  it('POST /api/notifications/subscribe and /unsubscribe answer { success, message }', async () => {
    const user = await signUp();
    const endpoint = `https://fcm.googleapis.com/fcm/send/${crypto.randomUUID()}`;
    // A real P-256 public key and auth secret, as a browser's PushSubscription gives them.
    const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])) as CryptoKeyPair;
    const raw = new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer);
    const b64url = (bytes: Uint8Array) =>
      btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const keys = { p256dh: b64url(raw), auth: b64url(crypto.getRandomValues(new Uint8Array(16))) };
    const sub = await expectStatus('/api/notifications/subscribe', 201, {
      method: 'POST',
      as: user.as,
      body: { endpoint, keys },
    });
    expect(sub).toMatchObject({ success: true, message: expect.any(String) });
    const unsub = await expectStatus('/api/notifications/unsubscribe', 200, {
      method: 'POST',
      as: user.as,
      body: { endpoint },
    });
    expect(unsub).toMatchObject({ success: true, message: 'Push notifications unsubscribed successfully' });
    const bad = await callJson<Json>('/api/notifications/subscribe', {
      method: 'POST',
      as: user.as,
      body: { endpoint: 'http://127.0.0.1/push', keys },
    });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });
});

describe('002 health and background-job rate limits', () => {
  it('GET /api/health and /api/health/detailed answer status, timestamp, uptime and version', async () => {
    const body = await expectStatus('/api/health', 200);
    expect(body).toMatchObject({
      status: expect.any(String),
      timestamp: isoTime,
      uptime: num,
      version: expect.any(String),
    });
    const detailed = await expectStatus('/api/health/detailed', 200);
    expect(detailed).toMatchObject({
      status: expect.any(String),
      timestamp: isoTime,
      uptime: num,
      version: expect.any(String),
      services: expect.any(Array),
    });
  });

  it('GET /api/background-jobs/rate-limits lists rules; reset is admin-only', async () => {
    const admin = await signUpAdmin();
    const body = await expectStatus('/api/background-jobs/rate-limits', 200, { as: admin.as });
    expect(body.rate_limits.length).toBeGreaterThan(0);
    const rule = body.rate_limits[0];
    expect(rule).toMatchObject({
      task_name: expect.any(String),
      rate_limited: expect.any(Boolean),
      max_calls: num,
      time_window_seconds: num,
      current_calls: num,
      remaining_calls: num,
      reset_after_seconds: num,
    });
    const reset = await expectStatus(
      `/api/background-jobs/rate-limits/${encodeURIComponent(rule.task_name)}/reset`,
      200,
      {
        method: 'POST',
        as: admin.as,
      },
    );
    expect(reset).toMatchObject({ success: true, message: expect.stringContaining(rule.task_name) });
    const user = await signUp();
    const denied = await callJson<Json>(
      `/api/background-jobs/rate-limits/${encodeURIComponent(rule.task_name)}/reset`,
      {
        method: 'POST',
        as: user.as,
      },
    );
    expectError(denied.res, denied.body, 403, 'ADMIN_ACCESS_REQUIRED');
  });
});

describe('002 trading bots, trading with botId, analytics, backtesting, risk management, integrations', () => {
  let trader: TestUser;
  let botId: string;
  beforeAll(async () => {
    await seedMarket(['BTC']);
    trader = await signUp();
  });

  it('POST/GET /api/bots and start/stop answer the documented shapes (plain and v2)', async () => {
    const bot = await expectStatus('/api/bots/', 201, {
      method: 'POST',
      as: trader.as,
      body: {
        name: 'ETH Momentum Bot',
        tradingPair: 'BTC/USD',
        strategy: 'momentum',
        mode: 'paper',
        riskPerTrade: 2.0,
        stopLoss: 3.0,
        takeProfit: 6.0,
        indicators: ['RSI', 'MACD', 'BollingerBands'],
      },
    });
    expectPlain(bot);
    expect(bot).toMatchObject({
      id: expect.stringMatching(/^bot_/),
      name: 'ETH Momentum Bot',
      tradingPair: 'BTC/USD',
      strategy: 'momentum',
      mode: 'paper',
      status: 'stopped',
      createdAt: expect.any(String),
    });
    botId = bot.id;
    const list = await expectStatus('/api/bots/', 200, { as: trader.as });
    expect(list).toEqual([expect.objectContaining({ id: botId, status: 'stopped' })]);
    const started = await expectStatus(`/api/bots/${botId}/start`, 200, { method: 'POST', as: trader.as });
    expect(started).toMatchObject({ success: true, message: 'Bot started successfully', botId });
    const stopped = await expectStatus(`/api/bots/${botId}/stop`, 200, { method: 'POST', as: trader.as });
    expect(stopped).toMatchObject({ success: true, message: 'Bot stopped successfully', botId });
    const { res, body } = await callJson<Json>('/api/v2/bots', { as: trader.as });
    expectV2(body, res.headers.get('X-Request-Id'));
    const invalid = await callJson<Json>('/api/bots/', {
      method: 'POST',
      as: trader.as,
      body: { name: 'x' },
    });
    expectError(invalid.res, invalid.body, 400, 'VALIDATION_ERROR');
  });

  it('POST /api/trades with botId records into the bot ledger; GET filters by botId', async () => {
    const trade = await expectStatus('/api/trades/', 201, {
      method: 'POST',
      as: trader.as,
      body: { botId, symbol: 'BTC/USD', side: 'buy', amount: 0.01, price: 44500.0, mode: 'paper' },
    });
    expect(trade).toMatchObject({
      botId,
      symbol: 'BTC/USD',
      side: 'buy',
      amount: 0.01,
      price: 44500,
      mode: 'paper',
      pnl: 0,
    });
    const trades = await expectStatus(`/api/trades/?botId=${botId}`, 200, { as: trader.as });
    expect(trades).toEqual([expect.objectContaining({ id: trade.id, botId })]);
  });

  it('GET /api/analytics/summary, /performance and /risk', async () => {
    const summary = await expectStatus('/api/analytics/summary', 200, { as: trader.as });
    expect(summary).toMatchObject({
      totalBots: 1,
      activeBots: 0,
      totalTrades: 1,
      totalPnL: num,
      bestPerformingBot: { id: botId, name: 'ETH Momentum Bot', pnl: num },
    });
    const perf = await expectStatus(`/api/analytics/performance?botId=${botId}&period=30d`, 200, {
      as: trader.as,
    });
    for (const k of [
      'sharpeRatio',
      'sortinoRatio',
      'maxDrawdown',
      'winRate',
      'profitFactor',
      'totalReturn',
      'volatility',
    ])
      expect(perf).toHaveProperty(k);
    const risk = await expectStatus('/api/analytics/risk', 200, { as: trader.as });
    expect(risk).toMatchObject({
      valueAtRisk: num,
      expectedShortfall: num,
      correlationMatrix: expect.any(Object),
      stressTestResults: expect.any(Object),
    });
  });

  it('POST /api/backtesting/run and GET /api/backtesting/results', async () => {
    const run = await expectStatus('/api/backtesting/run', 200, {
      method: 'POST',
      as: trader.as,
      body: {
        botConfig: { name: 'Backtest Bot', tradingPair: 'BTC/USD', strategy: 'momentum', riskPerTrade: 2.0 },
        startDate: '2023-01-01T00:00:00Z',
        endDate: '2023-01-31T23:59:59Z',
        initialBalance: 10000.0,
      },
    });
    expect(run).toMatchObject({
      id: expect.any(String),
      status: 'completed',
      summary: expect.objectContaining({ totalReturn: num, maxDrawdown: num, totalTrades: num }),
      trades: expect.any(Array),
      performance: expect.any(Object),
    });
    expect(run.summary).toHaveProperty('sharpeRatio');
    expect(run.summary).toHaveProperty('winRate');
    const results = await expectStatus('/api/backtesting/results?limit=5&strategy=momentum', 200, {
      as: trader.as,
    });
    expect(results[0]).toMatchObject({ id: run.id, strategy: 'momentum' });
    const ml = await callJson<Json>('/api/backtesting/run', {
      method: 'POST',
      as: trader.as,
      body: {
        botConfig: { name: 'ML', tradingPair: 'BTC/USD', strategy: 'ml_adaptive' },
        startDate: '2023-01-01',
        endDate: '2023-01-31',
        initialBalance: 10000,
      },
    });
    expectError(ml.res, ml.body, 422, 'UNPROCESSABLE_ENTITY');
  });

  it('risk management: metrics, limits GET/POST with ranges, alerts and acknowledge', async () => {
    const metrics = await expectStatus('/api/risk-management/metrics', 200, { as: trader.as });
    expect(metrics).toMatchObject({
      totalExposure: num,
      maxDrawdown: num,
      valueAtRisk: num,
      portfolioVolatility: num,
      timestamp: isoTime,
    });
    const limits = await expectStatus('/api/risk-management/limits', 200, { as: trader.as });
    expect(limits).toMatchObject({ maxPositionSize: 50, maxDailyLoss: 5, maxDrawdown: 15, maxLeverage: 3 });
    const set = await expectStatus('/api/risk-management/limits', 200, {
      method: 'POST',
      as: trader.as,
      body: { maxPositionSize: 60.0, maxDailyLoss: 7.5, maxDrawdown: 20.0, maxLeverage: 2.5 },
    });
    expect(set).toEqual({
      status: 'success',
      limits: { maxPositionSize: 60, maxDailyLoss: 7.5, maxDrawdown: 20, maxLeverage: 2.5 },
    });
    const out = await callJson<Json>('/api/risk-management/limits', {
      method: 'POST',
      as: trader.as,
      body: { maxLeverage: 20 },
    });
    expectError(out.res, out.body, 400, 'VALIDATION_ERROR');
    const alerts = await expectStatus('/api/risk-management/alerts', 200, { as: trader.as });
    expect(alerts).toEqual([]);
    const missing = await callJson<Json>('/api/risk-management/alerts/ralr_missing/acknowledge', {
      method: 'POST',
      as: trader.as,
    });
    expectError(missing.res, missing.body, 404, 'NOT_FOUND');
  });

  it('integrations: list, start, status', async () => {
    const list = await expectStatus('/api/integrations/', 200, { as: trader.as });
    expect(list[0]).toMatchObject({
      name: expect.any(String),
      status: expect.any(String),
      description: expect.any(String),
    });
    const started = await expectStatus('/api/integrations/momentum/start', 200, {
      method: 'POST',
      as: trader.as,
    });
    expect(started).toMatchObject({ name: 'momentum', status: 'active' });
    const status = await expectStatus('/api/integrations/momentum/status', 200, { as: trader.as });
    expect(status).toMatchObject({ name: 'momentum', status: 'active', bots: 1 });
  });
});

describe('002 recommendations', () => {
  it('GET /api/recommendations/ answers pairAnalysis and optimalRiskSettings, plain', async () => {
    const body = await expectStatus('/api/recommendations/', 200);
    expectPlain(body);
    expect(body).toMatchObject({
      pairAnalysis: expect.any(Array),
      optimalRiskSettings: { positionSize: num, stopLoss: num, takeProfit: num },
    });
    for (const p of body.pairAnalysis)
      expect(p).toMatchObject({
        symbol: expect.any(String),
        confidence: num,
        signal: expect.stringMatching(/^(BUY|SELL|HOLD)$/),
        reasoning: expect.any(String),
      });
  });
});

describe('002 wallets and DEX', () => {
  it('wallets: create, list, balance, refresh, transactions, refresh-balances, as the seed shows', async () => {
    const { privateKeyToAccount, generatePrivateKey } = await import('viem/accounts');
    const user = await signUp();
    const created = await expectStatus('/api/wallets', 201, {
      method: 'POST',
      as: user.as,
      body: { chain_id: 1, label: 'My Ethereum Wallet' },
    });
    expectPlain(created);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^wallet_/),
      address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      type: 'custodial',
      chain_id: 1,
      chain_name: 'Ethereum',
      created_at: isoTime,
    });
    const list = await expectStatus('/api/wallets', 200, { as: user.as });
    expect(list[0]).toMatchObject({
      id: created.id,
      address: created.address,
      type: 'custodial',
      chain_id: 1,
      chain_name: 'Ethereum',
      balance: null,
      balance_updated_at: null,
      created_at: isoTime,
    });
    const refreshed = await expectStatus(`/api/wallets/${created.id}/refresh-balance`, 200, {
      method: 'POST',
      as: user.as,
    });
    expect(refreshed).toMatchObject({
      wallet_id: created.id,
      chain_id: 1,
      balance: '0',
      tokens: expect.any(Array),
      refreshed_at: isoTime,
    });
    const balance = await expectStatus(`/api/wallets/${created.id}/balance`, 200, { as: user.as });
    expect(balance).toMatchObject({
      wallet_id: created.id,
      balance: '0',
      balance_updated_at: isoTime,
      chain_id: 1,
      chain_name: 'Ethereum',
    });
    const txs = await expectStatus(
      `/api/wallets/${created.id}/transactions?limit=10&offset=0&chain_id=1`,
      200,
      { as: user.as },
    );
    expect(txs).toEqual({ transactions: [], total: 0, limit: 10, offset: 0 });
    const all = await expectStatus('/api/wallets/refresh-balances', 200, { method: 'POST', as: user.as });
    expect(all).toMatchObject({ status: 'success', wallets_updated: 1, updated_at: isoTime });
    const withdraw = await callJson<Json>(`/api/wallets/${created.id}/withdraw`, {
      method: 'POST',
      as: user.as,
      body: {
        to_address: privateKeyToAccount(generatePrivateKey()).address,
        amount: '0.5',
        token_address: null,
        two_factor_token: '123456',
      },
    });
    expectError(withdraw.res, withdraw.body, 400, 'ADDRESS_NOT_WHITELISTED');
    const v2 = await callJson<Json>('/api/v2/wallets', { as: user.as });
    expectV2(v2.body, v2.res.headers.get('X-Request-Id'));
  });

  it('external wallets register with a SIWE signature', async () => {
    const { privateKeyToAccount, generatePrivateKey } = await import('viem/accounts');
    const user = await signUp();
    const owner = privateKeyToAccount(generatePrivateKey());
    const nonce = await expectStatus('/api/wallets/external/nonce', 201, {
      method: 'POST',
      as: user.as,
      body: { address: owner.address, chain_id: 1 },
    });
    const registered = await expectStatus('/api/wallets/external/register', 201, {
      method: 'POST',
      as: user.as,
      body: {
        address: owner.address,
        chain_id: 1,
        signature: await owner.signMessage({ message: nonce.message }),
        nonce: nonce.nonce,
      },
    });
    expect(registered).toMatchObject({
      id: expect.stringMatching(/^wallet_/),
      address: owner.address,
      type: 'external',
      chain_id: 1,
      chain_name: 'Ethereum',
      registered_at: isoTime,
    });
  });

  it('DEX: quote, swap, trade status and aggregator health', async () => {
    await seedMarket(['ETH', 'BTC']);
    const user = await signUp();
    const eth = '0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE';
    const wbtc = '0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599';
    const request = {
      sell_token: eth,
      buy_token: wbtc,
      sell_amount: '10000000000000000',
      chain_id: 1,
      slippage_percentage: 0.5,
      cross_chain: false,
    };
    const quote = await expectStatus('/api/dex/quote', 200, { method: 'POST', as: user.as, body: request });
    expect(quote).toMatchObject({
      aggregator: expect.any(String),
      sell_token: eth,
      buy_token: wbtc,
      sell_amount: request.sell_amount,
      buy_amount: expect.stringMatching(/^\d+$/),
      price: num,
      estimated_gas: expect.any(String),
      sources: expect.any(Array),
      chain_id: 1,
      price_impact: num,
    });
    await expectStatus('/api/trades', 201, {
      method: 'POST',
      as: user.as,
      body: { symbol: 'ETH/USD', side: 'buy', amount: '1', price: '3000', mode: 'paper' },
    });
    const { slippage_percentage, sell_token, buy_token, sell_amount, chain_id } = request;
    const swap = await expectStatus('/api/dex/swap', 200, {
      method: 'POST',
      as: user.as,
      body: { sell_token, buy_token, sell_amount, chain_id, slippage_percentage, custodial: true },
    });
    expect(swap).toMatchObject({
      success: true,
      trade_id: expect.stringMatching(/^trade_/),
      sell_token: eth,
      buy_token: wbtc,
      sell_amount,
      buy_amount: expect.any(String),
      fee_amount: expect.any(String),
      status: 'confirmed',
      chain_id: 1,
      aggregator: expect.any(String),
      created_at: isoTime,
    });
    const status = await expectStatus(`/api/dex/trades/${swap.trade_id}/status`, 200, { as: user.as });
    expect(status).toMatchObject({
      trade_id: swap.trade_id,
      status: 'confirmed',
      sell_amount,
      buy_amount: swap.buy_amount,
      chain_id: 1,
      updated_at: isoTime,
    });
    const health = await expectStatus('/api/dex/aggregators/health', 200, { as: user.as });
    expect(health).toMatchObject({
      aggregators: {
        '0x': { status: expect.any(String) },
        okx: { status: expect.any(String) },
        rubic: { status: expect.any(String) },
      },
      overall_status: expect.any(String),
    });
  });
});

describe('002 ops plane: logs, alerting, database, cache, background jobs, business metrics, profiling', () => {
  it('every ops endpoint answers an admin with the documented fields, and 403 to a user', async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const as = admin.as;
    const get = (path: string) => expectStatus(path, 200, { as });
    const post = (path: string, body?: unknown) =>
      expectStatus(path, 200, { method: 'POST', as, ...(body === undefined ? {} : { body }) });

    const search = await get('/api/logs/search?level=INFO&limit=5');
    expect(search).toMatchObject({ results: expect.any(Array), total: num, limit: 5, offset: 0 });
    expect(await get('/api/logs/statistics')).toMatchObject({
      total_logs: num,
      by_level: expect.any(Object),
      error_rate: num,
    });
    expect(Array.isArray(await get('/api/logs/tail?lines=10'))).toBe(true);

    expect(Array.isArray(await get('/api/alerting/alerts'))).toBe(true);
    expect(Array.isArray(await get('/api/alerting/alerts/history?limit=5'))).toBe(true);
    const rules = await get('/api/alerting/rules');
    expect(rules[0]).toMatchObject({
      name: expect.any(String),
      metric: expect.any(String),
      threshold: num,
      operator: expect.any(String),
    });
    expect(
      await post('/api/alerting/rules', {
        name: 'slow_endpoint',
        metric: 'endpoint_duration',
        threshold: 1000,
        operator: 'gt',
        severity: 'medium',
        channels: ['email'],
        duration: 120,
        cooldown: 600,
      }),
    ).toMatchObject({ success: true, rule: 'slow_endpoint' });
    expect(await get('/api/alerting/fatigue-stats')).toMatchObject({
      total_alerts_24h: num,
      fatigue_score: num,
    });
    const incident = await expectStatus('/api/alerting/incidents', 201, {
      method: 'POST',
      as,
      body: {
        title: 'Service Degradation Detected',
        severity: 'high',
        description: 'API response times increased',
      },
    });
    expect(incident).toMatchObject({ id: expect.any(String), status: 'open', created_at: isoTime });
    expect(Array.isArray(await get('/api/alerting/incidents'))).toBe(true);
    expect(await get(`/api/alerting/incidents/${incident.id}`)).toMatchObject({
      timeline: expect.any(Array),
    });
    expect(await post(`/api/alerting/incidents/${incident.id}/resolve`)).toMatchObject({
      success: true,
      resolved_at: isoTime,
    });
    const noAlert = await callJson<Json>('/api/alerting/alerts/alert_none/acknowledge', {
      method: 'POST',
      as,
    });
    expectError(noAlert.res, noAlert.body, 404, 'NOT_FOUND');
    const noRule = await callJson<Json>('/api/alerting/alerts/high_error_rate/resolve', {
      method: 'POST',
      as,
    });
    expectError(noRule.res, noRule.body, 404, 'NOT_FOUND');

    expect(await get('/api/database/pool/metrics')).toMatchObject({
      pool_size: num,
      utilization_percent: num,
      wait_time_avg_ms: num,
    });
    expect(await get('/api/database/pool/health')).toMatchObject({
      status: expect.any(String),
      warnings: expect.any(Array),
    });
    expect(await get('/api/database/pool/history?limit=10')).toMatchObject({
      history: expect.any(Array),
      summary: expect.any(Object),
    });
    expect(await get('/api/database/read-replicas/health')).toMatchObject({ read_replicas_enabled: false });
    expect(await get('/api/database/indexes/usage?table_name=users')).toMatchObject({
      table_name: 'users',
      indexes: expect.any(Array),
    });
    expect(Array.isArray(await get('/api/database/indexes/unused?min_scans=10'))).toBe(true);
    expect(Array.isArray(await get('/api/database/indexes/missing'))).toBe(true);

    expect(await get('/api/cache/analytics?time_window_minutes=60')).toMatchObject({
      hit_rate: num,
      total_operations: num,
    });
    expect(await get(`/api/cache/analytics/pattern/${encodeURIComponent('assets:*')}`)).toMatchObject({
      pattern: 'assets:*',
    });
    expect(await get('/api/cache/versions')).toMatchObject({ versions: expect.any(Object) });
    expect(await post('/api/cache/versions/assets/increment?reason=contract')).toMatchObject({
      success: true,
      prefix: 'assets',
      new_version: num,
    });
    expect(await post('/api/cache/versions/invalidate-all')).toMatchObject({ success: true });
    expect(await get('/api/cache/preloader/stats')).toMatchObject({ total_accesses: num, unique_keys: num });
    expect(await post('/api/cache/preloader/preload-frequent?min_access_count=1000')).toMatchObject({
      success: true,
      stats: expect.any(Object),
    });
    expect(await get('/api/cache/metrics')).toMatchObject({ hits: num, misses: num, hit_rate: num });
    expect(await post('/api/cache/analytics/reset')).toMatchObject({ success: true });

    expect(await get('/api/background-jobs/status')).toMatchObject({
      active_workers: num,
      pending_tasks: num,
    });
    expect(Array.isArray(await get('/api/background-jobs/tasks'))).toBe(true);
    expect(await get('/api/background-jobs/stats')).toMatchObject({
      task_statistics: expect.any(Object),
      queue_metrics: expect.any(Object),
    });
    expect(await get('/api/background-jobs/queue-depth')).toMatchObject({
      high_priority: num,
      normal_priority: num,
      low_priority: num,
    });
    expect(await get('/api/background-jobs/batching/stats')).toMatchObject({
      batches: expect.any(Object),
      timestamp: isoTime,
    });
    expect(await post('/api/background-jobs/batching/flush')).toMatchObject({
      success: true,
      results: expect.any(Object),
    });

    expect(await get('/api/business-metrics/summary')).toMatchObject({
      users: { total_users: num },
      revenue: expect.any(Object),
    });
    expect(await get('/api/business-metrics/revenue')).toMatchObject({ total_revenue: num, mrr: num });
    expect(await get('/api/business-metrics/revenue/daily?days=7')).toMatchObject({
      days: expect.any(Array),
    });
    expect(await get('/api/business-metrics/users')).toMatchObject({ total_users: num });
    expect(await get('/api/business-metrics/trades?days=7')).toMatchObject({
      trades_per_day: expect.any(Array),
    });
    expect(await get('/api/business-metrics/dashboard')).toMatchObject({ kpis: expect.any(Object) });
    expect(await get('/api/business-metrics/kpis?period_days=7')).toMatchObject({ kpis: expect.any(Object) });
    expect(await get('/api/business-metrics/user-acquisition?days=7')).toMatchObject({
      daily_registrations: expect.any(Array),
    });
    expect(await get('/api/business-metrics/trading-activity?days=7')).toMatchObject({
      by_mode: expect.any(Object),
    });

    expect(await get('/api/performance-profiling/slow-queries?limit=5')).toMatchObject({
      slow_queries: expect.any(Array),
      limit: 5,
    });
    expect(await get('/api/performance-profiling/slow-endpoints?limit=5')).toMatchObject({
      slow_endpoints: expect.any(Array),
    });
    expect(await get('/api/performance-profiling/query-statistics')).toMatchObject({
      queries: expect.any(Array),
    });
    expect(await get('/api/performance-profiling/endpoint-statistics?method=GET')).toMatchObject({
      endpoints: expect.any(Array),
    });
    expect(await get('/api/performance-profiling/summary')).toMatchObject({ requests: expect.any(Object) });
    expect(await post('/api/performance-profiling/clear-old-entries?max_age_hours=24')).toMatchObject({
      cleared: num,
    });

    const tooMany = await callJson<Json>('/api/logs/tail?lines=1001', { as });
    expectError(tooMany.res, tooMany.body, 400, 'VALIDATION_ERROR');
    const denied = await callJson<Json>('/api/logs/search', { as: user.as });
    expectError(denied.res, denied.body, 403, 'ADMIN_ACCESS_REQUIRED');
  }, 120_000);
});
