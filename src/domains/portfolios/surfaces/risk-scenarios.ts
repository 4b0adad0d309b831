import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain } from '../../../core/responses';
import { ScenariosSchema } from '../../risk/schemas';
import { riskInputs } from '../../risk/services/engine';
import { runScenarios, SCENARIO_IDS } from '../../risk/services/scenarios';
import { PortfolioId } from '../schemas';
import { portfolioValue } from '../services/summary';
import { common, json, readable } from './risk-common';

/** 004 A3: the 15 named stress scenarios on today's holdings (issue 16). */
export const riskScenarioRoutes = createRouter();

riskScenarioRoutes.openapi(
  defineRoute({
    ...common,
    tags: ['Analytics (004)'],
    method: 'get',
    path: '/api/v1/analytics/risk/{portfolio_id}/scenarios',
    summary: 'Stress tests across 15 named scenarios, per position (004 A3)',
    description:
      'Historical replays (close on or before the window’s start and end) and factor shocks on today’s holdings: P&L = market value × the asset’s return (options repriced by Black-Scholes). Systematic = beta to SPY (over the risk lookback) × SPY’s return; idiosyncratic = the rest. Assets without closes in a window move by their beta (beta_proxy). scenario filters by id (comma-separated).',
    request: {
      params: PortfolioId,
      query: z.object({
        scenario: z
          .string()
          .max(400)
          .optional()
          .openapi({ description: `Comma-separated scenario ids: ${SCENARIO_IDS.join(', ')}` }),
      }),
    },
    responses: json(ScenariosSchema, 'Scenario results.'),
  }),
  async (c) => {
    const portfolio = await readable(c, c.req.valid('param').portfolio_id);
    const wanted = c.req
      .valid('query')
      .scenario?.split(',')
      .map((s) => s.trim());
    const unknown = wanted?.filter((s) => !SCENARIO_IDS.includes(s)) ?? [];
    if (unknown.length)
      throw new ApiError('UNPROCESSABLE_ENTITY', `Unknown scenario: ${unknown.join(', ')}`, {
        details: { known: SCENARIO_IDS },
      });
    const value = await portfolioValue(c.env, portfolio);
    const inputs = await riskInputs(c.env, value);
    const scenarios = await runScenarios(c.env, inputs, wanted ?? SCENARIO_IDS);
    const worst = scenarios.reduce<(typeof scenarios)[number] | null>(
      (w, s) => (w === null || s.portfolio_impact < w.portfolio_impact ? s : w),
      null,
    );
    return c.json(
      plain(c, {
        portfolio_id: portfolio.id,
        portfolio_value: value.totalValue,
        scenarios,
        worst_scenario: worst?.id ?? null,
        methodology:
          'Today’s holdings through each scenario’s moves: historical windows use shipped daily closes (adjusted series where the catalog says so), never data after the market clock; shocks use betas over the last 252 days.',
        as_of: value.asOf,
      }),
      200,
    );
  },
);
