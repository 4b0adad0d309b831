/** The market-data sources Meridian knows, shown by the admin data-sources endpoint with their health. */
export const DATA_SOURCES = [
  { id: 'replay', name: 'Replay of the shipped history', kind: 'replay', baseUrl: null },
  {
    id: 'coingecko',
    name: 'CoinGecko',
    kind: 'crypto prices, market caps, global data',
    baseUrl: 'https://api.coingecko.com/api/v3',
  },
  {
    id: 'binance',
    name: 'Binance spot',
    kind: 'crypto candles and 24h tickers',
    baseUrl: 'https://api.binance.com',
  },
  { id: 'kraken', name: 'Kraken', kind: 'crypto candles and tickers', baseUrl: 'https://api.kraken.com' },
  {
    id: 'alternative_me',
    name: 'alternative.me Fear & Greed',
    kind: 'sentiment index',
    baseUrl: 'https://api.alternative.me',
  },
  { id: 'stooq', name: 'Stooq', kind: 'ETF, index and FX daily candles', baseUrl: 'https://stooq.com' },
] as const;

export type DataSourceId = (typeof DATA_SOURCES)[number]['id'];
