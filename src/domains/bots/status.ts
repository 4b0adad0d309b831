import { marketNow } from '../../core/market-clock';
import { pricesFor } from '../portfolios/services/valuation';
import { botAccount } from './runner';
import { getOwnedBot } from './service';

/** A bot's account from its ledger, valued at the current quote, with its object's schedule and decisions. */
export async function botStatus(env: Env, userId: string, id: string) {
  const bot = await getOwnedBot(env, userId, id);
  const [state, { account }, quotes, now] = await Promise.all([
    env.BOT.getByName(bot.id).status(20),
    botAccount(env, bot),
    pricesFor(env, [bot.assetId]),
    marketNow(env),
  ]);
  const q = quotes.get(bot.assetId);
  const price = q && q.at <= now ? q.price : null;
  const equity = account.cash + account.qty * (price ?? account.avgCost);
  return {
    botId: bot.id,
    status: bot.status,
    nextAlarm: state.nextAlarm === null ? null : new Date(state.nextAlarm).toISOString(),
    equity,
    cash: account.cash,
    positionAmount: account.qty,
    avgCost: account.avgCost,
    price,
    pnl: equity - bot.initialBalance,
    pnlPercent: ((equity - bot.initialBalance) / bot.initialBalance) * 100,
    peakEquity: state.memory.peakEquity,
    decisions: state.decisions.map((d) => ({
      bar: new Date(d.barTime).toISOString(),
      action: d.action,
      reason: d.reason,
      orderId: d.orderId,
      tradeId: d.tradeId,
      decidedAt: new Date(d.decidedAt).toISOString(),
    })),
    asOf: new Date(now).toISOString(),
  };
}
