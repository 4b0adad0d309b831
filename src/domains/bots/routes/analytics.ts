import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { analyticsPerformance, analyticsSummary, riskAnalytics } from '../analytics';

const common = { tags: ['Analytics (002)'], security: [{ bearerAuth: [] }], middleware: requireUser };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});

export const analyticsRoutes = createRouter();

analyticsRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/analytics/summary',
    summary: 'Your bots together: counts, fills, P&L, win rate, best bot (002)',
    responses: {
      200: json(
        z.object({
          totalBots: z.number().int(),
          activeBots: z.number().int(),
          totalTrades: z.number().int(),
          totalPnL: z.number(),
          winRate: z.number().nullable(),
          bestPerformingBot: z.object({ id: z.string(), name: z.string(), pnl: z.number() }).nullable(),
          method: z.string(),
          asOf: z.string(),
        }),
        'Summary.',
      ),
    },
  }),
  async (c) => c.json(plain(c, await analyticsSummary(c.env, principalOf(c).userId)), 200),
);

analyticsRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/analytics/performance',
    summary: 'Performance of one bot or all of yours over a period (002)',
    request: {
      query: z.object({
        botId: z.string().max(64).optional(),
        period: z.enum(['1d', '7d', '30d', '90d']).default('30d'),
      }),
    },
    responses: {
      200: json(
        z.object({
          sharpeRatio: z.number().nullable(),
          sortinoRatio: z.number().nullable(),
          maxDrawdown: z.number().nullable().openapi({ description: 'Percent, negative' }),
          winRate: z.number().nullable(),
          profitFactor: z.number().nullable(),
          totalReturn: z.number().nullable().openapi({ description: 'Percent, time-weighted' }),
          volatility: z.number().nullable().openapi({ description: 'Annualized, a fraction' }),
          botId: z.string().nullable(),
          period: z.enum(['1d', '7d', '30d', '90d']),
          from: z.string(),
          to: z.string(),
          dataPoints: z.number().int(),
          method: z.string(),
          asOf: z.string(),
        }),
        'Performance; null where the period has too few points.',
      ),
    },
  }),
  async (c) =>
    c.json(plain(c, await analyticsPerformance(c.env, principalOf(c).userId, c.req.valid('query'))), 200),
);

const Risk = z.object({
  equity: z.number(),
  totalExposure: z.number(),
  valueAtRisk: z.number().openapi({ description: 'USD, a positive loss (95%, 1 day)' }),
  expectedShortfall: z.number(),
  portfolioVolatility: z.number(),
  beta: z.number().nullable(),
  maxDrawdown: z.number().openapi({ description: 'A fraction' }),
  sharpeRatio: z.number().nullable(),
  correlationMatrix: z.record(z.string(), z.record(z.string(), z.number().nullable())),
  stressTestResults: z.record(
    z.string(),
    z.object({ return: z.number().nullable(), pnl: z.number().nullable(), from: z.string(), to: z.string() }),
  ),
  method: z.record(z.string(), z.string()),
  window: z.object({ from: z.string().nullable(), to: z.string().nullable(), dataPoints: z.number().int() }),
  timestamp: z.string(),
});

analyticsRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/analytics/risk',
    summary: "Risk of your bots' positions: VaR/ES, beta, correlations, stress tests (002)",
    responses: { 200: json(Risk, 'Risk metrics with their methods and window.') },
  }),
  async (c) => c.json(plain(c, await riskAnalytics(c.env, principalOf(c).userId)), 200),
);

analyticsRoutes.openapi(
  defineRoute({
    ...common,
    tags: ['Risk Management (002)'],
    method: 'get',
    path: '/api/risk-management/metrics',
    summary: "Current risk metrics of your bots' portfolio (002)",
    responses: { 200: json(Risk, 'Exposure, drawdown, Sharpe, VaR, volatility, with methods.') },
  }),
  async (c) => c.json(plain(c, await riskAnalytics(c.env, principalOf(c).userId)), 200),
);
