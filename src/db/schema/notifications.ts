import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, updatedAt } from './columns';
import { users } from './users';

export const NOTIFICATION_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const NOTIFICATION_STATUSES = ['unread', 'read', 'dismissed'] as const;
export const NOTIFICATION_CHANNELS = ['in_app', 'push', 'email'] as const;

/** In-app notifications (000/001/002). `dedupe_key` makes creating the same one twice a no-op. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    type: text('type').notNull(),
    category: text('category').notNull(),
    priority: text('priority', { enum: NOTIFICATION_PRIORITIES }).notNull().default('normal'),
    title: text('title').notNull(),
    message: text('message').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    status: text('status', { enum: NOTIFICATION_STATUSES }).notNull().default('unread'),
    dedupeKey: text('dedupe_key'),
    readAt: text('read_at'),
    dismissedAt: text('dismissed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('notifications_user_status_idx').on(t.userId, t.status, t.createdAt),
    uniqueIndex('notifications_dedupe_unique').on(t.userId, t.dedupeKey),
    index('notifications_type_idx').on(t.type, t.status),
  ],
);

/** Web Push subscriptions (002). The endpoint is unique: one browser, one row. */
export const pushSubscriptions = sqliteTable(
  'push_subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSuccessAt: text('last_success_at'),
    failureCount: integer('failure_count').notNull().default(0),
  },
  (t) => [
    uniqueIndex('push_subscriptions_endpoint_unique').on(t.endpoint),
    index('push_subscriptions_user_idx').on(t.userId),
  ],
);

/** Which notification went to which subscription, so a retried delivery job never sends twice. */
export const pushDeliveries = sqliteTable(
  'push_deliveries',
  {
    notificationId: text('notification_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    status: text('status', { enum: ['delivered', 'expired', 'rejected'] }).notNull(),
    httpStatus: integer('http_status'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.subscriptionId] })],
);

/** Per channel and category; a missing row means the default (on, except email). */
export const notificationPreferences = sqliteTable(
  'notification_preferences',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    channel: text('channel', { enum: NOTIFICATION_CHANNELS }).notNull(),
    category: text('category').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channel, t.category] })],
);

/** 000's user feedback, answered by admins. */
export const feedback = sqliteTable(
  'feedback',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    category: text('category').notNull(),
    subject: text('subject').notNull(),
    message: text('message').notNull(),
    rating: integer('rating'),
    status: text('status', { enum: ['open', 'responded', 'closed'] })
      .notNull()
      .default('open'),
    adminResponse: text('admin_response'),
    respondedBy: text('responded_by'),
    respondedAt: text('responded_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('feedback_user_idx').on(t.userId, t.createdAt),
    index('feedback_status_idx').on(t.status, t.createdAt),
  ],
);
