import {
  annualizedVolatility,
  betaAlpha,
  componentVar,
  cornishFisherVar,
  historicalVar,
  informationRatio,
  maxDrawdown,
  parametricVar,
  sharpeRatio,
  sortinoRatio,
  trackingError,
  wealthIndex,
} from '../../../quant';
import type { RiskInputs } from './engine';
import { dayOf } from './market';

export const HORIZONS = [1, 5, 10] as const;
export const METHODS = ['historical', 'parametric', 'cornish_fisher'] as const;
export type VarMethod = (typeof METHODS)[number];

export interface VarFigure {
  /** Positive losses as fractions of portfolio value, and in money. */
  var: number;
  es: number;
  var_amount: number;
  es_amount: number;
  observations: number;
}

/** VaR and ES of the revalued holdings for one method, horizon and confidence; null without enough data. */
export function varFigure(
  inputs: RiskInputs,
  method: VarMethod,
  horizon: number,
  confidence: number,
): VarFigure | null {
  const r = inputs.portfolioReturns;
  let out: { var: number; es: number; observations: number } | null = null;
  if (method === 'historical') {
    const h = historicalVar(r, { confidence, horizon });
    out = h ? h.overlapping : null;
  } else if (method === 'parametric') {
    const p = parametricVar(r, { confidence, horizon });
    out = p ? { var: p.var, es: p.es, observations: p.observations } : null;
  } else {
    const c = cornishFisherVar(r, { confidence, horizon });
    out = c ? { var: c.var, es: c.es, observations: r.length } : null;
  }
  if (!out || !Number.isFinite(out.var) || !Number.isFinite(out.es)) return null;
  return { ...out, var_amount: out.var * inputs.nav, es_amount: out.es * inputs.nav };
}

export const METHOD_NOTES: Record<VarMethod, string> = {
  historical:
    'Empirical type-7 quantile of overlapping compounded h-day returns of today’s holdings revalued over the lookback; ES = mean of returns at or below it',
  parametric: 'Gaussian: z·σ·√h − μ·h, σ the sample standard deviation (n−1) of the revalued daily returns',
  cornish_fisher:
    'Cornish-Fisher modified quantile (sample skewness and excess kurtosis scaled to h); ES = tail mean of the CF quantile function',
};

export interface ComponentRow {
  position_id: string;
  symbol: string;
  position_weight: number;
  /** Money; components sum to the parametric portfolio VaR (Euler). */
  component_var: number;
  /** ∂VaR/∂w in money per unit of weight. */
  marginal_var: number;
  component_es: number;
  percentage_contribution: number;
}

/**
 * Parametric component and marginal VaR (1 day) over the positions' revalued returns: w_i =
 * market value / NAV, r_i = P&L_i / market value (an option's own return under repricing).
 */
export function componentBreakdown(
  inputs: RiskInputs,
  confidence: number,
): { total: number; total_es: number; rows: ComponentRow[] } | null {
  const used = inputs.positions.filter((p) => p.method !== 'excluded' && p.marketValue !== 0);
  if (used.length === 0 || inputs.days.length < 2 || !(inputs.nav > 0)) return null;
  const weights = used.map((p) => p.marketValue / inputs.nav);
  const returns = used.map((p) => p.pnl.map((x) => x / p.marketValue));
  const c = componentVar(returns, weights, { confidence, horizon: 1, portfolioValue: inputs.nav });
  if (!c) return null;
  return {
    total: c.var,
    total_es: c.es,
    rows: used.map((p, i) => ({
      position_id: p.position.position.id,
      symbol: p.position.position.symbol,
      position_weight: weights[i] as number,
      component_var: c.component[i] as number,
      marginal_var: c.marginal[i] as number,
      component_es: c.componentEs[i] as number,
      percentage_contribution: (c.percent[i] as number) * 100,
    })),
  };
}

export interface RiskMetrics {
  portfolio_beta: number | null;
  correlation_with_spy: number | null;
  tracking_error: number | null;
  information_ratio: number | null;
  sharpe_ratio: number | null;
  sortino_ratio: number | null;
  maximum_drawdown: number | null;
  volatility_30d: number | null;
  volatility_90d: number | null;
  annualized_volatility: number | null;
  periods_per_year: number;
  observations: number;
  window_start: string | null;
  window_end: string | null;
  benchmark: string;
}

/** Benchmark-relative and path statistics of the revalued holdings (hypothetical: today’s weights held over the lookback). */
export function riskMetrics(inputs: RiskInputs): RiskMetrics {
  const r = inputs.portfolioReturns;
  const b = inputs.benchmarkReturns;
  const P = inputs.periodsPerYear;
  const n = r.length;
  const safe = <T>(f: () => T): T | null => {
    try {
      return f();
    } catch {
      return null;
    }
  };
  const ba = n >= 2 ? safe(() => betaAlpha(r, b)) : null;
  const wealth = n ? wealthIndex(r) : null;
  const dd = wealth?.every((w) => w > 0) ? safe(() => maxDrawdown(wealth)) : null;
  const vol = (k: number) =>
    n >= Math.min(k, 2) && n >= 2 ? safe(() => annualizedVolatility(r.slice(-k), P)) : null;
  return {
    portfolio_beta: ba?.beta ?? null,
    correlation_with_spy: ba?.correlation ?? null,
    tracking_error: n >= 2 ? safe(() => trackingError(r, b, { periodsPerYear: P })) : null,
    information_ratio: n >= 2 ? safe(() => informationRatio(r, b, { periodsPerYear: P })) : null,
    sharpe_ratio: n >= 2 ? safe(() => sharpeRatio(r, { periodsPerYear: P })) : null,
    sortino_ratio: n >= 1 ? safe(() => sortinoRatio(r, { periodsPerYear: P })) : null,
    maximum_drawdown: dd ? -dd.maxDrawdown : null,
    volatility_30d: vol(30),
    volatility_90d: vol(90),
    annualized_volatility: vol(n),
    periods_per_year: P,
    observations: n,
    window_start: n ? dayOf(inputs.days[0] as number) : null,
    window_end: n ? dayOf(inputs.days[n - 1] as number) : null,
    benchmark: 'SPY (daily closes, raw; 0 on days it did not trade)',
  };
}
