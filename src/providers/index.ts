export * from './alternative-me';
export * from './binance';
export * from './circuit';
export * from './coingecko';
export * from './common';
export * from './http';
export * from './kraken';
export * from './stooq';
export type * from './types';
