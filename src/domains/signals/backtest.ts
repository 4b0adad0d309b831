import { and, asc, eq, sql } from 'drizzle-orm';
import { DAY_MS, dayNumber, dayString } from '../../core/dates';
import { ApiError } from '../../core/errors';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { tradingSignals } from '../../db/schema';
import { atr } from '../../quant';
import {
  type Bar,
  buildDataset,
  type FeatureName,
  simulateTrade,
  tradeStats,
  walkForwardSplits,
} from '../../quant/learn';
import { resolveAsset } from '../assets/service';
import { closedDailyBars, marketInputsFor } from '../models/data';
import { getModel, trackRecord } from '../models/service';
import { learnerFor } from '../models/training';
import { simulateTradeFee } from './fees';
import { SIGNAL_EDGE, STOP_ATR, TARGET_ATR } from './generate';

const MAX_RANGE_DAYS = 3660;

/**
 * The model's signals replayed walk-forward over [start, end]: for each validation block the
 * model is refitted on rows whose labels closed before the block (purged, embargo = horizon),
 * its out-of-sample probabilities become signals by the live rule, and each is followed on
 * the next bars with its ATR stop and first target until expiry. Net of a fee per side.
 */
export async function backtestModel(
  env: Env,
  modelId: string,
  q: {
    start_date?: string | undefined;
    end_date?: string | undefined;
    asset_ids?: string[] | undefined;
    fee_rate?: number | undefined;
  },
) {
  const model = await getModel(env, modelId);
  const now = await marketNow(env);
  const lastClosedDay = Math.floor(now / DAY_MS) - 1;
  const end = q.end_date ? dayNumber(q.end_date) : lastClosedDay;
  const start = q.start_date ? dayNumber(q.start_date) : end - 365;
  if (start > end)
    throw new ApiError('VALIDATION_ERROR', 'start_date must not be after end_date', {
      details: { field: 'start_date' },
    });
  if (end > lastClosedDay)
    throw new ApiError(
      'VALIDATION_ERROR',
      `end_date is after the last closed day of the market clock (${dayString(lastClosedDay)})`,
      { details: { field: 'end_date' } },
    );
  if (end - start > MAX_RANGE_DAYS)
    throw new ApiError('VALIDATION_ERROR', `at most ${MAX_RANGE_DAYS} days per backtest`, {
      details: { field: 'start_date' },
    });
  const keys = q.asset_ids?.length ? q.asset_ids : model.assetIds;
  if (keys.length > 10)
    throw new ApiError('VALIDATION_ERROR', 'at most 10 assets per backtest', {
      details: { field: 'asset_ids' },
    });
  const fee = q.fee_rate ?? model.hyperparameters.fee_rate ?? 0.001;
  const asOf = (end + 1) * DAY_MS;
  const perAsset = [];
  const allReturns: { t: number; r: number }[] = [];
  const predictions: { p: number; y: number }[] = [];
  for (const key of keys) {
    const asset = await resolveAsset(env, key).catch(() =>
      model.createdBy
        ? resolveAsset(env, key, model.createdBy)
        : Promise.reject(new ApiError('NOT_FOUND', `Asset ${key} not found`)),
    );
    const bars = await closedDailyBars(env, asset, asOf);
    const data = buildDataset(
      bars,
      model.features as FeatureName[],
      model.horizonDays,
      await marketInputsFor(env, model.features, asOf),
    );
    const firstVal = data.decisionTimes.findIndex((t) => t >= (start + 1) * DAY_MS);
    if (firstVal < 200) {
      perAsset.push({
        asset_id: asset.id,
        symbol: asset.symbol,
        skipped: `needs 200 labelled days before ${dayString(start)} to train the first fold (has ${Math.max(0, firstVal)})`,
      });
      continue;
    }
    const n = data.x.length - firstVal;
    if (n < 1) {
      perAsset.push({
        asset_id: asset.id,
        symbol: asset.symbol,
        skipped: 'no labelled decision inside the range',
      });
      continue;
    }
    const folds = walkForwardSplits(data.decisionTimes, data.labelEnds, {
      folds: Math.min(5, n),
      minTrain: firstVal,
      embargo: model.horizonDays,
    });
    const learner = learnerFor(model, model.hyperparameters.seed ?? 1);
    const a = atr(
      bars.map((b) => b.high),
      bars.map((b) => b.low),
      bars.map((b) => b.close),
      14,
    );
    const returns: number[] = [];
    let busyUntil = 0;
    for (const f of folds) {
      const fitted = learner.fit(
        f.train.map((i) => data.x[i] as number[]),
        f.train.map((i) => data.y[i] as 0 | 1),
      );
      const p = fitted.predictProba(f.validation.map((i) => data.x[i] as number[]));
      f.validation.forEach((row, k) => {
        const prob = p[k] as number;
        predictions.push({ p: prob, y: data.y[row] as number });
        const dir = prob >= 0.5 + SIGNAL_EDGE ? 'long' : prob <= 0.5 - SIGNAL_EDGE ? 'short' : null;
        const bi = data.barIndex[row] as number;
        const bar = bars[bi] as Bar;
        if (!dir || bar.time < busyUntil) return;
        const atrV = a[bi] as number;
        if (!Number.isFinite(atrV)) return;
        const sign = dir === 'long' ? 1 : -1;
        const after = bars.slice(bi + 1).filter((b) => b.time <= asOf);
        const t = simulateTrade(
          {
            direction: dir,
            entry: bar.close,
            stop: bar.close - sign * STOP_ATR * atrV,
            target: bar.close + sign * TARGET_ATR[0] * atrV,
            maxBars: model.horizonDays,
          },
          after,
        );
        if (t.outcome === 'open') return;
        const r = simulateTradeFee(t.return, fee);
        returns.push(r);
        allReturns.push({ t: bar.time, r });
        busyUntil = t.exit_time ?? bar.time;
      });
    }
    perAsset.push({
      asset_id: asset.id,
      symbol: asset.symbol,
      validated_decisions: n,
      ...tradeStats(returns),
    });
  }
  allReturns.sort((x, y) => x.t - y.t);
  const hits = predictions.filter((x) => (x.p >= 0.5 ? 1 : 0) === x.y).length;
  return {
    model_id: model.id,
    model_version: model.version,
    architecture: model.architecture,
    start_date: dayString(start),
    end_date: dayString(end),
    fee_rate: fee,
    method: `walk-forward: up to 5 validation blocks inside the range, each refitted on earlier rows only (purged on the ${model.horizonDays}-day label, embargo ${model.horizonDays}); signals by the live rule (|p - 0.5| >= ${SIGNAL_EDGE}), one open trade per asset at a time, stop ${STOP_ATR}×ATR(14), target ${TARGET_ATR[0]}×ATR, exit at expiry (${model.horizonDays} bars); ${fee * 100}% per side`,
    out_of_sample_predictions: predictions.length,
    out_of_sample_accuracy: predictions.length ? hits / predictions.length : null,
    overall: tradeStats(allReturns.map((x) => x.r)),
    per_asset: perAsset,
    track_record: await trackRecord(env, model, now),
  };
}

/** Admin: re-checks active signals against the latest closes; a stop or target hit, or expiry, ends them. */
export async function validateActiveSignals(env: Env) {
  const now = await marketNow(env);
  const rows = await db(env)
    .select()
    .from(tradingSignals)
    .where(eq(tradingSignals.status, 'active'))
    .orderBy(asc(tradingSignals.generatedAt))
    .limit(1000);
  const d = db(env);
  const updates = [];
  const outcomes = { still_active: 0, expired: 0, stopped: 0, target_reached: 0 };
  const at = new Date().toISOString();
  for (const s of rows) {
    if (s.expiresAt <= now) {
      outcomes.expired++;
      updates.push(
        d
          .update(tradingSignals)
          .set({ status: 'expired', updatedAt: at })
          .where(and(eq(tradingSignals.id, s.id), eq(tradingSignals.status, 'active'))),
      );
      continue;
    }
    const asset = await resolveAsset(env, s.assetId).catch(() => null);
    if (!asset) continue;
    const bars = (await closedDailyBars(env, asset, now, s.generatedAt - DAY_MS)).filter(
      (b) => b.time > s.generatedAt,
    );
    const t = simulateTrade(
      {
        direction: s.direction,
        entry: s.entryPrice,
        stop: s.stopLoss,
        target: s.takeProfit1,
        maxBars: 10_000,
      },
      bars,
    );
    if (t.outcome === 'stop' || t.outcome === 'target') {
      outcomes[t.outcome === 'stop' ? 'stopped' : 'target_reached']++;
      updates.push(
        d
          .update(tradingSignals)
          .set({ status: 'closed', updatedAt: at })
          .where(and(eq(tradingSignals.id, s.id), eq(tradingSignals.status, 'active'))),
      );
    } else outcomes.still_active++;
  }
  for (let i = 0; i < updates.length; i += 50) {
    const batch = updates.slice(i, i + 50);
    if (batch.length) await d.batch(batch as [(typeof batch)[number], ...(typeof batch)[number][]]);
  }
  return {
    checked: rows.length,
    ...outcomes,
    as_of: new Date(now).toISOString(),
    method:
      'each active signal followed over the closed daily bars since it was made: stop or first target touched → closed; past its expiry → expired',
  };
}

/** Admin: signals and models compared — counts by quality and status, and each model's record. */
export async function adminSignalPerformance(env: Env) {
  const now = await marketNow(env);
  const d = db(env);
  const [byQuality, byStatus, byModel] = await Promise.all([
    d
      .select({
        quality: tradingSignals.quality,
        n: sql<number>`count(*)`,
        mean_confidence: sql<number>`avg(${tradingSignals.confidence})`,
      })
      .from(tradingSignals)
      .where(sql`${tradingSignals.generatedAt} <= ${now}`)
      .groupBy(tradingSignals.quality),
    d
      .select({ status: tradingSignals.status, n: sql<number>`count(*)` })
      .from(tradingSignals)
      .where(sql`${tradingSignals.generatedAt} <= ${now}`)
      .groupBy(tradingSignals.status),
    d
      .select({ model_id: tradingSignals.modelId, n: sql<number>`count(*)` })
      .from(tradingSignals)
      .where(sql`${tradingSignals.generatedAt} <= ${now}`)
      .groupBy(tradingSignals.modelId),
  ]);
  const models = [];
  for (const m of byModel) {
    const model = await getModel(env, m.model_id).catch(() => null);
    models.push({
      model_id: m.model_id,
      signals: m.n,
      track_record: model ? await trackRecord(env, model, now) : null,
    });
  }
  return {
    as_of: new Date(now).toISOString(),
    quality_distribution: byQuality.map((r) => ({
      quality: r.quality,
      signals: r.n,
      mean_confidence: r.mean_confidence,
    })),
    status_distribution: byStatus.map((r) => ({ status: r.status, signals: r.n })),
    models,
  };
}
