import { marketNow } from '../../core/market-clock';
import type { SnapshotKind } from '../../db/schema/macro';
import { ingestDividendsUntil } from '../../ingestion/dividends';
import { dataVersion } from '../../ingestion/state';
import type { RegimeParams } from '../../quant/regime';
import { ASSET_CATALOG, catalogAssetId } from '../assets/catalog';
import { computeSectors, type SectorsSnapshot } from '../sectors/compute';
import {
  closeAt,
  correlations,
  cycleAnalysis,
  dayIso,
  derivatives,
  dominanceAt,
  intermarket,
  marketCycles,
  marketHealth,
  onchain,
  regimeAnalysis,
  regimeWarmStart,
  riskModel,
  round,
  screenerRows,
  sentiment,
  technical,
  valueAt,
  volatilityForecasts,
} from './compute';
import {
  CRYPTO_ASSETS,
  DAY,
  loadMacroInputs,
  MACRO_BAR_SYMBOLS,
  type MacroInputs,
  SCREENER_EQUITIES,
} from './data';

export const HOUR = 3_600_000;

/** The headline metrics of one market day: what `daily` snapshots hold and the history pages. */
export const HISTORY_METRICS = [
  'btc_price',
  'eth_price',
  'total_market_cap',
  'btc_dominance',
  'eth_dominance',
  'usdt_dominance',
  'altcoin_dominance',
  'fear_greed_index',
  'sp500',
  'nasdaq100',
  'gold',
  'dxy',
  'us_10y_yield',
  'vix_index',
  'funding_rate_btc',
  'open_interest_btc',
  'defi_tvl',
  'stablecoin_supply',
  'btc_active_addresses',
  'btc_hash_rate',
  'btc_mvrv',
] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

/** Headline metrics at market day `day` from inputs (each read at or before `day`; older than 5 days = null). */
export function dailyMetrics(inputs: MacroInputs, day: number): Record<HistoryMetric, number | null> {
  const ind = (name: string) => {
    const v = valueAt(inputs.indicators.get(name), day);
    return v && day - v.day <= 5 ? round(v.value, 10) : null;
  };
  const bar = (sym: string) => {
    const v = closeAt(inputs.bars.get(catalogAssetId(sym)), day);
    return v && day - v.day <= 5 ? round(v.value, 10) : null;
  };
  const d = dominanceAt(inputs, day);
  return {
    btc_price: bar('BTC'),
    eth_price: bar('ETH'),
    total_market_cap: d.total_market_cap,
    btc_dominance: d.btc,
    eth_dominance: d.eth,
    usdt_dominance: d.usdt,
    altcoin_dominance: d.altcoin,
    fear_greed_index: ind('fear_greed'),
    sp500: ind('sp500'),
    nasdaq100: ind('nasdaq100'),
    gold: ind('gold_lbma') ?? bar('GOLD'),
    dxy: bar('DXY'),
    us_10y_yield: bar('TNX'),
    vix_index: ind('vix'),
    funding_rate_btc: ind('btc_funding_rate'),
    open_interest_btc: ind('oi_btc'),
    defi_tvl: ind('defi_tvl'),
    stablecoin_supply: ind('stablecoin_supply'),
    btc_active_addresses: ind('btc_active_addresses'),
    btc_hash_rate: ind('btc_hash_rate'),
    btc_mvrv: ind('btc_mvrv'),
  };
}

function dominanceSection(inputs: MacroInputs, day: number) {
  const current = dominanceAt(inputs, day);
  const history: {
    date: string;
    btc: number | null;
    eth: number | null;
    usdt: number | null;
    altcoin: number | null;
  }[] = [];
  for (let d = day - 89; d <= day; d++) {
    const x = dominanceAt(inputs, d);
    if (x.total_as_of === dayIso(d))
      history.push({ date: dayIso(d) as string, btc: x.btc, eth: x.eth, usdt: x.usdt, altcoin: x.altcoin });
  }
  const ago = (n: number) => history.find((h) => h.date === dayIso(day - n)) ?? null;
  const diff = (a: number | null | undefined, b: number | null | undefined) =>
    a == null || b == null ? null : round(a - b, 6);
  const trend = (key: 'btc' | 'eth' | 'usdt' | 'altcoin') => {
    const c7 = diff(current[key], ago(7)?.[key]);
    const c30 = diff(current[key], ago(30)?.[key]);
    return {
      change_7d_pp: c7,
      change_30d_pp: c30,
      direction: c30 == null ? null : c30 > 0.25 ? 'rising' : c30 < -0.25 ? 'falling' : 'flat',
    };
  };
  return {
    current,
    trend: { btc: trend('btc'), eth: trend('eth'), usdt: trend('usdt'), altcoin: trend('altcoin') },
    history,
    meta: {
      method:
        'Share of CoinGecko total crypto market cap (percent). BTC/ETH: CoinGecko daily caps; USDT/USDC: CoinGecko caps, else close x latest CMC circulating supply; altcoin = 100 - BTC - ETH - USDT - USDC. Trend = change in percentage points over 7/30 days; rising/falling beyond ±0.25 pp',
      window: '90 days of history',
      data_points: history.length,
      as_of: current.total_as_of,
      source: 'CoinGecko total and per-coin market cap exports; CoinMarketCap monthly circulating supply',
    },
  };
}

/** Everything the macro layer serves, computed at market day `day` from `inputs`. */
export function computeMacro(inputs: MacroInputs, day: number, options: { regimeStart?: RegimeParams } = {}) {
  const d = dailyMetrics(inputs, day);
  const btc = inputs.bars.get(catalogAssetId('BTC'));
  const eth = inputs.bars.get(catalogAssetId('ETH'));
  const change = (b: typeof btc, n: number) => {
    const c = closeAt(b, day);
    const p = c ? closeAt(b, c.day - n) : null;
    return c && p && p.value > 0 ? round((c.value / p.value - 1) * 100, 6) : null;
  };
  const totalS = inputs.indicators.get('total_market_cap');
  const tNow = valueAt(totalS, day);
  const tPrev = tNow ? valueAt(totalS, tNow.day - 1) : null;
  const regime = regimeAnalysis(inputs, day, options.regimeStart);
  const sent = sentiment(inputs, day);
  return {
    as_of: dayIso(day) as string,
    headline: {
      ...d,
      btc_change_24h_pct: change(btc, 1),
      btc_change_7d_pct: change(btc, 7),
      eth_change_24h_pct: change(eth, 1),
      eth_change_7d_pct: change(eth, 7),
      total_market_cap_change_24h_pct: tNow && tPrev ? round((tNow.value / tPrev.value - 1) * 100, 6) : null,
      fear_greed_label: sent.fear_greed?.classification ?? null,
      market_regime: regime?.current_regime ?? null,
      regime_confidence: regime?.confidence ?? null,
    },
    dominance: dominanceSection(inputs, day),
    sentiment: sent,
    regime,
    volatility: volatilityForecasts(inputs, day),
    intermarket: intermarket(inputs, day),
    correlations: correlations(inputs, day),
    onchain: onchain(inputs, day),
    derivatives: derivatives(inputs, day),
    technical: technical(inputs, day),
    market_health: marketHealth(inputs, day),
    cycles: cycleAnalysis(inputs, day),
    risk_models: { BTC: riskView(inputs, 'BTC', day), ETH: riskView(inputs, 'ETH', day) },
    market_cycles: cyclesView(inputs, day),
    screener: screenerRows(inputs, day, [
      ...CRYPTO_ASSETS,
      ...MACRO_BAR_SYMBOLS.map((s) => {
        const a = ASSET_CATALOG.find((x) => x.symbol === s);
        return { id: catalogAssetId(s), symbol: s, name: a?.name ?? s, type: a?.type ?? 'index' };
      }),
      ...SCREENER_EQUITIES,
    ]),
  };
}

/** The log-regression risk model of BTC or ETH, shaped for 003 (/api/risk-metrics). */
function riskView(inputs: MacroInputs, symbol: 'BTC' | 'ETH', day: number) {
  const m = riskModel(inputs, symbol, day);
  if (!m) return null;
  const price = m.fit.fairValue * Math.exp(m.fit.lastResidual);
  return {
    symbol,
    metrics: {
      price: round(price, 10) as number,
      fair_value: round(m.fit.fairValue, 10) as number,
      risk: round(m.fit.risk, 6) as number,
      deviation_pct: round((Math.exp(m.fit.lastResidual) - 1) * 100, 6) as number,
      slope: round(m.fit.slope, 8) as number,
      intercept: round(m.fit.intercept, 8) as number,
      r_squared: round(m.fit.rSquared, 8) as number,
      observations: m.fit.observations,
      first_date: dayIso(m.first) as string,
      as_of: dayIso(m.lastDay) as string,
    },
    bands: m.fit.bands.map((b) => ({ risk: b.risk, price: round(b.price, 10) as number })),
    method:
      symbol === 'BTC'
        ? 'OLS of ln(price) on ln(days since the genesis block, 2009-01-03), Coin Metrics daily prices; risk = share of historical residuals at or below today’s (0 = cheapest, 1 = dearest); band at risk q = fair value x exp(q-quantile of residuals)'
        : 'OLS of ln(price) on ln(days since launch, 2015-07-30), daily closes; risk = share of historical residuals at or below today’s (0 = cheapest, 1 = dearest); band at risk q = fair value x exp(q-quantile of residuals)',
  };
}

/** Historic BTC drawdown cycles (>= 50 % peak-to-trough), shaped for 003 (/api/market-cycles). */
function cyclesView(inputs: MacroInputs, day: number) {
  const { cycles, days, prices } = marketCycles(inputs, day, 0.5);
  return {
    cycles: cycles.map((c, i) => ({
      cycle: i + 1,
      peak_date: dayIso(days[c.peakIndex]) as string,
      peak_price: round(prices[c.peakIndex], 10) as number,
      trough_date: dayIso(days[c.troughIndex]) as string,
      trough_price: round(prices[c.troughIndex], 10) as number,
      drawdown_pct: round(c.drawdown * 100, 6) as number,
      decline_days: (days[c.troughIndex] as number) - (days[c.peakIndex] as number),
      recovery_date: c.recoveryIndex == null ? null : (dayIso(days[c.recoveryIndex]) as string),
      recovery_days:
        c.recoveryIndex == null ? null : (days[c.recoveryIndex] as number) - (days[c.troughIndex] as number),
      ongoing: c.recoveryIndex == null,
    })),
    method:
      'Peak/trough rule: a peak is a running all-time high from which BTC later falls at least 50 % before making a new high; the trough is the lowest close before the price closes above the peak again (the recovery). Coin Metrics daily prices.',
    threshold_pct: 50,
    data_points: prices.length,
    first_date: dayIso(days[0]),
    as_of: dayIso(days.at(-1)),
  };
}

export type MacroSnapshot = ReturnType<typeof computeMacro>;

export interface StoredSnapshot<T> {
  kind: SnapshotKind;
  snapshot_time: number;
  data_version: string;
  computed_at: number;
  payload: T;
}

async function readLatest<T>(env: Env, kind: SnapshotKind, at: number): Promise<StoredSnapshot<T> | null> {
  const row = await env.DB.prepare(
    'SELECT kind, snapshot_time, data_version, computed_at, payload FROM metrics_snapshot WHERE kind = ?1 AND snapshot_time <= ?2 ORDER BY snapshot_time DESC LIMIT 1',
  )
    .bind(kind, at)
    .first<{
      kind: SnapshotKind;
      snapshot_time: number;
      data_version: string;
      computed_at: number;
      payload: string;
    }>();
  return row ? { ...row, payload: JSON.parse(row.payload) as T } : null;
}

function upsert(env: Env, kind: SnapshotKind, time: number, version: string, payload: unknown) {
  return env.DB.prepare(
    `INSERT INTO metrics_snapshot (kind, snapshot_time, data_version, computed_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (kind, snapshot_time) DO UPDATE SET data_version = excluded.data_version, computed_at = excluded.computed_at, payload = excluded.payload`,
  ).bind(kind, time, version, Date.now(), JSON.stringify(payload));
}

/**
 * Computes and stores the macro and sector snapshots of the market hour containing `now`
 * (inputs cut at the hour's start) and that day's `daily` row. Idempotent: the same hour and
 * data give the same rows.
 */
export async function refreshSnapshots(env: Env, now?: number) {
  const clock = await marketNow(env);
  const at = Math.floor((now ?? clock) / HOUR) * HOUR;
  // Dividends whose ex-date the clock has reached, should no price tick have moved them yet.
  await ingestDividendsUntil(env, Math.min(at, clock));
  const version = await dataVersion(env, true);
  // The previous hour's snapshot (strictly before this one, so recomputing an hour starts from
  // the same place and gives the same rows) seeds the regime fit.
  const [inputs, previous] = await Promise.all([
    loadMacroInputs(env, at),
    readLatest<MacroSnapshot>(env, 'macro', at - 1),
  ]);
  const day = Math.floor(at / DAY);
  const macro = computeMacro(inputs, day, { regimeStart: regimeWarmStart(previous?.payload.regime, day) });
  const sectors = computeSectors(inputs, day);
  await env.DB.batch([
    upsert(env, 'macro', at, version, macro),
    upsert(env, 'sectors', at, version, sectors),
    upsert(env, 'daily', day * DAY, version, dailyMetrics(inputs, day)),
  ]);
  return { snapshot_time: new Date(at).toISOString(), data_version: version, macro, sectors };
}

/**
 * Writes `daily` snapshots for every market day in [fromDay, toDay] (each from data at or before
 * that day only), in D1 batches. Idempotent upserts. `onProgress` gets 0..100.
 */
export async function backfillDaily(
  env: Env,
  fromDay: number,
  toDay: number,
  onProgress?: (pct: number) => Promise<void>,
  options: { skipStoredBefore?: number } = {},
): Promise<{ days: number; written: number }> {
  const version = await dataVersion(env, true);
  // Days already stored before `skipStoredBefore` are final (their data cannot change): skip them.
  const stored = new Set<number>();
  if (options.skipStoredBefore !== undefined) {
    const { results } = await env.DB.prepare(
      "SELECT snapshot_time FROM metrics_snapshot WHERE kind = 'daily' AND snapshot_time >= ?1 AND snapshot_time < ?2",
    )
      .bind(fromDay * DAY, options.skipStoredBefore * DAY)
      .all<{ snapshot_time: number }>();
    for (const r of results) stored.add(r.snapshot_time / DAY);
  }
  const inputs = await loadMacroInputs(env, toDay * DAY, toDay - fromDay + 40);
  let written = 0;
  const statements: D1PreparedStatement[] = [];
  for (let d = fromDay; d <= toDay; d++) {
    if (stored.has(d)) continue;
    const m = dailyMetrics(inputs, d);
    if (Object.values(m).every((v) => v == null)) continue;
    statements.push(upsert(env, 'daily', d * DAY, version, m));
  }
  for (let i = 0; i < statements.length; i += 50) {
    await env.DB.batch(statements.slice(i, i + 50));
    written += Math.min(50, statements.length - i);
    if (onProgress) await onProgress(Math.round((written / statements.length) * 100));
  }
  return { days: toDay - fromDay + 1, written };
}

/**
 * The snapshot a read serves: the newest stored one at or before the market clock, refreshed
 * (once, then stored) only when none exists yet for this market hour's data. Reads never
 * recompute otherwise.
 */
export async function currentSnapshot<T>(env: Env, kind: 'macro' | 'sectors'): Promise<StoredSnapshot<T>> {
  const now = await marketNow(env);
  const hour = Math.floor(now / HOUR) * HOUR;
  const stored = await readLatest<T>(env, kind, now);
  const version = await dataVersion(env);
  if (stored && (stored.snapshot_time === hour || stored.data_version === version)) return stored;
  const fresh = await refreshSnapshots(env, now);
  return {
    kind,
    snapshot_time: hour,
    data_version: fresh.data_version,
    computed_at: Date.now(),
    payload: (kind === 'macro' ? fresh.macro : fresh.sectors) as T,
  };
}

export const macroSnapshot = (env: Env) => currentSnapshot<MacroSnapshot>(env, 'macro');

/**
 * The regime section of the newest stored macro snapshot at or before `at` (never computed
 * here: signals read what the hourly job stored), or null when none is stored yet.
 */
export async function storedRegime(env: Env, at: number) {
  const s = await readLatest<MacroSnapshot>(env, 'macro', at);
  return s?.payload.regime
    ? { ...s.payload.regime, snapshot_time: new Date(s.snapshot_time).toISOString() }
    : null;
}
export const sectorsSnapshot = (env: Env) => currentSnapshot<SectorsSnapshot>(env, 'sectors');

/** Daily snapshots between two days (inclusive), oldest first, paged. */
export async function dailyHistory(env: Env, fromDay: number, toDay: number, limit: number, offset: number) {
  const [rows, count] = await env.DB.batch([
    env.DB.prepare(
      "SELECT snapshot_time, payload FROM metrics_snapshot WHERE kind = 'daily' AND snapshot_time >= ?1 AND snapshot_time <= ?2 ORDER BY snapshot_time LIMIT ?3 OFFSET ?4",
    ).bind(fromDay * DAY, toDay * DAY, limit, offset),
    env.DB.prepare(
      "SELECT count(*) AS n FROM metrics_snapshot WHERE kind = 'daily' AND snapshot_time >= ?1 AND snapshot_time <= ?2",
    ).bind(fromDay * DAY, toDay * DAY),
  ]);
  return {
    rows: ((rows?.results ?? []) as { snapshot_time: number; payload: string }[]).map((r) => ({
      time: r.snapshot_time,
      metrics: JSON.parse(r.payload) as Record<HistoryMetric, number | null>,
    })),
    total: ((count?.results ?? [])[0] as { n: number } | undefined)?.n ?? 0,
  };
}

/** The /ws/macro message of a snapshot: headline, dominance, regime and sentiment. */
export function macroMessage(snapshotTime: string, m: MacroSnapshot) {
  return {
    type: 'macro_update',
    snapshot_time: snapshotTime,
    as_of: m.as_of,
    headline: m.headline,
    dominance: m.dominance.current,
    regime: m.regime
      ? {
          current_regime: m.regime.current_regime,
          confidence: m.regime.confidence,
          probabilities: m.regime.probabilities,
        }
      : null,
    fear_greed: m.sentiment.fear_greed
      ? { value: m.sentiment.fear_greed.value, classification: m.sentiment.fear_greed.classification }
      : null,
  };
}

/** The /ws/sectors message of a snapshot: each sector's performance and rotation, and the narratives. */
export function sectorsMessage(snapshotTime: string, s: SectorsSnapshot) {
  return {
    type: 'sector_rotation',
    snapshot_time: snapshotTime,
    as_of: s.as_of,
    sectors: s.sectors.map((x) => ({
      id: x.id,
      performance: x.performance,
      share_of_total_pct: x.share_of_total_pct,
      relative_strength_30d: x.relative_strength_30d,
      rotation_score: x.rotation_score,
      flow: x.flow,
    })),
    narratives: s.narratives
      .slice(0, 3)
      .map((n) => ({ rank: n.rank, sector: n.sector, momentum_score: n.momentum_score })),
  };
}
