import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const ASSET_METRICS = ['market_cap', 'circulating_supply'] as const;
export type AssetMetric = (typeof ASSET_METRICS)[number];

/**
 * Dated figures of one asset that are not prices: CoinGecko's daily market cap, CMC's monthly
 * circulating supply. Served: holds only rows at or before the market clock.
 */
export const assetMetrics = sqliteTable(
  'asset_metrics',
  {
    assetId: text('asset_id').notNull(),
    metric: text('metric', { enum: ASSET_METRICS }).notNull(),
    /** Observation time, epoch ms UTC. */
    time: integer('time').notNull(),
    value: real('value').notNull(),
    source: text('source').notNull(),
  },
  (t) => [primaryKey({ columns: [t.assetId, t.metric, t.time] })],
);

export const INTEL_TARGETS = ['asset_metrics', 'market_indicators'] as const;
export type IntelTarget = (typeof INTEL_TARGETS)[number];

/**
 * Replay only: shipped intel rows later than the market clock, waiting for `ingestIntelUntil`
 * to move them into the served tables. The API never reads this table.
 */
export const intelReplayStore = sqliteTable(
  'intel_replay_store',
  {
    target: text('target', { enum: INTEL_TARGETS }).notNull(),
    /** The metric (asset_metrics) or the series (market_indicators). */
    series: text('series').notNull(),
    /** '' for market_indicators rows. */
    assetId: text('asset_id').notNull().default(''),
    time: integer('time').notNull(),
    value: real('value').notNull(),
    label: text('label'),
    source: text('source').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.target, t.series, t.assetId, t.time] }),
    index('intel_replay_store_time_idx').on(t.time),
  ],
);
