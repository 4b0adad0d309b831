import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';
import { portfolios } from './portfolios';
import { users } from './users';

export const BOT_STATUSES = ['stopped', 'running'] as const;
export const BOT_MODES = ['paper', 'live'] as const;
export const BOT_TIMEFRAMES = ['1h', '4h', '1d'] as const;

/**
 * Trading bots (002). The row is the configuration and the last known status; the bot's
 * schedule and decisions live in its Durable Object (durable/bot.ts), its fills in the
 * ledger of its own paper portfolio (`portfolio_id`), tagged with `bot_id`.
 */
export const bots = sqliteTable(
  'bots',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    tradingPair: text('trading_pair').notNull(),
    assetId: text('asset_id').notNull(),
    strategy: text('strategy').notNull(),
    mode: text('mode', { enum: BOT_MODES }).notNull().default('paper'),
    status: text('status', { enum: BOT_STATUSES }).notNull().default('stopped'),
    timeframe: text('timeframe', { enum: BOT_TIMEFRAMES }).notNull().default('1d'),
    riskPerTrade: real('risk_per_trade'),
    stopLoss: real('stop_loss'),
    takeProfit: real('take_profit'),
    feeRate: real('fee_rate').notNull(),
    slippage: real('slippage').notNull(),
    indicators: text('indicators', { mode: 'json' }).$type<string[]>().notNull(),
    parameters: text('parameters', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    initialBalance: real('initial_balance').notNull(),
    portfolioId: text('portfolio_id')
      .notNull()
      .references(() => portfolios.id),
    stopReason: text('stop_reason'),
    startedAt: text('started_at'),
    stoppedAt: text('stopped_at'),
    lastTickAt: text('last_tick_at'),
    deletedAt: text('deleted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('bots_user_idx').on(t.userId, t.createdAt), index('bots_status_idx').on(t.status)],
);

export const BACKTEST_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;

/** Backtest runs and their stored results (002 /api/backtesting). */
export const backtests = sqliteTable(
  'backtests',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    strategy: text('strategy').notNull(),
    tradingPair: text('trading_pair').notNull(),
    status: text('status', { enum: BACKTEST_STATUSES }).notNull(),
    jobId: text('job_id'),
    /** The validated request: bot config (defaults filled), dates, balance, execution. */
    config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** SHA-256 of the config and the candles used: equal hashes give equal results. */
    inputHash: text('input_hash'),
    summary: text('summary', { mode: 'json' }).$type<Record<string, unknown>>(),
    trades: text('trades', { mode: 'json' }).$type<unknown[]>(),
    equity: text('equity', { mode: 'json' }).$type<unknown[]>(),
    meta: text('meta', { mode: 'json' }).$type<Record<string, unknown>>(),
    error: text('error'),
    createdAt: createdAt(),
    completedAt: text('completed_at'),
  },
  (t) => [index('backtests_user_idx').on(t.userId, t.createdAt)],
);

/** Per-user risk limits (002): percentages of equity, leverage a multiplier. */
export const riskLimits = sqliteTable('risk_limits', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id),
  maxPositionSize: real('max_position_size').notNull(),
  maxDailyLoss: real('max_daily_loss').notNull(),
  maxDrawdown: real('max_drawdown').notNull(),
  maxLeverage: real('max_leverage').notNull(),
  updatedAt: updatedAt(),
});

export const RISK_ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** Risk alerts (002): raised by limit breaches; `dedupe_key` makes raising one twice a no-op. */
export const riskAlerts = sqliteTable(
  'risk_alerts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    type: text('type').notNull(),
    severity: text('severity', { enum: RISK_ALERT_SEVERITIES }).notNull(),
    message: text('message').notNull(),
    botId: text('bot_id'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    dedupeKey: text('dedupe_key').unique(),
    acknowledged: integer('acknowledged', { mode: 'boolean' }).notNull().default(false),
    acknowledgedAt: text('acknowledged_at'),
    createdAt: createdAt(),
  },
  (t) => [index('risk_alerts_user_idx').on(t.userId, t.acknowledged, t.createdAt)],
);

/** Integrations a user has started (002 /api/integrations). */
export const userIntegrations = sqliteTable(
  'user_integrations',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    startedAt: text('started_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.name] })],
);
