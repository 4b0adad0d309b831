import { concentration } from '../../../quant';
import { ledgerState, loadLedger } from './ledger';
import {
  type PerformanceMetrics,
  performanceOf,
  trailingReturn,
  type ValuationPoint,
  valuationHistory,
  yearToDateReturn,
} from './performance';
import { type PortfolioRow, portfolioPositions } from './portfolios';
import { dateOf, type PortfolioValue, type PositionValue, valuePortfolio } from './valuation';

export interface ValuationOptions {
  /** YYYY-MM-DD: figures as of that day's close, from the ledger up to that day. */
  asOf?: string | undefined;
  /** Include 000-deleted (inactive) positions in the current list (their figures never count); as-of views leave them out. */
  includeInactive?: boolean | undefined;
  method?: 'wac' | 'fifo' | undefined;
}

/**
 * A portfolio valued now (cached ledger figures, current prices) or as of a day (a replay of
 * the ledger up to that day, that day's closes). Positions that never held anything in the
 * ledger up to the day are left out of an as-of view.
 */
export async function portfolioValue(
  env: Env,
  portfolio: PortfolioRow,
  options: ValuationOptions = {},
): Promise<PortfolioValue> {
  if (!options.asOf) {
    const rows = await portfolioPositions(env, [portfolio.id], {
      includeInactive: options.includeInactive ?? false,
    });
    const active = rows.filter((p) => p.isActive);
    const value = await valuePortfolio(env, portfolio, active, { method: options.method });
    if (!options.includeInactive) return value;
    const inactive = await valuePortfolio(
      env,
      portfolio,
      rows.filter((p) => !p.isActive),
      { method: options.method },
    );
    return {
      ...value,
      positions: [...value.positions, ...inactive.positions.map((v) => ({ ...v, isOpen: false }))],
    };
  }
  const ledger = await loadLedger(env, portfolio);
  const state = ledgerState(ledger, options.asOf);
  // Positions the ledger had touched by that day; 000-deleted ones never count.
  const known = ledger.positions.filter((p) => state.positions.has(p.id) && p.isActive && !p.deletedAt);
  return valuePortfolio(env, portfolio, known, { asOf: options.asOf, state, method: options.method });
}

export interface PerformanceReport {
  points: ValuationPoint[];
  metrics: PerformanceMetrics;
  dailyReturns: number[];
  trailing: {
    d1: number | null;
    d7: number | null;
    d30: number | null;
    d90: number | null;
    ytd: number | null;
    y1: number | null;
  };
}

/** Daily valuations and performance between two days (default: since the first trade, up to today). */
export async function portfolioPerformance(
  env: Env,
  portfolio: PortfolioRow,
  range: {
    from?: string | undefined;
    to: string;
    positionsAtEnds?: boolean | undefined;
    positionsDaily?: boolean | undefined;
  },
): Promise<PerformanceReport> {
  const ledger = await loadLedger(env, portfolio);
  const points = await valuationHistory(env, ledger, range);
  const { dailyReturns, ...metrics } = performanceOf(points);
  return {
    points,
    metrics,
    dailyReturns,
    trailing: {
      d1: trailingReturn(points, 1),
      d7: trailingReturn(points, 7),
      d30: trailingReturn(points, 30),
      d90: trailingReturn(points, 90),
      ytd: yearToDateReturn(points),
      y1: trailingReturn(points, 365),
    },
  };
}

export interface Bucket {
  count: number;
  value: number;
  percentage: number;
}

/** Open positions grouped by a key: count, value (signed: shorts negative) and percent of total value. */
export function breakdown(value: PortfolioValue, key: (v: PositionValue) => string): Record<string, Bucket> {
  const out: Record<string, Bucket> = {};
  for (const v of value.positions) {
    if (!v.isOpen) continue;
    const k = key(v);
    const b = out[k] ?? { count: 0, value: 0, percentage: 0 };
    b.count++;
    b.value += v.marketValue;
    out[k] = b;
  }
  for (const b of Object.values(out))
    b.percentage = value.totalValue !== 0 ? (b.value / value.totalValue) * 100 : 0;
  return out;
}

export interface ConcentrationMetrics {
  top_5_positions_weight: number;
  herfindahl_index: number;
  effective_positions: number;
  largest_position_weight: number;
}

/** Concentration of open positions by absolute market value (shorts count as exposure). */
export function concentrationOf(value: PortfolioValue): ConcentrationMetrics | null {
  const exposures = value.positions.filter((v) => v.isOpen).map((v) => Math.abs(v.marketValue));
  const c = concentration(exposures);
  if (!c) return null;
  const total = exposures.reduce((s, x) => s + x, 0);
  const sorted = [...exposures].sort((a, b) => b - a);
  return {
    top_5_positions_weight: sorted.slice(0, 5).reduce((s, x) => s + x, 0) / total,
    herfindahl_index: c.herfindahl,
    effective_positions: c.effectiveN,
    largest_position_weight: (sorted[0] ?? 0) / total,
  };
}

/** Weight of a position in the portfolio (market value over total value). */
export const weightOf = (v: PositionValue, value: PortfolioValue) =>
  value.totalValue !== 0 ? v.marketValue / value.totalValue : 0;

export { dateOf };
