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
  /** Cash dividends per asset (ex-date <= `at`), oldest first: the screener's trailing yield. */
  dividends?: Map<string, DividendRow[]>;
  /** Per asset, the file its dividends come from and the span it covers. */
  dividendSources?: Map<string, DividendSource>;
}

export interface DividendRow {
  time: number;
  amount: number;
  factor: number;
}

export interface DividendSource {
  source: string;
  method: 'adj_close_step' | 'reported';
  basis: 'raw' | 'source_adjusted';
  firstTime: number;
  lastTime: number;
  firstFactor: number;
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

/** ETFs and US equities of the catalog the 003 screener lists besides the macro bars (with dividend yields). */
export const SCREENER_EQUITIES = ASSET_CATALOG.filter(
  (a) =>
    (a.type === 'etf' || a.type === 'us-equity') &&
    a.history &&
    !(MACRO_BAR_SYMBOLS as readonly string[]).includes(a.symbol),
).map((a) => ({ id: catalogAssetId(a.symbol), symbol: a.symbol, name: a.name, type: a.type }));

/** Calendar days of closes the screener reads per equity, back from its own last close: 52 weeks plus a margin. */
const SCREENER_DAYS = 400;

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
  const equityIds = SCREENER_EQUITIES.map((a) => a.id);
  const [barsRes, indRes, fullRes, metricsRes, equityRes, divRes, divSrcRes] = await env.DB.batch([
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
    // Each screener equity's last 400 days before its own last close at or before `at` (a
    // series whose shipped history ended years ago still shows its last figures, dated).
    env.DB.prepare(
      `SELECT p.asset_id, p.open_time, p.close, p.volume FROM price_data p
       JOIN (SELECT asset_id, max(open_time) AS last FROM price_data
             WHERE timeframe = '1d' AND open_time <= ?1 AND asset_id IN (${marks(equityIds.length, 3)}) GROUP BY asset_id) l
         ON l.asset_id = p.asset_id
       WHERE p.timeframe = '1d' AND p.open_time <= l.last AND p.open_time > l.last - ?2
       ORDER BY p.asset_id, p.open_time`,
    ).bind(at, SCREENER_DAYS * DAY, ...equityIds),
    // The one market clock: no ex-date after `at` is read.
    env.DB.prepare(
      'SELECT asset_id, ex_time, amount, factor FROM dividend_events WHERE ex_time <= ?1 ORDER BY asset_id, ex_time',
    ).bind(at),
    env.DB.prepare(
      'SELECT asset_id, source, method, basis, first_time, last_time, first_factor FROM dividend_sources',
    ),
  ]);
  const bars = new Map<string, DailyBars>();
  for (const r of [...(barsRes?.results ?? []), ...(equityRes?.results ?? [])] as {
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
  const dividends = new Map<string, DividendRow[]>();
  for (const r of (divRes?.results ?? []) as {
    asset_id: string;
    ex_time: number;
    amount: number;
    factor: number;
  }[]) {
    const list = dividends.get(r.asset_id) ?? [];
    list.push({ time: r.ex_time, amount: r.amount, factor: r.factor });
    dividends.set(r.asset_id, list);
  }
  const dividendSources = new Map<string, DividendSource>();
  for (const r of (divSrcRes?.results ?? []) as {
    asset_id: string;
    source: string;
    method: DividendSource['method'];
    basis: DividendSource['basis'];
    first_time: number;
    last_time: number;
    first_factor: number;
  }[])
    dividendSources.set(r.asset_id, {
      source: r.source,
      method: r.method,
      basis: r.basis,
      firstTime: r.first_time,
      lastTime: r.last_time,
      firstFactor: r.first_factor,
    });
  return { at, bars, indicators, caps, supply, dividends, dividendSources };
}
