import type { PortfolioRow } from '../../portfolios/services/portfolios';
import { portfolioPerformance } from '../../portfolios/services/summary';

export const HISTORY_COLUMNS = [
  'date',
  'total_value',
  'cash',
  'invested',
  'cost_basis',
  'external_flow',
  'daily_return',
  'cumulative_return',
  'drawdown',
] as const;
export type HistoryRow = Partial<Record<(typeof HISTORY_COLUMNS)[number], string | number | null>>;

/**
 * A portfolio's daily valuations over a range (the ledger replayed at each day's closes), with
 * the time-weighted daily return r = (V − F)/V₋₁ − 1, its compounded total and the drawdown.
 */
export async function historicalRows(
  env: Env,
  portfolio: PortfolioRow,
  from: string,
  to: string,
  calculated: boolean,
): Promise<HistoryRow[]> {
  const { points } = await portfolioPerformance(env, portfolio, { from, to });
  let wealth = 1;
  let peak = 1;
  return points.map((p, i) => {
    const prev = i > 0 ? points[i - 1] : undefined;
    const r = prev && prev.value > 0 ? (p.value - p.flow) / prev.value - 1 : null;
    if (r !== null) wealth *= 1 + r;
    peak = Math.max(peak, wealth);
    return {
      date: p.date,
      total_value: p.value,
      cash: p.cash,
      invested: p.invested,
      cost_basis: p.costBasis,
      external_flow: p.flow,
      ...(calculated
        ? { daily_return: r, cumulative_return: wealth - 1, drawdown: peak > 0 ? wealth / peak - 1 : null }
        : {}),
    };
  });
}
