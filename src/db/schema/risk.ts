import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Kenneth French daily factor returns, one row per vintage and day, in decimals (the files
 * give percent). A regression reads one vintage only (factors/SOURCES.md: never mix them).
 * Reads stop at the market clock's day.
 */
export const factorReturns = sqliteTable(
  'factor_returns',
  {
    /** CRSP vintage of the files, e.g. `202604`. */
    vintage: text('vintage').notNull(),
    /** The day's 00:00 UTC, epoch ms. */
    time: integer('time').notNull(),
    mktRf: real('mkt_rf').notNull(),
    smb: real('smb').notNull(),
    hml: real('hml').notNull(),
    /** FF5 only (null before 1963-07 or where the 5-factor file has no row). */
    rmw: real('rmw'),
    cma: real('cma'),
    mom: real('mom'),
    rf: real('rf').notNull(),
  },
  (t) => [primaryKey({ columns: [t.vintage, t.time] })],
);

export const FACTOR_SETS = ['etf7', 'ff5mom'] as const;
export type FactorSet = (typeof FACTOR_SETS)[number];

/**
 * 004's PositionFactorExposure: one stored regression per position and factor set, written by
 * the factor batch (src/domains/risk/services/factor-batch.ts) and served with its
 * `calculated_at`.
 */
export const positionFactorExposures = sqliteTable(
  'position_factor_exposures',
  {
    positionId: text('position_id').notNull(),
    factorSet: text('factor_set', { enum: FACTOR_SETS }).notNull(),
    portfolioId: text('portfolio_id').notNull(),
    symbol: text('symbol').notNull(),
    /** `ok`, or why there is no regression (`insufficient_data`, `no_prices`, `unsupported`). */
    status: text('status').notNull(),
    marketValue: real('market_value').notNull(),
    weight: real('weight').notNull(),
    /** JSON: the regression (coefficients with SE and t, alpha, R², residual volatility, window). */
    model: text('model', { mode: 'json' }).$type<Record<string, unknown>>(),
    calculatedAt: text('calculated_at').notNull(),
    /** The market-clock time the regression's data stop at (ISO). */
    asOf: text('as_of').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.positionId, t.factorSet] }),
    index('position_factor_exposures_portfolio').on(t.portfolioId, t.factorSet),
  ],
);

/** The portfolio's value-weighted exposures and risk attribution per factor set (same batch). */
export const portfolioFactorExposures = sqliteTable(
  'portfolio_factor_exposures',
  {
    portfolioId: text('portfolio_id').notNull(),
    factorSet: text('factor_set', { enum: FACTOR_SETS }).notNull(),
    summary: text('summary', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    calculatedAt: text('calculated_at').notNull(),
    asOf: text('as_of').notNull(),
  },
  (t) => [primaryKey({ columns: [t.portfolioId, t.factorSet] })],
);

export const REPORT_FORMATS = ['md', 'json', 'csv', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Portfolio report jobs: status, and the R2 key of the rendered file once done. */
export const riskReports = sqliteTable(
  'risk_reports',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    portfolioId: text('portfolio_id').notNull(),
    format: text('format', { enum: REPORT_FORMATS }).notNull(),
    status: text('status').notNull(),
    objectKey: text('object_key'),
    bytes: integer('bytes'),
    error: text('error'),
    createdAt: text('created_at').notNull(),
    completedAt: text('completed_at'),
    asOf: text('as_of').notNull(),
  },
  (t) => [index('risk_reports_user').on(t.userId, t.createdAt)],
);

/**
 * The risk batch's stored figures per portfolio (VaR/ES grid at 95 and 99, component VaR,
 * metrics), served by /analytics/risk/{id}/metrics with `calculated_at`; recomputed when the
 * market clock passes a close or the holdings change (`holdings_key`).
 */
export const riskSnapshots = sqliteTable('risk_snapshots', {
  portfolioId: text('portfolio_id').primaryKey(),
  holdingsKey: text('holdings_key').notNull(),
  payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  calculatedAt: text('calculated_at').notNull(),
  asOf: text('as_of').notNull(),
});
