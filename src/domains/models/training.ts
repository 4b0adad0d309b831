import { and, eq } from 'drizzle-orm';
import { DAY_MS, dayNumber } from '../../core/dates';
import { db } from '../../db/client';
import { aiModels, aiModelVersions } from '../../db/schema';
import {
  type Bar,
  buildDataset,
  type Dataset,
  FEATURES,
  type FeatureName,
  gradientBoostedTrees,
  type Learner,
  logisticRegression,
  type MarketInputs,
  type ModelArtifact,
  walkForwardEvaluate,
} from '../../quant/learn';
import { resolveAsset } from '../assets/service';
import { closedDailyBars, marketInputsFor } from './data';
import { getModel, type ModelRow } from './service';

export interface TrainPayload {
  model_id: string;
  as_of: number;
  seed: number;
}

/** The learner a registry row describes, its hyperparameters applied. */
export function learnerFor(model: Pick<ModelRow, 'architecture' | 'hyperparameters'>, seed: number): Learner {
  const h = model.hyperparameters;
  if (model.architecture === 'logistic_regression') return logisticRegression({ l2: h.l2 ?? 10 });
  return gradientBoostedTrees({
    trees: h.trees ?? 60,
    maxDepth: h.max_depth ?? 2,
    learningRate: h.learning_rate ?? 0.05,
    subsample: h.subsample ?? 0.8,
    minChildWeight: h.min_child_weight ?? 10,
    seed,
  });
}

/** Rows of several assets pooled in decision-time order (stable on ties by asset order). */
export function poolDatasets(parts: Dataset[]): Dataset {
  const rows: { d: Dataset; i: number }[] = [];
  for (const d of parts) for (let i = 0; i < d.x.length; i++) rows.push({ d, i });
  rows.sort((a, b) => (a.d.decisionTimes[a.i] as number) - (b.d.decisionTimes[b.i] as number));
  return {
    x: rows.map(({ d, i }) => d.x[i] as readonly number[]),
    y: rows.map(({ d, i }) => d.y[i] as 0 | 1),
    decisionTimes: rows.map(({ d, i }) => d.decisionTimes[i] as number),
    labelEnds: rows.map(({ d, i }) => d.labelEnds[i] as number),
    nextReturns: rows.map(({ d, i }) => d.nextReturns[i] as number),
  };
}

/** SHA-256 hex of a string. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export interface TrainingOutcome {
  artifact: {
    architecture: string;
    features: string[];
    horizon_days: number;
    seed: number;
    data_as_of: string;
    params: ModelArtifact;
  };
  artifactJson: string;
  sha256: string;
  metrics: Record<string, unknown>;
}

/**
 * Fits a model on the closed daily bars up to `asOf` (and its training window): walk-forward
 * validation (5 folds by default, purged on the label horizon, embargo = horizon), then a
 * final fit on every labelled row. Pure given the bars and the seed: the same inputs give
 * the same artifact byte for byte, hence the same hash.
 */
export function fitModel(
  model: Pick<ModelRow, 'architecture' | 'hyperparameters' | 'features' | 'horizonDays'>,
  barsByAsset: Bar[][],
  asOf: number,
  seed: number,
  market: MarketInputs = {},
): TrainingOutcome {
  const started = Date.now();
  const features = model.features as FeatureName[];
  const parts = barsByAsset
    .filter((b) => b.length > 60)
    .map((b) => buildDataset(b, features, model.horizonDays, market));
  const data = poolDatasets(parts);
  const folds = model.hyperparameters.folds ?? 5;
  const feeRate = model.hyperparameters.fee_rate ?? 0.001;
  const learner = learnerFor(model, seed);
  const report = walkForwardEvaluate(learner, data, {
    folds,
    embargo: model.horizonDays,
    minTrain: Math.max(100, Math.floor(data.x.length * 0.3)),
    feeRate,
    seed,
    importanceRepeats: 3,
  });
  const final = learner.fit(data.x, data.y);
  const params = final.toJSON();
  // The artifact names the data it saw by its last bar, not by when training was asked for,
  // so two trainings on the same data with one seed give the same bytes and hash.
  const lastBar = Math.max(0, ...barsByAsset.map((b) => b.at(-1)?.time ?? 0));
  const artifact = {
    architecture: model.architecture,
    features: [...features],
    horizon_days: model.horizonDays,
    seed,
    data_as_of: new Date(Math.min(lastBar, asOf)).toISOString(),
    params,
  };
  const artifactJson = JSON.stringify(artifact);
  const first = report.folds[0];
  const last = report.folds.at(-1);
  const metrics = {
    method: `walk-forward, ${report.folds.length} expanding folds over the last 70% of rows, purged (no training label ends at or after a validation decision), embargo ${model.horizonDays} row(s); pooled out-of-sample predictions`,
    validated_from: first ? new Date(first.validation_start).toISOString() : null,
    validated_to: last ? new Date(last.validation_end).toISOString() : null,
    rows: data.x.length,
    assets: parts.length,
    first_decision: data.decisionTimes.length
      ? new Date(data.decisionTimes[0] as number).toISOString()
      : null,
    last_decision: data.decisionTimes.length
      ? new Date(data.decisionTimes.at(-1) as number).toISOString()
      : null,
    out_of_sample: report.out_of_sample,
    strategy: {
      ...report.strategy,
      method: `long/flat on each validation row when p >= ${report.strategy.threshold}, holding to the next close, ${feeRate * 100}% of equity per position change; always-long holds throughout; always-flat earns 0`,
    },
    folds: report.folds.map((f) => ({
      ...f,
      train_start: new Date(f.train_start).toISOString(),
      train_end: new Date(f.train_end).toISOString(),
      validation_start: new Date(f.validation_start).toISOString(),
      validation_end: new Date(f.validation_end).toISOString(),
    })),
    feature_importance: report.importance
      .map((imp) => ({
        feature: features[imp.feature] as string,
        description: FEATURES[features[imp.feature] as FeatureName],
        mean_logloss_increase: imp.importance,
        std: imp.std,
      }))
      .sort((a, b) => b.mean_logloss_increase - a.mean_logloss_increase),
    importance_method:
      'permutation on each fold’s validation rows (3 repeats), increase in log loss, weighted by fold size',
    training_ms: Date.now() - started,
  };
  return { artifact, artifactJson, sha256: '', metrics };
}

/** Loads the training bars of a model as of `asOf`, clipped to its training window. */
export async function trainingBars(env: Env, model: ModelRow, asOf: number): Promise<Bar[][]> {
  const end = model.trainingEnd ? Math.min(asOf, (dayNumber(model.trainingEnd) + 1) * DAY_MS) : asOf;
  const start = model.trainingStart ? dayNumber(model.trainingStart) * DAY_MS : undefined;
  const out: Bar[][] = [];
  for (const id of model.assetIds) {
    const asset = await resolveAsset(env, id).catch(() => null);
    const row =
      asset ?? (model.createdBy ? await resolveAsset(env, id, model.createdBy).catch(() => null) : null);
    if (!row) continue;
    out.push(await closedDailyBars(env, row, end, start));
  }
  return out;
}

/**
 * The training job: fit, store the artifact in R2 under its SHA-256, record the version and
 * activate the model. Safe to run again: a job whose model already moved on does nothing, and
 * the artifact's key is its content.
 */
export async function runTraining(
  env: Env,
  jobId: string,
  payload: TrainPayload,
  progress: (p: number, m: string) => Promise<void>,
) {
  const model = await getModel(env, payload.model_id);
  if (model.trainingJobId === jobId && model.status !== 'training' && model.lastError)
    throw new Error(model.lastError);
  if (model.trainingJobId !== jobId || model.status !== 'training')
    return {
      skipped: true,
      reason: 'the model is no longer training for this job',
      model_id: model.id,
      version: model.version,
    };
  try {
    await progress(5, 'loading closed daily bars');
    const [bars, market] = await Promise.all([
      trainingBars(env, model, payload.as_of),
      marketInputsFor(env, model.features, payload.as_of),
    ]);
    const rows = bars.reduce((s, b) => s + b.length, 0);
    if (rows < 300)
      throw new Error(
        `only ${rows} closed daily bars before ${new Date(payload.as_of).toISOString()}: at least 300 are needed`,
      );
    await progress(20, `walk-forward validation on ${rows} bars`);
    const outcome = fitModel(model, bars, payload.as_of, payload.seed, market);
    const sha = await sha256Hex(outcome.artifactJson);
    const key = `models/${sha}.json`;
    await progress(85, 'storing the artifact');
    await env.MODELS.put(key, outcome.artifactJson, {
      httpMetadata: { contentType: 'application/json' },
      customMetadata: { model_id: model.id },
    });
    const version = model.version + 1;
    const trainedAt = new Date().toISOString();
    const d = db(env);
    await d.batch([
      d
        .insert(aiModelVersions)
        .values({
          modelId: model.id,
          version,
          artifactKey: key,
          artifactHash: sha,
          metrics: outcome.metrics,
          trainingJobId: jobId,
          dataAsOf: payload.as_of,
          trainedAt,
        })
        .onConflictDoNothing(),
      d
        .update(aiModels)
        .set({
          status: 'active',
          version,
          artifactKey: key,
          artifactHash: sha,
          metrics: outcome.metrics,
          trainedAt,
          dataAsOf: payload.as_of,
          lastError: null,
          updatedAt: trainedAt,
        })
        .where(
          and(eq(aiModels.id, model.id), eq(aiModels.trainingJobId, jobId), eq(aiModels.status, 'training')),
        ),
    ]);
    return {
      model_id: model.id,
      version,
      artifact_key: key,
      sha256: sha,
      out_of_sample: outcome.metrics.out_of_sample,
      training_ms: outcome.metrics.training_ms,
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The previous fit (if any) keeps being served; without one the model is failed.
    await db(env)
      .update(aiModels)
      .set({
        status: model.artifactKey ? 'active' : 'failed',
        lastError: message,
        updatedAt: new Date().toISOString(),
      })
      .where(and(eq(aiModels.id, model.id), eq(aiModels.trainingJobId, jobId)));
    throw err;
  }
}

/** Reads a model's artifact back from R2. */
export async function loadArtifact(env: Env, model: ModelRow): Promise<TrainingOutcome['artifact'] | null> {
  if (!model.artifactKey) return null;
  const obj = await env.MODELS.get(model.artifactKey);
  if (!obj) return null;
  return (await obj.json()) as TrainingOutcome['artifact'];
}
