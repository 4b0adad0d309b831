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
  strategy: z
    .enum(STRATEGIES)
    .openapi({ description: 'ml_adaptive answers 422 until a trained model exists' }),
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
