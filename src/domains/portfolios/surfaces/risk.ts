import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { FACTOR_SETS, type FactorSet } from '../../../db/schema/risk';
import { requireUser } from '../../../middleware/auth';
import { FACTOR_NAMES, type FactorModel, storedExposures } from '../../risk/services/factors';
import { PortfolioId } from '../schemas';
import { getReadablePortfolio } from '../services/portfolios';
import { portfolioValue } from '../services/summary';

/** 004's risk surfaces (issue 16): factor ETF prices, factor exposures; logic in src/domains/risk. */
export const riskSurfaceRoutes = createRouter();

const common = { security: [{ bearerAuth: [] }], middleware: requireUser, tags: ['Data (004)'] };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema: plainOrV2Schema(schema) } } },
});

// ---------- 2.9 factor exposures ----------
const FactorSetQuery = z.enum(FACTOR_SETS).default('etf7').openapi({
  description:
    '`etf7`: 004’s seven ETF-proxy factors (market = SPY − RF; size, value, momentum, quality, low volatility, dividend yield as ETF − SPY spreads). `ff5mom`: Fama-French five factors plus momentum (Kenneth French daily, one vintage).',
});
const Exposures = z.record(z.string(), z.number());
const CoefficientSchema = z.object({
  factor: z.string(),
  beta: z.number(),
  standard_error: z.number(),
  t_stat: z.number(),
  p_value: z.number(),
});
const ModelSchema = z.object({
  factor_set: z.enum(FACTOR_SETS),
  coefficients: z.array(CoefficientSchema),
  alpha: z.object({
    daily: z.number(),
    annualized: z.number(),
    standard_error: z.number(),
    t_stat: z.number(),
  }),
  r_squared: z.number(),
  adjusted_r_squared: z.number(),
  residual_volatility_daily: z.number(),
  residual_volatility_annualized: z.number(),
  observations: z.number().int(),
  lookback: z.number().int(),
  window_start: z.string(),
  window_end: z.string(),
  dependent: z.string(),
  factor_definitions: z.record(z.string(), z.string()),
  french_vintage: z.string().nullable(),
  method: z.string(),
});
const AttributionSchema = z
  .object({
    systematic_risk: z.number(),
    idiosyncratic_risk: z.number(),
    systematic_variance_annualized: z.number(),
    idiosyncratic_variance_annualized: z.number(),
    factor_concentration: Exposures,
    method: z.string(),
  })
  .nullable();
const FactorsSchema = z.object({
  portfolio_id: z.string(),
  factor_set: z.enum(FACTOR_SETS),
  factor_exposures: z.array(
    z.object({
      position_id: z.string(),
      symbol: z.string(),
      market_value: z.number(),
      weight: z.number(),
      status: z.string(),
      reason: z.string().nullable(),
      exposures: Exposures.nullable(),
      regression: ModelSchema.nullable(),
      last_updated: z.string(),
    }),
  ),
  portfolio_exposures: Exposures,
  risk_attribution: AttributionSchema,
  summary: z.object({
    total_positions: z.number().int(),
    positions_with_exposures: z.number().int(),
    coverage_percentage: z.number(),
    r_squared: z.number().nullable(),
    weight_basis: z.string(),
    lookback: z.number().int(),
    window_end: z.string().nullable(),
    french_vintage: z.string().nullable(),
    as_of: z.string(),
    last_updated: z.string(),
  }),
});

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

riskSurfaceRoutes.openapi(
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

riskSurfaceRoutes.openapi(
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
