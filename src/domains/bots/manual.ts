import { ApiError } from '../../core/errors';
import { marketNow } from '../../core/market-clock';
import type { PortfolioRow } from '../portfolios/services/portfolios';
import { assertPaperOrderWithinLimits } from '../risk-limits/enforce';
import { botPortfolio, getOwnedBot } from './service';

/**
 * A manual order on behalf of one of the user's bots (002's POST /api/trades with botId): the
 * bot must be the caller's (404 otherwise) and trade that pair, and the order passes the risk
 * limits BEFORE it is recorded (422 naming the limit), judged with the bot's own day-start and
 * peak equity. Returns the bot's paper portfolio.
 */
export async function manualBotOrder(
  env: Env,
  userId: string,
  botId: string,
  order: { assetId: string; side: 'buy' | 'sell'; amount: number; price: number; mode: 'paper' | 'live' },
): Promise<PortfolioRow> {
  const bot = await getOwnedBot(env, userId, botId);
  if (order.mode !== bot.mode)
    throw new ApiError('VALIDATION_ERROR', `Bot ${botId} trades ${bot.mode}, not ${order.mode}`);
  if (order.assetId !== bot.assetId)
    throw new ApiError('VALIDATION_ERROR', `Bot ${botId} trades ${bot.tradingPair} only`);
  const [portfolio, state, now] = await Promise.all([
    botPortfolio(env, bot),
    env.BOT.getByName(bot.id).status(1),
    marketNow(env),
  ]);
  await assertPaperOrderWithinLimits(env, {
    userId,
    portfolio,
    assetId: bot.assetId,
    side: order.side,
    amount: order.amount,
    price: order.price,
    now,
    memory: { dayStartEquity: state.memory.dayStart?.equity ?? null, peakEquity: state.memory.peakEquity },
  });
  return portfolio;
}
