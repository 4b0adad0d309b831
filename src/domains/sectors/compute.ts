import { correlation, variance } from '../../quant';
import { inverseVolatilityWeights } from '../../quant/cycles';
import { CRYPTO_SECTORS, type CryptoSectorId, SECTOR_SOURCE_CONSTITUENTS } from '../assets/sectors';
import { closeAt, dayIso, type Meta, marketCapAt, round, valueAt } from '../macro/compute';
import { CRYPTO_ASSETS, type MacroInputs } from '../macro/data';

/** Days of sector index history the snapshot keeps. */
export const SECTOR_HISTORY_DAYS = 365;

export interface SectorPoint {
  date: string;
  index: number;
  market_cap: number;
  share_pct: number | null;
}

export interface SectorMember {
  asset_id: string;
  symbol: string;
  name: string;
  price: number | null;
  market_cap: number | null;
  market_cap_method: string | null;
  weight_pct: number | null;
  change_24h_pct: number | null;
  change_7d_pct: number | null;
  change_30d_pct: number | null;
  volume_24h: number | null;
}

export interface SectorAnalysis {
  id: CryptoSectorId;
  tracked_assets: number;
  source_constituents: string[];
  market_cap: number | null;
  share_of_total_pct: number | null;
  share_change_30d_pp: number | null;
  index_level: number | null;
  performance: { '24h': number | null; '7d': number | null; '30d': number | null; '90d': number | null };
  relative_strength_30d: number | null;
  volatility_30d_pct: number | null;
  volume_24h: number | null;
  rotation_score: number | null;
  flow: 'inflow' | 'outflow' | 'neutral' | null;
  members: SectorMember[];
  history: SectorPoint[];
  absent_reason: string | null;
}

/** Cap-weighted daily index (base 100 at the window start) and caps of one sector's members. */
function sectorSeries(
  inputs: MacroInputs,
  members: string[],
  day: number,
  totalAt: (d: number) => number | null,
) {
  const points: { day: number; index: number; cap: number; share: number | null; ret: number | null }[] = [];
  let level = 100;
  let prevCaps: Map<string, number> | null = null;
  for (let d = day - SECTOR_HISTORY_DAYS; d <= day; d++) {
    const caps = new Map<string, number>();
    for (const id of members) {
      const c = marketCapAt(inputs, id, d);
      if (c && c.day === d) caps.set(id, c.value);
    }
    if (!caps.size) continue;
    let ret: number | null = null;
    if (prevCaps) {
      // Return on d = Σ w_i(d-1)·r_i(d) over members with a close on both days, w by the prior day's cap.
      let wsum = 0;
      let acc = 0;
      for (const [id, cap0] of prevCaps) {
        const p0 = closeAt(inputs.bars.get(id), d - 1);
        const p1 = closeAt(inputs.bars.get(id), d);
        if (!p0 || !p1 || p0.day !== d - 1 || p1.day !== d || p0.value <= 0) continue;
        wsum += cap0;
        acc += cap0 * (p1.value / p0.value - 1);
      }
      if (wsum > 0) {
        ret = acc / wsum;
        level *= 1 + ret;
      }
    }
    let cap = 0;
    for (const v of caps.values()) cap += v;
    const total = totalAt(d);
    points.push({ day: d, index: level, cap, share: total ? (cap / total) * 100 : null, ret });
    prevCaps = caps;
  }
  return points;
}

function changeOver(points: { day: number; index: number }[], days: number): number | null {
  const last = points.at(-1);
  if (!last) return null;
  let base: { index: number } | undefined;
  for (let i = points.length - 1; i >= 0; i--)
    if ((points[i] as { day: number }).day <= last.day - days) {
      base = points[i];
      break;
    }
  return base ? round((last.index / base.index - 1) * 100, 6) : null;
}

function memberView(
  inputs: MacroInputs,
  asset: (typeof CRYPTO_ASSETS)[number],
  day: number,
  sectorCap: number | null,
): SectorMember {
  const b = inputs.bars.get(asset.id);
  const close = closeAt(b, day);
  const cap = marketCapAt(inputs, asset.id, day);
  const ch = (n: number) => {
    const then = closeAt(b, (close?.day ?? day) - n);
    return close && then && then.value > 0 ? round((close.value / then.value - 1) * 100, 6) : null;
  };
  const i = b && close ? b.day.indexOf(close.day) : -1;
  return {
    asset_id: asset.id,
    symbol: asset.symbol,
    name: asset.name,
    price: close ? round(close.value, 10) : null,
    market_cap: cap ? round(cap.value, 10) : null,
    market_cap_method: cap?.method ?? null,
    weight_pct: cap && sectorCap ? round((cap.value / sectorCap) * 100, 6) : null,
    change_24h_pct: ch(1),
    change_7d_pct: ch(7),
    change_30d_pct: ch(30),
    volume_24h: b && i >= 0 ? round(b.volume[i], 10) : null,
  };
}

/**
 * The sector layer at market day `day`: per sector a market-cap-weighted index of its tracked
 * members (daily rebalanced by the prior day's caps), its performance, share of total crypto
 * market cap and its change (rotation), relative strength against the total market, and
 * cross-sector correlations; narratives rank sector momentum; allocation weights sector
 * indices by inverse volatility (naive risk parity).
 */
export function computeSectors(inputs: MacroInputs, day: number) {
  const totalS = inputs.indicators.get('total_market_cap');
  const totalAt = (d: number) => {
    const t = valueAt(totalS, d);
    return t && d - t.day <= 3 ? t.value : null;
  };
  const totalNow = valueAt(totalS, day);
  const total30 = valueAt(totalS, day - 30);
  const marketReturn30 = totalNow && total30 ? (totalNow.value / total30.value - 1) * 100 : null;
  const analyses: SectorAnalysis[] = [];
  const returnsBySector = new Map<string, Map<number, number>>();
  for (const s of CRYPTO_SECTORS) {
    const members = CRYPTO_ASSETS.filter((a) => a.sector === s.id);
    const points = sectorSeries(
      inputs,
      members.map((m) => m.id),
      day,
      totalAt,
    );
    const last = points.at(-1);
    const fresh = last && day - last.day <= 3 ? last : undefined;
    const rets = new Map<number, number>();
    for (const p of points) if (p.ret != null) rets.set(p.day, p.ret);
    returnsBySector.set(s.id, rets);
    const recent = points.filter((p) => p.ret != null && p.day > day - 30).map((p) => p.ret as number);
    const v = variance(recent);
    const before = points.find((p) => p.day >= day - 30);
    const shareChange =
      fresh?.share != null && before?.share != null ? round(fresh.share - before.share, 6) : null;
    const perf30 = changeOver(points, 30);
    const rs = perf30 != null && marketReturn30 != null ? round(perf30 - marketReturn30, 6) : null;
    const perf7 = changeOver(points, 7);
    const rotation = rs != null && shareChange != null ? round(0.5 * rs + 50 * shareChange, 6) : null;
    analyses.push({
      id: s.id,
      tracked_assets: members.length,
      source_constituents: SECTOR_SOURCE_CONSTITUENTS[s.id],
      market_cap: fresh ? round(fresh.cap, 10) : null,
      share_of_total_pct: fresh?.share != null ? round(fresh.share, 6) : null,
      share_change_30d_pp: shareChange,
      index_level: fresh ? round(fresh.index, 10) : null,
      performance: {
        '24h': changeOver(points, 1),
        '7d': perf7,
        '30d': perf30,
        '90d': changeOver(points, 90),
      },
      relative_strength_30d: rs,
      volatility_30d_pct: v == null ? null : round(Math.sqrt(v * 365) * 100, 6),
      volume_24h: members.reduce<number | null>((acc, m) => {
        const b = inputs.bars.get(m.id);
        const c = closeAt(b, day);
        if (!b || !c || c.day !== (fresh?.day ?? -1)) return acc;
        return (acc ?? 0) + (b.volume[b.day.indexOf(c.day)] as number);
      }, null),
      rotation_score: rotation,
      flow:
        shareChange == null
          ? null
          : shareChange > 0.05
            ? 'inflow'
            : shareChange < -0.05
              ? 'outflow'
              : 'neutral',
      members: members
        .map((m) => memberView(inputs, m, day, fresh?.cap ?? null))
        .sort((a, b) => (b.market_cap ?? 0) - (a.market_cap ?? 0)),
      history: points.map((p) => ({
        date: dayIso(p.day) as string,
        index: round(p.index, 10) as number,
        market_cap: round(p.cap, 10) as number,
        share_pct: p.share == null ? null : round(p.share, 6),
      })),
      absent_reason: members.length
        ? fresh
          ? null
          : 'No member had a market cap on the last three market days.'
        : `No constituent (${SECTOR_SOURCE_CONSTITUENTS[s.id].join(', ')}) has price history in this deployment's catalog; the sector is listed, its index is absent.`,
    });
  }
  // Correlations of sector index returns over 7/30/90 days, and against BTC and ETH.
  const btc = inputs.bars.get(CRYPTO_ASSETS.find((a) => a.symbol === 'BTC')?.id ?? '');
  const eth = inputs.bars.get(CRYPTO_ASSETS.find((a) => a.symbol === 'ETH')?.id ?? '');
  const assetRet = (b: typeof btc) => {
    const m = new Map<number, number>();
    if (b)
      for (let i = 1; i < b.day.length; i++)
        if ((b.day[i] as number) - (b.day[i - 1] as number) === 1)
          m.set(b.day[i] as number, (b.close[i] as number) / (b.close[i - 1] as number) - 1);
    return m;
  };
  const refs = { BTC: assetRet(btc), ETH: assetRet(eth) };
  const corr = (a: Map<number, number>, b: Map<number, number>, days: number) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const [d, v] of a)
      if (d > day - days && d <= day && b.has(d)) {
        xs.push(v);
        ys.push(b.get(d) as number);
      }
    return { value: xs.length >= 3 ? round(correlation(xs, ys), 6) : null, data_points: xs.length };
  };
  const tracked = analyses.filter((a) => a.index_level != null).map((a) => a.id);
  const correlations: Record<string, unknown> = {};
  for (const [period, days] of [
    ['7d', 7],
    ['30d', 30],
    ['90d', 90],
  ] as const) {
    const matrix = tracked.map((a) =>
      tracked.map(
        (b) =>
          corr(
            returnsBySector.get(a) as Map<number, number>,
            returnsBySector.get(b) as Map<number, number>,
            days,
          ).value,
      ),
    );
    const vsMajors = Object.fromEntries(
      tracked.map((id) => [
        id,
        {
          btc: corr(returnsBySector.get(id) as Map<number, number>, refs.BTC, days),
          eth: corr(returnsBySector.get(id) as Map<number, number>, refs.ETH, days),
        },
      ]),
    );
    correlations[period] = { sectors: tracked, matrix, vs_majors: vsMajors };
  }
  // Allocation: inverse volatility of sector index returns over 90 days.
  const vols = tracked.map((id) => {
    const r = [...(returnsBySector.get(id) as Map<number, number>).entries()]
      .filter(([d]) => d > day - 90 && d <= day)
      .map(([, v]) => v);
    const v = variance(r);
    return v == null ? null : Math.sqrt(v * 365);
  });
  let allocation: { sector: string; weight_pct: number; annualized_volatility_pct: number | null }[] = [];
  try {
    const w = inverseVolatilityWeights(vols);
    allocation = tracked.map((id, i) => ({
      sector: id,
      weight_pct: round((w[i] as number) * 100, 6) as number,
      annualized_volatility_pct: vols[i] == null ? null : round((vols[i] as number) * 100, 6),
    }));
  } catch {
    allocation = [];
  }
  const narratives = analyses
    .filter((a) => a.relative_strength_30d != null)
    .sort((a, b) => (b.rotation_score ?? -1e9) - (a.rotation_score ?? -1e9))
    .map((a, rank) => ({
      rank: rank + 1,
      sector: a.id,
      narrative: CRYPTO_SECTORS.find((s) => s.id === a.id)?.name ?? a.id,
      momentum_score: a.rotation_score,
      trend: (a.relative_strength_30d ?? 0) > 0 ? ('strengthening' as const) : ('weakening' as const),
      evidence: {
        performance_7d_pct: a.performance['7d'],
        performance_30d_pct: a.performance['30d'],
        relative_strength_30d: a.relative_strength_30d,
        share_change_30d_pp: a.share_change_30d_pp,
        leaders: a.members.slice(0, 3).map((m) => ({ symbol: m.symbol, change_30d_pct: m.change_30d_pct })),
      },
    }));
  const meta: Meta = {
    method:
      'Market-cap-weighted sector index, rebalanced daily by the prior day’s caps (cap = close x latest CMC circulating supply, else CoinGecko daily cap), base 100 one year back; share of CoinGecko total market cap; relative strength = sector 30d return minus total-market 30d return; rotation score = 0.5 x RS + 50 x share change (pp); flow = share change beyond ±0.05 pp; correlations of daily index returns (consecutive calendar days); allocation = inverse 90-day volatility (naive risk parity)',
    window: `${SECTOR_HISTORY_DAYS} days of history; 1/7/30/90-day changes`,
    data_points: analyses.reduce((n, a) => n + a.history.length, 0),
    as_of: dayIso(day),
    source: 'price_data 1d; asset_metrics circulating_supply and market_cap; CoinGecko total market cap',
  };
  const tvlS = inputs.indicators.get('defi_tvl');
  const tvlNow = valueAt(tvlS, day);
  const tvlAgo = (n: number) => (tvlNow ? valueAt(tvlS, tvlNow.day - n) : null);
  const tvlChange = (n: number) => {
    const a = tvlAgo(n);
    return tvlNow && a && a.value > 0 ? round((tvlNow.value / a.value - 1) * 100, 6) : null;
  };
  const tvlHistory: { date: string; value: number }[] = [];
  if (tvlS)
    for (let i = 0; i < tvlS.day.length; i++)
      if ((tvlS.day[i] as number) > day - 90 && (tvlS.day[i] as number) <= day)
        tvlHistory.push({ date: dayIso(tvlS.day[i]) as string, value: tvlS.value[i] as number });
  const tvl = {
    total_defi_tvl_usd: tvlNow ? round(tvlNow.value, 10) : null,
    change_7d_pct: tvlChange(7),
    change_30d_pct: tvlChange(30),
    tvl_to_total_market_cap_pct: tvlNow && totalNow ? round((tvlNow.value / totalNow.value) * 100, 6) : null,
    as_of: tvlNow ? dayIso(tvlNow.day) : null,
    history: tvlHistory,
  };
  return {
    as_of: dayIso(day) as string,
    tvl,
    market_return_30d_pct: marketReturn30 == null ? null : round(marketReturn30, 6),
    sectors: analyses,
    correlations,
    allocation,
    narratives,
    meta,
  };
}

export type SectorsSnapshot = ReturnType<typeof computeSectors>;
