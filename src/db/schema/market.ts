import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';

export const ASSET_TYPES = [
  'crypto',
  'stablecoin',
  'us-equity',
  'etf',
  'pk-equity',
  'index',
  'commodity',
  'metal',
  'fx',
  'rate',
] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d', '1w'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/** Anything with a price: crypto, equities and ETFs, indices, commodities and metals, FX, rates. */
export const assets = sqliteTable(
  'assets',
  {
    id: text('id').primaryKey(),
    /** Unique among shared assets (BTC, SPY, GOLD, EURUSD, DXY...), and within each user's own. */
    symbol: text('symbol').notNull(),
    name: text('name').notNull(),
    assetType: text('asset_type', { enum: ASSET_TYPES }).notNull(),
    sectorId: text('sector_id'),
    quoteCurrency: text('quote_currency').notNull().default('USD'),
    /** Ids per provider: { coingecko: 'bitcoin', binance: 'BTCUSDT', kraken: 'XBTUSD', yahoo: 'BTC-USD', stooq: 'spy.us' }. */
    externalIds: text('external_ids', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    description: text('description'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    isSupported: integer('is_supported', { mode: 'boolean' }).notNull().default(true),
    /** '' for the shared catalog; a user id for a user's own private series (imported data). */
    ownerId: text('owner_id').notNull().default(''),
    accessCount: integer('access_count').notNull().default(0),
    lastAccessedAt: text('last_accessed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('assets_symbol_owner_unique').on(t.symbol, t.ownerId),
    index('assets_type_idx').on(t.assetType, t.isActive),
    index('assets_sector_idx').on(t.sectorId),
  ],
);

/**
 * Candles (000's price_data), unadjusted. One per (asset, timeframe, open time), so every
 * write is an upsert and ingesting the same data twice changes nothing.
 */
export const priceData = sqliteTable(
  'price_data',
  {
    assetId: text('asset_id').notNull(),
    timeframe: text('timeframe', { enum: TIMEFRAMES }).notNull(),
    /** Open time, epoch milliseconds UTC. */
    openTime: integer('open_time').notNull(),
    open: real('open').notNull(),
    high: real('high').notNull(),
    low: real('low').notNull(),
    close: real('close').notNull(),
    volume: real('volume').notNull().default(0),
    source: text('source').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.assetId, t.timeframe, t.openTime] }),
    index('price_data_time_idx').on(t.timeframe, t.openTime),
  ],
);

/** The latest quote per asset. */
export const quotes = sqliteTable('quotes', {
  assetId: text('asset_id').primaryKey(),
  price: real('price').notNull(),
  open24h: real('open_24h'),
  high24h: real('high_24h'),
  low24h: real('low_24h'),
  change24h: real('change_24h'),
  changePct24h: real('change_pct_24h'),
  volume24h: real('volume_24h'),
  marketCap: real('market_cap'),
  source: text('source').notNull(),
  /** Epoch ms of the price. */
  asOf: integer('as_of').notNull(),
});

/** Splits (and later dividends): the adjusted series divides prices before `ex_date` by `ratio`. */
export const corporateActions = sqliteTable(
  'corporate_actions',
  {
    id: text('id').primaryKey(),
    assetId: text('asset_id').notNull(),
    actionType: text('action_type', { enum: ['split'] }).notNull(),
    /** YYYY-MM-DD, the first day trading at the new basis. */
    exDate: text('ex_date').notNull(),
    /** New shares per old share: 2 for a 2:1 split. */
    ratio: real('ratio').notNull(),
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('corporate_actions_unique').on(t.assetId, t.actionType, t.exDate)],
);

/** Providers and their health: what the admin data-sources endpoints report. */
export const dataSources = sqliteTable('data_sources', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  baseUrl: text('base_url'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  lastSuccessAt: text('last_success_at'),
  lastErrorAt: text('last_error_at'),
  lastError: text('last_error'),
  callsDate: text('calls_date'),
  callsToday: integer('calls_today').notNull().default(0),
  errorsToday: integer('errors_today').notNull().default(0),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  circuitState: text('circuit_state', { enum: ['closed', 'open', 'half_open'] })
    .notNull()
    .default('closed'),
  circuitOpenedAt: text('circuit_opened_at'),
  avgLatencyMs: real('avg_latency_ms'),
  updatedAt: updatedAt(),
});

/** Old intraday candles moved to R2: one compressed file per asset, timeframe and month. */
export const priceDataArchive = sqliteTable(
  'price_data_archive',
  {
    id: text('id').primaryKey(),
    assetId: text('asset_id').notNull(),
    timeframe: text('timeframe', { enum: TIMEFRAMES }).notNull(),
    startTime: integer('start_time').notNull(),
    endTime: integer('end_time').notNull(),
    rows: integer('rows').notNull(),
    r2Key: text('r2_key').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('price_data_archive_key_unique').on(t.r2Key),
    index('price_data_archive_range_idx').on(t.assetId, t.timeframe, t.startTime),
  ],
);

/** Single-value market series that are not prices of an asset: fear & greed, dominance, total market cap. */
export const marketIndicators = sqliteTable(
  'market_indicators',
  {
    series: text('series').notNull(),
    time: integer('time').notNull(),
    value: real('value').notNull(),
    label: text('label'),
    source: text('source').notNull(),
  },
  (t) => [primaryKey({ columns: [t.series, t.time] })],
);

/** Small shared facts of the market-data pipeline: the replay clock, the data version caches key on. */
export const marketState = sqliteTable('market_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * The replay's store of shipped daily candles the market clock has not reached yet. Only the
 * replay ingestion reads it: it moves each candle into `price_data` when the clock passes the
 * candle's close, so the served tables hold exactly what a live deployment would have held.
 * No route, service or job reads it.
 */
export const replayCandles = sqliteTable(
  'replay_candles',
  {
    assetId: text('asset_id').notNull(),
    /** Open time of the day, epoch milliseconds UTC. */
    openTime: integer('open_time').notNull(),
    open: real('open').notNull(),
    high: real('high').notNull(),
    low: real('low').notNull(),
    close: real('close').notNull(),
    volume: real('volume').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.assetId, t.openTime] }), index('replay_candles_time_idx').on(t.openTime)],
);
