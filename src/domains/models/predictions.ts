import { and, asc, eq, gte, inArray, isNull, lte } from 'drizzle-orm';
import { DAY_MS, dayString } from '../../core/dates';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import { chunkForParams, db } from '../../db/client';
import { modelPredictions } from '../../db/schema';
import {
  type Bar,
  type FeatureName,
  type FittedModel,
  featureMatrix,
  featureWarmup,
  restoreModel,
} from '../../quant/learn';
import { type AssetRow, resolveAsset } from '../assets/service';
import { DEFAULT_WATCHLIST_ID, watchlistAssetViews } from '../watchlists/service';
import { closedDailyBars, inferenceLookbackDays, marketInputsFor } from './data';
import { activeModels, type ModelRow } from './service';
import { loadArtifact } from './training';

export type PredictionRow = typeof modelPredictions.$inferSelect;

/** The shared assets of the default watchlist (001's 15), by id. */
export async function defaultUniverse(env: Env): Promise<AssetRow[]> {
  const views = await watchlistAssetViews(env, DEFAULT_WATCHLIST_ID);
  const out: AssetRow[] = [];
  for (const v of views) {
    const a = await resolveAsset(env, v.asset_id).catch(() => null);
    if (a) out.push(a);
  }
  return out;
}

/** A fitted model from the registry row's artifact, cached per isolate by content hash. */
const fittedCache = new Map<string, FittedModel>();
export async function fittedModel(env: Env, model: ModelRow): Promise<FittedModel | null> {
  if (!model.artifactHash) return null;
  const hit = fittedCache.get(model.artifactHash);
  if (hit) return hit;
  const artifact = await loadArtifact(env, model);
  if (!artifact) return null;
  const fitted = restoreModel(artifact.params);
  if (fittedCache.size > 50) fittedCache.clear();
  fittedCache.set(model.artifactHash, fitted);
  return fitted;
}

export interface Inference {
  model: ModelRow;
  asset: AssetRow;
  bars: Bar[];
  decisionTime: number;
  predictionDate: string;
  probabilityUp: number;
  features: Record<string, number>;
}

/** The model's probability that the asset closes higher `horizon` days after its last closed day. */
export async function infer(
  env: Env,
  model: ModelRow,
  asset: AssetRow,
  now: number,
  bars?: Bar[],
): Promise<Inference | null> {
  const fitted = await fittedModel(env, model);
  if (!fitted) return null;
  const names = model.features as FeatureName[];
  const series =
    bars ?? (await closedDailyBars(env, asset, now, now - inferenceLookbackDays(names) * DAY_MS));
  if (series.length <= featureWarmup(names)) return null;
  const market = await marketInputsFor(env, names, now);
  const { rows, index } = featureMatrix(series, names, market);
  const row = rows.at(-1);
  const last = series.at(-1);
  // The latest closed bar must have every feature (a market series may not cover it yet).
  if (!row || !last || index.at(-1) !== series.length - 1) return null;
  const [p] = fitted.predictProba([row]);
  return {
    model,
    asset,
    bars: series,
    decisionTime: last.time,
    predictionDate: dayString(Math.floor(last.time / DAY_MS) - 1),
    probabilityUp: p as number,
    features: Object.fromEntries(names.map((n, i) => [n, row[i] as number])),
  };
}

/**
 * The scheduled step: for every active model and each asset of the default watchlist and of
 * its training universe, store the prediction made at the last closed day (once: the row is
 * unique per model, asset and day), then score predictions whose horizon has closed.
 */
export async function runPredictions(
  env: Env,
  at?: number,
): Promise<{ predicted: number; scored: number; inferences: Inference[] }> {
  const now = at ?? (await marketNow(env));
  const models = await activeModels(env);
  const universe = await defaultUniverse(env);
  const barsCache = new Map<string, Bar[]>();
  const inferences: Inference[] = [];
  for (const model of models) {
    const assets = [...universe];
    for (const id of model.assetIds)
      if (!assets.some((a) => a.id === id)) {
        const a = await resolveAsset(env, id).catch(() => null);
        if (a) assets.push(a);
      }
    for (const asset of assets) {
      const lookback = inferenceLookbackDays(model.features);
      const key = `${asset.id}:${lookback}`;
      let bars = barsCache.get(key);
      if (!bars) {
        bars = await closedDailyBars(env, asset, now, now - lookback * DAY_MS);
        barsCache.set(key, bars);
      }
      const inf = await infer(env, model, asset, now, bars);
      if (inf) inferences.push(inf);
    }
  }
  const d = db(env);
  const values = inferences.map((i) => ({
    id: newId('prediction'),
    modelId: i.model.id,
    modelVersion: i.model.version,
    assetId: i.asset.id,
    predictionDate: i.predictionDate,
    decisionTime: i.decisionTime,
    horizonDays: i.model.horizonDays,
    probabilityUp: i.probabilityUp,
    closeAtDecision: (i.bars.at(-1) as Bar).close,
    features: i.features,
  }));
  let predicted = 0;
  const statements = chunkForParams(values, 11).map((chunk) =>
    d.insert(modelPredictions).values(chunk).onConflictDoNothing().returning({ id: modelPredictions.id }),
  );
  for (let i = 0; i < statements.length; i += 40) {
    const batch = statements.slice(i, i + 40);
    if (!batch.length) continue;
    const results = await d.batch(batch as [(typeof batch)[number], ...(typeof batch)[number][]]);
    for (const r of results) predicted += r.length;
  }
  const scored = await scorePredictions(env, now);
  return { predicted, scored, inferences };
}

/** Scores stored predictions whose outcome close the market clock has reached. */
export async function scorePredictions(env: Env, now: number): Promise<number> {
  const d = db(env);
  const pending = await d
    .select()
    .from(modelPredictions)
    .where(and(isNull(modelPredictions.scoredAt), lte(modelPredictions.decisionTime, now - DAY_MS)))
    .orderBy(asc(modelPredictions.decisionTime))
    .limit(500);
  if (!pending.length) return 0;
  const assets = new Map<string, AssetRow | null>();
  const updates = [];
  const scoredAt = new Date().toISOString();
  for (const p of pending) {
    if (!assets.has(p.assetId)) assets.set(p.assetId, await resolveAsset(env, p.assetId).catch(() => null));
    const asset = assets.get(p.assetId);
    if (!asset) continue;
    const bars = await closedDailyBars(env, asset, now, p.decisionTime - DAY_MS);
    const later = bars.filter((b) => b.time > p.decisionTime);
    const outcome = later[p.horizonDays - 1];
    if (!outcome) continue;
    const ret = outcome.close / p.closeAtDecision - 1;
    updates.push(
      d
        .update(modelPredictions)
        .set({
          outcomeTime: outcome.time,
          realizedReturn: ret,
          outcomeUp: outcome.close > p.closeAtDecision ? 1 : 0,
          scoredAt,
        })
        .where(and(eq(modelPredictions.id, p.id), isNull(modelPredictions.scoredAt))),
    );
  }
  for (let i = 0; i < updates.length; i += 50) {
    const batch = updates.slice(i, i + 50);
    if (batch.length) await d.batch(batch as [(typeof batch)[number], ...(typeof batch)[number][]]);
  }
  return updates.length;
}

/** The latest stored prediction of each (model, asset) at or before `now`. */
export async function latestPredictions(
  env: Env,
  now: number,
  assetIds?: string[],
): Promise<PredictionRow[]> {
  const rows = await db(env)
    .select()
    .from(modelPredictions)
    .where(
      and(
        lte(modelPredictions.decisionTime, now),
        gte(modelPredictions.decisionTime, now - 10 * DAY_MS),
        assetIds?.length ? inArray(modelPredictions.assetId, assetIds.slice(0, 90)) : undefined,
      ),
    )
    .orderBy(asc(modelPredictions.decisionTime));
  const latest = new Map<string, PredictionRow>();
  for (const r of rows) latest.set(`${r.modelId}|${r.assetId}`, r);
  return [...latest.values()];
}
