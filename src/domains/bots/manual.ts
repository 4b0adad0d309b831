import { ApiError } from '../../core/errors';
import type { PortfolioRow } from '../portfolios/services/portfolios';
import { pricesFor } from '../portfolios/services/valuation';
import { breachError, getLimits, orderBreaches } from '../risk-limits/service';
import { botAccount } from './runner';
import { getOwnedBot } from './service';

/**
 * A manual order on behalf of one of the user's bots (002's POST /api/trades with botId): the
 * bot must be the caller's (404 otherwise) and trade that pair, and the order passes the risk
 * limits BEFORE it is recorded (422 naming the limit). Returns the bot's paper portfolio.
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
  const [{ account, portfolio }, limits, state, quotes] = await Promise.all([
    botAccount(env, bot),
    getLimits(env, userId),
    env.BOT.getByName(bot.id).status(1),
    pricesFor(env, [bot.assetId]),
  ]);
  const mark = quotes.get(bot.assetId)?.price ?? order.price;
  const equity = account.cash + account.qty * mark;
  const qtyAfter = account.qty + (order.side === 'buy' ? order.amount : -order.amount);
  const [breach] = orderBreaches(limits, {
    side: order.side,
    equity,
    positionValueAfter: Math.max(0, qtyAfter) * mark,
    grossExposureAfter: Math.max(0, qtyAfter) * mark,
    dayStartEquity: state.memory.dayStart?.equity ?? null,
    peakEquity: state.memory.peakEquity,
  });
  if (breach) throw breachError(breach);
  return portfolio;
}
