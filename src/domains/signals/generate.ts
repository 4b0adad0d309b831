import { and, eq, lte, sql } from 'drizzle-orm';
import { DAY_MS } from '../../core/dates';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import { chunkForParams, db } from '../../db/client';
import { tradingSignals } from '../../db/schema';
import type { Principal } from '../../env';
import { publishSafely, publishTopic } from '../../live/publisher';
import { atr } from '../../quant';
import type { Bar } from '../../quant/learn';
import type { AssetRow } from '../assets/service';
import { resolveAsset } from '../assets/service';
import { closedDailyBars, inferenceLookbackDays } from '../models/data';
import { defaultUniverse, type Inference, infer, runPredictions } from '../models/predictions';
import { activeModels, type ModelRow, trackRecord } from '../models/service';
import { type MarketContext, marketContext } from './context';

/** Probability edge over 50% a prediction needs to become a signal. */
export const SIGNAL_EDGE = 0.05;
/** Stop at 2×ATR(14); targets at 2× and 4×ATR (1R and 2R); annual volatility targeted by the size. */
export const STOP_ATR = 2;
export const TARGET_ATR = [2, 4] as const;
export const TARGET_VOL = 0.2;

export const SIGNAL_METHOD = `a model's probability that the daily close is higher after its horizon; long when p >= ${0.5 + SIGNAL_EDGE}, short when p <= ${0.5 - SIGNAL_EDGE}; entry = the decision close; stop ${STOP_ATR}×ATR(14, Wilder) against the direction, targets ${TARGET_ATR[0]}× and ${TARGET_ATR[1]}×ATR; size = ${TARGET_VOL * 100}% annual volatility target / the asset's 20-day realized volatility (√365), capped at 100%; expires after the model's horizon`;

export type SignalRow = typeof tradingSignals.$inferSelect;

export interface SignalDraft {
  direction: 'long' | 'short';
  confidence: number;
  entry: number;
  stop: number;
  targets: [number, number];
  atr: number;
  sizePct: number;
  realizedVol: number;
  riskLevel: 'low' | 'medium' | 'high';
  quality: 'high' | 'medium' | 'low';
  confluence: { factor: string; value: number; reading: string; agrees: boolean }[];
}

/** Turns an inference into a signal plan, or null when the probability has no edge. */
export function draftSignal(
  inf: Pick<Inference, 'probabilityUp' | 'bars' | 'features'>,
  oosAuc: number | null,
): SignalDraft | null {
  const p = inf.probabilityUp;
  const direction = p >= 0.5 + SIGNAL_EDGE ? 'long' : p <= 0.5 - SIGNAL_EDGE ? 'short' : null;
  if (!direction) return null;
  const bars = inf.bars;
  const last = bars.at(-1) as Bar;
  const a = atr(
    bars.map((b) => b.high),
    bars.map((b) => b.low),
    bars.map((b) => b.close),
    14,
  ).at(-1) as number;
  if (!Number.isFinite(a) || a <= 0 || bars.length < 22) return null;
  const rets = bars
    .slice(-21)
    .map((b, i, arr) => (i ? b.close / (arr[i - 1] as Bar).close - 1 : 0))
    .slice(1);
  const m = rets.reduce((s, v) => s + v, 0) / rets.length;
  const vol = Math.sqrt(rets.reduce((s, v) => s + (v - m) ** 2, 0) / (rets.length - 1)) * Math.sqrt(365);
  const sign = direction === 'long' ? 1 : -1;
  const confidence = direction === 'long' ? p : 1 - p;
  const f = inf.features;
  const confluence: SignalDraft['confluence'] = [];
  if (f.rsi_14 !== undefined)
    confluence.push({
      factor: 'rsi_14',
      value: f.rsi_14 * 100,
      reading: f.rsi_14 > 0.7 ? 'overbought' : f.rsi_14 < 0.3 ? 'oversold' : 'neutral',
      agrees: direction === 'long' ? f.rsi_14 < 0.7 : f.rsi_14 > 0.3,
    });
  if (f.macd_hist !== undefined)
    confluence.push({
      factor: 'macd_hist',
      value: f.macd_hist,
      reading: f.macd_hist > 0 ? 'bullish' : 'bearish',
      agrees: sign * f.macd_hist > 0,
    });
  if (f.ret_20d !== undefined)
    confluence.push({
      factor: 'ret_20d',
      value: f.ret_20d,
      reading: f.ret_20d > 0 ? 'rising' : 'falling',
      agrees: sign * f.ret_20d > 0,
    });
  if (f.bb_pctb !== undefined)
    confluence.push({
      factor: 'bb_pctb',
      value: f.bb_pctb,
      reading: f.bb_pctb > 1 ? 'above upper band' : f.bb_pctb < 0 ? 'below lower band' : 'inside bands',
      agrees: direction === 'long' ? f.bb_pctb < 1 : f.bb_pctb > 0,
    });
  const agree = confluence.filter((c) => c.agrees).length;
  const skill = oosAuc !== null && oosAuc > 0.52;
  return {
    direction,
    confidence,
    entry: last.close,
    stop: last.close - sign * STOP_ATR * a,
    targets: [last.close + sign * TARGET_ATR[0] * a, last.close + sign * TARGET_ATR[1] * a],
    atr: a,
    sizePct: Math.min(100, vol > 0 ? (TARGET_VOL / vol) * 100 : 100),
    realizedVol: vol,
    riskLevel: vol > 0.8 ? 'high' : vol > 0.4 ? 'medium' : 'low',
    quality:
      skill && confidence >= 0.6 && agree >= 2 ? 'high' : skill && confidence >= 0.55 ? 'medium' : 'low',
    confluence,
  };
}

function insertValues(
  inf: Inference,
  draft: SignalDraft,
  ownerId: string,
  context: MarketContext,
  predictionId: string | null,
) {
  return {
    id: newId('signal'),
    ownerId,
    assetId: inf.asset.id,
    modelId: inf.model.id,
    modelVersion: inf.model.version,
    predictionId,
    direction: draft.direction,
    quality: draft.quality,
    confidence: draft.confidence,
    entryPrice: draft.entry,
    stopLoss: draft.stop,
    takeProfit1: draft.targets[0],
    takeProfit2: draft.targets[1],
    atr: draft.atr,
    positionSizePct: draft.sizePct,
    riskLevel: draft.riskLevel,
    confluence: draft.confluence,
    marketContext: {
      ...context,
      probability_up: inf.probabilityUp,
      realized_vol_20d: draft.realizedVol,
      features: inf.features,
    },
    generatedAt: inf.decisionTime,
    expiresAt: inf.decisionTime + inf.model.horizonDays * DAY_MS,
  };
}

/** Stores signals (once per owner, model, asset and decision close) and publishes the new ones on /ws/signals. */
async function storeAndPublish(env: Env, values: ReturnType<typeof insertValues>[]): Promise<SignalRow[]> {
  const d = db(env);
  const created: SignalRow[] = [];
  for (const chunk of chunkForParams(values, 27)) {
    if (!chunk.length) continue;
    created.push(...(await d.insert(tradingSignals).values(chunk).onConflictDoNothing().returning()));
  }
  const publicOnes = created.filter((s) => s.ownerId === '');
  if (publicOnes.length) {
    const symbols = new Map<string, string>();
    for (const s of publicOnes)
      if (!symbols.has(s.assetId))
        symbols.set(s.assetId, (await resolveAsset(env, s.assetId).catch(() => null))?.symbol ?? s.assetId);
    await publishSafely('signals.generated', [
      publishTopic(
        env,
        'signals',
        publicOnes.map((s) => ({
          type: 'model_signal',
          signal_id: s.id,
          asset_id: s.assetId,
          symbol: symbols.get(s.assetId),
          direction: s.direction,
          confidence: s.confidence,
          quality: s.quality,
          entry_price: s.entryPrice,
          stop_loss: s.stopLoss,
          take_profit: [s.takeProfit1, s.takeProfit2],
          model_id: s.modelId,
          model_version: s.modelVersion,
          generated_at: new Date(s.generatedAt).toISOString(),
          expires_at: new Date(s.expiresAt).toISOString(),
          method: SIGNAL_METHOD,
        })),
      ),
    ]);
  }
  return created;
}

/** Marks signals whose expiry the market clock has passed. */
export async function expireSignals(env: Env, now: number): Promise<number> {
  const rows = await db(env)
    .update(tradingSignals)
    .set({ status: 'expired', updatedAt: new Date().toISOString() })
    .where(and(eq(tradingSignals.status, 'active'), lte(tradingSignals.expiresAt, now)))
    .returning({ id: tradingSignals.id });
  return rows.length;
}

/** The scheduled run: predictions for the day, public signals from them, expiries. */
export async function scheduledSignals(env: Env, at?: number) {
  const now = at ?? (await marketNow(env));
  const { predicted, scored, inferences } = await runPredictions(env, now);
  const context = await marketContext(env, now);
  const records = new Map<string, number | null>();
  const values = [];
  for (const inf of inferences) {
    if (!records.has(inf.model.id))
      records.set(inf.model.id, (await trackRecord(env, inf.model, now)).walk_forward?.roc_auc ?? null);
    const draft = draftSignal(inf, records.get(inf.model.id) ?? null);
    if (draft) values.push(insertValues(inf, draft, '', context, null));
  }
  const created = await storeAndPublish(env, values);
  const expired = await expireSignals(env, now);
  return { predicted, scored, signals_created: created.length, expired };
}

export const PREMIUM_TIERS = ['pro', 'enterprise', 'mega'] as const;

/**
 * A premium user's on-demand generation: fresh inferences of the chosen (or every active)
 * model for the chosen assets (or the default watchlist), stored as the user's own signals.
 */
export async function generateForUser(
  env: Env,
  principal: Principal,
  input: {
    asset_ids?: string[] | undefined;
    model_id?: string | undefined;
    min_confidence?: number | undefined;
  },
) {
  const now = await marketNow(env);
  const models: ModelRow[] = await activeModels(env, input.model_id ? [input.model_id] : undefined);
  if (input.model_id && !models.length) {
    throw new ApiError('NOT_FOUND', `No active model ${input.model_id}`);
  }
  const assets: AssetRow[] = input.asset_ids?.length
    ? await Promise.all(input.asset_ids.map((k) => resolveAsset(env, k)))
    : await defaultUniverse(env);
  const context = await marketContext(env, now);
  const values = [];
  const considered: { asset_id: string; model_id: string; probability_up: number; signal: boolean }[] = [];
  for (const model of models) {
    const auc = (await trackRecord(env, model, now)).walk_forward?.roc_auc ?? null;
    for (const asset of assets) {
      const bars = await closedDailyBars(
        env,
        asset,
        now,
        now - inferenceLookbackDays(model.features) * DAY_MS,
      );
      const inf = await infer(env, model, asset, now, bars);
      if (!inf) continue;
      const draft = draftSignal(inf, auc);
      const keep = draft !== null && draft.confidence >= (input.min_confidence ?? 0);
      considered.push({
        asset_id: asset.id,
        model_id: model.id,
        probability_up: inf.probabilityUp,
        signal: keep,
      });
      if (draft && keep) values.push(insertValues(inf, draft, principal.userId, context, null));
    }
  }
  const created = await storeAndPublish(env, values);
  const existing =
    values.length > created.length
      ? await db(env)
          .select()
          .from(tradingSignals)
          .where(
            and(
              eq(tradingSignals.ownerId, principal.userId),
              sql`${tradingSignals.generatedAt} = ${values[0]?.generatedAt ?? 0}`,
            ),
          )
      : [];
  return { now, created, existing: existing.filter((e) => !created.some((c) => c.id === e.id)), considered };
}
