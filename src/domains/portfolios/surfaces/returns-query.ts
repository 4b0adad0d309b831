import { z } from '@hono/zod-openapi';
import { marketDayRange, rangeNote } from '../../../core/dates';
import { IsoDay } from '../schemas';
import { benchmarkPreferences, type Rebalance } from '../services/benchmarks';
import { VALUATION_MAX_DAYS } from '../services/performance';
import type { PortfolioRow } from '../services/portfolios';
import { portfolioReturns } from '../services/returns';
import { portfolioPerformance } from '../services/summary';
import { BenchmarkBlockSchema, benchmarkBlock } from './benchmark-block';
import { ReturnsBlockSchema } from './returns-schema';

/**
 * The returns and benchmark figures of 000's performance (issue 23), carried by 003's history
 * and 004's aggregations and overview as query parameters and added fields, not new paths.
 */
export const ReturnsQuery = {
  from: IsoDay.optional().openapi({
    description: `Start of the returns window. ${rangeNote(VALUATION_MAX_DAYS)}`,
  }),
  to: IsoDay.optional().openapi({ description: 'End of the returns window (default: the market day)' }),
  benchmark: z.string().trim().min(1).max(200).optional().openapi({
    description:
      'Compare with a catalog asset (SPY, BTC...), TOTAL_CRYPTO, a mix `SPY:60,AGG:40`, or `@name` (a mix saved in preferences `benchmarks`). Default: the preference `default_benchmark`, else none',
  }),
  rebalance: z.enum(['daily', 'monthly', 'quarterly', 'yearly', 'none']).optional().openapi({
    description: 'Rebalancing of a benchmark mix (default monthly)',
  }),
  standard_periods: z.enum(['true', 'false']).optional().openapi({
    description:
      '`returns.periods`: MTD, QTD, YTD, 1Y, 3Y and 5Y (annualized) and since inception, ending at to',
  }),
};

export const ReturnsFields = {
  returns: ReturnsBlockSchema.nullable().optional().openapi({
    description:
      'TWR, MWR (XIRR), Modified Dietz, simple return and net profit side by side with the reconciliation and linked contributions (as 000’s performance `returns`)',
  }),
  benchmark_comparison: BenchmarkBlockSchema.nullable().optional().openapi({
    description:
      'Against the benchmark asked (or the default_benchmark preference), as 000’s performance `benchmark`',
  }),
};

export interface ReturnsAsk {
  from?: string | undefined;
  to?: string | undefined;
  benchmark?: string | undefined;
  rebalance?: Rebalance | undefined;
  standard_periods?: 'true' | 'false' | undefined;
}

/**
 * The window's valuation, returns and benchmark comparison. `defaultFrom(to)` is the window's
 * start when the client gave none (a surface's own range; none: since the first trade); dates are validated and clamped to the
 * market clock (400, or 422 on 004's paths).
 */
export async function returnsFor(
  env: Env,
  portfolio: PortfolioRow,
  userId: string | null,
  ask: ReturnsAsk,
  options: { path: string; defaultFrom?: ((to: string) => string | undefined) | undefined },
) {
  const range = await marketDayRange(env, ask, { maxDays: VALUATION_MAX_DAYS, path: options.path });
  const to = range.toDay;
  const from = ask.from ? range.fromDay : options.defaultFrom?.(to);
  const [perf, prefs] = await Promise.all([
    portfolioPerformance(env, portfolio, { from, to, positionsDaily: true }),
    benchmarkPreferences(env, userId),
  ]);
  const [returns, benchmark] = await Promise.all([
    portfolioReturns(env, portfolio, { to, window: perf.points, periods: ask.standard_periods === 'true' }),
    benchmarkBlock(env, perf, ask.benchmark, ask.rebalance, prefs),
  ]);
  return { perf, returns, benchmark };
}
