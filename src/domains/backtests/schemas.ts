import { z } from '@hono/zod-openapi';
import { DateOrDateTime } from '../../core/dates';
import { StrategyFields } from '../bots/schemas';
import type { BacktestRow } from './service';

export const BacktestRunBody = z
  .object({
    botConfig: z.object({ name: z.string().min(1).max(100).default('Backtest'), ...StrategyFields }).strict(),
    startDate: DateOrDateTime,
    endDate: DateOrDateTime,
    initialBalance: z.number().gt(0).max(1e12).default(10_000),
    async: z.boolean().optional().openapi({ description: 'Always run on the queue (202), however short' }),
  })
  .strict()
  .openapi('BacktestRunRequest');

const Summary = z
  .object({
    initialBalance: z.number(),
    finalEquity: z.number(),
    totalReturn: z.number().openapi({ description: 'Percent' }),
    sharpeRatio: z.number().nullable(),
    sortinoRatio: z.number().nullable(),
    maxDrawdown: z.number().openapi({ description: 'Percent, negative' }),
    winRate: z.number().nullable().openapi({ description: 'Fraction of sells with positive P&L' }),
    profitFactor: z.number().nullable(),
    exposure: z.number().openapi({ description: 'Percent of bars holding a position' }),
    totalTrades: z.number().int().openapi({ description: 'Fills, buys and sells' }),
    closedTrades: z.number().int(),
    feesPaid: z.number(),
    openQuantity: z.number(),
    bars: z.number().int(),
  })
  .openapi('BacktestSummary');

const Trade = z.object({
  timestamp: z.string(),
  side: z.enum(['buy', 'sell']),
  price: z.number(),
  amount: z.number(),
  fee: z.number(),
  pnl: z.number(),
  reason: z.enum(['signal', 'stop_loss', 'take_profit']),
  note: z.string(),
  decisionBar: z.string().openapi({ description: 'Open time of the bar whose close decided the order' }),
});

export const BacktestSchema = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    name: z.string(),
    strategy: z.string(),
    tradingPair: z.string(),
    jobId: z.string().nullable(),
    summary: Summary.nullable(),
    trades: z.array(Trade),
    performance: z
      .object({
        finalEquity: z.number(),
        equityCurve: z.array(z.object({ timestamp: z.string(), equity: z.number() })),
      })
      .nullable(),
    meta: z.record(z.string(), z.unknown()).nullable().openapi({
      description:
        'Method and data: timeframe, data points, warm-up bars, first/last bar, as-of (market clock), conventions',
    }),
    inputHash: z
      .string()
      .nullable()
      .openapi({ description: 'SHA-256 of the resolved config and candles used' }),
    error: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .openapi('Backtest');

export const BacktestListItem = BacktestSchema.omit({ trades: true, performance: true }).openapi(
  'BacktestListItem',
);

export type BacktestView = z.infer<typeof BacktestSchema>;

export function backtestView(row: BacktestRow): BacktestView {
  const equity = (row.equity ?? []) as [number, number][];
  const summary = row.summary as z.infer<typeof Summary> | null;
  return {
    id: row.id,
    status: row.status,
    name: row.name,
    strategy: row.strategy,
    tradingPair: row.tradingPair,
    jobId: row.jobId,
    summary,
    trades: (row.trades ?? []) as z.infer<typeof Trade>[],
    performance: summary
      ? {
          finalEquity: summary.finalEquity,
          equityCurve: equity.map(([t, e]) => ({ timestamp: new Date(t).toISOString(), equity: e })),
        }
      : null,
    meta: row.meta ?? null,
    inputHash: row.inputHash,
    error: row.error,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
  };
}
