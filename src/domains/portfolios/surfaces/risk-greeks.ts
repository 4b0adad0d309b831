import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain } from '../../../core/responses';
import { GreeksSchema } from '../../risk/schemas';
import { greeksOf } from '../../risk/services/summary';
import { PortfolioId } from '../schemas';
import { isOptionValue } from '../services/insight';
import { portfolioValue } from '../services/summary';
import { riskFreeRate } from '../services/valuation';
import { common, json, readable } from './risk-common';

/** 004 2.8: Black-Scholes greeks of a portfolio's option positions (issue 16). */
export const riskGreeksRoutes = createRouter();

riskGreeksRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/greeks/{portfolio_id}',
    summary: 'Greeks of a portfolio’s option positions (004 2.8)',
    description:
      'Position greeks (per-option greek × quantity × multiplier) by Black-Scholes-Merton from the underlying’s price, each option’s implied volatility and the Fed funds rate; theta per calendar day, vega and rho per 1.00. Options without an implied volatility say so (status) and have greeks null. net_delta_exposure counts linear holdings at delta 1.',
    request: { params: PortfolioId, query: z.object({ position_id: z.string().min(1).max(64).optional() }) },
    responses: json(GreeksSchema, 'Greeks.'),
  }),
  async (c) => {
    const portfolio = await readable(c, c.req.valid('param').portfolio_id);
    const positionId = c.req.valid('query').position_id;
    const value = await portfolioValue(c.env, portfolio);
    const hasOptions = value.positions.some((v) => v.isOpen && isOptionValue(v));
    const g = greeksOf(value, hasOptions ? await riskFreeRate(c.env) : 0);
    const rows = positionId ? g.rows.filter((r) => r.position_id === positionId) : g.rows;
    if (positionId && rows.length === 0)
      throw new ApiError(
        'NOT_FOUND',
        `Position ${positionId} is not an open option position of this portfolio`,
      );
    return c.json(
      plain(c, {
        portfolio_id: portfolio.id,
        greeks_data: rows,
        portfolio_greeks: g.totals,
        summary: { ...g.summary, method: g.risk.method, last_updated: value.asOf },
      }),
      200,
    );
  },
);
