import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** How a dividend was obtained: a step of the adjusted/close factor, or the file's own column. */
export const DIVIDEND_METHODS = ['adj_close_step', 'reported'] as const;
export type DividendMethod = (typeof DIVIDEND_METHODS)[number];

const eventColumns = {
  assetId: text('asset_id').notNull(),
  /** Ex-date, 00:00 UTC epoch ms (market time). */
  exTime: integer('ex_time').notNull(),
  /** Cash per share, in the asset's (split-adjusted) close units. */
  amount: real('amount').notNull(),
  /** The unadjusted close of the trading day before the ex-date. */
  closeBefore: real('close_before').notNull(),
  /** The source file's adjusted / close from this ex-date on (converts its adjusted closes to unadjusted). */
  factor: real('factor').notNull(),
  method: text('method', { enum: DIVIDEND_METHODS }).notNull(),
  /** The file under ../shared/data it was derived from. */
  source: text('source').notNull(),
};

/**
 * Cash dividends per share by ex-date, derived from the shipped price files
 * (src/domains/prices/dividend-files.ts). Served: holds only ex-dates the market clock has reached.
 */
export const dividendEvents = sqliteTable('dividend_events', eventColumns, (t) => [
  primaryKey({ columns: [t.assetId, t.exTime] }),
]);

/**
 * Replay only: dividends with an ex-date after the market clock, waiting for
 * `ingestDividendsUntil` to move them into `dividend_events`. No route or service reads it.
 */
export const dividendReplayStore = sqliteTable('dividend_replay_store', eventColumns, (t) => [
  primaryKey({ columns: [t.assetId, t.exTime] }),
  index('dividend_replay_store_time_idx').on(t.exTime),
]);

/**
 * Per asset, the file its dividends come from and the span it covers: a trailing yield is
 * served only where the source covers its whole window. `basis` says how the asset's served
 * closes relate to the source: `raw` (unadjusted closes: the yield's denominator as is) or
 * `source_adjusted` (the served closes are this file's adjusted closes: divided by the factor).
 */
export const dividendSources = sqliteTable('dividend_sources', {
  assetId: text('asset_id').primaryKey(),
  source: text('source').notNull(),
  method: text('method', { enum: DIVIDEND_METHODS }).notNull(),
  basis: text('basis', { enum: ['raw', 'source_adjusted'] }).notNull(),
  /** First and last rows of the file (00:00 UTC epoch ms); reads never look past the market clock. */
  firstTime: integer('first_time').notNull(),
  lastTime: integer('last_time').notNull(),
  /** adjusted / close on the first row, before the file's first ex-date. */
  firstFactor: real('first_factor').notNull(),
});
