import type { AssetType } from '../../db/schema/market';
import { SECTOR_OF } from './sectors';

/** Where an asset's shipped history lives under ../shared/data/prices, and in what layout. */
export interface HistoryFile {
  path: string;
  format:
    | 'yahoo'
    | 'yahoo-adj'
    | 'alphavantage'
    | 'fred'
    | 'gold'
    /** Yahoo layout with `Adj Close`: OHLC scaled by Adj Close / Close (split- and dividend-adjusted). */
    | 'yahoo-adjclose'
    /** EODHD layout with `Adjusted_close`: OHLC scaled by Adjusted_close / Close. */
    | 'eodhd-adjusted'
    /** yfinance 0.2 multi-index CSV (3 header lines) downloaded with auto_adjust: already adjusted. */
    | 'yfinance-autoadj';
  /** The folder under ../shared/data holding `path`: `prices` unless stated. */
  root?: 'prices' | 'factors';
  /** Rows after this day (YYYY-MM-DD) are dropped: partial bars, or days past the shipped market's end. */
  until?: string;
}

export interface CatalogAsset {
  symbol: string;
  name: string;
  type: AssetType;
  sector?: string;
  /** Ids per provider, used by the live adapters. */
  externalIds: Record<string, string>;
  history?: HistoryFile;
  /** Known splits in the unadjusted history (data README). */
  splits?: { exDate: string; ratio: number }[];
  /** The history is split- and dividend-adjusted (a total-return series), not raw closes. */
  adjusted?: boolean;
  /** The style factor this ETF proxies in the risk models (src/domains/risk), if any. */
  factorRole?: FactorRole;
}

/** Factor roles of 004's factor ETFs (and the market and regional proxies). */
export type FactorRole =
  | 'market'
  | 'size'
  | 'value'
  | 'momentum'
  | 'quality'
  | 'low_volatility'
  | 'dividend_yield'
  | 'international'
  | 'emerging_markets'
  | 'growth'
  | 'interest_rate'
  | 'commodities';

/**
 * The shipped market data end on 2024-12-07 (crypto, Yahoo): factor files that run longer are
 * cut there so adding them does not move the replay clock's end (see factors/SOURCES.md).
 */
const FACTOR_DATA_UNTIL = '2024-12-07';

const sectorOf = (symbol: string): Pick<CatalogAsset, 'sector'> => {
  const assigned = SECTOR_OF[symbol];
  return assigned ? { sector: assigned.sector } : {};
};

const crypto = (
  symbol: string,
  name: string,
  coingecko: string,
  file: string,
  extra: Partial<CatalogAsset> = {},
): CatalogAsset => ({
  symbol,
  name,
  type: 'crypto',
  ...sectorOf(symbol),
  externalIds: {
    coingecko,
    binance: `${symbol}USDT`,
    kraken: `${symbol}USD`,
    yahoo: file.replace(/\.csv$/, ''),
  },
  history: { path: `crypto-yahoo/${file}`, format: 'yahoo' },
  ...extra,
});

const etf = (
  symbol: string,
  name: string,
  splits: { exDate: string; ratio: number }[] = [],
): CatalogAsset => ({
  symbol,
  name,
  type: 'etf',
  externalIds: { alphavantage: symbol, stooq: `${symbol.toLowerCase()}.us`, yahoo: symbol },
  history: { path: `etf-alphavantage/${symbol}.csv`, format: 'alphavantage' },
  ...(splits.length ? { splits } : {}),
});

/** A factor ETF or single stock from ../shared/data/factors, adjusted (factors/SOURCES.md). */
const adjusted = (
  symbol: string,
  name: string,
  type: AssetType,
  path: string,
  format: HistoryFile['format'],
  factorRole?: FactorRole,
): CatalogAsset => ({
  symbol,
  name,
  type,
  externalIds: { yahoo: symbol, stooq: `${symbol.toLowerCase()}.us` },
  history: { path, format, root: 'factors', until: FACTOR_DATA_UNTIL },
  adjusted: true,
  ...(factorRole ? { factorRole } : {}),
});

/**
 * The assets Meridian knows from day one, with the real history shipped in ../shared/data
 * (read in place by the seed). Crypto sectors come from the curated classification in sectors.ts.
 */
export const ASSET_CATALOG: CatalogAsset[] = [
  crypto('BTC', 'Bitcoin', 'bitcoin', 'BTC-USD.csv', {
    externalIds: { coingecko: 'bitcoin', binance: 'BTCUSDT', kraken: 'XBTUSD', yahoo: 'BTC-USD' },
  }),
  crypto('ETH', 'Ethereum', 'ethereum', 'ETH-USD.csv'),
  crypto('SOL', 'Solana', 'solana', 'SOL-USD.csv'),
  crypto('BNB', 'BNB', 'binancecoin', 'BNB-USD.csv'),
  crypto('XRP', 'XRP', 'ripple', 'XRP-USD.csv'),
  crypto('ADA', 'Cardano', 'cardano', 'ADA-USD.csv'),
  crypto('DOGE', 'Dogecoin', 'dogecoin', 'DOGE-USD.csv', {
    externalIds: { coingecko: 'dogecoin', binance: 'DOGEUSDT', kraken: 'XDGUSD', yahoo: 'DOGE-USD' },
  }),
  crypto('AVAX', 'Avalanche', 'avalanche-2', 'AVAX-USD.csv'),
  crypto('LINK', 'Chainlink', 'chainlink', 'LINK-USD.csv'),
  crypto('DOT', 'Polkadot', 'polkadot', 'DOT-USD.csv'),
  crypto('LTC', 'Litecoin', 'litecoin', 'LTC-USD.csv', {
    externalIds: { coingecko: 'litecoin', binance: 'LTCUSDT', kraken: 'XLTCZUSD', yahoo: 'LTC-USD' },
  }),
  crypto('TRX', 'TRON', 'tron', 'TRX-USD.csv'),
  crypto('NEAR', 'NEAR Protocol', 'near', 'NEAR-USD.csv'),
  crypto('BCH', 'Bitcoin Cash', 'bitcoin-cash', 'BCH-USD.csv'),
  crypto('TON', 'Toncoin', 'the-open-network', 'TON11419-USD.csv'),
  crypto('SUI', 'Sui', 'sui', 'SUI20947-USD.csv'),
  crypto('MATIC', 'Polygon', 'matic-network', 'MATIC-USD-1d.csv', {
    history: { path: 'crypto-yahoo/MATIC-USD-1d.csv', format: 'yahoo-adj' },
  }),
  crypto('XLM', 'Stellar', 'stellar', 'XLM-USD-1d.csv', {
    history: { path: 'crypto-yahoo/XLM-USD-1d.csv', format: 'yahoo-adj' },
  }),
  crypto('USDT', 'Tether', 'tether', 'USDT-USD.csv', {
    type: 'stablecoin',
    externalIds: { coingecko: 'tether', kraken: 'USDTZUSD', yahoo: 'USDT-USD' },
  }),
  crypto('USDC', 'USD Coin', 'usd-coin', 'USDC-USD.csv', {
    type: 'stablecoin',
    externalIds: { coingecko: 'usd-coin', binance: 'USDCUSDT', kraken: 'USDCUSD', yahoo: 'USDC-USD' },
  }),
  { ...etf('SPY', 'SPDR S&P 500 ETF'), factorRole: 'market' },
  { ...etf('QQQ', 'Invesco QQQ Trust', [{ exDate: '2000-03-20', ratio: 2 }]), factorRole: 'growth' },
  etf('DIA', 'SPDR Dow Jones Industrial Average ETF'),
  {
    ...etf('VTI', 'Vanguard Total Stock Market ETF', [{ exDate: '2008-06-18', ratio: 2 }]),
    factorRole: 'market',
  },
  { ...etf('IWM', 'iShares Russell 2000 ETF', [{ exDate: '2005-06-09', ratio: 2 }]), factorRole: 'size' },
  {
    ...etf('EFA', 'iShares MSCI EAFE ETF', [{ exDate: '2005-06-09', ratio: 3 }]),
    factorRole: 'international',
  },
  {
    ...etf('VWO', 'Vanguard FTSE Emerging Markets ETF', [{ exDate: '2008-06-18', ratio: 2 }]),
    factorRole: 'emerging_markets',
  },
  { ...etf('GLD', 'SPDR Gold Shares'), factorRole: 'commodities' },
  etf('AGG', 'iShares Core US Aggregate Bond ETF'),
  { ...etf('TLT', 'iShares 20+ Year Treasury Bond ETF'), factorRole: 'interest_rate' },
  etf('XLF', 'Financial Select Sector SPDR'),
  etf('XLE', 'Energy Select Sector SPDR'),
  etf('VNQ', 'Vanguard Real Estate ETF'),
  etf('ARKK', 'ARK Innovation ETF'),
  etf('IJH', 'iShares Core S&P Mid-Cap ETF', [
    { exDate: '2005-06-09', ratio: 2 },
    { exDate: '2024-02-22', ratio: 5 },
  ]),
  // Factor ETFs and single stocks of 004 (../shared/data/factors), split- and dividend-adjusted.
  adjusted(
    'MTUM',
    'iShares MSCI USA Momentum Factor ETF',
    'etf',
    'etf-yahoo-chenc319/MTUM.csv',
    'yahoo-adjclose',
    'momentum',
  ),
  adjusted(
    'QUAL',
    'iShares MSCI USA Quality Factor ETF',
    'etf',
    'etf-yahoo-chenc319/QUAL.csv',
    'yahoo-adjclose',
    'quality',
  ),
  adjusted(
    'USMV',
    'iShares MSCI USA Min Vol Factor ETF',
    'etf',
    'etf-yahoo-chenc319/USMV.csv',
    'yahoo-adjclose',
    'low_volatility',
  ),
  adjusted(
    'SPLV',
    'Invesco S&P 500 Low Volatility ETF',
    'etf',
    'etf-yahoo-chenc319/SPLV.csv',
    'yahoo-adjclose',
    'low_volatility',
  ),
  adjusted(
    'VLUE',
    'iShares MSCI USA Value Factor ETF',
    'etf',
    'etf-yahoo-chenc319/VLUE.csv',
    'yahoo-adjclose',
    'value',
  ),
  adjusted(
    'IWD',
    'iShares Russell 1000 Value ETF',
    'etf',
    'etf-yahoo-chenc319/IWD.csv',
    'yahoo-adjclose',
    'value',
  ),
  adjusted(
    'VYM',
    'Vanguard High Dividend Yield ETF',
    'etf',
    'etf-yahoo-chenc319/VYM.csv',
    'yahoo-adjclose',
    'dividend_yield',
  ),
  adjusted(
    'SPHD',
    'Invesco S&P 500 High Dividend Low Volatility ETF',
    'etf',
    'etf-yahoo-chenc319/SPHD.csv',
    'yahoo-adjclose',
  ),
  adjusted(
    'VEA',
    'Vanguard FTSE Developed Markets ETF',
    'etf',
    'etf-eodhd-bdi2357/VEA_US.csv',
    'eodhd-adjusted',
    'international',
  ),
  adjusted(
    'VTV',
    'Vanguard Value ETF',
    'etf',
    'yfinance-autoadj-davidliu/VTV.csv',
    'yfinance-autoadj',
    'value',
  ),
  adjusted(
    'SCHD',
    'Schwab US Dividend Equity ETF',
    'etf',
    'yfinance-autoadj-davidliu/SCHD.csv',
    'yfinance-autoadj',
    'dividend_yield',
  ),
  adjusted('AAPL', 'Apple Inc.', 'us-equity', 'yahoo-finanzascuantitativas/AAPL.csv', 'yahoo-adjclose'),
  adjusted(
    'MSFT',
    'Microsoft Corporation',
    'us-equity',
    'yahoo-finanzascuantitativas/MSFT.csv',
    'yahoo-adjclose',
  ),
  adjusted(
    'NVDA',
    'NVIDIA Corporation',
    'us-equity',
    'yahoo-finanzascuantitativas/NVDA.csv',
    'yahoo-adjclose',
  ),
  adjusted(
    'JPM',
    'JPMorgan Chase & Co.',
    'us-equity',
    'yahoo-finanzascuantitativas/JPM.csv',
    'yahoo-adjclose',
  ),
  {
    symbol: 'BND',
    name: 'Vanguard Total Bond Market ETF',
    type: 'etf',
    externalIds: { stooq: 'bnd.us', yahoo: 'BND' },
    history: { path: 'crypto-yahoo/BND.csv', format: 'yahoo' },
  },
  {
    symbol: 'EURUSD',
    name: 'Euro / US Dollar',
    type: 'fx',
    externalIds: { yahoo: 'EURUSD=X', stooq: 'eurusd' },
    history: { path: 'crypto-yahoo/EURUSD=X.csv', format: 'yahoo' },
  },
  {
    symbol: 'GBPUSD',
    name: 'British Pound / US Dollar',
    type: 'fx',
    externalIds: { yahoo: 'GBPUSD=X', stooq: 'gbpusd' },
    history: { path: 'crypto-yahoo/GBPUSD=X.csv', format: 'yahoo' },
  },
  {
    symbol: 'USDJPY',
    name: 'US Dollar / Japanese Yen',
    type: 'fx',
    externalIds: { yahoo: 'JPY=X', stooq: 'usdjpy' },
    history: { path: 'crypto-yahoo/JPY=X.csv', format: 'yahoo' },
  },
  {
    symbol: 'DXY',
    name: 'US Dollar Index',
    type: 'index',
    externalIds: { yahoo: 'DX-Y.NYB', stooq: 'dx.f' },
    history: { path: 'macro/DX-Y.NYB.csv', format: 'yahoo-adj' },
  },
  {
    symbol: 'TNX',
    name: 'CBOE 10-Year Treasury Note Yield',
    type: 'rate',
    externalIds: { yahoo: '^TNX', stooq: '10usy.b' },
    history: { path: 'macro/^TNX.csv', format: 'yahoo-adj' },
  },
  {
    symbol: 'FEDFUNDS',
    name: 'Effective Federal Funds Rate',
    type: 'rate',
    externalIds: { fred: 'DFF' },
    history: { path: 'macro/DFF.csv', format: 'fred' },
  },
  {
    symbol: 'DEXUSEU',
    name: 'US Dollars per Euro (FRED noon buying rate)',
    type: 'fx',
    externalIds: { fred: 'DEXUSEU' },
    history: { path: 'macro/DEXUSEU.csv', format: 'fred' },
  },
  {
    symbol: 'WTI',
    name: 'WTI Crude Oil',
    type: 'commodity',
    externalIds: { fred: 'DCOILWTICO', stooq: 'cl.f' },
    history: { path: 'macro/DCOILWTICO.csv', format: 'fred' },
  },
  {
    symbol: 'GOLD',
    name: 'Gold (USD per troy ounce)',
    type: 'metal',
    externalIds: { stooq: 'xauusd' },
    history: { path: 'macro/gold_prices_historical.csv', format: 'gold' },
  },
];

/** A stable id per catalog symbol, so seeds on every machine agree. */
export function catalogAssetId(symbol: string): string {
  return `ast_${symbol.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}
