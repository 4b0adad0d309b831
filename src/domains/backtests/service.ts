import { and, count, desc, eq } from 'drizzle-orm';
import { timeOf } from '../../core/dates';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { aiModels, backtests } from '../../db/schema';
import { resolveAsset } from '../assets/service';
import { BACKTEST_CONVENTIONS, runBacktest } from '../bots/engine/backtest';
import type { ResolvedStrategy, StrategyName } from '../bots/engine/strategies';
import { type BotTimeframeName, closedBars, PERIODS_PER_YEAR, TIMEFRAME_MS } from '../bots/market';
import { strategyOrThrow } from '../bots/strategy-errors';
import { strategyModelOrThrow } from '../bots/strategy-model';
import { resolvePair } from '../prices/market-service';

export type BacktestRow = typeof backtests.$inferSelect;

/** Bars loaded before the start for indicators to warm up (the longest parameter is 400). */
export const WARMUP_BARS = 450;
/** Runs up to this many bars answer synchronously; longer ones go to the queue (202). */
export const SYNC_BAR_LIMIT = 5000;

export interface BacktestRequestInput {
  botConfig: {
    name: string;
    tradingPair: string;
    strategy: StrategyName;
    timeframe: BotTimeframeName;
    riskPerTrade?: number | undefined;
    stopLoss?: number | undefined;
    takeProfit?: number | undefined;
    indicators?: string[] | undefined;
    parameters?: Record<string, unknown> | undefined;
    feeRate: number;
    slippage: number;
  };
  startDate: string;
  endDate: string;
  initialBalance: number;
  async?: boolean | undefined;
}

/** What a stored run needs to be re-run bit for bit: everything resolved, the clock included. */
export interface StoredBacktestConfig {
  [key: string]: unknown;
  name: string;
  assetId: string;
  tradingPair: string;
  timeframe: BotTimeframeName;
  strategy: ResolvedStrategy;
  execution: {
    feeRate: number;
    slippage: number;
    riskPerTrade?: number;
    stopLoss?: number;
    takeProfit?: number;
  };
  start: number;
  end: number;
  initialBalance: number;
  /** The market clock when the run was asked for: only bars closed by then are used. */
  asOf: number;
  /** ml_adaptive's registry model, by the hash of its trained parameters. */
  model?: { id: string; artifactHash: string };
}

const bodyIssue = (field: string, message: string) =>
  new ApiError('VALIDATION_ERROR', message, {
    details: [{ loc: ['body', ...field.split('.')], msg: message, type: 'invalid' }],
  });

/** Validates a run against the data and the clock, and records it (status queued). */
export async function createBacktest(
  env: Env,
  userId: string,
  input: BacktestRequestInput,
): Promise<{ row: BacktestRow; sync: boolean }> {
  const cfg = input.botConfig;
  const { asset, symbol } = await resolvePair(env, cfg.tradingPair);
  const strategy = strategyOrThrow(
    { strategy: cfg.strategy, parameters: cfg.parameters, indicators: cfg.indicators },
    'botConfig',
  );
  const model = await strategyModelOrThrow(env, strategy, asset.id, cfg.timeframe, 'botConfig.timeframe');
  const now = await marketNow(env);
  const start = timeOf(input.startDate);
  const end = timeOf(input.endDate, true);
  if (start > end)
    throw bodyIssue('startDate', `startDate (${input.startDate}) must be before endDate (${input.endDate})`);
  if (end > now) {
    throw bodyIssue(
      'endDate',
      `endDate (${input.endDate}) is after the market clock (${new Date(now).toISOString()}): there is no data yet`,
    );
  }
  const size = TIMEFRAME_MS[cfg.timeframe];
  const config: StoredBacktestConfig = {
    name: cfg.name,
    assetId: asset.id,
    tradingPair: symbol,
    timeframe: cfg.timeframe,
    strategy,
    execution: {
      feeRate: cfg.feeRate,
      slippage: cfg.slippage,
      ...(cfg.riskPerTrade !== undefined ? { riskPerTrade: cfg.riskPerTrade } : {}),
      ...(cfg.stopLoss !== undefined ? { stopLoss: cfg.stopLoss } : {}),
      ...(cfg.takeProfit !== undefined ? { takeProfit: cfg.takeProfit } : {}),
    },
    start,
    end,
    initialBalance: input.initialBalance,
    asOf: now,
    ...(model ? { model: { id: model.id, artifactHash: model.artifactHash } } : {}),
  };
  const [row] = await db(env)
    .insert(backtests)
    .values({
      id: newId('backtest'),
      userId,
      name: cfg.name,
      strategy: cfg.strategy,
      tradingPair: symbol,
      status: 'queued',
      config,
    })
    .returning();
  if (!row) throw new ApiError('DATABASE_ERROR', 'Backtest was not recorded');
  const bars = Math.ceil((end - start) / size);
  return { row, sync: !input.async && bars <= SYNC_BAR_LIMIT };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * What an ml_adaptive run must say about its model: which version, the last close it was trained
 * on, and how many of the run's bars it had seen in training (those decisions are in-sample).
 */
async function modelMeta(env: Env, id: string, artifactHash: string, run: readonly { openTime: number }[]) {
  const row = await db(env)
    .select({ dataAsOf: aiModels.dataAsOf, version: aiModels.version })
    .from(aiModels)
    .where(eq(aiModels.id, id))
    .get();
  const through = row?.dataAsOf ?? null;
  return {
    id,
    version: row?.version ?? null,
    artifactHash,
    trainedThrough: through === null ? null : iso(through),
    inSampleBars: through === null ? null : run.filter((b) => b.openTime < through).length,
    note: 'Decisions on bars the model was trained on are in-sample: their results overstate what it would have done live',
  };
}

/**
 * Runs a recorded backtest and stores its result. Safe to run twice (a queue redelivery): a
 * completed row is left as it is, and the same config gives the same result.
 */
export async function executeBacktest(env: Env, id: string): Promise<BacktestRow> {
  const d = db(env);
  const row = await d.select().from(backtests).where(eq(backtests.id, id)).get();
  if (!row) throw new ApiError('NOT_FOUND', `Backtest ${id} not found`);
  if (row.status === 'completed') return row;
  const cfg = row.config as StoredBacktestConfig;
  await d.update(backtests).set({ status: 'running' }).where(eq(backtests.id, id));
  try {
    const asset = await resolveAsset(env, cfg.assetId);
    const size = TIMEFRAME_MS[cfg.timeframe];
    const bars = await closedBars(env, asset, cfg.timeframe, {
      start: cfg.start - WARMUP_BARS * size,
      end: cfg.end,
      now: cfg.asOf,
    });
    const startIndex = bars.findIndex((b) => b.openTime >= cfg.start);
    if (startIndex < 0) {
      throw bodyIssue(
        'startDate',
        `No closed ${cfg.timeframe} candles of ${cfg.tradingPair} between ${iso(cfg.start)} and ${iso(cfg.end)}`,
      );
    }
    const model = await strategyModelOrThrow(env, cfg.strategy, cfg.assetId, cfg.timeframe);
    // Bit for bit means the same parameters: a model retrained since the run was asked is another model.
    if (model && cfg.model && model.artifactHash !== cfg.model.artifactHash) {
      throw new ApiError(
        'INTEGRITY_ERROR',
        `Model ${model.id} was retrained after this backtest was asked for; run it again to use the new version`,
      );
    }
    const result = runBacktest({
      strategy: cfg.strategy,
      model,
      bars,
      startIndex,
      timeframeMs: size,
      initialBalance: cfg.initialBalance,
      execution: cfg.execution,
      periodsPerYear: PERIODS_PER_YEAR[cfg.timeframe],
    });
    // The clock only bounds which bars exist; the bars themselves are in the hash.
    const { asOf: _asOf, ...inputs } = cfg;
    const inputHash = await sha256(JSON.stringify({ inputs, bars }));
    const first = bars[startIndex];
    const last = bars.at(-1);
    const [done] = await d
      .update(backtests)
      .set({
        status: 'completed',
        inputHash,
        summary: { ...result.summary },
        trades: result.trades.map((t) => ({
          timestamp: iso(t.time),
          side: t.side,
          price: t.price,
          amount: t.qty,
          fee: t.fee,
          pnl: t.pnl,
          reason: t.reason,
          note: t.note,
          decisionBar: iso(t.decisionTime),
        })),
        equity: result.equity.map((p) => [p.time, p.equity]),
        meta: {
          timeframe: cfg.timeframe,
          dataPoints: result.equity.length,
          warmupBars: startIndex,
          firstBar: first ? iso(first.openTime) : null,
          lastBar: last ? iso(last.openTime) : null,
          asOf: iso(cfg.asOf),
          periodsPerYear: PERIODS_PER_YEAR[cfg.timeframe],
          execution: cfg.execution,
          strategy: cfg.strategy,
          conventions: BACKTEST_CONVENTIONS,
          ...(model
            ? { model: await modelMeta(env, model.id, model.artifactHash, bars.slice(startIndex)) }
            : {}),
        },
        completedAt: new Date().toISOString(),
        error: null,
      })
      .where(eq(backtests.id, id))
      .returning();
    if (!done) throw new ApiError('DATABASE_ERROR', 'Backtest result was not stored');
    return done;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await d
      .update(backtests)
      .set({ status: 'failed', error: message, completedAt: new Date().toISOString() })
      .where(eq(backtests.id, id));
    throw err;
  }
}

export async function setBacktestJob(env: Env, id: string, jobId: string): Promise<void> {
  await db(env).update(backtests).set({ jobId }).where(eq(backtests.id, id));
}

/** One of the user's backtests; another user's answers 404. */
export async function getOwnedBacktest(env: Env, userId: string, id: string): Promise<BacktestRow> {
  const row = await db(env)
    .select()
    .from(backtests)
    .where(and(eq(backtests.id, id), eq(backtests.userId, userId)))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Backtest ${id} not found`);
  return row;
}

export async function listBacktests(
  env: Env,
  userId: string,
  q: { limit: number; offset: number; strategy?: string | undefined },
): Promise<{ rows: BacktestRow[]; total: number }> {
  const d = db(env);
  const where = and(
    eq(backtests.userId, userId),
    q.strategy ? eq(backtests.strategy, q.strategy) : undefined,
  );
  const [rows, total] = await Promise.all([
    d
      .select()
      .from(backtests)
      .where(where)
      .orderBy(desc(backtests.createdAt), desc(backtests.id))
      .limit(q.limit)
      .offset(q.offset),
    d.select({ n: count() }).from(backtests).where(where).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Forgets a run refused before it produced anything (bad input changes nothing). */
export async function discardBacktest(env: Env, id: string): Promise<void> {
  await db(env).delete(backtests).where(eq(backtests.id, id));
}
