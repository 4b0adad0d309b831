import { and, asc, count, desc, eq, gt, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { RequestFacts } from '../../core/client';
import { DAY_MS } from '../../core/dates';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { assets, signalExecutions, tradingSignals } from '../../db/schema';
import type { Principal } from '../../env';
import { simulateTrade, type TradeOutcome, tradeStats } from '../../quant/learn';
import { resolveAsset } from '../assets/service';
import { activity } from '../audit/service';
import { closedDailyBars } from '../models/data';
import { getModel, type ModelRow, trackRecord } from '../models/service';
import { SIGNAL_METHOD, type SignalRow } from './generate';

type ExecutionRow = typeof signalExecutions.$inferSelect;
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** Signals a caller may see: public ones and their own, never another user's. */
export function visibleTo(principal: Principal | undefined): SQL {
  return principal
    ? (or(eq(tradingSignals.ownerId, ''), eq(tradingSignals.ownerId, principal.userId)) as SQL)
    : eq(tradingSignals.ownerId, '');
}

/** A signal the caller may see, or 404 (another user's signal is not theirs to know of). */
export async function getVisibleSignal(
  env: Env,
  principal: Principal | undefined,
  id: string,
): Promise<SignalRow> {
  const row = await db(env)
    .select()
    .from(tradingSignals)
    .where(and(eq(tradingSignals.id, id), visibleTo(principal)))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Signal ${id} not found`);
  return row;
}

/** The signal's status as its viewer sees it: their execution's state, or the market's (active/expired). */
function viewerStatus(s: SignalRow, exec: ExecutionRow | undefined, now: number): SignalRow['status'] {
  if (exec) return exec.status;
  if (s.status === 'active' && s.expiresAt <= now) return 'expired';
  return s.status;
}

export async function signalViews(
  env: Env,
  principal: Principal | undefined,
  rows: SignalRow[],
  now: number,
) {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [execs, syms] = await Promise.all([
    principal
      ? db(env)
          .select()
          .from(signalExecutions)
          .where(
            and(
              eq(signalExecutions.userId, principal.userId),
              inArray(signalExecutions.signalId, ids.slice(0, 90)),
            ),
          )
      : Promise.resolve([] as ExecutionRow[]),
    db(env)
      .select({ id: assets.id, symbol: assets.symbol })
      .from(assets)
      .where(inArray(assets.id, [...new Set(rows.map((r) => r.assetId))].slice(0, 90))),
  ]);
  const symbol = new Map(syms.map((s) => [s.id, s.symbol]));
  const models = new Map<string, ModelRow | null>();
  const records = new Map<string, Awaited<ReturnType<typeof trackRecord>> | null>();
  for (const r of rows) {
    if (models.has(r.modelId)) continue;
    const m = await getModel(env, r.modelId).catch(() => null);
    models.set(r.modelId, m);
    records.set(r.modelId, m ? await trackRecord(env, m, now) : null);
  }
  return rows.map((s) => {
    const exec = execs.find((e) => e.signalId === s.id);
    const risk = Math.abs(s.entryPrice - s.stopLoss);
    return {
      signal_id: s.id,
      id: s.id,
      asset_id: s.assetId,
      symbol: symbol.get(s.assetId) ?? null,
      signal_type: s.direction === 'long' ? ('long_entry' as const) : ('short_entry' as const),
      direction: s.direction,
      timeframe: s.timeframe,
      quality: s.quality,
      confidence: s.confidence,
      entry_price: s.entryPrice,
      stop_loss: s.stopLoss,
      take_profit_1: s.takeProfit1,
      take_profit_2: s.takeProfit2,
      take_profits: [s.takeProfit1, s.takeProfit2],
      risk_reward:
        risk > 0
          ? [Math.abs(s.takeProfit1 - s.entryPrice) / risk, Math.abs(s.takeProfit2 - s.entryPrice) / risk]
          : null,
      atr_14: s.atr,
      position_size_pct: s.positionSizePct,
      risk_level: s.riskLevel,
      confluence_factors: s.confluence,
      market_context: s.marketContext,
      generated_at: new Date(s.generatedAt).toISOString(),
      expires_at: new Date(s.expiresAt).toISOString(),
      status: viewerStatus(s, exec, now),
      scope: s.ownerId === '' ? ('public' as const) : ('personal' as const),
      execution: exec
        ? {
            execution_id: exec.id,
            status: exec.status,
            entry_price: exec.entryPrice,
            quantity: exec.quantity,
            executed_at: new Date(exec.executedAt).toISOString(),
            exit_price: exec.exitPrice,
            closed_at: iso(exec.closedAt),
            realized_return: exec.realizedReturn,
            notes: exec.notes,
          }
        : null,
      model_id: s.modelId,
      model_version: s.modelVersion,
      method: SIGNAL_METHOD,
      track_record: records.get(s.modelId) ?? null,
      disclaimer: DISCLAIMER,
    };
  });
}

export const DISCLAIMER =
  'Statistical output of a model fitted to past prices, shown with its measured out-of-sample record. Not investment advice; past accuracy does not guarantee future results.';

export interface SignalFilter {
  asset_id?: string | undefined;
  signal_type?: string | undefined;
  direction?: string | undefined;
  quality?: string | undefined;
  status?: string | undefined;
  timeframe?: string | undefined;
  risk_level?: string | undefined;
  min_confidence?: number | undefined;
  asset_type?: string | undefined;
  model_id?: string | undefined;
  active_only?: boolean;
  limit: number;
  offset: number;
}

export async function listSignals(env: Env, principal: Principal | undefined, f: SignalFilter) {
  const now = await marketNow(env);
  const asset = f.asset_id ? await resolveAsset(env, f.asset_id) : null;
  const direction =
    f.direction ??
    (f.signal_type === 'long_entry' ? 'long' : f.signal_type === 'short_entry' ? 'short' : undefined);
  const conds: (SQL | undefined)[] = [
    visibleTo(principal),
    sql`${tradingSignals.generatedAt} <= ${now}`,
    asset ? eq(tradingSignals.assetId, asset.id) : undefined,
    direction ? eq(tradingSignals.direction, direction as 'long' | 'short') : undefined,
    f.quality ? eq(tradingSignals.quality, f.quality as SignalRow['quality']) : undefined,
    f.timeframe ? eq(tradingSignals.timeframe, f.timeframe) : undefined,
    f.risk_level ? eq(tradingSignals.riskLevel, f.risk_level as SignalRow['riskLevel']) : undefined,
    f.min_confidence !== undefined ? sql`${tradingSignals.confidence} >= ${f.min_confidence}` : undefined,
    f.model_id ? eq(tradingSignals.modelId, f.model_id) : undefined,
    f.asset_type
      ? sql`${tradingSignals.assetId} IN (SELECT id FROM assets WHERE asset_type = ${f.asset_type})`
      : undefined,
  ];
  if (f.active_only || f.status === 'active')
    conds.push(eq(tradingSignals.status, 'active'), gt(tradingSignals.expiresAt, now));
  else if (f.status === 'expired')
    conds.push(
      or(
        eq(tradingSignals.status, 'expired'),
        and(eq(tradingSignals.status, 'active'), sql`${tradingSignals.expiresAt} <= ${now}`),
      ),
    );
  else if (f.status && principal)
    conds.push(
      sql`${tradingSignals.id} IN (SELECT signal_id FROM signal_executions WHERE user_id = ${principal.userId} AND status = ${f.status})`,
    );
  else if (f.status) conds.push(sql`0`);
  const where = and(...conds);
  const [rows, total] = await Promise.all([
    db(env)
      .select()
      .from(tradingSignals)
      .where(where)
      .orderBy(desc(tradingSignals.generatedAt), desc(tradingSignals.confidence), asc(tradingSignals.id))
      .limit(f.limit)
      .offset(f.offset),
    db(env).select({ n: count() }).from(tradingSignals).where(where).get(),
  ]);
  return { items: await signalViews(env, principal, rows, now), total: total?.n ?? 0, now };
}

export async function signalDetail(env: Env, principal: Principal | undefined, id: string) {
  const now = await marketNow(env);
  const row = await getVisibleSignal(env, principal, id);
  const [view] = await signalViews(env, principal, [row], now);
  return view;
}

/** The caller executes a signal at their actual entry: recorded as theirs, with a user activity. */
export async function executeSignal(
  env: Env,
  principal: Principal,
  id: string,
  input: {
    actual_entry_price?: number | undefined;
    quantity?: number | undefined;
    notes?: string | undefined;
  },
  facts: Partial<RequestFacts>,
) {
  const now = await marketNow(env);
  const s = await getVisibleSignal(env, principal, id);
  if (s.status !== 'active' || s.expiresAt <= now)
    throw new ApiError(
      'INTEGRITY_ERROR',
      `Signal ${id} is ${s.expiresAt <= now && s.status === 'active' ? 'expired' : s.status}: only an active signal can be executed`,
    );
  const existing = await db(env)
    .select()
    .from(signalExecutions)
    .where(and(eq(signalExecutions.signalId, id), eq(signalExecutions.userId, principal.userId)))
    .get();
  if (existing)
    throw new ApiError(
      'INTEGRITY_ERROR',
      `You already ${existing.status === 'executed' ? 'executed' : existing.status === 'closed' ? 'closed' : 'cancelled'} signal ${id}`,
    );
  const entry = input.actual_entry_price ?? s.entryPrice;
  const execId = newId('signalExecution');
  const d = db(env);
  await d.batch([
    d.insert(signalExecutions).values({
      id: execId,
      signalId: id,
      userId: principal.userId,
      status: 'executed',
      entryPrice: entry,
      quantity: input.quantity ?? null,
      executedAt: now,
      notes: input.notes ?? null,
    }),
    ...(s.ownerId === principal.userId
      ? [
          d
            .update(tradingSignals)
            .set({ status: 'executed', updatedAt: new Date().toISOString() })
            .where(eq(tradingSignals.id, id)),
        ]
      : []),
    activity(d, {
      userId: principal.userId,
      action: 'signal.execute',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { signal_id: id, execution_id: execId, entry_price: entry, quantity: input.quantity ?? null },
    }),
  ]);
  return signalDetail(env, principal, id);
}

/** Closes the caller's execution at an exit price (given, or the last close), recording the result. */
export async function closeSignal(
  env: Env,
  principal: Principal,
  id: string,
  input: { exit_price?: number | undefined; notes?: string | undefined },
  facts: Partial<RequestFacts>,
) {
  const now = await marketNow(env);
  const s = await getVisibleSignal(env, principal, id);
  const exec = await db(env)
    .select()
    .from(signalExecutions)
    .where(and(eq(signalExecutions.signalId, id), eq(signalExecutions.userId, principal.userId)))
    .get();
  if (exec?.status !== 'executed')
    throw new ApiError(
      'INTEGRITY_ERROR',
      exec
        ? `Your execution of ${id} is already ${exec.status}`
        : `You have not executed signal ${id}: execute it first`,
    );
  let exit = input.exit_price;
  if (exit === undefined) {
    const asset = await resolveAsset(env, s.assetId);
    const bars = await closedDailyBars(env, asset, now, now - 10 * DAY_MS);
    exit = bars.at(-1)?.close;
    if (exit === undefined)
      throw new ApiError('UNPROCESSABLE_ENTITY', 'No closed price to exit at: give exit_price');
  }
  const sign = s.direction === 'long' ? 1 : -1;
  const realized = (sign * (exit - exec.entryPrice)) / exec.entryPrice;
  const d = db(env);
  await d.batch([
    d
      .update(signalExecutions)
      .set({
        status: 'closed',
        exitPrice: exit,
        closedAt: now,
        realizedReturn: realized,
        notes: input.notes ?? exec.notes,
        updatedAt: new Date().toISOString(),
      })
      .where(and(eq(signalExecutions.id, exec.id), eq(signalExecutions.status, 'executed'))),
    ...(s.ownerId === principal.userId
      ? [
          d
            .update(tradingSignals)
            .set({ status: 'closed', updatedAt: new Date().toISOString() })
            .where(eq(tradingSignals.id, id)),
        ]
      : []),
    activity(d, {
      userId: principal.userId,
      action: 'signal.close',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { signal_id: id, execution_id: exec.id, exit_price: exit, realized_return: realized },
    }),
  ]);
  return signalDetail(env, principal, id);
}

/**
 * Cancels: the caller's open execution, or their own active signal. A public signal the
 * caller never executed is not theirs to cancel (409).
 */
export async function cancelSignal(env: Env, principal: Principal, id: string, facts: Partial<RequestFacts>) {
  const s = await getVisibleSignal(env, principal, id);
  const exec = await db(env)
    .select()
    .from(signalExecutions)
    .where(and(eq(signalExecutions.signalId, id), eq(signalExecutions.userId, principal.userId)))
    .get();
  const d = db(env);
  const at = new Date().toISOString();
  if (exec?.status === 'executed') {
    await d.batch([
      d
        .update(signalExecutions)
        .set({ status: 'cancelled', updatedAt: at })
        .where(eq(signalExecutions.id, exec.id)),
      ...(s.ownerId === principal.userId
        ? [
            d
              .update(tradingSignals)
              .set({ status: 'cancelled', updatedAt: at })
              .where(eq(tradingSignals.id, id)),
          ]
        : []),
      activity(d, {
        userId: principal.userId,
        action: 'signal.cancel',
        facts,
        sessionId: principal.sessionId ?? null,
        details: { signal_id: id, execution_id: exec.id },
      }),
    ]);
  } else if (!exec && s.ownerId === principal.userId && s.status === 'active') {
    await d.batch([
      d.update(tradingSignals).set({ status: 'cancelled', updatedAt: at }).where(eq(tradingSignals.id, id)),
      activity(d, {
        userId: principal.userId,
        action: 'signal.cancel',
        facts,
        sessionId: principal.sessionId ?? null,
        details: { signal_id: id },
      }),
    ]);
  } else {
    throw new ApiError(
      'INTEGRITY_ERROR',
      exec
        ? `Your execution of ${id} is already ${exec.status}`
        : `Signal ${id} is ${s.ownerId === '' ? 'a public signal you have not executed' : s.status}: nothing of yours to cancel`,
    );
  }
  return { signal_id: id, status: 'cancelled' as const, message: 'Signal cancelled' };
}

/** How a signal has done since it was made: MFE/MAE, outcome vs its plan, and the caller's execution. */
export async function signalPerformance(env: Env, principal: Principal | undefined, id: string) {
  const now = await marketNow(env);
  const s = await getVisibleSignal(env, principal, id);
  const asset = await resolveAsset(env, s.assetId);
  const bars = (await closedDailyBars(env, asset, now, s.generatedAt - DAY_MS)).filter(
    (b) => b.time > s.generatedAt,
  );
  const maxBars = Math.max(1, Math.round((s.expiresAt - s.generatedAt) / DAY_MS));
  const t1 = simulateTrade(
    { direction: s.direction, entry: s.entryPrice, stop: s.stopLoss, target: s.takeProfit1, maxBars },
    bars,
  );
  const t2 = simulateTrade(
    { direction: s.direction, entry: s.entryPrice, stop: s.stopLoss, target: s.takeProfit2, maxBars },
    bars,
  );
  const horizonBar = bars[maxBars - 1];
  const sign = s.direction === 'long' ? 1 : -1;
  const [view] = await signalViews(env, principal, [s], now);
  return {
    signal_id: id,
    asset_id: s.assetId,
    direction: s.direction,
    entry_price: s.entryPrice,
    as_of: new Date(now).toISOString(),
    bars_observed: bars.length,
    method:
      'daily bars after the signal’s close up to the market clock; a bar touching both stop and target counts as the stop (conservative); MFE/MAE from highs and lows relative to entry, in the signal’s direction',
    target_1: outcomeView(t1),
    target_2: outcomeView(t2),
    predicted: { direction: s.direction, confidence: s.confidence, horizon_days: maxBars },
    actual: horizonBar
      ? {
          close_after_horizon: horizonBar.close,
          return_in_direction: (sign * (horizonBar.close - s.entryPrice)) / s.entryPrice,
          direction_correct: sign * (horizonBar.close - s.entryPrice) > 0,
        }
      : null,
    execution: view?.execution ?? null,
    track_record: view?.track_record ?? null,
  };
}

function outcomeView(t: TradeOutcome) {
  return {
    outcome: t.outcome,
    exit_price: t.exit_price,
    exit_time: iso(t.exit_time),
    return: t.return,
    mfe: t.mfe,
    mae: t.mae,
    holding_period_days: t.bars_held,
  };
}

/** Win rate, profit factor, average return and drawdown of public and own signals, by model, asset and timeframe. */
export async function signalAnalytics(
  env: Env,
  principal: Principal | undefined,
  q: { model_id?: string | undefined; asset_id?: string | undefined; days?: number | undefined },
) {
  const now = await marketNow(env);
  const since = now - (q.days ?? 365) * DAY_MS;
  const asset = q.asset_id ? await resolveAsset(env, q.asset_id) : null;
  const rows = await db(env)
    .select()
    .from(tradingSignals)
    .where(
      and(
        visibleTo(principal),
        sql`${tradingSignals.generatedAt} >= ${since}`,
        sql`${tradingSignals.generatedAt} <= ${now}`,
        q.model_id ? eq(tradingSignals.modelId, q.model_id) : undefined,
        asset ? eq(tradingSignals.assetId, asset.id) : undefined,
      ),
    )
    .orderBy(asc(tradingSignals.generatedAt))
    .limit(2000);
  const results: { s: SignalRow; t: TradeOutcome }[] = [];
  const barsBy = new Map<string, Awaited<ReturnType<typeof closedDailyBars>>>();
  for (const s of rows) {
    let bars = barsBy.get(s.assetId);
    if (!bars) {
      bars = await closedDailyBars(env, await resolveAsset(env, s.assetId), now, since - DAY_MS);
      barsBy.set(s.assetId, bars);
    }
    const maxBars = Math.max(1, Math.round((s.expiresAt - s.generatedAt) / DAY_MS));
    const t = simulateTrade(
      { direction: s.direction, entry: s.entryPrice, stop: s.stopLoss, target: s.takeProfit1, maxBars },
      bars.filter((b) => b.time > s.generatedAt),
    );
    results.push({ s, t });
  }
  const finished = results.filter((r) => r.t.outcome !== 'open');
  const group = (key: (s: SignalRow) => string) => {
    const out: Record<string, ReturnType<typeof tradeStats>> = {};
    const keys = [...new Set(finished.map((r) => key(r.s)))];
    for (const k of keys) out[k] = tradeStats(finished.filter((r) => key(r.s) === k).map((r) => r.t.return));
    return out;
  };
  return {
    as_of: new Date(now).toISOString(),
    window_days: q.days ?? 365,
    method:
      'each signal followed over daily bars from its close with its stop and first target until expiry (simulated, before fees); stats over signals whose outcome is known, in generation order; profit factor = gross gains / gross losses; drawdown of the compounded sequence',
    signals: rows.length,
    open: results.length - finished.length,
    overall: tradeStats(finished.map((r) => r.t.return)),
    by_model: group((s) => s.modelId),
    by_asset: group((s) => s.assetId),
    by_timeframe: group((s) => s.timeframe),
    mean_mfe: finished.length ? finished.reduce((a, r) => a + r.t.mfe, 0) / finished.length : null,
    mean_mae: finished.length ? finished.reduce((a, r) => a + r.t.mae, 0) / finished.length : null,
  };
}
