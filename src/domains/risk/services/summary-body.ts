import { ApiError } from '../../../core/errors';
import type { PortfolioValue } from '../../portfolios/services/valuation';
import type { RiskSummaryBody } from '../schemas';
import type { RiskReport } from './summary';
import type { VarFigure } from './var';

/** Losses are served negative (004's sign); a zero stays 0, not -0. */
export const neg = (x: number) => (x === 0 ? 0 : -x);

const amount = (f: VarFigure | null | undefined, es = false) =>
  f ? { absolute: neg(es ? f.es_amount : f.var_amount), percentage: neg((es ? f.es : f.var) * 100) } : null;

/** A lookback asked for beyond the data the holdings have is refused, not silently shortened. */
export function assertLookback(report: RiskReport, asked: number | undefined) {
  if (asked !== undefined && report.inputs.coveredDays < asked)
    throw new ApiError(
      'UNPROCESSABLE_ENTITY',
      `lookback ${asked} exceeds the ${report.inputs.coveredDays} daily returns on which every holding has prices before the market clock`,
    );
}

export type RiskSummaryFigures = Omit<RiskSummaryBody, 'risk_summary'> & {
  risk_summary: Omit<
    RiskSummaryBody['risk_summary'],
    'calculated_at' | 'served_from_storage' | 'storage_rule'
  >;
};

/** 004's risk-summary body (2.11) from a computed report, at `confidencePercent` (90-99.9). */
export function riskSummaryFigures(
  value: PortfolioValue,
  report: RiskReport,
  confidencePercent: number,
): RiskSummaryFigures {
  const confidence = report.confidence;
  const key = String(confidence);
  const hist = report.grid.historical;
  const methodBlock = (m: keyof typeof report.grid) => {
    const figure = (h: '1_day' | '5_day' | '10_day') => {
      const f = report.grid[m][h]?.[key];
      return f
        ? {
            var_absolute: neg(f.var_amount),
            var_percentage: neg(f.var * 100),
            es_absolute: neg(f.es_amount),
            es_percentage: neg(f.es * 100),
            observations: f.observations,
          }
        : null;
    };
    return {
      description: report.methodNotes[m],
      '1_day': figure('1_day'),
      '5_day': figure('5_day'),
      '10_day': figure('10_day'),
    };
  };
  const comp = report.components;
  return {
    portfolio_id: value.portfolio.id,
    risk_summary: {
      portfolio_value: value.totalValue,
      confidence_level: confidencePercent,
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
  };
}
