import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain } from '../../../core/responses';
import { Lookback, RiskSummarySchema, StoredMetricsSchema } from '../../risk/schemas';
import { STORAGE_RULE, servedRiskSummary, storedRiskSnapshot } from '../../risk/services/snapshots';
import { neg } from '../../risk/services/summary-body';
import { PortfolioId } from '../schemas';
import { portfolioValue } from '../services/summary';
import { common, json, readable } from './risk-common';

/** 004 2.11 risk summary and A2 stored metrics (issue 16); both served from the risk batch's storage. */
export const riskSummaryRoutes = createRouter();

riskSummaryRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/portfolios/{portfolio_id}/risk-summary',
    summary: 'Comprehensive risk metrics of a portfolio (004 2.11)',
    description:
      'Today’s holdings revalued over the lookback (default 252 days; options by Black-Scholes at the moved underlying with today’s implied volatility). value_at_risk and expected_shortfall: historical, overlapping compounded h-day windows, at confidence_level (percent, 90-99.9), losses negative, absolute in the base currency and percentage of portfolio value. var_by_method adds parametric (Gaussian) and Cornish-Fisher. component_var: parametric 1-day Euler allocation (components sum to component_var_method.total_var). Risk metrics against SPY; scenarios as /analytics/risk/{id}/scenarios; warnings from the figures. ' +
      STORAGE_RULE,
    request: {
      params: PortfolioId,
      query: z.object({
        confidence_level: z.coerce
          .number()
          .min(90)
          .max(99.9)
          .default(95)
          .openapi({ description: 'VaR confidence in percent, 90 to 99.9 (default 95)' }),
        lookback: Lookback,
        refresh: z
          .enum(['true', 'false', '1', '0'])
          .optional()
          .transform((v) => v === 'true' || v === '1')
          .openapi({
            type: 'boolean',
            description: 'Recompute now (and store) instead of serving the stored summary',
          }),
      }),
    },
    responses: json(RiskSummarySchema, 'Risk summary.'),
  }),
  async (c) => {
    const portfolio = await readable(c, c.req.valid('param').portfolio_id);
    const q = c.req.valid('query');
    const value = await portfolioValue(c.env, portfolio);
    const body = await servedRiskSummary(c.env, value, {
      confidencePercent: q.confidence_level,
      lookback: q.lookback,
      refresh: q.refresh,
    });
    return c.json(plain(c, body), 200);
  },
);

riskSummaryRoutes.openapi(
  defineRoute({
    ...common,
    tags: ['Analytics (004)'],
    method: 'get',
    path: '/api/v1/analytics/risk/{portfolio_id}/metrics',
    summary: 'Stored risk metrics: VaR, ES, beta, Sharpe, Sortino, drawdown (004 A2)',
    description:
      'The risk batch’s stored figures (recomputed when the market clock passes a close or the holdings change), with calculated_at. VaR and ES historical (overlapping windows) in money, losses negative, at 95 and 99%.',
    request: { params: PortfolioId },
    responses: json(StoredMetricsSchema, 'Stored risk metrics.'),
  }),
  async (c) => {
    const portfolio = await readable(c, c.req.valid('param').portfolio_id);
    const value = await portfolioValue(c.env, portfolio);
    const snap = await storedRiskSnapshot(c.env, value);
    const p = snap.payload;
    const pair = (h: string, es: boolean) => {
      const f = (k: string) => {
        const x = p.var[h]?.[k];
        return x ? neg(es ? x.es_amount : x.var_amount) : null;
      };
      return { confidence_95: f('0.95'), confidence_99: f('0.99') };
    };
    const m = p.metrics;
    return c.json(
      plain(c, {
        portfolio_id: portfolio.id,
        risk_metrics: {
          value_at_risk: {
            '1_day': pair('1_day', false),
            '5_day': pair('5_day', false),
            '10_day': pair('10_day', false),
          },
          expected_shortfall: {
            '1_day': pair('1_day', true),
            '5_day': pair('5_day', true),
            '10_day': pair('10_day', true),
          },
          portfolio_beta: m.portfolio_beta,
          sharpe_ratio: m.sharpe_ratio,
          sortino_ratio: m.sortino_ratio,
          max_drawdown: m.maximum_drawdown,
          correlation_with_spy: m.correlation_with_spy,
          tracking_error: m.tracking_error,
          information_ratio: m.information_ratio,
          volatility_30d: m.volatility_30d,
          volatility_90d: m.volatility_90d,
        },
        calculation_metadata: {
          calculated_at: snap.calculatedAt,
          as_of: snap.asOf,
          lookback_days: p.lookback,
          observations: p.observations,
          window_start: p.window_start,
          window_end: p.window_end,
          confidence_levels: [0.95, 0.99],
          portfolio_value: p.nav,
          method:
            'historical VaR/ES on today’s holdings revalued over the lookback (overlapping h-day windows); metrics against SPY',
          served_from_storage: snap.stored,
        },
      }),
      200,
    );
  },
);
