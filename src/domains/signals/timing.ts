import { and, desc, eq, gt, lte } from 'drizzle-orm';
import { DAY_MS } from '../../core/dates';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { tradingSignals, watchlistAssets, watchlists } from '../../db/schema';
import type { Principal } from '../../env';
import { atr, bollinger, macd, rsi } from '../../quant';
import { type AssetRow, resolveAsset } from '../assets/service';
import { closedDailyBars, INFERENCE_LOOKBACK_DAYS } from '../models/data';
import { defaultUniverse } from '../models/predictions';
import { markovRegime, TREND_RULE_METHOD, trendState } from './context';
import { signalViews } from './service';
import { assetSuggestion } from './suggestions';

const num = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);

/** One asset's timing picture at the market clock: price, indicators, model readings, signals, context. */
export async function timingFor(env: Env, asset: AssetRow, now: number, principal?: Principal) {
  const bars = await closedDailyBars(env, asset, now, now - INFERENCE_LOOKBACK_DAYS * DAY_MS);
  const closes = bars.map((b) => b.close);
  const last = bars.at(-1);
  const prev = bars.at(-2);
  const m = macd(closes);
  const bb = bollinger(closes, { period: 20, multiplier: 2 });
  const r = rsi(closes, 14);
  const a = atr(
    bars.map((b) => b.high),
    bars.map((b) => b.low),
    closes,
    14,
  );
  const upper = num(bb.upper.at(-1));
  const lower = num(bb.lower.at(-1));
  const signals = await db(env)
    .select()
    .from(tradingSignals)
    .where(
      and(
        eq(tradingSignals.assetId, asset.id),
        eq(tradingSignals.ownerId, ''),
        eq(tradingSignals.status, 'active'),
        gt(tradingSignals.expiresAt, now),
        lte(tradingSignals.generatedAt, now),
      ),
    )
    .orderBy(desc(tradingSignals.generatedAt))
    .limit(10);
  const suggestion = await assetSuggestion(env, asset, now);
  const trend = trendState(bars);
  return {
    asset_id: asset.id,
    symbol: asset.symbol,
    name: asset.name,
    price: last
      ? {
          close: last.close,
          as_of: new Date(last.time).toISOString(),
          change_1d_pct: prev ? (last.close / prev.close - 1) * 100 : null,
          source: 'daily closes at or before the market clock',
        }
      : null,
    indicators: {
      method:
        'TA-Lib definitions on daily closes: RSI(14) Wilder, MACD(12,26,9), Bollinger(20, 2 population sd), ATR(14) Wilder',
      data_points: bars.length,
      as_of: last ? new Date(last.time).toISOString() : null,
      rsi_14: num(r.at(-1)),
      macd: num(m.macd.at(-1)),
      macd_signal: num(m.signal.at(-1)),
      macd_histogram: num(m.histogram.at(-1)),
      bb_upper: upper,
      bb_middle: num(bb.middle.at(-1)),
      bb_lower: lower,
      bb_pctb:
        last && upper !== null && lower !== null && upper > lower
          ? (last.close - lower) / (upper - lower)
          : null,
      atr_14: num(a.at(-1)),
    },
    model_view: {
      action: suggestion.action,
      probability_up: suggestion.probability_up,
      confidence: suggestion.confidence,
      models: suggestion.models,
    },
    signals: await signalViews(env, principal, signals, now),
    suggestion,
    regime_context: {
      markov_switching: await markovRegime(env, now),
      trend_rule: trend
        ? { available: true, method: TREND_RULE_METHOD, ...trend }
        : { available: false, reason: 'fewer than 400 closed daily bars' },
    },
    as_of: new Date(now).toISOString(),
  };
}

export async function assetTiming(env: Env, key: string, principal?: Principal) {
  const now = await marketNow(env);
  return timingFor(env, await resolveAsset(env, key), now, principal);
}

/** 001 /signals/current: the default watchlist's timing, one compact row per asset. */
export async function currentSignals(env: Env) {
  const now = await marketNow(env);
  const universe = await defaultUniverse(env);
  const rows = [];
  for (const asset of universe) {
    const t = await timingFor(env, asset, now);
    const p = t.model_view.probability_up;
    rows.push({
      asset_id: asset.id,
      symbol: asset.symbol,
      timing:
        p === null
          ? ('no_reading' as const)
          : p >= 0.55
            ? ('bullish' as const)
            : p <= 0.45
              ? ('bearish' as const)
              : ('neutral' as const),
      probability_up: p,
      price: t.price?.close ?? null,
      rsi_14: t.indicators.rsi_14,
      macd_histogram: t.indicators.macd_histogram,
      active_signals: t.signals,
      models: t.model_view.models,
      as_of: t.as_of,
    });
  }
  return {
    watchlist_id: 'wl_default',
    signals: rows,
    as_of: new Date(now).toISOString(),
    method:
      'timing = mean probability of the active models (bullish >= 0.55, bearish <= 0.45); active signals are the public ones the schedule generated',
  };
}

/** The assets of the caller's watchlists (or the default watchlist for guests), each with its model view. */
export async function watchlistAssetsWithViews(env: Env, principal: Principal | undefined) {
  const now = await marketNow(env);
  let assetsList: AssetRow[];
  let source: 'your_watchlists' | 'default_watchlist' = 'default_watchlist';
  if (principal) {
    const rows = await db(env)
      .select({ assetId: watchlistAssets.assetId, watchlistId: watchlists.id })
      .from(watchlistAssets)
      .innerJoin(watchlists, eq(watchlists.id, watchlistAssets.watchlistId))
      .where(eq(watchlists.userId, principal.userId));
    const ids = [...new Set(rows.map((r) => r.assetId))];
    assetsList = [];
    for (const id of ids) {
      const a = await resolveAsset(env, id).catch(() => null);
      if (a) assetsList.push(a);
    }
    if (assetsList.length) source = 'your_watchlists';
    else assetsList = await defaultUniverse(env);
  } else assetsList = await defaultUniverse(env);
  const items = [];
  for (const a of assetsList) {
    const s = await assetSuggestion(env, a, now);
    items.push({
      asset_id: a.id,
      symbol: a.symbol,
      name: a.name,
      price: s.price,
      action: s.action,
      probability_up: s.probability_up,
      confidence: s.confidence,
      models: s.models,
      as_of: s.as_of,
    });
  }
  return { source, assets: items, as_of: new Date(now).toISOString() };
}
