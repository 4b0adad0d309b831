import { and, desc, eq, gt, inArray, lte } from 'drizzle-orm';
import { DAY_MS } from '../../core/dates';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { assets, signalExecutions, tradingSignals } from '../../db/schema';
import type { Principal } from '../../env';
import { resolveAsset } from '../assets/service';
import { closedDailyBars } from '../models/data';
import { signalViews, visibleTo } from './service';

/** Active signals of the last week ranked by edge (confidence over 50%) and quality, grouped by sector. */
export async function opportunities(env: Env, principal: Principal, limit: number) {
  const now = await marketNow(env);
  const rows = await db(env)
    .select()
    .from(tradingSignals)
    .where(
      and(
        visibleTo(principal),
        eq(tradingSignals.status, 'active'),
        gt(tradingSignals.expiresAt, now),
        lte(tradingSignals.generatedAt, now),
        gt(tradingSignals.generatedAt, now - 7 * DAY_MS),
      ),
    )
    .orderBy(desc(tradingSignals.confidence))
    .limit(200);
  const rank = { high: 0, medium: 1, low: 2 } as const;
  rows.sort((a, b) => rank[a.quality] - rank[b.quality] || b.confidence - a.confidence);
  const top = rows.slice(0, limit);
  const views = await signalViews(env, principal, top, now);
  const sectorRows = top.length
    ? await db(env)
        .select({ id: assets.id, sector: assets.sectorId, type: assets.assetType })
        .from(assets)
        .where(inArray(assets.id, [...new Set(top.map((s) => s.assetId))].slice(0, 90)))
    : [];
  const sectorOf = new Map(sectorRows.map((r) => [r.id, r.sector ?? r.type]));
  const groups = new Map<string, { long: number; short: number; mean_confidence: number; n: number }>();
  for (const s of top) {
    const k = sectorOf.get(s.assetId) ?? 'unknown';
    const g = groups.get(k) ?? { long: 0, short: 0, mean_confidence: 0, n: 0 };
    g[s.direction]++;
    g.mean_confidence = (g.mean_confidence * g.n + s.confidence) / (g.n + 1);
    g.n++;
    groups.set(k, g);
  }
  return {
    opportunities: views,
    by_sector: [...groups.entries()].map(([sector, g]) => ({
      sector,
      signals: g.n,
      long: g.long,
      short: g.short,
      mean_confidence: g.mean_confidence,
      tilt: g.long > g.short ? 'long' : g.short > g.long ? 'short' : 'balanced',
    })),
    method:
      'active signals generated in the last 7 days, ranked by quality then confidence; sector = the asset’s sector, or its asset type where it has none',
    as_of: new Date(now).toISOString(),
  };
}

/**
 * Position sizing for each active signal by fixed-fraction risk (account × risk% / stop distance,
 * capped by the volatility-target size), and the open risk of the caller's executions.
 */
export async function riskManagement(
  env: Env,
  principal: Principal,
  q: { account_size?: number | undefined; risk_per_trade_pct?: number | undefined },
) {
  const now = await marketNow(env);
  const account = q.account_size ?? 10_000;
  const riskPct = q.risk_per_trade_pct ?? 1;
  const active = await db(env)
    .select()
    .from(tradingSignals)
    .where(
      and(
        visibleTo(principal),
        eq(tradingSignals.status, 'active'),
        gt(tradingSignals.expiresAt, now),
        lte(tradingSignals.generatedAt, now),
      ),
    )
    .orderBy(desc(tradingSignals.generatedAt))
    .limit(50);
  const execs = await db(env)
    .select({ e: signalExecutions, s: tradingSignals })
    .from(signalExecutions)
    .innerJoin(tradingSignals, eq(tradingSignals.id, signalExecutions.signalId))
    .where(and(eq(signalExecutions.userId, principal.userId), eq(signalExecutions.status, 'executed')));
  const sizing = active.map((s) => {
    const stopDist = Math.abs(s.entryPrice - s.stopLoss) / s.entryPrice;
    const riskSized = stopDist > 0 ? (riskPct / 100 / stopDist) * 100 : 0;
    const size = Math.min(riskSized, s.positionSizePct);
    return {
      signal_id: s.id,
      asset_id: s.assetId,
      direction: s.direction,
      entry_price: s.entryPrice,
      stop_loss: s.stopLoss,
      invalidation: `a daily ${s.direction === 'long' ? 'low at or below' : 'high at or above'} ${s.stopLoss.toPrecision(8)} or expiry at ${new Date(s.expiresAt).toISOString()}`,
      stop_distance_pct: stopDist * 100,
      risk_sized_position_pct: riskSized,
      volatility_target_position_pct: s.positionSizePct,
      recommended_position_pct: size,
      recommended_notional: (account * size) / 100,
      capital_at_risk: ((account * size) / 100) * stopDist,
      risk_level: s.riskLevel,
    };
  });
  const open = [];
  for (const { e, s } of execs) {
    const asset = await resolveAsset(env, s.assetId).catch(() => null);
    const last = asset
      ? ((await closedDailyBars(env, asset, now, now - 10 * DAY_MS)).at(-1)?.close ?? null)
      : null;
    const sign = s.direction === 'long' ? 1 : -1;
    open.push({
      signal_id: s.id,
      execution_id: e.id,
      asset_id: s.assetId,
      direction: s.direction,
      entry_price: e.entryPrice,
      last_close: last,
      unrealized_return: last === null ? null : (sign * (last - e.entryPrice)) / e.entryPrice,
      stop_loss: s.stopLoss,
      risk_to_stop_pct: (Math.abs(e.entryPrice - s.stopLoss) / e.entryPrice) * 100,
      quantity: e.quantity,
    });
  }
  return {
    account_size: account,
    risk_per_trade_pct: riskPct,
    method:
      'size = min(account × risk% / stop distance, the signal’s volatility-target size); stop distance = |entry − stop| / entry; capital at risk = notional × stop distance',
    active_signals: sizing,
    open_executions: open,
    total_capital_at_risk: sizing.reduce((s, x) => s + x.capital_at_risk, 0),
    as_of: new Date(now).toISOString(),
  };
}
