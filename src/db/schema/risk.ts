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

/**
 * 004's stored risk summary (2.11) per portfolio and confidence level at the default lookback:
 * the body the route serves, written by the risk batch and on demand. Served while its market
 * day equals the clock's and `holdings_key` matches the portfolio's open holdings.
 */
export const riskSummaries = sqliteTable(
  'risk_summaries',
  {
    portfolioId: text('portfolio_id').notNull(),
    /** The confidence as a decimal string (`0.95`). */
    confidence: text('confidence').notNull(),
    holdingsKey: text('holdings_key').notNull(),
    body: text('body', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    calculatedAt: text('calculated_at').notNull(),
    asOf: text('as_of').notNull(),
  },
  (t) => [primaryKey({ columns: [t.portfolioId, t.confidence] })],
);

/**
 * One run of the nightly risk batch (id = the fan-out job's id): the market day it computes
 * and its progress, summed from its chunks.
 */
export const riskBatchRuns = sqliteTable('risk_batch_runs', {
  id: text('id').primaryKey(),
  /** The market day (YYYY-MM-DD) the run computes figures for. */
  asOfDay: text('as_of_day').notNull(),
  portfolios: integer('portfolios').notNull(),
  chunks: integer('chunks').notNull(),
  done: integer('done').notNull().default(0),
  skipped: integer('skipped').notNull().default(0),
  failed: integer('failed').notNull().default(0),
  chunksFinished: integer('chunks_finished').notNull().default(0),
  status: text('status').notNull(),
  createdAt: text('created_at').notNull(),
  finishedAt: text('finished_at'),
});

/** One chunk of a batch run: its portfolios, the queue job running it and what it did. */
export const riskBatchChunks = sqliteTable(
  'risk_batch_chunks',
  {
    runId: text('run_id').notNull(),
    chunk: integer('chunk').notNull(),
    jobId: text('job_id'),
    portfolioIds: text('portfolio_ids', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status').notNull(),
    done: integer('done').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** Milliseconds of compute for the chunk's portfolios (the batch bench reads it). */
    elapsedMs: real('elapsed_ms'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.chunk] })],
);
