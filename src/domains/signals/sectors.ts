import { and, eq } from 'drizzle-orm';
import { DAY_MS } from '../../core/dates';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { assets } from '../../db/schema';
import { isShared } from '../assets/service';
import { closedDailyBars } from '../models/data';
import { latestPredictions } from '../models/predictions';

/**
 * Sectors (the asset's sector, or its asset type where it has none) by the equal-weighted 30- and
 * 90-day returns of their assets and the mean probability of the active models, ranked by 30-day
 * momentum; the rotation signal compares 30-day with 90-day momentum.
 */
export async function sectorAnalysis(env: Env) {
  const now = await marketNow(env);
  const list = await db(env)
    .select()
    .from(assets)
    .where(and(isShared, eq(assets.isActive, true)))
    .limit(100);
  const preds = await latestPredictions(env, now);
  const groups = new Map<string, { assets: string[]; r30: number[]; r90: number[]; p: number[] }>();
  for (const a of list) {
    const bars = await closedDailyBars(env, a, now, now - 100 * DAY_MS);
    const last = bars.at(-1);
    if (!last || bars.length < 31) continue;
    const key = a.sectorId ?? a.assetType;
    const g = groups.get(key) ?? { assets: [], r30: [], r90: [], p: [] };
    g.assets.push(a.symbol);
    g.r30.push(last.close / (bars.at(-31)?.close ?? last.close) - 1);
    if (bars.length >= 91) g.r90.push(last.close / (bars.at(-91)?.close ?? last.close) - 1);
    for (const p of preds) if (p.assetId === a.id) g.p.push(p.probabilityUp);
    groups.set(key, g);
  }
  const mean = (x: number[]) => (x.length ? x.reduce((s, v) => s + v, 0) / x.length : null);
  const sectors = [...groups.entries()].map(([sector, g]) => {
    const r30 = mean(g.r30);
    const r90 = mean(g.r90);
    const p = mean(g.p);
    return {
      sector,
      assets: g.assets,
      return_30d: r30,
      return_90d: r90,
      model_mean_probability_up: p,
      model_readings: g.p.length,
      rotation: r30 === null || r90 === null ? 'insufficient_data' : r30 > r90 / 3 ? 'gaining' : 'fading',
    };
  });
  sectors.sort((a, b) => (b.return_30d ?? -Infinity) - (a.return_30d ?? -Infinity));
  return {
    sectors: sectors.map((s, i) => ({ ...s, momentum_rank: i + 1 })),
    method:
      'equal-weighted simple returns of each sector’s assets over the last 30 and 90 closed days; rotation = gaining when the 30-day return beats a third of the 90-day return (a faster pace), else fading; model readings = latest stored predictions of active models',
    as_of: new Date(now).toISOString(),
  };
}
