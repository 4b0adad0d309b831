import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import {
  benchmarkSeries,
  compareWithBenchmark,
  parseBenchmark,
  type Rebalance,
} from '../services/benchmarks';
import type { PerformanceReport } from '../services/summary';

const N = z.number().nullable();

/** The `benchmark` block of 000's performance. */
export const BenchmarkBlockSchema = z
  .object({
    benchmark: z.string(),
    source: z.enum(['query', 'default_benchmark']),
    components: z.array(z.string()),
    data_points: z.number().int(),
    series: z.array(z.object({ date: z.string(), portfolio: z.number(), benchmark: z.number() })),
    portfolio_return: z.number(),
    benchmark_return: z.number(),
    excess_return: z.number(),
    portfolio_return_annualized: N,
    benchmark_return_annualized: N,
    excess_return_annualized: N,
    beta: N,
    alpha_annualized: N,
    correlation: N,
    r_squared: N,
    tracking_error: N,
    information_ratio: N,
    up_capture: N,
    down_capture: N,
    max_drawdown_portfolio: N,
    max_drawdown_benchmark: N,
    method: z.record(z.string(), z.string()),
  })
  .openapi('PortfolioBenchmarkComparison', {
    description: 'Both value series rebased to 100 and the relative statistics (fractions, not percent)',
  });

/**
 * The comparison asked for (or the user's default benchmark). A default that cannot be served
 * (no data in the window) leaves the block null rather than failing the performance.
 */
export async function benchmarkBlock(
  env: Env,
  perf: PerformanceReport,
  asked: string | undefined,
  rebalance: Rebalance | undefined,
  prefs: { saved: Record<string, unknown>; fallback: string | null },
): Promise<z.infer<typeof BenchmarkBlockSchema> | null> {
  const wanted = asked ?? prefs.fallback;
  if (!wanted || perf.points.length < 2) {
    if (asked) parseBenchmark(asked, rebalance, prefs.saved); // still refuse a malformed one
    return null;
  }
  try {
    const spec = parseBenchmark(wanted, rebalance, prefs.saved);
    const series = await benchmarkSeries(
      env,
      spec,
      perf.points.map((p) => p.date),
    );
    return {
      ...compareWithBenchmark(perf.points, perf.dailyReturns, series),
      source: asked ? 'query' : 'default_benchmark',
    };
  } catch (err) {
    if (!asked && err instanceof ApiError) return null;
    throw err;
  }
}
