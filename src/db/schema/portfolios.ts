import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';
import { users } from './users';

export const POSITION_TYPES = ['LONG', 'SHORT', 'CALL', 'PUT'] as const;
export type PositionType = (typeof POSITION_TYPES)[number];

export const TRADE_TYPES = ['buy', 'sell', 'add', 'remove', 'dividend', 'fee', 'split'] as const;
export type TradeType = (typeof TRADE_TYPES)[number];

/** 003's asset types, plus etf. The asset catalog's own types map onto these. */
export const TRADE_ASSET_TYPES = ['crypto', 'pk-equity', 'us-equity', 'etf', 'cash', 'metal'] as const;
export type TradeAssetType = (typeof TRADE_ASSET_TYPES)[number];

/**
 * Portfolios. Holdings, cash and P&L are never stored as inputs: they are derived from the
 * trades ledger. The `derived` columns cache the last replay, rewritten in the same batch as
 * every ledger change, so reads of the current state do not replay 5,000 trades.
 */
export const portfolios = sqliteTable(
  'portfolios',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    description: text('description'),
    /** Free label (004 shows "HNW"); 000 calls it portfolio_type. */
    portfolioType: text('portfolio_type').notNull().default('personal'),
    baseCurrency: text('base_currency').notNull().default('USD'),
    /** 002's paper or live trading mode. */
    mode: text('mode', { enum: ['paper', 'live'] })
      .notNull()
      .default('live'),
    /** How realized P&L and cost are reported by default: weighted average (003) or FIFO lots. */
    costMethod: text('cost_method', { enum: ['wac', 'fifo'] })
      .notNull()
      .default('wac'),
    isPublic: integer('is_public', { mode: 'boolean' }).notNull().default(false),
    /** The portfolio 003's paths (`/api/user/...`, mode live) or 002's manual trades (per mode) use: made on first use. */
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    /** Bumped by every ledger change; each change claims the next version in `ledger_commits`. */
    ledgerVersion: integer('ledger_version').notNull().default(0),
    /** Derived: cash balance (decimal text) after the last replay. */
    cash: text('cash').notNull().default('0'),
    /** Derived: { realized_wac, realized_fifo, income, fees, net_flows } as decimal text. */
    totals: text('totals', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: text('deleted_at'),
  },
  (t) => [
    index('portfolios_user_idx').on(t.userId, t.deletedAt),
    index('portfolios_public_idx').on(t.isPublic),
    // One default portfolio per user and mode (003's live one, 002's paper one), even when two
    // first requests race to make it.
    uniqueIndex('portfolios_default_unique')
      .on(t.userId, t.mode)
      .where(sql`${t.isDefault} = 1 AND ${t.deletedAt} IS NULL`),
  ],
);

/**
 * Positions: what the ledger's entries move. The descriptive columns are the user's; the
 * `derived` ones (quantity, cost, realized P&L, opened/closed) are rewritten from the ledger.
 */
export const positions = sqliteTable(
  'positions',
  {
    id: text('id').primaryKey(),
    portfolioId: text('portfolio_id').notNull(),
    /** The priced asset (for options, the underlying's id is in `underlying_asset_id`). Null when unknown to the catalog. */
    assetId: text('asset_id'),
    symbol: text('symbol').notNull(),
    assetType: text('asset_type', { enum: TRADE_ASSET_TYPES }).notNull(),
    positionType: text('position_type', { enum: POSITION_TYPES }).notNull().default('LONG'),
    underlyingAssetId: text('underlying_asset_id'),
    strike: text('strike'),
    /** YYYY-MM-DD. */
    expiry: text('expiry'),
    multiplier: text('multiplier').notNull().default('1'),
    impliedVolatility: real('implied_volatility'),
    notes: text('notes'),
    /** Target weight, percent of the portfolio. */
    allocationTarget: real('allocation_target'),
    tags: text('tags', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    /** 000's soft delete: an inactive position and its trades leave the portfolio's figures. */
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    quantity: text('quantity').notNull().default('0'),
    costBasis: text('cost_basis').notNull().default('0'),
    avgCost: text('avg_cost').notNull().default('0'),
    fifoCostBasis: text('fifo_cost_basis').notNull().default('0'),
    realizedPnl: text('realized_pnl').notNull().default('0'),
    fifoRealizedPnl: text('fifo_realized_pnl').notNull().default('0'),
    income: text('income').notNull().default('0'),
    totalCost: text('total_cost').notNull().default('0'),
    totalProceeds: text('total_proceeds').notNull().default('0'),
    openedAt: text('opened_at'),
    closedAt: text('closed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: text('deleted_at'),
  },
  (t) => [
    index('positions_portfolio_idx').on(t.portfolioId, t.isActive),
    index('positions_asset_idx').on(t.assetId),
  ],
);

/**
 * The trades ledger (003's user_trades): buys, sells, deposits (`add`), withdrawals
 * (`remove`), dividends, fees and splits. Amounts are exact decimal text.
 */
export const trades = sqliteTable(
  'trades',
  {
    id: text('id').primaryKey(),
    portfolioId: text('portfolio_id').notNull(),
    userId: text('user_id').notNull(),
    /** Null for cash deposits/withdrawals and portfolio-level fees. */
    positionId: text('position_id'),
    tradeType: text('trade_type', { enum: TRADE_TYPES }).notNull(),
    assetType: text('asset_type', { enum: TRADE_ASSET_TYPES }).notNull(),
    symbol: text('symbol').notNull(),
    quantity: text('quantity').notNull(),
    price: text('price').notNull(),
    fees: text('fees').notNull().default('0'),
    totalAmount: text('total_amount').notNull(),
    /** ISO date (YYYY-MM-DD) or date-time; the ledger is replayed in (trade_date, seq) order. */
    tradeDate: text('trade_date').notNull(),
    /** Insertion order within the portfolio: the tie-breaker for trades on the same date. */
    seq: integer('seq').notNull(),
    notes: text('notes'),
    source: text('source', { enum: ['api', 'import', 'position', 'bot'] })
      .notNull()
      .default('api'),
    botId: text('bot_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('trades_portfolio_idx').on(t.portfolioId, t.tradeDate, t.seq),
    index('trades_position_idx').on(t.positionId),
    index('trades_user_idx').on(t.userId, t.tradeDate),
  ],
);

/**
 * One row per ledger change. The primary key makes concurrent changes to one portfolio
 * serial: two writers that read the same version both try to insert version + 1, and the
 * second one's batch fails as a whole (D1 batches are transactions), so it re-reads and retries.
 */
export const ledgerCommits = sqliteTable(
  'ledger_commits',
  {
    portfolioId: text('portfolio_id').notNull(),
    version: integer('version').notNull(),
    action: text('action').notNull(),
    userId: text('user_id').notNull(),
    /** What changed: the trade ids, and for edits and deletes the previous rows. */
    details: text('details', { mode: 'json' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.portfolioId, t.version] })],
);
