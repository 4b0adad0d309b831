import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { FACTOR_SETS, type FactorSet } from '../../../db/schema/risk';
import { requireUser } from '../../../middleware/auth';
import { riskInputs } from '../../risk/services/engine';
import { FACTOR_NAMES, type FactorModel, storedExposures } from '../../risk/services/factors';
import { runScenarios, SCENARIO_IDS } from '../../risk/services/scenarios';
import { storedRiskSnapshot } from '../../risk/services/snapshots';
import { greeksOf, type RiskReport, riskReport } from '../../risk/services/summary';
import type { VarFigure } from '../../risk/services/var';
import { PortfolioId } from '../schemas';
import { isOptionValue } from '../services/insight';
import { getReadablePortfolio, type Reader } from '../services/portfolios';
import { portfolioValue } from '../services/summary';
import { riskFreeRate } from '../services/valuation';

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

// ---------- 2.11 risk summary, A2 metrics, A3 scenarios, 2.8 greeks ----------
const Lookback = z.coerce
  .number()
  .int()
  .min(30)
  .max(1260)
  .optional()
  .openapi({ description: 'Trading days of history the holdings are revalued over (30-1260, default 252)' });
const Amount = z.object({ absolute: z.number(), percentage: z.number() });
const HorizonAmounts = z.object({
  '1_day': Amount.nullable(),
  '5_day': Amount.nullable(),
  '10_day': Amount.nullable(),
});
const MethodFigure = z
  .object({
    var_absolute: z.number(),
    var_percentage: z.number(),
    es_absolute: z.number(),
    es_percentage: z.number(),
    observations: z.number().int(),
  })
  .nullable();
const MethodBlock = z.object({
  description: z.string(),
  '1_day': MethodFigure,
  '5_day': MethodFigure,
  '10_day': MethodFigure,
});
const MetricsSchema = z.object({
  portfolio_beta: z.number().nullable(),
  correlation_with_spy: z.number().nullable(),
  tracking_error: z.number().nullable(),
  information_ratio: z.number().nullable(),
  sharpe_ratio: z.number().nullable(),
  sortino_ratio: z.number().nullable(),
  maximum_drawdown: z.number().nullable(),
  volatility_30d: z.number().nullable(),
  volatility_90d: z.number().nullable(),
  annualized_volatility: z.number().nullable(),
  periods_per_year: z.number().int(),
  observations: z.number().int(),
  window_start: z.string().nullable(),
  window_end: z.string().nullable(),
  benchmark: z.string(),
});
const ComponentSchema = z.object({
  position_id: z.string(),
  symbol: z.string(),
  position_weight: z.number(),
  component_var: z.number(),
  marginal_var: z.number(),
  component_es: z.number(),
  percentage_contribution: z.number(),
});
const GreeksRiskSchema = z.object({
  delta_equivalent: z.number(),
  gamma_risk: z.object({ '1_percent_move': z.number(), '2_percent_move': z.number() }),
  vega_risk: z.object({ '1_vol_point_move': z.number() }),
  theta_decay: z.object({ '1_day': z.number() }),
  method: z.string(),
});
const RiskSummarySchema = z.object({
  portfolio_id: z.string(),
  risk_summary: z.object({
    portfolio_value: z.number(),
    confidence_level: z.number(),
    calculation_date: z.string(),
    lookback_period: z.number().int(),
    observations: z.number().int(),
    window_start: z.string().nullable(),
    window_end: z.string().nullable(),
    method: z.string(),
    as_of: z.string(),
  }),
  value_at_risk: HorizonAmounts,
  expected_shortfall: HorizonAmounts,
  var_by_method: z.object({ historical: MethodBlock, parametric: MethodBlock, cornish_fisher: MethodBlock }),
  risk_metrics: MetricsSchema,
  component_var: z.array(ComponentSchema),
  component_var_method: z
    .object({
      method: z.string(),
      total_var: z.number(),
      total_es: z.number(),
      confidence: z.number(),
      horizon_days: z.number().int(),
    })
    .nullable(),
  stress_scenarios: z.record(
    z.string(),
    z.object({ name: z.string(), scenario_return: z.number(), portfolio_impact: z.number() }),
  ),
  greeks_risk: GreeksRiskSchema,
  risk_warnings: z.array(z.string()),
  last_updated: z.string(),
});

const neg = (x: number) => (x === 0 ? 0 : -x);
const amount = (f: VarFigure | null | undefined, es = false) =>
  f ? { absolute: neg(es ? f.es_amount : f.var_amount), percentage: neg((es ? f.es : f.var) * 100) } : null;

async function readable(c: { env: Env; get: (k: 'principal') => Reader }, id: string) {
  return getReadablePortfolio(c.env, c.get('principal'), id);
}

riskSurfaceRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/portfolios/{portfolio_id}/risk-summary',
    summary: 'Comprehensive risk metrics of a portfolio (004 2.11)',
    description:
      'Today’s holdings revalued over the lookback (default 252 days; options by Black-Scholes at the moved underlying with today’s implied volatility). value_at_risk and expected_shortfall: historical, overlapping compounded h-day windows, at confidence_level (percent, 90-99.9), losses negative, absolute in the base currency and percentage of portfolio value. var_by_method adds parametric (Gaussian) and Cornish-Fisher. component_var: parametric 1-day Euler allocation (components sum to component_var_method.total_var). Risk metrics against SPY; scenarios as /analytics/risk/{id}/scenarios; warnings from the figures.',
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
      }),
    },
    responses: json(RiskSummarySchema, 'Risk summary.'),
  }),
  async (c) => {
    const portfolio = await readable(c, c.req.valid('param').portfolio_id);
    const q = c.req.valid('query');
    const value = await portfolioValue(c.env, portfolio);
    const confidence = Math.round(q.confidence_level * 10) / 1000;
    const report = await riskReport(c.env, value, { confidence, lookback: checkedLookback(q.lookback) });
    assertLookback(report, q.lookback);
    const key = String(confidence);
    const hist = report.grid.historical;
    const methodBlock = (m: keyof typeof report.grid) => ({
      description: report.methodNotes[m],
      ...Object.fromEntries(
        (['1_day', '5_day', '10_day'] as const).map((h) => {
          const f = report.grid[m][h]?.[key];
          return [
            h,
            f
              ? {
                  var_absolute: neg(f.var_amount),
                  var_percentage: neg(f.var * 100),
                  es_absolute: neg(f.es_amount),
                  es_percentage: neg(f.es * 100),
                  observations: f.observations,
                }
              : null,
          ];
        }),
      ),
    });
    const comp = report.components;
    return c.json(
      plain(c, {
        portfolio_id: portfolio.id,
        risk_summary: {
          portfolio_value: value.totalValue,
          confidence_level: q.confidence_level,
          calculation_date: report.calculationDate,
          lookback_period: report.inputs.lookback,
          observations: report.inputs.days.length,
          window_start: report.metrics.window_start,
          window_end: report.metrics.window_end,
          method: `historical (overlapping windows) on revalued holdings; ${report.inputs.periodsPerYear} periods a year`,
          as_of: value.asOf,
        },
        value_at_risk: {
          '1_day': amount(hist['1_day']?.[key]),
          '5_day': amount(hist['5_day']?.[key]),
          '10_day': amount(hist['10_day']?.[key]),
        },
        expected_shortfall: {
          '1_day': amount(hist['1_day']?.[key], true),
          '5_day': amount(hist['5_day']?.[key], true),
          '10_day': amount(hist['10_day']?.[key], true),
        },
        var_by_method: {
          historical: methodBlock('historical'),
          parametric: methodBlock('parametric'),
          cornish_fisher: methodBlock('cornish_fisher'),
        },
        risk_metrics: report.metrics,
        component_var: (comp?.rows ?? []).map((r) => ({
          ...r,
          component_var: neg(r.component_var),
          marginal_var: neg(r.marginal_var),
          component_es: neg(r.component_es),
        })),
        component_var_method: comp
          ? {
              method:
                'parametric Gaussian, Euler allocation: component_i = w_i·∂VaR/∂w_i (sum to total_var); losses negative',
              total_var: neg(comp.total),
              total_es: neg(comp.total_es),
              confidence,
              horizon_days: 1,
            }
          : null,
        stress_scenarios: Object.fromEntries(
          report.scenarios.map((s) => [
            s.id,
            { name: s.name, scenario_return: s.scenario_return, portfolio_impact: s.portfolio_impact },
          ]),
        ),
        greeks_risk: report.greeks.risk,
        risk_warnings: report.warnings,
        last_updated: value.asOf,
      }),
      200,
    );
  },
);

/** The lookback asked for, or the default. */
const checkedLookback = (l: number | undefined) => l;

/** A lookback asked for beyond the data the holdings have is refused, not silently shortened. */
function assertLookback(report: RiskReport, asked: number | undefined) {
  if (asked !== undefined && report.inputs.coveredDays < asked)
    throw new ApiError(
      'UNPROCESSABLE_ENTITY',
      `lookback ${asked} exceeds the ${report.inputs.coveredDays} daily returns on which every holding has prices before the market clock`,
    );
}

const PercentPair = z.object({ confidence_95: z.number().nullable(), confidence_99: z.number().nullable() });
const StoredMetricsSchema = z.object({
  portfolio_id: z.string(),
  risk_metrics: z.object({
    value_at_risk: z.object({ '1_day': PercentPair, '5_day': PercentPair, '10_day': PercentPair }),
    expected_shortfall: z.object({ '1_day': PercentPair, '5_day': PercentPair, '10_day': PercentPair }),
    portfolio_beta: z.number().nullable(),
    sharpe_ratio: z.number().nullable(),
    sortino_ratio: z.number().nullable(),
    max_drawdown: z.number().nullable(),
    correlation_with_spy: z.number().nullable(),
    tracking_error: z.number().nullable(),
    information_ratio: z.number().nullable(),
    volatility_30d: z.number().nullable(),
    volatility_90d: z.number().nullable(),
  }),
  calculation_metadata: z.object({
    calculated_at: z.string(),
    as_of: z.string(),
    lookback_days: z.number().int(),
    observations: z.number().int(),
    window_start: z.string().nullable(),
    window_end: z.string().nullable(),
    confidence_levels: z.array(z.number()),
    portfolio_value: z.number(),
    method: z.string(),
    served_from_storage: z.boolean(),
  }),
});

riskSurfaceRoutes.openapi(
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

const ImpactSchema = z.object({
  position_id: z.string(),
  symbol: z.string(),
  market_value: z.number(),
  asset_return: z.number().nullable(),
  pnl: z.number(),
  systematic_pnl: z.number(),
  idiosyncratic_pnl: z.number(),
  method: z.enum(['replay', 'beta_proxy', 'shock', 'excluded']),
  note: z.string().nullable(),
});
const ScenarioSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['historical', 'factor_shock']),
  description: z.string(),
  window: z.object({ start: z.string(), end: z.string() }).nullable(),
  market_return: z.number().nullable(),
  scenario_return: z.number(),
  portfolio_impact: z.number(),
  systematic_impact: z.number(),
  idiosyncratic_impact: z.number(),
  positions: z.array(ImpactSchema),
  coverage: z.object({
    positions: z.number().int(),
    replayed: z.number().int(),
    proxied: z.number().int(),
    excluded: z.number().int(),
  }),
});
const ScenariosSchema = z.object({
  portfolio_id: z.string(),
  portfolio_value: z.number(),
  scenarios: z.array(ScenarioSchema),
  worst_scenario: z.string().nullable(),
  methodology: z.string(),
  as_of: z.string(),
});

riskSurfaceRoutes.openapi(
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

const GreeksSchema = z.object({
  portfolio_id: z.string(),
  greeks_data: z.array(
    z.object({
      position_id: z.string(),
      symbol: z.string(),
      position_type: z.string(),
      quantity: z.number(),
      status: z.enum(['ok', 'missing_implied_volatility', 'no_underlying_price', 'expired']),
      greeks: z
        .object({
          delta: z.number(),
          gamma: z.number(),
          theta: z.number(),
          vega: z.number(),
          rho: z.number(),
          implied_volatility: z.number(),
        })
        .nullable(),
      delta_notional: z.number().nullable(),
      underlying_price: z.number().nullable(),
      strike_price: z.number().nullable(),
      expiration_date: z.string().nullable(),
      days_to_expiry: z.number().int().nullable(),
      last_updated: z.string(),
    }),
  ),
  portfolio_greeks: z.object({
    total_delta: z.number(),
    total_gamma: z.number(),
    total_theta: z.number(),
    total_vega: z.number(),
    total_rho: z.number(),
    net_delta_exposure: z.number(),
  }),
  summary: z.object({
    options_positions: z.number().int(),
    positions_with_greeks: z.number().int(),
    coverage_percentage: z.number(),
    method: z.string(),
    last_updated: z.string(),
  }),
});

riskSurfaceRoutes.openapi(
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
