import Decimal from 'decimal.js';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { RequestFacts } from '../../core/client';
import { DAY_MS } from '../../core/dates';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import {
  aiSuggestions,
  portfolios,
  positions,
  suggestionFeedback,
  users,
  watchlistAssets,
  watchlists,
} from '../../db/schema';
import type { Principal } from '../../env';
import { type AssetRow, resolveAsset } from '../assets/service';
import { activity } from '../audit/service';
import { closedDailyBars } from '../models/data';
import { defaultUniverse, latestPredictions } from '../models/predictions';
import { getModel, trackRecord } from '../models/service';
import { trendState } from './context';
import { DISCLAIMER } from './service';

type SuggestionRow = typeof aiSuggestions.$inferSelect;

export const SUGGESTION_METHOD =
  'mean probability of the active models that the daily close is higher after their horizon (buy >= 0.55, sell <= 0.45, else hold), with each model’s out-of-sample record; rationale from the model features and the trend/volatility rule';

async function modelReadings(env: Env, assetId: string, now: number) {
  const preds = await latestPredictions(env, now, [assetId]);
  const out = [];
  for (const p of preds) {
    const model = await getModel(env, p.modelId).catch(() => null);
    if (model?.status !== 'active') continue;
    out.push({
      model_id: p.modelId,
      model_version: p.modelVersion,
      prediction_id: p.id,
      prediction_date: p.predictionDate,
      probability_up: p.probabilityUp,
      horizon_days: p.horizonDays,
      features: p.features,
      track_record: await trackRecord(env, model, now),
    });
  }
  return out;
}

/** The asset's suggestion at the last stored predictions, stored once per decision time so feedback can name it. */
export async function assetSuggestion(env: Env, asset: AssetRow, now: number, userId = '', kind = 'asset') {
  const readings = await modelReadings(env, asset.id, now);
  const bars = await closedDailyBars(env, asset, now, now - 800 * DAY_MS);
  const last = bars.at(-1);
  const trend = trendState(bars);
  if (!readings.length || !last) {
    return {
      suggestion_id: null,
      asset_id: asset.id,
      symbol: asset.symbol,
      kind,
      action: 'none' as const,
      confidence: null,
      probability_up: null,
      rationale: [
        readings.length
          ? 'no closed daily bar at or before the market clock'
          : 'no stored prediction of an active model for this asset yet (predictions are made by the hourly schedule at each daily close)',
      ],
      price: last?.close ?? null,
      models: [],
      trend: trend
        ? { method: 'trend/volatility rule', trend: trend.trend, volatility: trend.volatility }
        : null,
      as_of: new Date(now).toISOString(),
      method: SUGGESTION_METHOD,
      disclaimer: DISCLAIMER,
    };
  }
  const p = readings.reduce((s, r) => s + r.probability_up, 0) / readings.length;
  const action = p >= 0.55 ? 'buy' : p <= 0.45 ? 'sell' : 'hold';
  const f = readings[0]?.features ?? {};
  const rationale = [
    `${readings.length} model(s): mean probability of a higher close ${(p * 100).toFixed(1)}%`,
    ...readings.map(
      (r) =>
        `${r.model_id} v${r.model_version}: p=${r.probability_up.toFixed(3)}; walk-forward accuracy ${r.track_record.walk_forward?.accuracy?.toFixed(3) ?? 'n/a'} (always-long ${r.track_record.walk_forward?.always_long_accuracy?.toFixed(3) ?? 'n/a'}), AUC ${r.track_record.walk_forward?.roc_auc?.toFixed(3) ?? 'n/a'}; live ${r.track_record.live.predictions_scored} scored`,
    ),
    ...(f.rsi_14 !== undefined ? [`RSI(14) ${(f.rsi_14 * 100).toFixed(1)}`] : []),
    ...(f.ret_20d !== undefined ? [`20-day return ${(f.ret_20d * 100).toFixed(2)}%`] : []),
    ...(trend
      ? [
          `trend rule: ${trend.trend}, ${trend.volatility} volatility (30d ${(trend.realized_vol_30d * 100).toFixed(1)}% annualized)`,
        ]
      : []),
  ];
  const asOf = Math.max(...readings.map((r) => Date.parse(`${r.prediction_date}T00:00:00Z`) + DAY_MS));
  const payload = {
    probability_up: p,
    rationale,
    price: last.close,
    models: readings.map(({ features: _f, ...r }) => r),
  };
  const d = db(env);
  await d
    .insert(aiSuggestions)
    .values({ id: newId('suggestion'), userId, kind, assetId: asset.id, action, payload, asOf })
    .onConflictDoNothing();
  const row = await d
    .select()
    .from(aiSuggestions)
    .where(
      and(
        eq(aiSuggestions.userId, userId),
        eq(aiSuggestions.kind, kind),
        eq(aiSuggestions.assetId, asset.id),
        eq(aiSuggestions.asOf, asOf),
      ),
    )
    .get();
  return {
    suggestion_id: row?.id ?? null,
    asset_id: asset.id,
    symbol: asset.symbol,
    kind,
    action,
    confidence: Math.max(p, 1 - p),
    probability_up: p,
    rationale,
    price: last.close,
    models: payload.models,
    trend: trend
      ? { method: 'trend/volatility rule', trend: trend.trend, volatility: trend.volatility }
      : null,
    as_of: new Date(asOf).toISOString(),
    method: SUGGESTION_METHOD,
    disclaimer: DISCLAIMER,
  };
}

export type AssetSuggestion = Awaited<ReturnType<typeof assetSuggestion>>;

export async function currentSuggestions(env: Env) {
  const now = await marketNow(env);
  const universe = await defaultUniverse(env);
  const items = [];
  for (const a of universe) items.push(await assetSuggestion(env, a, now));
  return { watchlist_id: 'wl_default', suggestions: items, as_of: new Date(now).toISOString() };
}

export async function suggestionsForAsset(env: Env, key: string) {
  const now = await marketNow(env);
  const asset = await resolveAsset(env, key);
  return assetSuggestion(env, asset, now);
}

const CONCENTRATION = { low: 0.15, medium: 0.25, high: 0.4 } as const;

/**
 * Personalized: the user's holdings (concentration against their risk tolerance, model exits),
 * their watchlists (model entries), then the default watchlist. Guests get the default list.
 */
export async function personalizedSuggestions(env: Env, principal: Principal | undefined) {
  const now = await marketNow(env);
  if (!principal) {
    const cur = await currentSuggestions(env);
    return {
      personalized: false,
      risk_tolerance: null,
      suggestions: cur.suggestions.map((s) => ({
        ...s,
        reason: 'default watchlist (sign in for suggestions from your holdings and watchlists)',
      })),
      portfolio: null,
      as_of: cur.as_of,
    };
  }
  const d = db(env);
  const [user, held, watched] = await Promise.all([
    d.select({ preferences: users.preferences }).from(users).where(eq(users.id, principal.userId)).get(),
    d
      .select({ assetId: positions.assetId, quantity: positions.quantity, symbol: positions.symbol })
      .from(positions)
      .innerJoin(portfolios, eq(portfolios.id, positions.portfolioId))
      .where(and(eq(portfolios.userId, principal.userId), eq(positions.isActive, true))),
    d
      .select({ assetId: watchlistAssets.assetId })
      .from(watchlistAssets)
      .innerJoin(watchlists, eq(watchlists.id, watchlistAssets.watchlistId))
      .where(eq(watchlists.userId, principal.userId)),
  ]);
  const prefs = (user?.preferences ?? {}) as Record<string, unknown>;
  const tolRaw =
    prefs.risk_tolerance ?? (prefs.riskSettings as Record<string, unknown> | undefined)?.risk_tolerance;
  const tolerance = tolRaw === 'low' || tolRaw === 'high' ? tolRaw : 'medium';
  const limit = CONCENTRATION[tolerance];
  // Holdings valued at the last close the market clock has reached.
  const values = new Map<string, { asset: AssetRow; value: number }>();
  for (const h of held) {
    if (!h.assetId) continue;
    const qty = new Decimal(h.quantity);
    if (qty.lte(0)) continue;
    const asset = await resolveAsset(env, h.assetId).catch(() => null);
    if (!asset) continue;
    const close = (await closedDailyBars(env, asset, now, now - 10 * DAY_MS)).at(-1)?.close;
    if (close === undefined) continue;
    const prev = values.get(asset.id);
    values.set(asset.id, { asset, value: (prev?.value ?? 0) + qty.mul(close).toNumber() });
  }
  const total = [...values.values()].reduce((s, v) => s + v.value, 0);
  const out = [];
  for (const { asset, value } of values.values()) {
    const weight = total > 0 ? value / total : 0;
    const s = await assetSuggestion(env, asset, now, principal.userId, 'holding');
    if (weight > limit)
      out.push({
        ...s,
        action: 'reduce' as const,
        reason: `concentration: ${(weight * 100).toFixed(1)}% of your holdings, above ${limit * 100}% for ${tolerance} risk tolerance; rebalance toward ${limit * 100}%`,
        weight,
      });
    else if (s.action === 'sell')
      out.push({
        ...s,
        action: 'consider_exit' as const,
        reason: 'you hold it and the models lean lower',
        weight,
      });
    else out.push({ ...s, reason: 'in your holdings', weight });
  }
  const seen = new Set(values.keys());
  for (const w of watched) {
    if (seen.has(w.assetId)) continue;
    seen.add(w.assetId);
    const asset = await resolveAsset(env, w.assetId).catch(() => null);
    if (!asset) continue;
    const s = await assetSuggestion(env, asset, now, principal.userId, 'watchlist');
    out.push({
      ...s,
      action: s.action === 'buy' ? ('consider_entry' as const) : s.action,
      reason: 'on your watchlist',
      weight: null,
    });
  }
  if (!out.length) {
    const cur = await currentSuggestions(env);
    out.push(
      ...cur.suggestions.map((s) => ({
        ...s,
        reason: 'default watchlist: you have no holdings or watchlists yet',
        weight: null,
      })),
    );
  }
  return {
    personalized: true,
    risk_tolerance: tolerance,
    suggestions: out,
    portfolio: {
      holdings: values.size,
      value: total,
      concentration_limit: limit,
      valued_at: new Date(now).toISOString(),
    },
    as_of: new Date(now).toISOString(),
  };
}

/** A suggestion the caller may give feedback on: public, or their own. */
async function visibleSuggestion(env: Env, principal: Principal, id: string): Promise<SuggestionRow> {
  const row = await db(env)
    .select()
    .from(aiSuggestions)
    .where(and(eq(aiSuggestions.id, id), sql`${aiSuggestions.userId} IN ('', ${principal.userId})`))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Suggestion ${id} not found`);
  return row;
}

export async function recordFeedback(
  env: Env,
  principal: Principal,
  id: string,
  input: { rating: number; feedback_text?: string | undefined; action_taken?: string | undefined },
  facts: Partial<RequestFacts>,
) {
  const s = await visibleSuggestion(env, principal, id);
  const d = db(env);
  const fid = newId('suggestionFeedback');
  const existing = await d
    .select()
    .from(suggestionFeedback)
    .where(and(eq(suggestionFeedback.suggestionId, s.id), eq(suggestionFeedback.userId, principal.userId)))
    .get();
  if (existing) throw new ApiError('INTEGRITY_ERROR', 'You already gave feedback on this suggestion');
  await d.batch([
    d.insert(suggestionFeedback).values({
      id: fid,
      suggestionId: s.id,
      userId: principal.userId,
      rating: input.rating,
      feedbackText: input.feedback_text ?? null,
      actionTaken: input.action_taken ?? null,
    }),
    activity(d, {
      userId: principal.userId,
      action: 'suggestion.feedback',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { suggestion_id: s.id, rating: input.rating, action_taken: input.action_taken ?? null },
    }),
  ]);
  return {
    feedback_id: fid,
    suggestion_id: s.id,
    rating: input.rating,
    feedback_text: input.feedback_text ?? null,
    action_taken: input.action_taken ?? null,
    message: 'Feedback recorded',
  };
}

/** 000's recommendations: the user's personalized suggestions, stored as recommendations they can implement. */
export async function listRecommendations(env: Env, principal: Principal) {
  const p = await personalizedSuggestions(env, principal);
  const d = db(env);
  const now = await marketNow(env);
  const items = [];
  for (const s of p.suggestions) {
    if (!s.asset_id || s.action === 'none') continue;
    await d
      .insert(aiSuggestions)
      .values({
        id: newId('recommendation'),
        userId: principal.userId,
        kind: 'recommendation',
        assetId: s.asset_id,
        action: s.action,
        payload: s as unknown as Record<string, unknown>,
        asOf: Date.parse(s.as_of),
      })
      .onConflictDoNothing();
  }
  const rows = await d
    .select()
    .from(aiSuggestions)
    .where(
      and(
        eq(aiSuggestions.userId, principal.userId),
        eq(aiSuggestions.kind, 'recommendation'),
        sql`${aiSuggestions.asOf} <= ${now}`,
      ),
    )
    .orderBy(desc(aiSuggestions.asOf))
    .limit(200);
  for (const r of rows) items.push(recommendationView(r));
  return { recommendations: items, risk_tolerance: p.risk_tolerance, as_of: new Date(now).toISOString() };
}

export function recommendationView(r: SuggestionRow) {
  const payload = r.payload as Record<string, unknown>;
  return {
    recommendation_id: r.id,
    asset_id: r.assetId,
    symbol: (payload.symbol as string | undefined) ?? null,
    action: r.action,
    status: r.status,
    confidence: (payload.confidence as number | null | undefined) ?? null,
    reason: (payload.reason as string | undefined) ?? null,
    rationale: (payload.rationale as string[] | undefined) ?? [],
    models: (payload.models as unknown[] | undefined) ?? [],
    as_of: new Date(r.asOf).toISOString(),
    implemented_at: r.implementedAt,
    disclaimer: DISCLAIMER,
  };
}

async function ownRecommendation(env: Env, principal: Principal, id: string): Promise<SuggestionRow> {
  const row = await db(env)
    .select()
    .from(aiSuggestions)
    .where(
      and(
        eq(aiSuggestions.id, id),
        eq(aiSuggestions.userId, principal.userId),
        eq(aiSuggestions.kind, 'recommendation'),
      ),
    )
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Recommendation ${id} not found`);
  return row;
}

export async function getRecommendation(env: Env, principal: Principal, id: string) {
  return recommendationView(await ownRecommendation(env, principal, id));
}

export async function implementRecommendation(
  env: Env,
  principal: Principal,
  id: string,
  input: { notes?: string | undefined },
  facts: Partial<RequestFacts>,
) {
  const row = await ownRecommendation(env, principal, id);
  if (row.status === 'implemented')
    throw new ApiError('INTEGRITY_ERROR', `Recommendation ${id} is already implemented`);
  const at = new Date().toISOString();
  const d = db(env);
  await d.batch([
    d
      .update(aiSuggestions)
      .set({ status: 'implemented', implementedAt: at })
      .where(and(eq(aiSuggestions.id, id), eq(aiSuggestions.status, 'open'))),
    activity(d, {
      userId: principal.userId,
      action: 'recommendation.implement',
      facts,
      sessionId: principal.sessionId ?? null,
      details: { recommendation_id: id, notes: input.notes ?? null },
    }),
  ]);
  return recommendationView(await ownRecommendation(env, principal, id));
}

/** 002's /api/recommendations/: pair analysis from the default watchlist and risk settings from volatility. */
export async function recommendations002(env: Env) {
  const cur = await currentSuggestions(env);
  const usable = cur.suggestions.filter((s) => s.action !== 'none');
  const vols: number[] = [];
  const now = await marketNow(env);
  for (const s of usable.slice(0, 15)) {
    const asset = await resolveAsset(env, s.asset_id).catch(() => null);
    if (!asset) continue;
    const bars = await closedDailyBars(env, asset, now, now - 40 * DAY_MS);
    const r = bars
      .slice(-21)
      .map((b, i, a) => (i ? b.close / (a[i - 1]?.close ?? b.close) - 1 : 0))
      .slice(1);
    if (r.length > 2) {
      const m = r.reduce((x, y) => x + y, 0) / r.length;
      vols.push(Math.sqrt(r.reduce((x, y) => x + (y - m) ** 2, 0) / (r.length - 1)));
    }
  }
  const dailyVol = vols.length ? (vols.sort((a, b) => a - b)[Math.floor(vols.length / 2)] as number) : null;
  return {
    pairAnalysis: usable.map((s) => ({
      symbol: `${s.symbol}/USD`,
      confidence: s.confidence ?? 0,
      signal: s.action === 'buy' ? 'BUY' : s.action === 'sell' ? 'SELL' : 'HOLD',
      reasoning: s.rationale.join('; '),
    })),
    optimalRiskSettings: {
      positionSize: dailyVol ? Math.min(10, (0.01 / (2 * dailyVol)) * 100) : 0,
      stopLoss: dailyVol ? 2 * dailyVol * 100 : 0,
      takeProfit: dailyVol ? 4 * dailyVol * 100 : 0,
    },
  };
}
