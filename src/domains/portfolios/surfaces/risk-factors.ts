import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain } from '../../../core/responses';
import type { FactorSet } from '../../../db/schema/risk';
import { FactorSetQuery, FactorsSchema } from '../../risk/schemas';
import { FACTOR_NAMES, type FactorModel, storedExposures } from '../../risk/services/factors';
import { PortfolioId } from '../schemas';
import { getReadablePortfolio } from '../services/portfolios';
import { portfolioValue } from '../services/summary';
import { common, json } from './risk-common';

/** 004 2.9 and A2: a portfolio's stored factor exposures (issue 16). */
export const riskFactorRoutes = createRouter();

export async function exposuresView(
  env: Env,
  portfolio: Parameters<typeof portfolioValue>[1],
  set: FactorSet,
  positionId?: string,
) {
  const value = await portfolioValue(env, portfolio);
  const stored = await storedExposures(env, value, set);
  const rows = positionId ? stored.positions.filter((p) => p.positionId === positionId) : stored.positions;
  if (positionId && rows.length === 0)
    throw new ApiError('NOT_FOUND', `Position ${positionId} is not an open position of this portfolio`);
  const s = stored.summary;
  return {
    portfolio_id: portfolio.id,
    factor_set: set,
    factor_exposures: rows.map((p) => {
      const model = p.status === 'ok' ? (p.model as unknown as FactorModel) : null;
      return {
        position_id: p.positionId,
        symbol: p.symbol,
        market_value: p.marketValue,
        weight: p.weight,
        status: p.status,
        reason: model ? null : String((p.model as { reason?: unknown } | null)?.reason ?? ''),
        exposures: model ? Object.fromEntries(model.coefficients.map((k) => [k.factor, k.beta])) : null,
        regression: model,
        last_updated: p.calculatedAt,
      };
    }),
    portfolio_exposures: Object.fromEntries(FACTOR_NAMES[set].map((n) => [n, s.exposures[n] ?? 0])),
    risk_attribution: s.risk_attribution,
    summary: {
      total_positions: s.total_positions,
      positions_with_exposures: s.positions_with_exposures,
      coverage_percentage: s.coverage_percentage,
      r_squared: s.r_squared,
      weight_basis: s.weight_basis,
      lookback: s.lookback,
      window_end: s.window_end,
      french_vintage: s.french_vintage,
      as_of: stored.asOf,
      last_updated: stored.calculatedAt,
    },
  };
}

riskFactorRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/factors/{portfolio_id}',
    summary: 'Factor exposures of a portfolio’s positions (004 2.9)',
    description:
      'Stored by the factor batch (nightly, and on first read after the market clock passes a close or the holdings change): per position an OLS of daily excess returns on the factor set over the last 252 aligned trading days (at least 60), with SE, t, R² and residual volatility; portfolio exposures value-weighted by exposure / total value; systematic vs idiosyncratic variance split.',
    request: {
      params: PortfolioId,
      query: z.object({
        position_id: z.string().min(1).max(64).optional(),
        factor_set: FactorSetQuery,
      }),
    },
    responses: json(FactorsSchema, 'Factor exposures.'),
  }),
  async (c) => {
    const portfolio = await getReadablePortfolio(
      c.env,
      c.get('principal'),
      c.req.valid('param').portfolio_id,
    );
    const q = c.req.valid('query');
    return c.json(plain(c, await exposuresView(c.env, portfolio, q.factor_set, q.position_id)), 200);
  },
);

riskFactorRoutes.openapi(
  defineRoute({
    ...common,
    tags: ['Analytics (004)'],
    method: 'get',
    path: '/api/v1/analytics/factor/{portfolio_id}/exposures',
    summary: 'Portfolio exposures to the 7-factor model, with attribution (004 A2)',
    description:
      'The same stored regressions as /data/factors/{portfolio_id}: position-level exposures aggregated to the portfolio (value-weighted) and the risk attribution. factor_set selects the ETF 7-factor set or FF5 + momentum.',
    request: { params: PortfolioId, query: z.object({ factor_set: FactorSetQuery }) },
    responses: json(FactorsSchema, 'Factor exposures.'),
  }),
  async (c) => {
    const portfolio = await getReadablePortfolio(
      c.env,
      c.get('principal'),
      c.req.valid('param').portfolio_id,
    );
    return c.json(plain(c, await exposuresView(c.env, portfolio, c.req.valid('query').factor_set)), 200);
  },
);
