import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

let user: TestUser;
let botId: string;
let amount: number;

beforeAll(async () => {
  await seedMarket(['BTC']);
  user = await signUp();
  const { body: bot } = await callJson<{ id: string }>('/api/bots', {
    method: 'POST',
    as: user.as,
    body: {
      name: 'DCA',
      tradingPair: 'BTC/USD',
      strategy: 'dca',
      parameters: { amount: 4000, intervalBars: 1 },
    },
  });
  botId = bot.id;
  await callJson(`/api/bots/${botId}/start`, { method: 'POST', as: user.as });
  const { body: trades } = await callJson<{ amount: number }[]>(`/api/trades?botId=${botId}`, {
    as: user.as,
  });
  amount = trades[0]?.amount ?? 0;
});

describe('analytics over real bot fills', () => {
  it('summary counts bots, fills and P&L from the ledger', async () => {
    const { res, body } = await callJson<Record<string, unknown>>('/api/analytics/summary', { as: user.as });
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ totalBots: 1, activeBots: 1, totalTrades: 1, winRate: null });
    // Bought at the quote plus 5 bps slippage and a 0.1% fee, valued at the quote.
    const pnl = body.totalPnL as number;
    expect(pnl).toBeLessThan(0);
    expect(pnl).toBeCloseTo(-(4000 * 0.0005 + 4000 * 0.001), 0);
    expect((body.bestPerformingBot as { id: string }).id).toBe(botId);
  });

  it('performance by bot and period states its window and data points', async () => {
    const { res, body } = await callJson<Record<string, unknown>>(
      `/api/analytics/performance?botId=${botId}&period=7d`,
      { as: user.as },
    );
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ botId, period: '7d', to: '2024-01-01' });
    expect(typeof body.dataPoints).toBe('number');
    const bad = await callJson('/api/analytics/performance?period=2d', { as: user.as });
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
    const other = await signUp();
    const theirs = await callJson(`/api/analytics/performance?botId=${botId}`, { as: other.as });
    expectError(theirs.res, theirs.body, 404, 'NOT_FOUND');
  });

  it('risk: exposure, historical VaR/ES, correlations and real stress windows, at the market clock', async () => {
    for (const path of [
      '/api/analytics/risk',
      '/api/risk-management/metrics',
      '/api/v2/risk-management/metrics',
    ]) {
      const { res, body: raw } = await callJson<Record<string, unknown>>(path, { as: user.as });
      expect(res.status).toBe(200);
      const body = (path.includes('/v2/') ? raw.data : raw) as Record<string, unknown>;
      expect(body.totalExposure as number).toBeCloseTo(amount * 42265.1875, 0);
      expect(body.valueAtRisk as number).toBeGreaterThan(0);
      expect(body.expectedShortfall as number).toBeGreaterThanOrEqual(body.valueAtRisk as number);
      expect(body.correlationMatrix).toEqual({ BTC: { BTC: 1 } });
      expect(body.beta as number).toBeCloseTo((body.totalExposure as number) / (body.equity as number), 3);
      const stress = body.stressTestResults as Record<string, { return: number }>;
      expect(stress.covid_crash_2020?.return).toBeLessThan(-10);
      const window = body.window as { to: string; dataPoints: number };
      expect(Date.parse(window.to)).toBeLessThan(Date.parse('2024-01-01T00:00:00Z'));
      expect(window.dataPoints).toBeGreaterThan(300);
    }
    const empty = await signUp();
    const { body } = await callJson<Record<string, unknown>>('/api/risk-management/metrics', {
      as: empty.as,
    });
    expect(body).toMatchObject({ totalExposure: 0, valueAtRisk: 0 });
  });
});
