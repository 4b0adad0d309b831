import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';

export const SIGNAL_STATUSES = ['active', 'executed', 'closed', 'expired', 'cancelled'] as const;

/**
 * Trading signals (000's ai_trading_signals). `owner_id` '' for signals the schedule made
 * for everyone; a user id for one a user generated (visible to that user only).
 */
export const tradingSignals = sqliteTable(
  'trading_signals',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull().default(''),
    assetId: text('asset_id').notNull(),
    modelId: text('model_id').notNull(),
    modelVersion: integer('model_version').notNull(),
    predictionId: text('prediction_id'),
    direction: text('direction', { enum: ['long', 'short'] }).notNull(),
    timeframe: text('timeframe').notNull().default('1d'),
    quality: text('quality', { enum: ['high', 'medium', 'low'] }).notNull(),
    confidence: real('confidence').notNull(),
    entryPrice: real('entry_price').notNull(),
    stopLoss: real('stop_loss').notNull(),
    takeProfit1: real('take_profit_1').notNull(),
    takeProfit2: real('take_profit_2').notNull(),
    atr: real('atr').notNull(),
    positionSizePct: real('position_size_pct').notNull(),
    riskLevel: text('risk_level', { enum: ['low', 'medium', 'high'] }).notNull(),
    confluence: text('confluence', { mode: 'json' }).$type<Record<string, unknown>[]>().notNull(),
    marketContext: text('market_context', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Market time (epoch ms) the signal was made at, and when it lapses. */
    generatedAt: integer('generated_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    status: text('status', { enum: SIGNAL_STATUSES }).notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('trading_signals_unique').on(t.ownerId, t.modelId, t.assetId, t.generatedAt),
    index('trading_signals_asset_idx').on(t.assetId, t.generatedAt),
    index('trading_signals_status_idx').on(t.status, t.expiresAt),
  ],
);

/** A user's execution of a signal: their entry, exit and result. Theirs alone. */
export const signalExecutions = sqliteTable(
  'signal_executions',
  {
    id: text('id').primaryKey(),
    signalId: text('signal_id').notNull(),
    userId: text('user_id').notNull(),
    status: text('status', { enum: ['executed', 'closed', 'cancelled'] }).notNull(),
    entryPrice: real('entry_price').notNull(),
    quantity: real('quantity'),
    executedAt: integer('executed_at').notNull(),
    exitPrice: real('exit_price'),
    closedAt: integer('closed_at'),
    realizedReturn: real('realized_return'),
    notes: text('notes'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('signal_executions_user_signal').on(t.userId, t.signalId),
    index('signal_executions_user_idx').on(t.userId, t.status),
  ],
);

/** Suggestions and recommendations shown to users, and their feedback. */
export const aiSuggestions = sqliteTable(
  'ai_suggestions',
  {
    id: text('id').primaryKey(),
    /** '' for suggestions anyone sees (per asset / default watchlist); a user id for personal ones. */
    userId: text('user_id').notNull().default(''),
    kind: text('kind').notNull(),
    assetId: text('asset_id'),
    action: text('action').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['open', 'implemented', 'dismissed'] })
      .notNull()
      .default('open'),
    implementedAt: text('implemented_at'),
    asOf: integer('as_of').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('ai_suggestions_unique').on(t.userId, t.kind, t.assetId, t.asOf),
    index('ai_suggestions_user_idx').on(t.userId, t.asOf),
  ],
);

export const suggestionFeedback = sqliteTable(
  'suggestion_feedback',
  {
    id: text('id').primaryKey(),
    suggestionId: text('suggestion_id').notNull(),
    userId: text('user_id').notNull(),
    rating: integer('rating').notNull(),
    feedbackText: text('feedback_text'),
    actionTaken: text('action_taken'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('suggestion_feedback_user').on(t.suggestionId, t.userId)],
);
