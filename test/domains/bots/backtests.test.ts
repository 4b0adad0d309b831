import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../../src/index';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

interface Backtest {
  id: string;
  status: string;
  jobId: string | null;
  summary: Record<string, number> | null;
  trades: { timestamp: string; side: string; price: number; decisionBar: string }[];
  performance: { finalEquity: number; equityCurve: { timestamp: string; equity: number }[] } | null;
  meta: Record<string, unknown> | null;
  inputHash: string | null;
}

let user: TestUser;
const body = (over: Record<string, unknown> = {}, config: Record<string, unknown> = {}) => ({
  botConfig: {
    name: 'SMA',
    tradingPair: 'BTC/USD',
    strategy: 'sma_crossover',
    parameters: { fast: 10, slow: 30 },
    ...config,
  },
  startDate: '2022-01-01T00:00:00Z',
  endDate: '2023-12-31T23:59:59Z',
  initialBalance: 10_000,
  ...over,
});

beforeAll(async () => {
  await seedMarket(['BTC']);
  user = await signUp();
});

describe('POST /api/backtesting/run', () => {
  it('runs synchronously on stored daily candles: next-open fills, summary, equity curve, conventions', async () => {
    const { res, body: bt } = await callJson<Backtest>('/api/backtesting/run', {
      method: 'POST',
      as: user.as,
      body: body(),
    });
    expect(res.status).toBe(200);
    expect(bt.status).toBe('completed');
    expect(bt.id).toMatch(/^bt_/);
    expect(bt.performance?.equityCurve.length).toBe(730);
    expect(bt.summary?.totalTrades).toBeGreaterThan(5);
    for (const t of bt.trades) expect(Date.parse(t.timestamp) - Date.parse(t.decisionBar)).toBe(86_400_000);
    expect(bt.meta).toMatchObject({
      timeframe: '1d',
      dataPoints: 730,
      firstBar: '2022-01-01T00:00:00.000Z',
      lastBar: '2023-12-31T00:00:00.000Z',
    });
    expect(bt.meta?.conventions).toBeTruthy();
    expect(bt.summary?.maxDrawdown).toBeLessThanOrEqual(0);
  });

  it('reproduces bit for bit', async () => {
    const a = await callJson<Backtest>('/api/backtesting/run', {
      method: 'POST',
      as: user.as,
      body: body({}, { strategy: 'momentum', parameters: {}, stopLoss: 4, takeProfit: 8, riskPerTrade: 2 }),
    });
    const b = await callJson<Backtest>('/api/backtesting/run', {
      method: 'POST',
      as: user.as,
      body: body({}, { strategy: 'momentum', parameters: {}, stopLoss: 4, takeProfit: 8, riskPerTrade: 2 }),
    });
    expect(a.body.id).not.toBe(b.body.id);
    expect(a.body.inputHash).toBe(b.body.inputHash);
    expect(JSON.stringify(a.body.trades)).toBe(JSON.stringify(b.body.trades));
    expect(JSON.stringify(a.body.summary)).toBe(JSON.stringify(b.body.summary));
    expect(a.body.trades.some((t) => t.side === 'sell')).toBe(true);
  });

  it('answers in the v2 envelope under /api/v2', async () => {
    const { res, body: v2 } = await callJson<{ success: boolean; data: Backtest; meta: { version: string } }>(
      '/api/v2/backtesting/run',
      {
        method: 'POST',
        as: user.as,
        body: body({}, { strategy: 'dca', parameters: { amount: 200, intervalBars: 14 } }),
      },
    );
    expect(res.status).toBe(200);
    expect(v2.success).toBe(true);
    expect(v2.meta.version).toBe('2.0');
    expect(v2.data.summary?.totalTrades).toBeGreaterThan(40);
  });

  it('queues long or async runs (202 + job) and the job stores the same result', async () => {
    const { res, body: queued } = await callJson<Backtest>('/api/backtesting/run', {
      method: 'POST',
      as: user.as,
      body: body({ async: true }),
    });
    expect(res.status).toBe(202);
    expect(queued.status).toBe('queued');
    expect(queued.jobId).toMatch(/^job_/);
    const batch = createMessageBatch('meridian-jobs', [
      {
        id: `m-${queued.jobId}`,
        timestamp: new Date(),
        attempts: 1,
        body: { job_id: queued.jobId, type: 'backtests.run' },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    const { body: done } = await callJson<Backtest>(`/api/backtesting/results/${queued.id}`, { as: user.as });
    expect(done.status).toBe('completed');
    const sync = await callJson<Backtest>('/api/backtesting/run', {
      method: 'POST',
      as: user.as,
      body: body(),
    });
    expect(done.inputHash).toBe(sync.body.inputHash);
    expect(JSON.stringify(done.trades)).toBe(JSON.stringify(sync.body.trades));
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const fresh = await signUp();
    const cases: [Record<string, unknown>, number, string, RegExp][] = [
      [body({}, { tradingPair: 'NOPE/USD' }), 400, 'INVALID_SYMBOL', /NOPE/],
      [body({}, { strategy: 'voodoo' }), 400, 'VALIDATION_ERROR', /strategy/],
      [body({ startDate: '2023-06-01', endDate: '2023-01-01' }), 400, 'VALIDATION_ERROR', /before/],
      [body({ endDate: '2030-01-01' }), 400, 'VALIDATION_ERROR', /market clock/],
      [body({ startDate: '2001-01-01', endDate: '2001-06-01' }), 400, 'VALIDATION_ERROR', /No closed/],
      [body({ initialBalance: 0 }), 400, 'VALIDATION_ERROR', /initialBalance/],
      [body({}, { parameters: { fast: 50, slow: 20 } }), 400, 'VALIDATION_ERROR', /fast/],
      [body({}, { strategy: 'ml_adaptive', parameters: {} }), 422, 'UNPROCESSABLE_ENTITY', /model/],
      [body({}, { stopLoss: 150 }), 400, 'VALIDATION_ERROR', /stopLoss/],
    ];
    for (const [b, status, code, message] of cases) {
      const { res, body: err } = await callJson<{ error: { message: string } }>('/api/backtesting/run', {
        method: 'POST',
        as: fresh.as,
        body: b,
      });
      expectError(res, err, status, code);
      expect(err.error.message).toMatch(message);
    }
    const { res, body: list } = await callJson<unknown[]>('/api/backtesting/results', { as: fresh.as });
    expect(res.status).toBe(200);
    expect(list).toEqual([]);
  });

  it('another user cannot see a backtest (404), and lists filter by strategy', async () => {
    const { body: mine } = await callJson<Backtest[]>('/api/backtesting/results?strategy=sma_crossover', {
      as: user.as,
    });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((b) => (b as unknown as { strategy: string }).strategy === 'sma_crossover')).toBe(true);
    const other = await signUp();
    const { res, body: err } = await callJson(`/api/backtesting/results/${mine[0]?.id}`, { as: other.as });
    expectError(res, err, 404, 'NOT_FOUND');
  });
});

describe('rate limit', () => {
  it('allows 10 runs a minute per user (002), then 429', async () => {
    const u = await signUp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const { res } = await callJson('/api/backtesting/run', {
        method: 'POST',
        as: u.as,
        body: body({ initialBalance: -1 }),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});
