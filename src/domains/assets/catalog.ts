import type { AssetType } from '../../db/schema/market';
import { SECTOR_OF } from './sectors';

/** Where an asset's shipped history lives under ../shared/data/prices, and in what layout. */
export interface HistoryFile {
  path: string;
  format: 'yahoo' | 'yahoo-adj' | 'alphavantage' | 'fred' | 'gold';
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
}

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
  etf('SPY', 'SPDR S&P 500 ETF'),
  etf('QQQ', 'Invesco QQQ Trust', [{ exDate: '2000-03-20', ratio: 2 }]),
  etf('DIA', 'SPDR Dow Jones Industrial Average ETF'),
  etf('VTI', 'Vanguard Total Stock Market ETF', [{ exDate: '2008-06-18', ratio: 2 }]),
  etf('IWM', 'iShares Russell 2000 ETF', [{ exDate: '2005-06-09', ratio: 2 }]),
  etf('EFA', 'iShares MSCI EAFE ETF', [{ exDate: '2005-06-09', ratio: 3 }]),
  etf('VWO', 'Vanguard FTSE Emerging Markets ETF', [{ exDate: '2008-06-18', ratio: 2 }]),
  etf('GLD', 'SPDR Gold Shares'),
  etf('AGG', 'iShares Core US Aggregate Bond ETF'),
  etf('TLT', 'iShares 20+ Year Treasury Bond ETF'),
  etf('XLF', 'Financial Select Sector SPDR'),
  etf('XLE', 'Energy Select Sector SPDR'),
  etf('VNQ', 'Vanguard Real Estate ETF'),
  etf('ARKK', 'ARK Innovation ETF'),
  etf('IJH', 'iShares Core S&P Mid-Cap ETF', [
    { exDate: '2005-06-09', ratio: 2 },
    { exDate: '2024-02-22', ratio: 5 },
  ]),
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
