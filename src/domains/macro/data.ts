import { ASSET_CATALOG, catalogAssetId } from '../assets/catalog';

export const DAY = 86_400_000;

/** A dated series, oldest first; `day` is the UTC day number (time / DAY, floored). */
export interface DatedSeries {
  day: number[];
  time: number[];
  value: number[];
  label: (string | null)[];
  source: string | null;
}

export const emptySeries = (): DatedSeries => ({ day: [], time: [], value: [], label: [], source: null });

/** Daily bars of one asset, oldest first. */
export interface DailyBars {
  day: number[];
  close: number[];
  volume: number[];
}

/** Every input the macro and sector layers compute from: what the database held at `at`. */
export interface MacroInputs {
  at: number;
  bars: Map<string, DailyBars>;
  indicators: Map<string, DatedSeries>;
  caps: Map<string, DatedSeries>;
  supply: Map<string, DatedSeries>;
}

/** Crypto and stablecoin catalog assets: the tracked universe of breadth, sectors and dominance. */
export const CRYPTO_ASSETS = ASSET_CATALOG.filter((a) => a.type === 'crypto' || a.type === 'stablecoin').map(
  (a) => ({
    id: catalogAssetId(a.symbol),
    symbol: a.symbol,
    name: a.name,
    type: a.type,
    sector: a.sector ?? null,
  }),
);

/** Traditional markets served from candles (the FRED/LBMA index levels come from market_indicators). */
export const MACRO_BAR_SYMBOLS = ['DXY', 'TNX', 'GOLD', 'WTI', 'SPY', 'QQQ'] as const;

export const INDICATOR_SERIES = [
  'total_market_cap',
  'sp500',
  'nasdaq100',
  'vix',
  'gold_lbma',
  'defi_tvl',
  'stablecoin_supply',
  'fear_greed',
  'btc_active_addresses',
  'btc_tx_count',
  'btc_hash_rate',
  'btc_mvrv',
  'btc_exchange_inflow',
  'btc_exchange_outflow',
  'btc_exchange_supply',
  'btc_issuance',
  'btc_fees',
  'btc_blocks',
  'btc_block_height',
  'btc_supply',
  'btc_price_usd',
  'btc_funding_rate',
  'oi_btc',
  'oi_eth',
  'oi_sol',
  'oi_bnb',
  'oi_xrp',
  'oi_doge',
  'oi_ada',
  'oi_trx',
] as const;

/** How far back the analysis reads, in days (the regime model's four years plus warm-up). */
export const LOOKBACK_DAYS = 1500;

/** Series read over their whole history (cycles, halving epochs, seasonality, log regression); ETH bars too (its risk model). */
const FULL_HISTORY = new Set(['btc_price_usd', 'btc_block_height']);

function push(
  map: Map<string, DatedSeries>,
  key: string,
  time: number,
  value: number,
  label: string | null,
  source: string,
) {
  let s = map.get(key);
  if (!s) {
    s = emptySeries();
    map.set(key, s);
  }
  s.day.push(Math.floor(time / DAY));
  s.time.push(time);
  s.value.push(value);
  s.label.push(label);
  s.source = source;
}

/**
 * Reads every input at market time `at` in one D1 batch: daily bars of the crypto and macro
 * assets, the intel series and market caps/supplies, all with time <= at (the one market clock).
 */
export async function loadMacroInputs(
  env: Env,
  at: number,
  lookbackDays = LOOKBACK_DAYS,
): Promise<MacroInputs> {
  const from = at - lookbackDays * DAY;
  const assetIds = [...CRYPTO_ASSETS.map((a) => a.id), ...MACRO_BAR_SYMBOLS.map(catalogAssetId)];
  const marks = (n: number, offset: number) =>
    Array.from({ length: n }, (_, i) => `?${i + offset}`).join(', ');
  const full = INDICATOR_SERIES.filter((s) => FULL_HISTORY.has(s));
  const windowed = INDICATOR_SERIES.filter((s) => !FULL_HISTORY.has(s));
  const [barsRes, indRes, fullRes, metricsRes] = await env.DB.batch([
    env.DB.prepare(
      `SELECT asset_id, open_time, close, volume FROM price_data
       WHERE timeframe = '1d' AND (open_time >= ?1 OR asset_id = ?3) AND open_time <= ?2 AND asset_id IN (${marks(assetIds.length, 4)})
       ORDER BY asset_id, open_time`,
    ).bind(from, at, catalogAssetId('ETH'), ...assetIds),
    env.DB.prepare(
      `SELECT series, time, value, label, source FROM market_indicators
       WHERE time >= ?1 AND time <= ?2 AND series IN (${marks(windowed.length, 3)}) ORDER BY series, time`,
    ).bind(from, at, ...windowed),
    env.DB.prepare(
      `SELECT series, time, value, label, source FROM market_indicators
       WHERE time <= ?1 AND series IN (${marks(full.length, 2)}) ORDER BY series, time`,
    ).bind(at, ...full),
    env.DB.prepare(
      `SELECT asset_id, metric, time, value, source FROM asset_metrics
       WHERE time <= ?2 AND (metric = 'circulating_supply' OR time >= ?1) ORDER BY asset_id, metric, time`,
    ).bind(from, at),
  ]);
  const bars = new Map<string, DailyBars>();
  for (const r of (barsRes?.results ?? []) as {
    asset_id: string;
    open_time: number;
    close: number;
    volume: number;
  }[]) {
    let b = bars.get(r.asset_id);
    if (!b) {
      b = { day: [], close: [], volume: [] };
      bars.set(r.asset_id, b);
    }
    b.day.push(Math.floor(r.open_time / DAY));
    b.close.push(r.close);
    b.volume.push(r.volume);
  }
  const indicators = new Map<string, DatedSeries>();
  type Ind = { series: string; time: number; value: number; label: string | null; source: string };
  for (const r of [...((indRes?.results ?? []) as Ind[]), ...((fullRes?.results ?? []) as Ind[])])
    push(indicators, r.series, r.time, r.value, r.label, r.source);
  const caps = new Map<string, DatedSeries>();
  const supply = new Map<string, DatedSeries>();
  type Met = { asset_id: string; metric: string; time: number; value: number; source: string };
  for (const r of (metricsRes?.results ?? []) as Met[])
    push(r.metric === 'market_cap' ? caps : supply, r.asset_id, r.time, r.value, null, r.source);
  return { at, bars, indicators, caps, supply };
}
