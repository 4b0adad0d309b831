import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';
import { users } from './users';

/** Users' watchlists, and the admin-curated default one (`is_default`, no owner) that guests see. */
export const watchlists = sqliteTable(
  'watchlists',
  {
    id: text('id').primaryKey(),
    /** Null only for the default watchlist. */
    userId: text('user_id').references(() => users.id),
    name: text('name').notNull(),
    description: text('description'),
    isPublic: integer('is_public', { mode: 'boolean' }).notNull().default(false),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: text('deleted_at'),
  },
  (t) => [
    index('watchlists_user_idx').on(t.userId, t.deletedAt),
    index('watchlists_default_idx').on(t.isDefault),
  ],
);

export const watchlistAssets = sqliteTable(
  'watchlist_assets',
  {
    watchlistId: text('watchlist_id').notNull(),
    assetId: text('asset_id').notNull(),
    notes: text('notes'),
    positionType: text('position_type', { enum: ['watch', 'long', 'short'] })
      .notNull()
      .default('watch'),
    targetPrice: real('target_price'),
    sortOrder: integer('sort_order').notNull().default(0),
    addedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.watchlistId, t.assetId] }),
    index('watchlist_assets_asset_idx').on(t.assetId),
  ],
);

/** Changes to the default watchlist, with the admin's `update_reason` (001). */
export const watchlistHistory = sqliteTable(
  'watchlist_history',
  {
    id: text('id').primaryKey(),
    watchlistId: text('watchlist_id').notNull(),
    action: text('action').notNull(),
    details: text('details', { mode: 'json' }),
    updateReason: text('update_reason'),
    actorUserId: text('actor_user_id'),
    createdAt: createdAt(),
  },
  (t) => [index('watchlist_history_idx').on(t.watchlistId, t.createdAt)],
);

export const ALERT_TYPES = [
  'price_above',
  'price_below',
  'price_crosses',
  'percent_change',
  'rsi_above',
  'rsi_below',
  'macd_cross',
  'ma_cross',
] as const;

/**
 * Price and indicator alerts (000's /alerts, 001's /signals/alerts). `last_state` remembers
 * which side of the condition the last evaluation saw, so a crossing fires once;
 * `last_evaluated_at` (market time) is written at an alert's first evaluation and at each
 * state change; with its asset's evaluated span (`alertAssetWatermarks`) it makes repeated and
 * out-of-order price events no-ops without writing the alerts that do not change.
 */
export const alerts = sqliteTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    assetId: text('asset_id').notNull(),
    alertType: text('alert_type', { enum: ALERT_TYPES }).notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    name: text('name'),
    message: text('message'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    repeat: integer('repeat', { mode: 'boolean' }).notNull().default(false),
    cooldownSeconds: integer('cooldown_seconds').notNull().default(0),
    lastState: text('last_state'),
    lastEvaluatedAt: integer('last_evaluated_at'),
    lastTriggeredAt: integer('last_triggered_at'),
    triggerCount: integer('trigger_count').notNull().default(0),
    source: text('source').notNull().default('alerts'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: text('deleted_at'),
  },
  (t) => [
    index('alerts_asset_active_idx').on(t.assetId, t.isActive),
    index('alerts_user_idx').on(t.userId, t.createdAt),
  ],
);

export const alertTriggers = sqliteTable(
  'alert_triggers',
  {
    id: text('id').primaryKey(),
    alertId: text('alert_id').notNull(),
    userId: text('user_id').notNull(),
    assetId: text('asset_id').notNull(),
    /** Market time of the prices that triggered it, epoch ms. */
    triggeredAt: integer('triggered_at').notNull(),
    price: real('price').notNull(),
    /** The indicator's value for indicator alerts. */
    value: real('value'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('alert_triggers_once').on(t.alertId, t.triggeredAt),
    index('alert_triggers_user_idx').on(t.userId, t.triggeredAt),
  ],
);
