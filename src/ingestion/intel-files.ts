import type { IntelTarget } from '../db/schema/intel';
import { ASSET_CATALOG, catalogAssetId } from '../domains/assets/catalog';

/** One dated intel observation, bound for `asset_metrics` or `market_indicators`. */
export interface IntelRow {
  target: IntelTarget;
  /** The metric (asset_metrics) or series (market_indicators). */
  series: string;
  /** '' for market_indicators. */
  assetId: string;
  /** Epoch ms UTC. */
  time: number;
  value: number;
  label: string | null;
  source: string;
}

/** A shipped file under ../shared/data/intel and how to read it (intel/SOURCES.md documents each). */
export interface IntelFile {
  path: string;
  parse(text: string): IntelRow[];
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '');

const num = (s: string | undefined) => (s === undefined || s.trim() === '' ? Number.NaN : Number(s));

/** `2013-04-28 00:00:00 UTC` (CoinGecko exports) or epoch ms to epoch ms. */
function coingeckoTime(s: string): number {
  return /^\d+$/.test(s) ? Number(s) : Date.parse(`${s.replace(' UTC', '').replace(' ', 'T')}Z`);
}

/**
 * A CoinGecko coin "max" chart export (`snapped_at,price,market_cap,total_volume`) to daily
 * market caps. Rows with an empty or zero cap (pre-listing rows, one 2017-04-02 gap) are left
 * out: a missing figure stays missing.
 */
export function parseCoinGeckoCaps(text: string, assetId: string, source: string): IntelRow[] {
  const out: IntelRow[] = [];
  for (const line of lines(text)) {
    const [at = '', , cap] = line.split(',');
    const time = coingeckoTime(at);
    const value = num(cap);
    if (!Number.isFinite(time) || !(value > 0)) continue;
    out.push({ target: 'asset_metrics', series: 'market_cap', assetId, time, value, label: null, source });
  }
  return out;
}

/** CoinGecko's total crypto market cap export (`snapped_at` in epoch ms) to the `total_market_cap` series. */
export function parseCoinGeckoTotal(text: string): IntelRow[] {
  const out: IntelRow[] = [];
  for (const line of lines(text)) {
    const [at = '', cap] = line.split(',');
    const time = coingeckoTime(at);
    const value = num(cap);
    if (!Number.isFinite(time) || !(value > 0)) continue;
    out.push({
      target: 'market_indicators',
      series: 'total_market_cap',
      assetId: '',
      time,
      value,
      label: null,
      source: 'coingecko-export',
    });
  }
  return out;
}

/**
 * CoinMarketCap's monthly top-200 snapshots to the circulating supply of the catalog's crypto
 * assets, dated at the snapshot (00:00 UTC of the month's first day). Coins outside the
 * catalog are skipped.
 */
export function parseCmcSupply(text: string, assetIds: Map<string, string> = CRYPTO_IDS): IntelRow[] {
  const out: IntelRow[] = [];
  for (const line of lines(text)) {
    const cols = line.split(',');
    const symbol = cols[2] ?? '';
    const supply = num(cols[5]);
    const date = cols[10] ?? '';
    const assetId = assetIds.get(symbol);
    if (!assetId || !(supply > 0) || !/^\d{8}$/.test(date)) continue;
    out.push({
      target: 'asset_metrics',
      series: 'circulating_supply',
      assetId,
      time: Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00Z`),
      value: supply,
      label: null,
      source: 'coinmarketcap-monthly',
    });
  }
  return out;
}

/** finance-terminal's `as_of,value,status` files (DefiLlama, FRED, LBMA) to one indicator series. */
export function parseDatedValues(text: string, series: string, source: string): IntelRow[] {
  const out: IntelRow[] = [];
  for (const line of lines(text)) {
    const [date = '', value] = line.split(',');
    const time = Date.parse(`${date}T00:00:00Z`);
    const v = num(value);
    if (!Number.isFinite(time) || !Number.isFinite(v)) continue;
    out.push({ target: 'market_indicators', series, assetId: '', time, value: v, label: null, source });
  }
  return out;
}

/** Catalog crypto and stablecoin symbols to their asset ids. */
const CRYPTO_IDS = new Map(
  ASSET_CATALOG.filter((a) => a.type === 'crypto' || a.type === 'stablecoin').map((a) => [
    a.symbol,
    catalogAssetId(a.symbol),
  ]),
);

const caps = (path: string, symbol: string): IntelFile => ({
  path,
  parse: (text) => parseCoinGeckoCaps(text, catalogAssetId(symbol), 'coingecko-export'),
});
const terminal = (file: string, series: string, source: string): IntelFile => ({
  path: `defillama-fred-lbma-financeterminal/${file}`,
  parse: (text) => parseDatedValues(text, series, source),
});

/** BTC and ETH from the longer Hamzakiln copies (to 2025-06); the others from Rebalancer's (to 2022-09). */
const REBALANCER_COINS = [
  'USDT',
  'USDC',
  'BNB',
  'XRP',
  'ADA',
  'SOL',
  'DOGE',
  'DOT',
  'MATIC',
  'TRX',
  'LINK',
  'LTC',
  'BCH',
];

/** Every intel file the seed loads, in load order. */
export const INTEL_FILES: IntelFile[] = [
  caps('dominance-coingecko-exports-hamzakiln/btc-usd-max.csv', 'BTC'),
  caps('dominance-coingecko-exports-hamzakiln/eth-usd-max.csv', 'ETH'),
  ...REBALANCER_COINS.map((s) =>
    caps(`marketcaps-coingecko-exports-rebalancer/${s.toLowerCase()}-usd-max.csv`, s),
  ),
  {
    path: 'dominance-coingecko-exports-hamzakiln/total_market_cap_coingecko__btc_dominance.csv',
    parse: parseCoinGeckoTotal,
  },
  {
    path: 'dominance-cmc-monthly-smoothbrainquant/coinmarketcap_monthly_all_snapshots.csv',
    parse: (t) => parseCmcSupply(t),
  },
  terminal('sp500.csv', 'sp500', 'fred-SP500'),
  terminal('nasdaq100.csv', 'nasdaq100', 'fred-NASDAQ100'),
  terminal('vix.csv', 'vix', 'fred-VIXCLS'),
  terminal('gold.csv', 'gold_lbma', 'lbma-gold-pm'),
  terminal('defi_tvl.csv', 'defi_tvl', 'defillama'),
  terminal('stablecoin_supply.csv', 'stablecoin_supply', 'defillama'),
  { path: 'sentiment-feargreed/fear_greed_index.csv', parse: parseFearGreed },
  { path: 'onchain-coinmetrics-btc-aps1052/coinmetrics_btc.csv', parse: parseCoinMetricsBtc },
  { path: 'derivatives-funding-daily-aps1052/binance_btcusdt_funding_daily.csv', parse: parseFundingDaily },
  {
    path: 'derivatives-oi-coinalyze-smoothbrainquant/historical_open_interest_top10_since2020_20251026_040214.csv',
    parse: parseOpenInterest,
  },
];

/**
 * Splits rows at the market clock: what a deployment would have held at `cutoff` (served) and
 * what it would only learn later (the replay store).
 */
export function splitAtClock(rows: IntelRow[], cutoff: number): { served: IntelRow[]; later: IntelRow[] } {
  const served: IntelRow[] = [];
  const later: IntelRow[] = [];
  for (const r of rows) (r.time <= cutoff ? served : later).push(r);
  return { served, later };
}

/** alternative.me Fear & Greed (`Date,fng_value,fng_class`): the value, with the published label kept as is. */
export function parseFearGreed(text: string): IntelRow[] {
  const out: IntelRow[] = [];
  for (const line of lines(text)) {
    const [date = '', value, label] = line.split(',');
    const time = Date.parse(`${date}T00:00:00Z`);
    const v = num(value);
    if (!Number.isFinite(time) || !Number.isFinite(v)) continue;
    out.push({
      target: 'market_indicators',
      series: 'fear_greed',
      assetId: '',
      time,
      value: v,
      label: label?.trim() || null,
      source: 'alternative.me',
    });
  }
  return out;
}

/** Coin Metrics community BTC columns served as on-chain series (intel/SOURCES.md gives units). */
export const COINMETRICS_BTC_SERIES: Record<string, string> = {
  AdrActCnt: 'btc_active_addresses',
  TxCnt: 'btc_tx_count',
  HashRate: 'btc_hash_rate',
  CapMVRVCur: 'btc_mvrv',
  FlowInExNtv: 'btc_exchange_inflow',
  FlowOutExNtv: 'btc_exchange_outflow',
  SplyExNtv: 'btc_exchange_supply',
  IssTotNtv: 'btc_issuance',
  FeeTotNtv: 'btc_fees',
  BlkCnt: 'btc_blocks',
  SplyCur: 'btc_supply',
  PriceUSD: 'btc_price_usd',
};

/**
 * Coin Metrics' btc.csv to one series per column of COINMETRICS_BTC_SERIES, plus
 * `btc_block_height`: the running sum of BlkCnt (the height at the day's end, within a few
 * blocks of the chain's: Coin Metrics counts blocks by their timestamps). Empty cells stay missing.
 */
export function parseCoinMetricsBtc(text: string): IntelRow[] {
  const all = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (all[0] ?? '').split(',');
  const idx = Object.entries(COINMETRICS_BTC_SERIES).map(
    ([col, series]) => [header.indexOf(col), series] as const,
  );
  const blk = header.indexOf('BlkCnt');
  const out: IntelRow[] = [];
  let height = 0;
  for (const line of all.slice(1)) {
    const cols = line.split(',');
    const time = Date.parse(`${cols[0] ?? ''}T00:00:00Z`);
    if (!Number.isFinite(time)) continue;
    const row = (series: string, value: number): IntelRow => ({
      target: 'market_indicators',
      series,
      assetId: '',
      time,
      value,
      label: null,
      source: 'coinmetrics-community',
    });
    for (const [i, series] of idx) {
      const v = i >= 0 ? num(cols[i]) : Number.NaN;
      if (Number.isFinite(v)) out.push(row(series, v));
    }
    const b = num(cols[blk]);
    if (Number.isFinite(b)) {
      height += b;
      out.push(row('btc_block_height', height));
    }
  }
  return out;
}

/** Binance BTCUSDT funding, daily mean of the 8-hourly rates (`date,funding_rate`, fraction per 8 h). */
export function parseFundingDaily(text: string): IntelRow[] {
  return parseDatedValues(text, 'btc_funding_rate', 'binance-fapi-fundingRate').filter(
    // The file's last day is partial (SOURCES.md); a partial mean would change later.
    (_r, i, rows) => i < rows.length - 1,
  );
}

/** Coinalyze daily open interest (USD, Binance COIN-M perps) to `oi_<symbol>` series from the close. */
export function parseOpenInterest(text: string): IntelRow[] {
  const out: IntelRow[] = [];
  for (const line of lines(text)) {
    const c = line.split(',');
    const symbol = (c[2] ?? '').toUpperCase();
    // SOURCES.md: the "USDT" and "USDC" rows are mislabelled other contracts; drop them.
    if (!symbol || symbol === 'USDT' || symbol === 'USDC') continue;
    const time = Date.parse(`${c[4] ?? ''}T00:00:00Z`);
    const v = num(c[9]);
    if (!Number.isFinite(time) || !(v > 0)) continue;
    out.push({
      target: 'market_indicators',
      series: `oi_${symbol.toLowerCase()}`,
      assetId: '',
      time,
      value: v,
      label: null,
      source: 'coinalyze-binance-coinm',
    });
  }
  return out;
}
