import { isOptionValue, optionGreeks } from '../../portfolios/services/insight';
import type { PortfolioValue, PositionValue } from '../../portfolios/services/valuation';
import { type RiskInputs, riskInputs } from './engine';
import { DAY, dayOf } from './market';
import { runScenarios, type ScenarioResult } from './scenarios';
import {
  componentBreakdown,
  HORIZONS,
  METHOD_NOTES,
  METHODS,
  type RiskMetrics,
  riskMetrics,
  type VarFigure,
  type VarMethod,
  varFigure,
} from './var';

export interface PositionGreeksRow {
  position_id: string;
  symbol: string;
  position_type: string;
  quantity: number;
  greeks: {
    delta: number;
    gamma: number;
    theta: number;
    vega: number;
    rho: number;
    implied_volatility: number;
  } | null;
  delta_notional: number | null;
  underlying_price: number | null;
  strike_price: number | null;
  expiration_date: string | null;
  days_to_expiry: number | null;
  status: 'ok' | 'missing_implied_volatility' | 'no_underlying_price' | 'expired';
  last_updated: string;
}

/** Greeks of every open option position by Black-Scholes (position greeks: × quantity × multiplier, sign for shorts). */
export function greeksOf(value: PortfolioValue, rate: number) {
  const now = Date.parse(value.asOf);
  const open = value.positions.filter((v) => v.isOpen);
  const rows: PositionGreeksRow[] = open.filter(isOptionValue).map((v) => {
    const p = v.position;
    const expiry = p.expiry ? Date.parse(`${p.expiry}T21:00:00Z`) : Number.NaN;
    const days = Number.isFinite(expiry) ? Math.max(0, Math.ceil((expiry - now) / DAY)) : null;
    const g = optionGreeks(v, now, rate);
    const status: PositionGreeksRow['status'] = g
      ? 'ok'
      : p.impliedVolatility === null
        ? 'missing_implied_volatility'
        : v.underlyingPrice === null
          ? 'no_underlying_price'
          : 'expired';
    const sign = v.sign;
    return {
      position_id: p.id,
      symbol: p.symbol,
      position_type: p.positionType,
      quantity: v.quantity * sign,
      greeks: g
        ? {
            delta: g.delta * sign,
            gamma: g.gamma * sign,
            theta: g.theta * sign,
            vega: g.vega * sign,
            rho: g.rho * sign,
            implied_volatility: g.implied_volatility,
          }
        : null,
      delta_notional: g ? g.delta_notional * sign : null,
      underlying_price: v.underlyingPrice,
      strike_price: p.strike !== null ? Number(p.strike) : null,
      expiration_date: p.expiry,
      days_to_expiry: days,
      status,
      last_updated: value.asOf,
    };
  });
  const ok = rows.filter((r) => r.greeks);
  const sum = (f: (r: PositionGreeksRow) => number) => ok.reduce((s, r) => s + f(r), 0);
  const linearDelta = open.filter((v) => !isOptionValue(v)).reduce((s, v) => s + v.marketValue, 0);
  // Dollar gamma for a move of x: ½·Γ·(x·S)² per option position.
  const gammaRisk = (x: number) =>
    ok.reduce((s, r) => s + 0.5 * (r.greeks?.gamma ?? 0) * (x * (r.underlying_price ?? 0)) ** 2, 0);
  return {
    rows,
    totals: {
      total_delta: sum((r) => r.greeks?.delta ?? 0),
      total_gamma: sum((r) => r.greeks?.gamma ?? 0),
      total_theta: sum((r) => r.greeks?.theta ?? 0),
      total_vega: sum((r) => r.greeks?.vega ?? 0),
      total_rho: sum((r) => r.greeks?.rho ?? 0),
      net_delta_exposure: linearDelta + sum((r) => r.delta_notional ?? 0),
    },
    risk: {
      delta_equivalent: linearDelta + sum((r) => r.delta_notional ?? 0),
      gamma_risk: { '1_percent_move': gammaRisk(0.01), '2_percent_move': gammaRisk(0.02) },
      vega_risk: { '1_vol_point_move': sum((r) => (r.greeks?.vega ?? 0) / 100) },
      theta_decay: { '1_day': sum((r) => r.greeks?.theta ?? 0) },
      method:
        'Black-Scholes-Merton with each option’s implied volatility and the Fed funds rate; gamma risk = ½Γ(xS)², vega per vol point = vega/100, theta per calendar day',
    },
    summary: {
      options_positions: rows.length,
      positions_with_greeks: ok.length,
      coverage_percentage: rows.length ? (ok.length / rows.length) * 100 : 100,
    },
  };
}

/** Risk warnings from the figures (thresholds stated in each message), never canned text. */
export function riskWarnings(
  value: PortfolioValue,
  inputs: RiskInputs,
  metrics: RiskMetrics,
  var1: VarFigure | null,
  greeks: ReturnType<typeof greeksOf>,
): string[] {
  const out: string[] = [];
  const open = value.positions.filter((v) => v.isOpen);
  const nav = value.totalValue;
  if (nav > 0) {
    const largest = open.reduce<PositionValue | null>(
      (m, v) => (m === null || Math.abs(v.marketValue) > Math.abs(m.marketValue) ? v : m),
      null,
    );
    if (largest && Math.abs(largest.marketValue) / nav > 0.2)
      out.push(
        `Largest position ${largest.position.symbol} is ${((Math.abs(largest.marketValue) / nav) * 100).toFixed(1)}% of portfolio value (above 20%)`,
      );
    const sectors = new Map<string, number>();
    for (const v of open) sectors.set(v.sector, (sectors.get(v.sector) ?? 0) + Math.abs(v.marketValue));
    for (const [sector, mv] of sectors)
      if (open.length > 1 && mv / nav > 0.4)
        out.push(
          `High concentration in ${sector} (${((mv / nav) * 100).toFixed(1)}% of portfolio value, above 40%)`,
        );
  }
  if (metrics.portfolio_beta !== null && metrics.portfolio_beta > 1.2)
    out.push(
      `Portfolio beta ${metrics.portfolio_beta.toFixed(2)} to SPY over ${metrics.observations} days is above 1.2: higher market sensitivity`,
    );
  if (metrics.portfolio_beta !== null && metrics.portfolio_beta < 0)
    out.push(`Portfolio beta ${metrics.portfolio_beta.toFixed(2)} to SPY is negative: net short the market`);
  if (var1 && var1.var > 0.05)
    out.push(`1-day 95% historical VaR is ${(var1.var * 100).toFixed(2)}% of portfolio value (above 5%)`);
  const dte = greeks.rows.map((r) => r.days_to_expiry).filter((d): d is number => d !== null);
  if (dte.length) {
    const avg = dte.reduce((s, d) => s + d, 0) / dte.length;
    if (avg < 30) out.push(`Options positions have ${avg.toFixed(0)} days average to expiry (under 30)`);
  }
  const noIv = greeks.rows.filter((r) => r.status === 'missing_implied_volatility').length;
  if (noIv) out.push(`${noIv} option position(s) have no implied volatility: no greeks, excluded from VaR`);
  const end = inputs.days.at(-1);
  for (const p of inputs.positions) {
    if (p.method === 'excluded' && !isOptionValue(p.position))
      out.push(`${p.position.position.symbol} has no price history: excluded from VaR`);
    if (end !== undefined && p.lastClose && Date.parse(`${p.lastClose}T00:00:00Z`) < end - 7 * DAY)
      out.push(
        `${p.position.position.symbol}'s last close is ${p.lastClose}: its risk is understated after that day`,
      );
  }
  return out;
}

export type VarGrid = Record<VarMethod, Record<string, Record<string, VarFigure | null>>>;

/** VaR/ES for every method × horizon (1, 5, 10 days) × confidence. */
export function varGrid(inputs: RiskInputs, confidences: number[]): VarGrid {
  const grid = {} as VarGrid;
  for (const m of METHODS) {
    grid[m] = {};
    for (const h of HORIZONS) {
      const row: Record<string, VarFigure | null> = {};
      for (const c of confidences) row[String(c)] = varFigure(inputs, m, h, c);
      grid[m][`${h}_day`] = row;
    }
  }
  return grid;
}

export interface RiskReport {
  inputs: RiskInputs;
  confidence: number;
  grid: VarGrid;
  components: ReturnType<typeof componentBreakdown>;
  metrics: RiskMetrics;
  scenarios: ScenarioResult[];
  greeks: ReturnType<typeof greeksOf>;
  warnings: string[];
  methodNotes: typeof METHOD_NOTES;
  calculationDate: string;
}

/** Everything the risk views show, computed from today's holdings and data up to the market clock. */
export async function riskReport(
  env: Env,
  value: PortfolioValue,
  options: { confidence?: number; lookback?: number } = {},
): Promise<RiskReport> {
  const confidence = options.confidence ?? 0.95;
  const inputs = await riskInputs(env, value, options.lookback);
  const confidences = [...new Set([0.95, 0.99, confidence])];
  const grid = varGrid(inputs, confidences);
  const components = componentBreakdown(inputs, confidence);
  const metrics = riskMetrics(inputs);
  const [scenarios] = await Promise.all([runScenarios(env, inputs)]);
  const greeks = greeksOf(value, inputs.rate);
  const var1 = grid.historical['1_day']?.['0.95'] ?? null;
  return {
    inputs,
    confidence,
    grid,
    components,
    metrics,
    scenarios,
    greeks,
    warnings: riskWarnings(value, inputs, metrics, var1, greeks),
    methodNotes: METHOD_NOTES,
    calculationDate: dayOf(Date.parse(value.asOf)),
  };
}
