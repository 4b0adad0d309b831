import { z } from '@hono/zod-openapi';
import { INDICATOR_NAMES, STRATEGIES } from './engine/strategies';

export { STRATEGIES };
export const BotTimeframe = z
  .enum(['1h', '4h', '1d'])
  .openapi({ description: 'Bar length the strategy decides on' });
export const BotMode = z.enum(['paper', 'live']);

/** The strategy and execution part of a bot config, shared by bots and backtests. */
export const StrategyFields = {
  tradingPair: z.string().min(3).max(20).openapi({ example: 'BTC/USD' }),
  strategy: z.enum(STRATEGIES).openapi({
    description:
      'ml_adaptive trades a trained model of the registry (parameters.modelId, or the first active one trained on the asset; daily timeframe only) and answers 422 naming the model when there is none',
  }),
  timeframe: BotTimeframe.default('1d'),
  riskPerTrade: z.number().gt(0).max(100).optional().openapi({
    description:
      'Percent of equity risked per trade (with stopLoss: the stop loses this much), or invested per entry without a stopLoss. Absent: entries use all cash.',
  }),
  stopLoss: z
    .number()
    .gt(0)
    .lt(100)
    .optional()
    .openapi({ description: 'Percent below the average entry cost' }),
  takeProfit: z
    .number()
    .gt(0)
    .max(1000)
    .optional()
    .openapi({ description: 'Percent above the average entry cost' }),
  indicators: z
    .array(z.string().max(40))
    .max(10)
    .optional()
    .openapi({ description: `Which of the strategy's indicators to use (${INDICATOR_NAMES.join(', ')})` }),
  parameters: z
    .record(z.string().max(40), z.unknown())
    .optional()
    .openapi({ description: 'Strategy parameters, validated per strategy (see the README)' }),
  feeRate: z
    .number()
    .min(0)
    .max(0.05)
    .default(0.001)
    .openapi({ description: 'Fee per side, fraction of notional' }),
  slippage: z
    .number()
    .min(0)
    .max(0.05)
    .default(0.0005)
    .openapi({ description: 'Slippage, fraction against the trader' }),
};

export const BotSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tradingPair: z.string(),
    strategy: z.string(),
    mode: BotMode,
    status: z.enum(['stopped', 'running']),
    createdAt: z.string(),
    timeframe: BotTimeframe,
    riskPerTrade: z.number().nullable(),
    stopLoss: z.number().nullable(),
    takeProfit: z.number().nullable(),
    indicators: z.array(z.string()),
    parameters: z.record(z.string(), z.unknown()),
    feeRate: z.number(),
    slippage: z.number(),
    initialBalance: z.number(),
    portfolioId: z.string().openapi({ description: "The bot's own paper portfolio (its ledger)" }),
    startedAt: z.string().nullable(),
    stoppedAt: z.string().nullable(),
    stopReason: z.string().nullable(),
    lastTickAt: z.string().nullable().openapi({ description: 'Market time of the last order' }),
  })
  .openapi('Bot');

export const BotCreateBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    mode: BotMode.default('paper'),
    initialBalance: z
      .number()
      .gt(0)
      .max(1e12)
      .default(10_000)
      .openapi({ description: 'Paper cash the bot starts with' }),
    ...StrategyFields,
    tradingPair: StrategyFields.tradingPair.optional(),
    symbol: z.string().min(3).max(20).optional().openapi({
      description:
        "The pair under the name seed 002's SDK examples give it (`symbol`); the same as tradingPair, give either",
      example: 'BTC/USD',
    }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.tradingPair === undefined && body.symbol === undefined)
      ctx.addIssue({ code: 'custom', path: ['tradingPair'], message: 'tradingPair (or symbol) is required' });
    if (body.tradingPair !== undefined && body.symbol !== undefined && body.tradingPair !== body.symbol)
      ctx.addIssue({
        code: 'custom',
        path: ['symbol'],
        message: 'symbol and tradingPair name different pairs',
      });
  })
  .openapi('BotCreate');

/** A create body with its pair under tradingPair, whichever name the client used. */
export function botCreateInput(body: z.infer<typeof BotCreateBody>) {
  const { symbol, tradingPair, ...rest } = body;
  return { ...rest, tradingPair: tradingPair ?? symbol ?? '' };
}

export const BotPatchBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    riskPerTrade: StrategyFields.riskPerTrade,
    stopLoss: StrategyFields.stopLoss,
    takeProfit: StrategyFields.takeProfit,
    indicators: StrategyFields.indicators,
    parameters: StrategyFields.parameters,
    feeRate: z.number().min(0).max(0.05).optional(),
    slippage: z.number().min(0).max(0.05).optional(),
  })
  .strict()
  .openapi('BotPatch');

export const BotActionSchema = z
  .object({
    success: z.literal(true),
    message: z.string(),
    botId: z.string(),
    status: z.enum(['stopped', 'running']),
    changed: z
      .boolean()
      .openapi({ description: 'False when the bot was already in that state (idempotent)' }),
  })
  .openapi('BotAction');

export function botView(b: {
  id: string;
  name: string;
  tradingPair: string;
  strategy: string;
  mode: 'paper' | 'live';
  status: 'stopped' | 'running';
  createdAt: string;
  timeframe: '1h' | '4h' | '1d';
  riskPerTrade: number | null;
  stopLoss: number | null;
  takeProfit: number | null;
  indicators: string[];
  parameters: Record<string, unknown>;
  feeRate: number;
  slippage: number;
  initialBalance: number;
  portfolioId: string;
  startedAt: string | null;
  stoppedAt: string | null;
  stopReason: string | null;
  lastTickAt: string | null;
}): z.infer<typeof BotSchema> {
  return {
    id: b.id,
    name: b.name,
    tradingPair: b.tradingPair,
    strategy: b.strategy,
    mode: b.mode,
    status: b.status,
    createdAt: b.createdAt,
    timeframe: b.timeframe,
    riskPerTrade: b.riskPerTrade,
    stopLoss: b.stopLoss,
    takeProfit: b.takeProfit,
    indicators: b.indicators,
    parameters: b.parameters,
    feeRate: b.feeRate,
    slippage: b.slippage,
    initialBalance: b.initialBalance,
    portfolioId: b.portfolioId,
    startedAt: b.startedAt,
    stoppedAt: b.stoppedAt,
    stopReason: b.stopReason,
    lastTickAt: b.lastTickAt,
  };
}
