import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { bots } from '../../db/schema';
import { forgetUserPortfolios } from '../portfolios/services/held-lists';
import { openingLedgerStatements } from '../portfolios/services/ledger';
import {
  deletePortfolio,
  getOwnedPortfolio,
  newPortfolioStatements,
  type PortfolioRow,
} from '../portfolios/services/portfolios';
import { resolvePair } from '../prices/market-service';
import type { StrategyName } from './engine/strategies';
import type { BotTimeframeName } from './market';
import { strategyOrThrow } from './strategy-errors';
import { strategyModelOrThrow } from './strategy-model';

export type BotRow = typeof bots.$inferSelect;

export interface BotInput {
  name: string;
  tradingPair: string;
  strategy: StrategyName;
  mode: 'paper' | 'live';
  timeframe: BotTimeframeName;
  riskPerTrade?: number | undefined;
  stopLoss?: number | undefined;
  takeProfit?: number | undefined;
  indicators?: string[] | undefined;
  parameters?: Record<string, unknown> | undefined;
  feeRate: number;
  slippage: number;
  initialBalance: number;
}

export const MAX_BOTS = 50;

function refuseLive(mode: string): void {
  if (mode === 'live') {
    throw new ApiError(
      'VALIDATION_ERROR',
      'mode live needs a connected exchange integration; none is connected, so bots trade paper only',
      {
        details: [{ loc: ['body', 'mode'], msg: 'live trading is not available', type: 'unsupported' }],
        suggestion: 'Create the bot with mode "paper".',
      },
    );
  }
}

/**
 * Creates a stopped paper bot with its own paper portfolio funded with `initialBalance`
 * (a cash deposit in the ledger at the market clock), so its fills, holdings and P&L are the
 * ledger's like any portfolio's.
 */
export async function createBot(env: Env, userId: string, input: BotInput): Promise<BotRow> {
  refuseLive(input.mode);
  const { asset, symbol } = await resolvePair(env, input.tradingPair);
  const strategy = strategyOrThrow({
    strategy: input.strategy,
    parameters: input.parameters,
    indicators: input.indicators,
  });
  await strategyModelOrThrow(env, strategy, asset.id, input.timeframe);
  const d = db(env);
  const existing = await d
    .select({ id: bots.id })
    .from(bots)
    .where(and(eq(bots.userId, userId), isNull(bots.deletedAt)));
  if (existing.length >= MAX_BOTS)
    throw new ApiError('VALIDATION_ERROR', `At most ${MAX_BOTS} bots per user`);
  const [{ row: portfolio, statements: portfolioWrites }, now] = await Promise.all([
    newPortfolioStatements(env, userId, {
      name: `Bot: ${input.name}`.slice(0, 100),
      description: `Paper account of a ${input.strategy} bot on ${symbol}`,
      portfolio_type: 'paper',
      mode: 'paper',
      base_currency: 'USD',
    }),
    marketNow(env),
  ]);
  const { statements: funding } = await openingLedgerStatements(env, portfolio, userId, [
    {
      trade_type: 'add',
      asset_type: 'cash',
      symbol: 'USD',
      quantity: String(input.initialBalance),
      trade_date: new Date(now).toISOString(),
      notes: 'Bot starting balance',
    },
  ]);
  const id = newId('bot');
  const insert = d.insert(bots).values({
    id,
    userId,
    name: input.name,
    tradingPair: symbol,
    assetId: asset.id,
    strategy: input.strategy,
    mode: input.mode,
    timeframe: input.timeframe,
    riskPerTrade: input.riskPerTrade ?? null,
    stopLoss: input.stopLoss ?? null,
    takeProfit: input.takeProfit ?? null,
    feeRate: input.feeRate,
    slippage: input.slippage,
    indicators: strategy.indicators,
    parameters: strategy.parameters,
    initialBalance: input.initialBalance,
    portfolioId: portfolio.id,
  });
  // One batch, all or nothing: the portfolio, its funding commit and the bot (a failure leaves
  // no unfunded portfolio or bot without an account behind; a retry with the same
  // Idempotency-Key replays the first answer).
  const { sql: text, params } = insert.toSQL();
  await env.DB.batch([...portfolioWrites, ...funding, env.DB.prepare(text).bind(...params)]);
  await forgetUserPortfolios(env, userId);
  const row = await getBot(env, id);
  if (!row) throw new ApiError('DATABASE_ERROR', 'Bot was not created');
  return row;
}

export async function listBots(env: Env, userId: string): Promise<BotRow[]> {
  return db(env)
    .select()
    .from(bots)
    .where(and(eq(bots.userId, userId), isNull(bots.deletedAt)))
    .orderBy(desc(bots.createdAt), desc(bots.id));
}

/** One of the user's bots; another user's (or a deleted one) answers 404. */
export async function getOwnedBot(env: Env, userId: string, id: string): Promise<BotRow> {
  const row = await db(env)
    .select()
    .from(bots)
    .where(and(eq(bots.id, id), eq(bots.userId, userId), isNull(bots.deletedAt)))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Bot ${id} not found`);
  return row;
}

export async function getBot(env: Env, id: string): Promise<BotRow | undefined> {
  return db(env).select().from(bots).where(eq(bots.id, id)).get();
}

export type BotPatch = Partial<
  Pick<
    BotInput,
    'name' | 'riskPerTrade' | 'stopLoss' | 'takeProfit' | 'indicators' | 'parameters' | 'feeRate' | 'slippage'
  >
>;

/** Changes a stopped bot's settings (a running bot must be stopped first: 400 BOT_ALREADY_ACTIVE). */
export async function updateBot(env: Env, userId: string, id: string, patch: BotPatch): Promise<BotRow> {
  const bot = await getOwnedBot(env, userId, id);
  if (bot.status === 'running')
    throw new ApiError('BOT_ALREADY_ACTIVE', `Bot ${id} is running; stop it before changing it`);
  const strategy = strategyOrThrow({
    strategy: bot.strategy as StrategyName,
    parameters: patch.parameters ?? bot.parameters,
    indicators: patch.indicators ?? bot.indicators,
  });
  if (patch.parameters)
    await strategyModelOrThrow(env, strategy, bot.assetId, bot.timeframe as BotTimeframeName);
  const set: Partial<typeof bots.$inferInsert> = {
    indicators: strategy.indicators,
    parameters: strategy.parameters,
    updatedAt: new Date().toISOString(),
  };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.riskPerTrade !== undefined) set.riskPerTrade = patch.riskPerTrade;
  if (patch.stopLoss !== undefined) set.stopLoss = patch.stopLoss;
  if (patch.takeProfit !== undefined) set.takeProfit = patch.takeProfit;
  if (patch.feeRate !== undefined) set.feeRate = patch.feeRate;
  if (patch.slippage !== undefined) set.slippage = patch.slippage;
  const [row] = await db(env).update(bots).set(set).where(eq(bots.id, id)).returning();
  if (!row) throw new ApiError('NOT_FOUND', `Bot ${id} not found`);
  return row;
}

/** Records a bot's status in D1 (the Durable Object holds the schedule). */
export async function markBotStatus(
  env: Env,
  id: string,
  status: 'running' | 'stopped',
  reason: string | null = null,
): Promise<void> {
  const now = new Date().toISOString();
  await db(env)
    .update(bots)
    .set(
      status === 'running'
        ? { status, startedAt: now, stopReason: null, updatedAt: now }
        : { status, stoppedAt: now, stopReason: reason, updatedAt: now },
    )
    .where(eq(bots.id, id));
}

export async function noteTick(env: Env, id: string, at: number): Promise<void> {
  await db(env)
    .update(bots)
    .set({ lastTickAt: new Date(at).toISOString() })
    .where(eq(bots.id, id));
}

/** Starts a bot: idempotent (a running bot stays running, one schedule). */
export async function startBot(
  env: Env,
  userId: string,
  id: string,
): Promise<{ bot: BotRow; already: boolean }> {
  const bot = await getOwnedBot(env, userId, id);
  const result = await env.BOT.getByName(bot.id).start(bot.id);
  return { bot: await getOwnedBot(env, userId, id), already: result.already };
}

/** Stops a bot: idempotent (stopping a stopped bot changes nothing). */
export async function stopBot(
  env: Env,
  userId: string,
  id: string,
  reason = 'stopped by user',
): Promise<{ bot: BotRow; already: boolean }> {
  const bot = await getOwnedBot(env, userId, id);
  const result = await env.BOT.getByName(bot.id).stop(reason);
  return { bot: await getOwnedBot(env, userId, id), already: result.already };
}

/** Stops every running bot of a user (a drawdown breach), returning their ids. */
export async function stopAllBots(
  env: Env,
  userId: string,
  reason: string,
  except?: string,
): Promise<string[]> {
  const all = await db(env)
    .select({ id: bots.id })
    .from(bots)
    .where(and(eq(bots.userId, userId), eq(bots.status, 'running'), isNull(bots.deletedAt)));
  // The caller's own bot (a tick inside its object) stops itself: an object never calls itself.
  const running = all.filter((b) => b.id !== except);
  await Promise.all(running.map((b) => env.BOT.getByName(b.id).stop(reason)));
  return running.map((b) => b.id);
}

/** Deletes a bot: stops it, retires its portfolio (trades stay for the record), hides the bot. */
export async function deleteBot(env: Env, userId: string, id: string): Promise<void> {
  const bot = await getOwnedBot(env, userId, id);
  await env.BOT.getByName(bot.id).stop('deleted');
  await db(env)
    .update(bots)
    .set({ deletedAt: new Date().toISOString(), status: 'stopped' })
    .where(eq(bots.id, id));
  await deletePortfolio(env, userId, bot.portfolioId).catch(() => undefined);
}

/** A bot's paper portfolio (the caller's own: 404 otherwise). */
export const botPortfolio = (env: Env, bot: BotRow): Promise<PortfolioRow> =>
  getOwnedPortfolio(env, bot.userId, bot.portfolioId);

export async function botsByIds(env: Env, userId: string, ids: string[]): Promise<BotRow[]> {
  if (!ids.length) return [];
  return db(env)
    .select()
    .from(bots)
    .where(and(eq(bots.userId, userId), inArray(bots.id, ids.slice(0, 90))));
}
