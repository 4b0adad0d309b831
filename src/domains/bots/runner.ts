import { and, eq } from 'drizzle-orm';
import type { BotMemory, BotTickResult } from '../../core/bot-ticker';
import { ApiError } from '../../core/errors';
import { marketDate, marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { portfolios, trades } from '../../db/schema';
import { publishSafely, publishToUser } from '../../live/publisher';
import { resolveAsset } from '../assets/service';
import { recordTrades } from '../portfolios/services/ledger';
import { portfolioValue } from '../portfolios/services/summary';
import { pricesFor } from '../portfolios/services/valuation';
import { getLimits, orderBreaches, raiseRiskAlert } from '../risk-limits/service';
import { type Account, type ExecutionConfig, exitWithinBar, type Fill, fillMarket } from './engine/execution';
import {
  type Decision,
  prepareStrategy,
  type ResolvedStrategy,
  type StrategyModel,
  type StrategyName,
} from './engine/strategies';
import { type BotTimeframeName, closedBars, TIMEFRAME_MS } from './market';
import { type BotRow, getBot, noteTick, stopAllBots } from './service';
import { strategyModelOrThrow } from './strategy-model';

export type { BotMemory };

export interface TickOutcome extends BotTickResult {
  fill: (Fill & { tradeId: string }) | null;
  equity: number | null;
}

/** Bars a live decision loads: enough for the longest warm-up. */
const LOOKBACK_BARS = 452;

export function executionOf(bot: BotRow): ExecutionConfig {
  return {
    feeRate: bot.feeRate,
    slippage: bot.slippage,
    ...(bot.riskPerTrade !== null ? { riskPerTrade: bot.riskPerTrade } : {}),
    ...(bot.stopLoss !== null ? { stopLoss: bot.stopLoss } : {}),
    ...(bot.takeProfit !== null ? { takeProfit: bot.takeProfit } : {}),
  };
}

/** The order id of a bot's decision on one bar: a retried tick finds it in the ledger. */
export const orderIdOf = (botId: string, barTime: number) => `${botId}@${new Date(barTime).toISOString()}`;

/** The bot's paper account from its ledger: cash, and the quantity and average cost of its pair. */
export async function botAccount(env: Env, bot: BotRow) {
  const portfolio = await db(env).select().from(portfolios).where(eq(portfolios.id, bot.portfolioId)).get();
  if (!portfolio) throw new Error(`Bot ${bot.id} has no portfolio`);
  const value = await portfolioValue(env, portfolio);
  const pos = value.positions.find((p) => p.position.assetId === bot.assetId && p.isOpen);
  return {
    portfolio,
    value,
    account: { cash: value.cash, qty: pos?.quantity ?? 0, avgCost: pos?.avgCost ?? 0 } satisfies Account,
  };
}

/**
 * One decision of a running bot at the market clock: on the last CLOSED bar of its timeframe,
 * at most once per bar (`decided`, and the order id in the ledger after a crash), through the
 * risk limits, filled at the current quote into the bot's paper ledger, published to the
 * user's bot-status and performance-metrics topics.
 */
export async function runBotTick(
  env: Env,
  botId: string,
  memory: BotMemory,
  decided: (barTime: number) => boolean,
): Promise<TickOutcome> {
  const now = await marketNow(env);
  const base = {
    orderId: null,
    fill: null,
    limit: null,
    equity: null,
    marketTime: now,
    memory,
    stopSelf: null,
  };
  const bot = await getBot(env, botId);
  if (!bot || bot.deletedAt || bot.status !== 'running')
    return { ...base, barTime: null, action: 'skipped', reason: 'bot is not running' };
  const timeframe = bot.timeframe as BotTimeframeName;
  const asset = await resolveAsset(env, bot.assetId);
  const bars = await closedBars(env, asset, timeframe, { now, limit: LOOKBACK_BARS, newestFirst: true });
  const last = bars.at(-1);
  if (!last) return { ...base, barTime: null, action: 'skipped', reason: 'no closed candles yet' };
  if (decided(last.openTime))
    return { ...base, barTime: last.openTime, action: 'skipped', reason: 'bar already decided' };

  const [{ account, portfolio }, limits, quotes] = await Promise.all([
    botAccount(env, bot),
    getLimits(env, bot.userId),
    pricesFor(env, [bot.assetId]),
  ]);
  const q = quotes.get(bot.assetId);
  // The current quote, unless it is newer than the clock (never) or missing: then the last close.
  const price = q && q.at <= now ? q.price : last.close;
  const equity = account.cash + account.qty * price;
  const day = marketDate(now);
  const mem: BotMemory = {
    peakEquity: Math.max(memory.peakEquity ?? equity, equity),
    dayStart: memory.dayStart?.day === day ? memory.dayStart : { day, equity },
  };
  const cfg = executionOf(bot);
  const out = { ...base, barTime: last.openTime, equity, memory: mem };

  let decision: Decision;
  let reason: 'signal' | 'stop_loss' | 'take_profit' = 'signal';
  const exit = exitWithinBar(account, last, cfg, false);
  if (exit) {
    decision = {
      action: 'sell',
      size: { kind: 'all' },
      reason: `${exit.reason.replace('_', '-')} reached on the bar's ${exit.reason === 'stop_loss' ? 'low' : 'high'}`,
    };
    reason = exit.reason;
  } else {
    const resolved = {
      strategy: bot.strategy as StrategyName,
      parameters: bot.parameters,
      indicators: bot.indicators,
    } as ResolvedStrategy;
    let model: StrategyModel | undefined;
    try {
      model = await strategyModelOrThrow(env, resolved, bot.assetId, timeframe);
    } catch (err) {
      // The bot's model was retired or lost since it was created: say so on every tick.
      if (!(err instanceof ApiError)) throw err;
      const r = { ...out, action: 'hold' as const, reason: `cannot decide: ${err.message}` };
      await publishTick(env, bot, r, account, price);
      return r;
    }
    const strategy = prepareStrategy(resolved, bars, TIMEFRAME_MS[timeframe], model);
    const i = bars.length - 1;
    decision =
      i < strategy.warmup
        ? {
            action: 'hold',
            size: { kind: 'all' },
            reason: `warming up (${i + 1}/${strategy.warmup + 1} bars)`,
          }
        : strategy.decide(i, { qty: account.qty, cash: account.cash, equity });
  }

  // Drawdown from the peak: a breach stops every bot of the user and raises an alert.
  const dd = mem.peakEquity ? (1 - equity / mem.peakEquity) * 100 : 0;
  if (dd >= limits.maxDrawdown) {
    const message = `Bot ${bot.name}: drawdown ${dd.toFixed(2)}% reached maxDrawdown ${limits.maxDrawdown}%; all your bots were stopped`;
    const others = await stopAllBots(env, bot.userId, 'maxDrawdown breached', bot.id);
    await raiseRiskAlert(env, {
      userId: bot.userId,
      type: 'MAX_DRAWDOWN',
      severity: 'critical',
      message,
      botId: bot.id,
      data: {
        drawdown: dd,
        limit: limits.maxDrawdown,
        peak_equity: mem.peakEquity,
        equity,
        stopped_bots: [bot.id, ...others],
      },
      dedupeKey: `drawdown:${bot.id}:${last.openTime}`,
    });
    const r = {
      ...out,
      action: 'refused' as const,
      reason: message,
      limit: 'maxDrawdown',
      stopSelf: 'maxDrawdown breached',
    };
    await publishTick(env, bot, r, account, price);
    return r;
  }

  if (decision.action === 'hold') {
    const r = { ...out, action: 'hold' as const, reason: decision.reason };
    await publishTick(env, bot, r, account, price);
    return r;
  }

  const orderId = orderIdOf(bot.id, last.openTime);
  // Leave a hair of cash unspent: the ledger checks cash in exact decimals.
  const spendable = { ...account, cash: Math.max(0, account.cash * (1 - 1e-9) - 1e-6) };
  let size = decision.size;
  if (decision.action === 'buy') {
    const cap = (equity * limits.maxPositionSize) / 100;
    const room = cap - account.qty * price;
    const wanted = fillMarket(spendable, 'buy', size, price, cfg);
    const wantedValue = wanted ? wanted.account.qty * price : account.qty * price;
    // A bot sizes down to the position limit rather than skip the trade (as Freqtrade's max
    // stake does); no room left under the limit is a refusal naming it.
    if (wantedValue > cap && room > 0) size = { kind: 'quote', value: room * (1 + cfg.slippage) };
    const after = Math.min(wantedValue, cap);
    const first =
      room <= 0
        ? {
            limit: 'maxPositionSize',
            message: `position already at maxPositionSize ${limits.maxPositionSize}% of equity`,
          }
        : orderBreaches(limits, {
            side: 'buy',
            equity,
            positionValueAfter: after,
            grossExposureAfter: after,
            dayStartEquity: mem.dayStart?.equity ?? null,
            peakEquity: mem.peakEquity,
          })[0];
    if (first) {
      const r = {
        ...out,
        action: 'refused' as const,
        reason: `${decision.reason}; refused by ${first.limit}: ${first.message}`,
        limit: first.limit,
      };
      if (first.limit === 'maxDailyLoss') {
        await raiseRiskAlert(env, {
          userId: bot.userId,
          type: 'DAILY_LOSS',
          severity: 'high',
          message: `Bot ${bot.name}: ${first.message}; new buys are refused until tomorrow`,
          botId: bot.id,
          dedupeKey: `daily-loss:${bot.id}:${day}`,
        });
      }
      await publishTick(env, bot, r, account, price);
      return r;
    }
  }

  const existing = await db(env)
    .select({ id: trades.id })
    .from(trades)
    .where(and(eq(trades.botId, bot.id), eq(trades.notes, `order ${orderId}`)))
    .get();
  if (existing) return { ...out, action: 'skipped', reason: 'order already in the ledger', orderId };
  const filled = fillMarket(spendable, decision.action, size, price, cfg, reason);
  if (!filled) {
    const r = {
      ...out,
      action: 'hold' as const,
      reason: `${decision.reason}; nothing to fill (no cash or nothing held)`,
    };
    await publishTick(env, bot, r, account, price);
    return r;
  }
  const { trades: recorded } = await recordTrades(
    env,
    portfolio,
    bot.userId,
    [
      {
        trade_type: decision.action,
        asset_type: 'crypto',
        symbol: asset.symbol,
        quantity: filled.fill.qty.toFixed(8),
        price: String(filled.fill.price),
        fees: filled.fill.fee.toFixed(10),
        trade_date: new Date(now).toISOString(),
        notes: `order ${orderId}`,
        bot_id: bot.id,
      },
    ],
    { source: 'bot', action: 'bot.trade', details: { bot_id: bot.id, order_id: orderId } },
  );
  const tradeId = recorded[0]?.id ?? '';
  const r = {
    ...out,
    action: decision.action,
    reason: decision.reason,
    orderId,
    fill: { ...filled.fill, tradeId },
  };
  await publishTick(env, bot, r, filled.account, price);
  await noteTick(env, bot.id, now);
  return r;
}

/** The decision to /ws/bot-status; equity, P&L and exposure to /ws/performance-metrics. */
async function publishTick(
  env: Env,
  bot: BotRow,
  r: TickOutcome,
  account: Account,
  price: number,
): Promise<void> {
  const equity = account.cash + account.qty * price;
  await publishSafely('bot.tick', [
    publishToUser(env, bot.userId, 'bot-status', {
      type: 'bot_status',
      botId: bot.id,
      name: bot.name,
      status: r.stopSelf ? 'stopped' : 'running',
      decision: r.action,
      reason: r.reason,
      bar: r.barTime === null ? null : new Date(r.barTime).toISOString(),
      orderId: r.orderId,
      fill: r.fill
        ? {
            side: r.fill.side,
            amount: r.fill.qty,
            price: r.fill.price,
            fee: r.fill.fee,
            tradeId: r.fill.tradeId,
          }
        : null,
      limit: r.limit,
      marketTime: new Date(r.marketTime).toISOString(),
    }),
    publishToUser(env, bot.userId, 'performance-metrics', {
      type: 'performance_metrics',
      botId: bot.id,
      equity,
      cash: account.cash,
      positionAmount: account.qty,
      price,
      exposure: equity > 0 ? (account.qty * price) / equity : 0,
      pnl: equity - bot.initialBalance,
      pnlPercent: ((equity - bot.initialBalance) / bot.initialBalance) * 100,
      peakEquity: r.memory.peakEquity,
      drawdown: r.memory.peakEquity ? (1 - equity / r.memory.peakEquity) * 100 : 0,
      marketTime: new Date(r.marketTime).toISOString(),
    }),
  ]);
}
