import { and, count, desc, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import { config } from '../../core/config';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Page } from '../../core/pagination';
import { db } from '../../db/client';
import {
  NOTIFICATION_CHANNELS,
  type NOTIFICATION_PRIORITIES,
  type NOTIFICATION_STATUSES,
  notificationPreferences,
  notifications,
  pushSubscriptions,
} from '../../db/schema';
import type { Principal } from '../../env';
import { publish } from '../../events/bus';
import { enqueueJob } from '../../jobs/service';
import { assertPushEndpoint, assertPushHostAllowed, PushEndpointError } from '../../notifications/push';

type Row = typeof notifications.$inferSelect;
type Channel = (typeof NOTIFICATION_CHANNELS)[number];

export function notificationView(n: Row) {
  return {
    id: n.id,
    notification_id: n.id,
    type: n.type,
    category: n.category,
    priority: n.priority,
    title: n.title,
    message: n.message,
    data: n.data ?? null,
    status: n.status,
    is_read: n.status !== 'unread',
    read: n.status !== 'unread',
    read_at: n.readAt,
    dismissed_at: n.dismissedAt,
    created_at: n.createdAt,
    // 002's name for when the notification was made.
    timestamp: n.createdAt,
  };
}

export interface NewNotification {
  userId: string;
  type: string;
  category?: string;
  priority?: (typeof NOTIFICATION_PRIORITIES)[number];
  title: string;
  message: string;
  data?: Record<string, unknown>;
  /** Creating twice with the same key for one user makes one notification. */
  dedupeKey?: string;
}

/** Whether a user wants `category` on `channel`; no row means yes, except email. */
async function wants(env: Env, userId: string, channel: Channel, category: string): Promise<boolean> {
  const rows = await db(env)
    .select({ category: notificationPreferences.category, enabled: notificationPreferences.enabled })
    .from(notificationPreferences)
    .where(
      and(
        eq(notificationPreferences.userId, userId),
        eq(notificationPreferences.channel, channel),
        inArray(notificationPreferences.category, [category, '*']),
      ),
    );
  const specific = rows.find((r) => r.category === category) ?? rows.find((r) => r.category === '*');
  return specific ? specific.enabled : channel !== 'email';
}

/**
 * Creates a notification (once per dedupe key), publishes `notification.created`, and
 * queues Web Push delivery when the user has subscriptions and wants push for it.
 * Returns null when it already existed or the user turned the category off in-app.
 */
export async function createNotification(env: Env, input: NewNotification): Promise<Row | null> {
  const category = input.category ?? input.type;
  if (!(await wants(env, input.userId, 'in_app', category))) return null;
  const [row] = await db(env)
    .insert(notifications)
    .values({
      id: newId('notification'),
      userId: input.userId,
      type: input.type,
      category,
      priority: input.priority ?? 'normal',
      title: input.title,
      message: input.message,
      data: input.data ?? null,
      dedupeKey: input.dedupeKey ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await publish(env, {
    type: 'notification.created',
    userId: row.userId,
    notification: {
      id: row.id,
      type: row.type,
      category: row.category,
      priority: row.priority,
      title: row.title,
      message: row.message,
      created_at: row.createdAt,
    },
  });
  const subs = await db(env)
    .select({ n: count() })
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.userId, row.userId))
    .get();
  if ((subs?.n ?? 0) > 0 && (await wants(env, row.userId, 'push', category))) {
    await enqueueJob(env, {
      type: 'notifications.push',
      payload: { notification_id: row.id },
      userId: row.userId,
    });
  }
  return row;
}

export interface NotificationFilters {
  status?: (typeof NOTIFICATION_STATUSES)[number] | undefined;
  type?: string | undefined;
  category?: string | undefined;
  priority?: (typeof NOTIFICATION_PRIORITIES)[number] | undefined;
  unread_only?: boolean | undefined;
  include_dismissed?: boolean | undefined;
}

export async function listNotifications(env: Env, principal: Principal, f: NotificationFilters, page: Page) {
  const mine = eq(notifications.userId, principal.userId);
  const conditions: (SQL | undefined)[] = [
    mine,
    f.status
      ? eq(notifications.status, f.status)
      : f.include_dismissed
        ? undefined
        : ne(notifications.status, 'dismissed'),
    f.unread_only ? eq(notifications.status, 'unread') : undefined,
    f.type ? eq(notifications.type, f.type) : undefined,
    f.category ? eq(notifications.category, f.category) : undefined,
    f.priority ? eq(notifications.priority, f.priority) : undefined,
  ];
  const d = db(env);
  const [rows, total, unread] = await Promise.all([
    d
      .select()
      .from(notifications)
      .where(and(...conditions))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(page.limit)
      .offset(page.offset),
    d
      .select({ n: count() })
      .from(notifications)
      .where(and(...conditions))
      .get(),
    d
      .select({ n: count() })
      .from(notifications)
      .where(and(mine, eq(notifications.status, 'unread')))
      .get(),
  ]);
  return { total: total?.n ?? 0, unread_count: unread?.n ?? 0, notifications: rows.map(notificationView) };
}

async function owned(env: Env, principal: Principal, id: string): Promise<Row> {
  const row = await db(env)
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, principal.userId)))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Notification ${id} not found`);
  return row;
}

/** One notification; reading it the first time marks it read. */
export async function readNotification(env: Env, principal: Principal, id: string) {
  const row = await owned(env, principal, id);
  if (row.status !== 'unread') return notificationView(row);
  const [updated] = await db(env)
    .update(notifications)
    .set({ status: 'read', readAt: new Date().toISOString() })
    .where(
      and(
        eq(notifications.id, id),
        eq(notifications.userId, principal.userId),
        eq(notifications.status, 'unread'),
      ),
    )
    .returning();
  return notificationView(updated ?? row);
}

export async function dismissNotification(env: Env, principal: Principal, id: string) {
  await owned(env, principal, id);
  const [row] = await db(env)
    .update(notifications)
    .set({ status: 'dismissed', dismissedAt: new Date().toISOString() })
    .where(and(eq(notifications.id, id), eq(notifications.userId, principal.userId)))
    .returning();
  if (!row) throw new ApiError('NOT_FOUND', `Notification ${id} not found`);
  return notificationView(row);
}

export async function markAllRead(env: Env, principal: Principal) {
  const result = await db(env)
    .update(notifications)
    .set({ status: 'read', readAt: new Date().toISOString() })
    .where(and(eq(notifications.userId, principal.userId), eq(notifications.status, 'unread')))
    .returning({ id: notifications.id });
  return { marked_read: result.length };
}

/** Preferences per channel and category: `{ channel: { category: enabled } }` ('*' is any category). */
export async function getPreferences(env: Env, principal: Principal) {
  const rows = await db(env)
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, principal.userId));
  const out: Record<Channel, Record<string, boolean>> = {
    in_app: { '*': true },
    push: { '*': true },
    email: { '*': false },
  };
  for (const r of rows) out[r.channel][r.category] = r.enabled;
  return out;
}

type ChannelPrefs = Partial<Record<Channel, Record<string, boolean>>>;

/** 001's preferences body: channels switched on or off, for some categories or all. */
export interface SimplePrefs {
  email_enabled?: boolean | undefined;
  push_enabled?: boolean | undefined;
  categories?: string[] | undefined;
}

/**
 * 001's form as whole channel settings: each named channel on or off, and with `categories`
 * on only for those (in-app too, since it has no flag of its own).
 */
function channelPrefs(input: SimplePrefs): ChannelPrefs {
  const flags: [Channel, boolean | undefined][] = [
    ['email', input.email_enabled],
    ['push', input.push_enabled],
    ['in_app', input.categories ? true : undefined],
  ];
  const out: ChannelPrefs = {};
  for (const [channel, on] of flags) {
    if (on === undefined) continue;
    out[channel] = input.categories
      ? { '*': false, ...Object.fromEntries(input.categories.map((c) => [c, on])) }
      : { '*': on };
  }
  return out;
}

const isSimple = (p: ChannelPrefs | SimplePrefs): p is SimplePrefs =>
  'email_enabled' in p || 'push_enabled' in p || 'categories' in p;

/**
 * Sets preferences per channel and category (upserts), or in 001's form, which replaces the
 * settings of the channels it names.
 */
export async function setPreferences(env: Env, principal: Principal, input: ChannelPrefs | SimplePrefs) {
  const d = db(env);
  const now = new Date().toISOString();
  const simple = isSimple(input);
  const prefs = simple ? channelPrefs(input) : input;
  const replaced = simple ? NOTIFICATION_CHANNELS.filter((ch) => prefs[ch] !== undefined) : [];
  const clear = replaced.length
    ? [
        d
          .delete(notificationPreferences)
          .where(
            and(
              eq(notificationPreferences.userId, principal.userId),
              inArray(notificationPreferences.channel, replaced),
            ),
          ),
      ]
    : [];
  const statements = Object.entries(prefs).flatMap(([channel, categories]) =>
    Object.entries(categories ?? {}).map(([category, enabled]) =>
      d
        .insert(notificationPreferences)
        .values({ userId: principal.userId, channel: channel as Channel, category, enabled, updatedAt: now })
        .onConflictDoUpdate({
          target: [
            notificationPreferences.userId,
            notificationPreferences.channel,
            notificationPreferences.category,
          ],
          set: { enabled, updatedAt: now },
        }),
    ),
  );
  const [first, ...rest] = [...clear, ...statements];
  if (first) await d.batch([first, ...rest]);
  return getPreferences(env, principal);
}

/**
 * Saves a Web Push subscription after checking its endpoint is an https URL on a public
 * host of a known push service (no SSRF through push delivery). Re-subscribing the same
 * endpoint updates it; an endpoint another user registered answers 409 and changes nothing.
 */
export async function subscribePush(
  env: Env,
  principal: Principal,
  input: { endpoint: string; keys: { p256dh: string; auth: string } },
  userAgent: string | null,
) {
  try {
    assertPushHostAllowed(assertPushEndpoint(input.endpoint), config(env).PUSH_ALLOWED_HOSTS);
  } catch (err) {
    if (err instanceof PushEndpointError) {
      throw new ApiError('VALIDATION_ERROR', `Push endpoint refused: ${err.message}`, {
        details: [{ loc: ['body', 'endpoint'], msg: err.message, type: err.reason }],
      });
    }
    throw err;
  }
  const [row] = await db(env)
    .insert(pushSubscriptions)
    .values({
      id: newId('pushSubscription'),
      userId: principal.userId,
      endpoint: input.endpoint,
      p256dh: input.keys.p256dh,
      auth: input.keys.auth,
      userAgent,
    })
    .onConflictDoUpdate({
      target: pushSubscriptions.endpoint,
      set: {
        p256dh: input.keys.p256dh,
        auth: input.keys.auth,
        userAgent,
        failureCount: 0,
      },
      // Only the user who registered an endpoint may update it: another account sending the
      // same URL must not take its notifications over.
      setWhere: eq(pushSubscriptions.userId, principal.userId),
    })
    .returning();
  if (!row) {
    throw new ApiError('INTEGRITY_ERROR', 'This push endpoint is registered to another account', {
      suggestion: 'The account that subscribed this browser must unsubscribe it first.',
    });
  }
  return { id: row.id, endpoint: row.endpoint, created_at: row.createdAt };
}

export async function unsubscribePush(env: Env, principal: Principal, endpoint: string) {
  const rows = await db(env)
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, principal.userId)))
    .returning({ id: pushSubscriptions.id });
  if (!rows.length) throw new ApiError('NOT_FOUND', 'No such subscription of yours');
  return { unsubscribed: true };
}

/** 000's admin stats: notifications by type and by status, and push reach. */
export async function notificationStats(env: Env) {
  const d = db(env);
  const [byType, byStatus, subs, users] = await Promise.all([
    d.select({ type: notifications.type, n: count() }).from(notifications).groupBy(notifications.type),
    d.select({ status: notifications.status, n: count() }).from(notifications).groupBy(notifications.status),
    d.select({ n: count() }).from(pushSubscriptions).get(),
    d
      .select({ n: sql<number>`count(distinct ${pushSubscriptions.userId})` })
      .from(pushSubscriptions)
      .get(),
  ]);
  const total = byStatus.reduce((s, r) => s + r.n, 0);
  return {
    total,
    by_type: Object.fromEntries(byType.map((r) => [r.type, r.n])),
    by_status: Object.fromEntries(byStatus.map((r) => [r.status, r.n])),
    push_subscriptions: subs?.n ?? 0,
    users_with_push: users?.n ?? 0,
  };
}
