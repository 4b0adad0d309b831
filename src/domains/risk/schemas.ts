import { z } from '@hono/zod-openapi';
import { FACTOR_SETS } from '../../db/schema/risk';

/** Response schemas of the risk views (issue 16), shared by the 004 surfaces and the stored risk summary. */

export const FactorSetQuery = z.enum(FACTOR_SETS).default('etf7').openapi({
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
export const FactorsSchema = z.object({
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

export const Lookback = z.coerce
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
export const RiskSummarySchema = z.object({
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
    calculated_at: z.string().openapi({
      description: 'Market-clock time the figures were computed (by the nightly batch or on demand)',
    }),
    served_from_storage: z.boolean(),
    storage_rule: z.string().openapi({
      description: 'When the stored figures are served and when they are recomputed',
    }),
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

const PercentPair = z.object({ confidence_95: z.number().nullable(), confidence_99: z.number().nullable() });
export const StoredMetricsSchema = z.object({
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
export const ScenariosSchema = z.object({
  portfolio_id: z.string(),
  portfolio_value: z.number(),
  scenarios: z.array(ScenarioSchema),
  worst_scenario: z.string().nullable(),
  methodology: z.string(),
  as_of: z.string(),
});

export const GreeksSchema = z.object({
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

export type RiskSummaryBody = z.infer<typeof RiskSummarySchema>;
