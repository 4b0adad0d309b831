import { and, asc, count, desc, eq, gte, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { RequestFacts } from '../../core/client';
import { DAY_MS, dayNumber } from '../../core/dates';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { aiModels, aiSuggestions, jobs, modelPredictions, suggestionFeedback } from '../../db/schema';
import type { Principal } from '../../env';
import { enqueueJob } from '../../jobs/service';
import { resolveAsset } from '../assets/service';
import { audit } from '../audit/service';
import {
  ABSENT_FEATURES,
  assertFeatureNames,
  PRICE_FEATURE_NAMES,
  QuantInputErrorGuard,
} from './learn-facade';
import type { CreateModelInput, TrackRecord, UpdateModelInput } from './schemas';

export type ModelRow = typeof aiModels.$inferSelect;

const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());

/** Checks feature names, answering 400 with the reason an absent feature is absent. */
export function checkFeatures(names: readonly string[] | undefined): string[] {
  if (!names) return [...PRICE_FEATURE_NAMES];
  try {
    return assertFeatureNames(names);
  } catch (err) {
    throw QuantInputErrorGuard(err, 'features');
  }
}

function checkWindow(start: string | null | undefined, end: string | null | undefined, now: number): void {
  for (const [field, v] of [
    ['training_start', start],
    ['training_end', end],
  ] as const) {
    if (v && !Number.isFinite(dayNumber(v)))
      throw new ApiError('VALIDATION_ERROR', `${field} is not a calendar date`, { details: { field } });
  }
  if (start && end && dayNumber(start) > dayNumber(end))
    throw new ApiError('VALIDATION_ERROR', 'training_start must not be after training_end', {
      details: { field: 'training_start' },
    });
  if (end && dayNumber(end) * DAY_MS > now)
    throw new ApiError('VALIDATION_ERROR', 'training_end is after the market clock', {
      details: { field: 'training_end' },
    });
}

export async function getModel(env: Env, id: string): Promise<ModelRow> {
  const row = await db(env).select().from(aiModels).where(eq(aiModels.id, id)).get();
  if (!row) throw new ApiError('NOT_FOUND', `Model ${id} not found`);
  return row;
}

/** The model's out-of-sample record: its walk-forward validation and its scored live predictions. */
export async function trackRecord(env: Env, model: ModelRow, now?: number): Promise<TrackRecord> {
  const at = now ?? (await marketNow(env));
  const live = await db(env)
    .select({
      made: count(),
      scored: sql<number>`count(${modelPredictions.scoredAt})`,
      hits: sql<
        number | null
      >`sum(CASE WHEN ${modelPredictions.scoredAt} IS NULL THEN NULL WHEN (${modelPredictions.probabilityUp} >= 0.5) = (${modelPredictions.outcomeUp} = 1) THEN 1 ELSE 0 END)`,
      brier: sql<
        number | null
      >`avg(CASE WHEN ${modelPredictions.scoredAt} IS NULL THEN NULL ELSE (${modelPredictions.probabilityUp} - ${modelPredictions.outcomeUp}) * (${modelPredictions.probabilityUp} - ${modelPredictions.outcomeUp}) END)`,
      upRet: sql<
        number | null
      >`avg(CASE WHEN ${modelPredictions.scoredAt} IS NOT NULL AND ${modelPredictions.probabilityUp} >= 0.5 THEN ${modelPredictions.realizedReturn} END)`,
      first: sql<string | null>`min(${modelPredictions.predictionDate})`,
      lastScored: sql<number | null>`max(${modelPredictions.outcomeTime})`,
    })
    .from(modelPredictions)
    .where(and(eq(modelPredictions.modelId, model.id), lte(modelPredictions.decisionTime, at)))
    .get();
  const m = model.metrics as WalkForwardMetrics | null;
  const oos = m?.out_of_sample;
  const scored = Number(live?.scored ?? 0);
  return {
    model_id: model.id,
    model_name: model.name,
    architecture: model.architecture,
    model_version: model.version,
    horizon_days: model.horizonDays,
    walk_forward:
      m && oos
        ? {
            method: m.method,
            predictions: oos.n,
            validated_from: m.validated_from ?? null,
            validated_to: m.validated_to ?? null,
            accuracy: oos.accuracy,
            roc_auc: oos.roc_auc,
            brier: oos.brier,
            log_loss: oos.log_loss,
            base_rate: oos.base_rate,
            always_long_accuracy: oos.always_long_accuracy,
            always_flat_accuracy: oos.always_flat_accuracy,
            strategy_return_net: m.strategy?.total_return ?? null,
            always_long_return: m.strategy?.always_long_return ?? null,
            fee_rate: m.strategy?.fee_rate ?? null,
          }
        : null,
    live: {
      method: `predictions stored at each day's close by the schedule, scored ${model.horizonDays} day(s) later against the close: hit = (p >= 0.5) equals (close went up); Brier = mean (p - outcome)^2`,
      predictions_made: Number(live?.made ?? 0),
      predictions_scored: scored,
      accuracy: scored ? Number(live?.hits ?? 0) / scored : null,
      brier: scored ? Number(live?.brier) : null,
      mean_realized_return_when_up: live?.upRet == null ? null : Number(live.upRet),
      first_prediction: live?.first ?? null,
      last_scored: iso(live?.lastScored),
    },
    as_of: new Date(at).toISOString(),
  };
}

/** What training stores in `metrics` (see training.ts). */
export interface WalkForwardMetrics {
  method: string;
  validated_from?: string | null;
  validated_to?: string | null;
  out_of_sample?: {
    n: number;
    accuracy: number | null;
    roc_auc: number | null;
    brier: number | null;
    log_loss: number | null;
    base_rate: number | null;
    always_long_accuracy: number | null;
    always_flat_accuracy: number | null;
  };
  strategy?: { total_return: number; always_long_return: number; fee_rate: number };
}

export async function modelView(env: Env, m: ModelRow, now?: number) {
  return {
    id: m.id,
    model_id: m.id,
    name: m.name,
    description: m.description,
    model_type: m.modelType,
    architecture: m.architecture,
    features: m.features,
    absent_features: Object.entries(ABSENT_FEATURES).map(([feature, reason]) => ({ feature, reason })),
    target: {
      kind: 'direction' as const,
      horizon_days: m.horizonDays,
      definition: `1 when the daily close ${m.horizonDays} day(s) after the decision is above the close at the decision, else 0`,
    },
    asset_ids: m.assetIds,
    hyperparameters: m.hyperparameters,
    training_window: { start: m.trainingStart, end: m.trainingEnd },
    status: m.status,
    version: m.version,
    artifact: m.artifactKey && m.artifactHash ? { key: m.artifactKey, sha256: m.artifactHash } : null,
    trained_at: m.trainedAt,
    data_as_of: iso(m.dataAsOf),
    training_job_id: m.trainingJobId,
    last_error: m.lastError,
    metrics: m.metrics,
    track_record: await trackRecord(env, m, now),
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

export async function listModels(
  env: Env,
  q: {
    model_type?: string | undefined;
    status?: string | undefined;
    architecture?: string | undefined;
    limit: number;
    offset: number;
  },
) {
  const where = and(
    q.model_type ? eq(aiModels.modelType, q.model_type) : undefined,
    q.status ? eq(aiModels.status, q.status as ModelRow['status']) : undefined,
    q.architecture ? eq(aiModels.architecture, q.architecture as ModelRow['architecture']) : undefined,
  );
  const [rows, total, now] = await Promise.all([
    db(env)
      .select()
      .from(aiModels)
      .where(where)
      .orderBy(asc(aiModels.createdAt), asc(aiModels.id))
      .limit(q.limit)
      .offset(q.offset),
    db(env).select({ n: count() }).from(aiModels).where(where).get(),
    marketNow(env),
  ]);
  return { items: await Promise.all(rows.map((r) => modelView(env, r, now))), total: total?.n ?? 0 };
}

/** Resolves training assets: shared ones, or the creating user's own private series. */
async function resolveTrainingAssets(env: Env, keys: string[], ownerId: string): Promise<string[]> {
  const ids: string[] = [];
  for (const key of keys) {
    const asset = await resolveAsset(env, key).catch(() => resolveAsset(env, key, ownerId).catch(() => null));
    if (!asset)
      throw new ApiError('VALIDATION_ERROR', `Unknown asset ${key}`, { details: { field: 'asset_ids' } });
    if (!ids.includes(asset.id)) ids.push(asset.id);
  }
  return ids;
}

export async function createModel(
  env: Env,
  admin: Principal,
  input: CreateModelInput,
  facts: Partial<RequestFacts>,
) {
  const features = checkFeatures(input.features);
  const now = await marketNow(env);
  checkWindow(input.training_start, input.training_end, now);
  const assetIds = await resolveTrainingAssets(env, input.asset_ids, admin.userId);
  const id = newId('model');
  const d = db(env);
  await d.batch([
    d.insert(aiModels).values({
      id,
      name: input.name,
      description: input.description ?? null,
      architecture: input.architecture,
      features,
      assetIds,
      horizonDays: input.horizon_days,
      hyperparameters: input.hyperparameters,
      trainingStart: input.training_start ?? null,
      trainingEnd: input.training_end ?? null,
      createdBy: admin.userId,
    }),
    audit(d, {
      actorUserId: admin.userId,
      action: 'ai_model.create',
      targetType: 'ai_model',
      targetId: id,
      details: { name: input.name, architecture: input.architecture },
      facts,
    }),
  ]);
  return modelView(env, await getModel(env, id), now);
}

export async function updateModel(
  env: Env,
  admin: Principal,
  id: string,
  input: UpdateModelInput,
  facts: Partial<RequestFacts>,
) {
  const model = await getModel(env, id);
  if (model.status === 'training')
    throw new ApiError('INTEGRITY_ERROR', 'The model is training; update it when the job has finished', {
      details: { training_job_id: model.trainingJobId },
    });
  const features = input.features ? checkFeatures(input.features) : undefined;
  const now = await marketNow(env);
  checkWindow(
    input.training_start === undefined ? model.trainingStart : input.training_start,
    input.training_end === undefined ? model.trainingEnd : input.training_end,
    now,
  );
  if (input.status === 'active' && !model.artifactKey)
    throw new ApiError('INTEGRITY_ERROR', 'An untrained model cannot be activated: train it first');
  const changes = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(features ? { features } : {}),
    ...(input.hyperparameters ? { hyperparameters: input.hyperparameters } : {}),
    ...(input.horizon_days !== undefined ? { horizonDays: input.horizon_days } : {}),
    ...(input.training_start !== undefined ? { trainingStart: input.training_start } : {}),
    ...(input.training_end !== undefined ? { trainingEnd: input.training_end } : {}),
  };
  // A change to what the model learns makes the stored fit stale: it stays served (with its
  // record) until retrained, but the registry says so.
  const d = db(env);
  await d.batch([
    d
      .update(aiModels)
      .set({ ...changes, updatedAt: new Date().toISOString() })
      .where(and(eq(aiModels.id, id), sql`${aiModels.status} <> 'training'`)),
    audit(d, {
      actorUserId: admin.userId,
      action: 'ai_model.update',
      targetType: 'ai_model',
      targetId: id,
      details: input,
      facts,
    }),
  ]);
  return modelView(env, await getModel(env, id), now);
}

/**
 * Queues a training run of the model on the data the market clock has reached. One at a
 * time: a model already training answers 409 and nothing changes.
 */
export async function requestTraining(
  env: Env,
  principal: Principal,
  id: string,
  input: { seed?: number | undefined },
  facts: Partial<RequestFacts>,
) {
  let model = await getModel(env, id);
  if (model.status === 'training') model = await releaseIfJobEnded(env, model);
  if (model.status === 'training')
    throw new ApiError('INTEGRITY_ERROR', 'The model is already training', {
      details: { training_job_id: model.trainingJobId },
    });
  const asOf = await marketNow(env);
  const claimed = await db(env)
    .update(aiModels)
    .set({ status: 'training', lastError: null, updatedAt: new Date().toISOString() })
    .where(and(eq(aiModels.id, id), sql`${aiModels.status} <> 'training'`))
    .returning({ id: aiModels.id })
    .get();
  if (!claimed) throw new ApiError('INTEGRITY_ERROR', 'The model is already training');
  let jobId: string;
  try {
    jobId = await enqueueJob(env, {
      type: 'models.train',
      userId: principal.userId,
      maxAttempts: 2,
      payload: {
        model_id: id,
        as_of: asOf,
        seed: input.seed ?? model.hyperparameters.seed ?? 1,
        previous_status: model.status,
      },
    });
  } catch (err) {
    await db(env).update(aiModels).set({ status: model.status }).where(eq(aiModels.id, id));
    throw err;
  }
  const d = db(env);
  await d.batch([
    d.update(aiModels).set({ trainingJobId: jobId }).where(eq(aiModels.id, id)),
    audit(d, {
      actorUserId: principal.userId,
      action: 'ai_model.train',
      targetType: 'ai_model',
      targetId: id,
      details: { job_id: jobId, as_of: new Date(asOf).toISOString() },
      facts,
    }),
  ]);
  return {
    job_id: jobId,
    model_id: id,
    status: 'queued' as const,
    data_as_of: new Date(asOf).toISOString(),
    status_url: `/api/v1/jobs/${jobId}`,
  };
}

/**
 * A model left 'training' by a job that ended without finishing it (cancelled, dead-lettered,
 * reaped after its last attempt) goes back to serving its previous fit, or 'failed' without one,
 * so it can be trained again.
 */
async function releaseIfJobEnded(env: Env, model: ModelRow): Promise<ModelRow> {
  const job = model.trainingJobId
    ? await db(env)
        .select({ status: jobs.status, error: jobs.error })
        .from(jobs)
        .where(eq(jobs.id, model.trainingJobId))
        .get()
    : undefined;
  if (job && !['failed', 'cancelled', 'succeeded'].includes(job.status)) return model;
  await db(env)
    .update(aiModels)
    .set({
      status: model.artifactKey ? 'active' : 'failed',
      lastError: job?.error ?? `training job ${job?.status ?? 'missing'}`,
      updatedAt: new Date().toISOString(),
    })
    .where(and(eq(aiModels.id, model.id), eq(aiModels.status, 'training')));
  return getModel(env, model.id);
}

export async function listTrainingJobs(
  env: Env,
  q: { model_id?: string | undefined; status?: string | undefined; limit: number; offset: number },
) {
  const where = and(
    eq(jobs.type, 'models.train'),
    q.status ? eq(jobs.status, q.status as (typeof jobs.$inferSelect)['status']) : undefined,
    q.model_id ? sql`json_extract(${jobs.payload}, '$.model_id') = ${q.model_id}` : undefined,
  );
  const [rows, total] = await Promise.all([
    db(env)
      .select()
      .from(jobs)
      .where(where)
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(q.limit)
      .offset(q.offset),
    db(env).select({ n: count() }).from(jobs).where(where).get(),
  ]);
  return {
    items: rows.map((j) => {
      const payload = (typeof j.payload === 'string' ? JSON.parse(j.payload) : j.payload) as {
        model_id?: string;
        as_of?: number;
        seed?: number;
      } | null;
      const result = (typeof j.result === 'string' ? JSON.parse(j.result) : j.result) as Record<
        string,
        unknown
      > | null;
      const started = j.startedAt ? Date.parse(j.startedAt) : null;
      const remaining =
        started && j.progress > 0 && j.progress < 100
          ? ((Date.now() - started) * (100 - j.progress)) / j.progress
          : null;
      return {
        job_id: j.id,
        model_id: payload?.model_id ?? null,
        status: j.status,
        progress: j.progress,
        progress_message: j.progressMessage,
        seed: payload?.seed ?? null,
        data_as_of: iso(payload?.as_of ?? null),
        attempts: j.attempts,
        error: j.error,
        result,
        estimated_seconds_remaining: remaining === null ? null : Math.round(remaining / 1000),
        created_at: j.createdAt,
        started_at: j.startedAt,
        finished_at: j.finishedAt,
      };
    }),
    total: total?.n ?? 0,
  };
}

export async function listPredictions(
  env: Env,
  id: string,
  q: {
    asset_id?: string | undefined;
    start_date?: string | undefined;
    end_date?: string | undefined;
    limit: number;
    offset: number;
  },
) {
  const model = await getModel(env, id);
  const now = await marketNow(env);
  if (q.start_date && q.end_date && q.start_date > q.end_date)
    throw new ApiError('VALIDATION_ERROR', 'start_date must not be after end_date', {
      details: { field: 'start_date' },
    });
  const asset = q.asset_id ? await resolveAsset(env, q.asset_id) : null;
  const where = and(
    eq(modelPredictions.modelId, id),
    lte(modelPredictions.decisionTime, now),
    asset ? eq(modelPredictions.assetId, asset.id) : undefined,
    q.start_date ? gte(modelPredictions.predictionDate, q.start_date) : undefined,
    q.end_date ? lte(modelPredictions.predictionDate, q.end_date) : undefined,
  );
  const [rows, total, record] = await Promise.all([
    db(env)
      .select()
      .from(modelPredictions)
      .where(where)
      .orderBy(desc(modelPredictions.predictionDate), asc(modelPredictions.assetId))
      .limit(q.limit)
      .offset(q.offset),
    db(env).select({ n: count() }).from(modelPredictions).where(where).get(),
    trackRecord(env, model, now),
  ]);
  return {
    model_id: id,
    items: rows.map((p) => predictionView(p, now)),
    total: total?.n ?? 0,
    track_record: record,
  };
}

export function predictionView(p: typeof modelPredictions.$inferSelect, now: number) {
  // An outcome the market clock has not reached is never shown, even if stored.
  const scored = p.scoredAt !== null && p.outcomeTime !== null && p.outcomeTime <= now;
  return {
    prediction_id: p.id,
    model_id: p.modelId,
    model_version: p.modelVersion,
    asset_id: p.assetId,
    prediction_date: p.predictionDate,
    decision_time: new Date(p.decisionTime).toISOString(),
    horizon_days: p.horizonDays,
    probability_up: p.probabilityUp,
    direction: p.probabilityUp >= 0.5 ? ('up' as const) : ('down' as const),
    close_at_decision: p.closeAtDecision,
    features: p.features,
    outcome: scored
      ? {
          outcome_time: new Date(p.outcomeTime as number).toISOString(),
          realized_return: p.realizedReturn,
          went_up: p.outcomeUp === 1,
          correct: p.probabilityUp >= 0.5 === (p.outcomeUp === 1),
        }
      : null,
  };
}

/** Performance over time: walk-forward folds, and live predictions scored month by month. */
export async function modelPerformance(env: Env, id: string) {
  const model = await getModel(env, id);
  const now = await marketNow(env);
  const monthly = await db(env)
    .select({
      month: sql<string>`substr(${modelPredictions.predictionDate}, 1, 7)`,
      n: count(),
      hits: sql<number>`sum(CASE WHEN (${modelPredictions.probabilityUp} >= 0.5) = (${modelPredictions.outcomeUp} = 1) THEN 1 ELSE 0 END)`,
      brier: sql<number>`avg((${modelPredictions.probabilityUp} - ${modelPredictions.outcomeUp}) * (${modelPredictions.probabilityUp} - ${modelPredictions.outcomeUp}))`,
      meanReturn: sql<number>`avg(${modelPredictions.realizedReturn})`,
    })
    .from(modelPredictions)
    .where(
      and(
        eq(modelPredictions.modelId, id),
        isNotNull(modelPredictions.scoredAt),
        lte(modelPredictions.outcomeTime, now),
      ),
    )
    .groupBy(sql`substr(${modelPredictions.predictionDate}, 1, 7)`)
    .orderBy(sql`substr(${modelPredictions.predictionDate}, 1, 7)`);
  const metrics = (model.metrics ?? {}) as Record<string, unknown>;
  // Users' feedback on the suggestions this model took part in (its id is in their payload).
  const feedback = await db(env)
    .select({
      action: suggestionFeedback.actionTaken,
      n: count(),
      mean: sql<number>`avg(${suggestionFeedback.rating})`,
    })
    .from(suggestionFeedback)
    .innerJoin(aiSuggestions, eq(aiSuggestions.id, suggestionFeedback.suggestionId))
    .where(sql`instr(${aiSuggestions.payload}, ${`"model_id":"${id}"`}) > 0`)
    .groupBy(suggestionFeedback.actionTaken);
  return {
    user_feedback: {
      method: 'ratings (1-5) users gave suggestions this model contributed to, by the action they took',
      responses: feedback.reduce((a, f) => a + f.n, 0),
      mean_rating: feedback.length
        ? feedback.reduce((a, f) => a + f.mean * f.n, 0) /
          Math.max(
            1,
            feedback.reduce((a, f) => a + f.n, 0),
          )
        : null,
      by_action: feedback.map((f) => ({ action_taken: f.action, responses: f.n, mean_rating: f.mean })),
    },
    model_id: id,
    version: model.version,
    walk_forward: {
      folds: (metrics.folds as unknown[] | undefined) ?? [],
      out_of_sample: metrics.out_of_sample ?? null,
      strategy: metrics.strategy ?? null,
      feature_importance: metrics.feature_importance ?? [],
    },
    live_by_month: monthly.map((r) => ({
      month: r.month,
      predictions_scored: r.n,
      accuracy: r.n ? Number(r.hits) / r.n : null,
      brier: r.n ? Number(r.brier) : null,
      mean_realized_return: r.n ? Number(r.meanReturn) : null,
    })),
    track_record: await trackRecord(env, model, now),
  };
}

/** Models whose predictions are served, newest version first. */
export async function activeModels(env: Env, ids?: string[]): Promise<ModelRow[]> {
  return db(env)
    .select()
    .from(aiModels)
    .where(
      and(
        eq(aiModels.status, 'active'),
        isNotNull(aiModels.artifactKey),
        ids?.length ? inArray(aiModels.id, ids) : undefined,
      ),
    )
    .orderBy(asc(aiModels.createdAt), asc(aiModels.id));
}
