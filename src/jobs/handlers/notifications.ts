import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { config } from '../../core/config';
import { db } from '../../db/client';
import { notifications, pushDeliveries, pushSubscriptions, users } from '../../db/schema';
import { createNotification, notificationView } from '../../domains/notifications/service';
import { PushEndpointError, sendPush } from '../../notifications/push';
import { defineJob } from './types';

/**
 * Delivers one notification to every push subscription of its user. Each outcome is
 * recorded per subscription, so a retried job skips those already delivered; expired
 * subscriptions (404/410) are removed; a push service asking to retry fails the attempt
 * and the job retries with backoff.
 */
export const pushNotification = defineJob({
  payload: z.object({ notification_id: z.string() }),
  async run(ctx, payload) {
    const d = db(ctx.env);
    const n = await d.select().from(notifications).where(eq(notifications.id, payload.notification_id)).get();
    if (!n) return { skipped: 'notification gone' };
    const { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey } = ctx.env;
    if (!publicKey || !privateKey) throw new Error('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are not set');
    const vapid = { publicKey, privateKey, subject: ctx.env.VAPID_SUBJECT || 'mailto:ops@meridian.dev' };
    const done = await d
      .select({ id: pushDeliveries.subscriptionId })
      .from(pushDeliveries)
      .where(eq(pushDeliveries.notificationId, n.id));
    const skip = new Set(done.map((r) => r.id));
    const subs = (
      await d.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, n.userId))
    ).filter((s) => !skip.has(s.id));
    const payloadText = JSON.stringify({ ...notificationView(n), url: `/notifications/${n.id}` });
    const outcome = { delivered: 0, expired: 0, rejected: 0, retry: 0 };
    const allowedHosts = config(ctx.env).PUSH_ALLOWED_HOSTS;
    for (const sub of subs) {
      // A subscription the egress policy no longer allows (or a stored endpoint that fails the
      // SSRF guard) is refused here, never fetched, and removed like an expired one.
      const result = await sendPush({
        subscription: { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
        payload: payloadText,
        vapid,
        allowedHosts,
        urgency: n.priority === 'urgent' || n.priority === 'high' ? 'high' : 'normal',
      }).catch((err: unknown) => {
        if (err instanceof PushEndpointError) return { status: 'expired' as const, httpStatus: null };
        throw err;
      });
      outcome[result.status]++;
      if (result.status === 'retry') continue;
      await d.batch([
        d
          .insert(pushDeliveries)
          .values({
            notificationId: n.id,
            subscriptionId: sub.id,
            status: result.status,
            httpStatus: result.httpStatus,
          })
          .onConflictDoNothing(),
        result.status === 'expired'
          ? d.delete(pushSubscriptions).where(eq(pushSubscriptions.id, sub.id))
          : d
              .update(pushSubscriptions)
              .set(
                result.status === 'delivered'
                  ? { lastSuccessAt: new Date().toISOString(), failureCount: 0 }
                  : { failureCount: sql`${pushSubscriptions.failureCount} + 1` },
              )
              .where(eq(pushSubscriptions.id, sub.id)),
      ]);
    }
    if (outcome.retry) throw new Error(`${outcome.retry} push services asked to retry later`);
    return outcome;
  },
});

const BATCH = 200;

/**
 * An admin's broadcast: one notification per matching user, in pages, with progress. The
 * dedupe key is the job, so a retried or duplicated job notifies nobody twice.
 */
export const broadcastNotification = defineJob({
  payload: z.object({
    job_key: z.string(),
    title: z.string(),
    message: z.string(),
    type: z.string().default('broadcast'),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
    filter: z
      .object({ role: z.enum(['user', 'admin']).optional(), tiers: z.array(z.string()).optional() })
      .default({}),
  }),
  async run(ctx, p) {
    const d = db(ctx.env);
    const where = (after: string) =>
      and(
        gt(users.id, after),
        eq(users.status, 'active'),
        p.filter.role ? eq(users.role, p.filter.role) : undefined,
        p.filter.tiers?.length ? inArray(users.tier, p.filter.tiers) : undefined,
      );
    const total = (await d.select({ n: sql<number>`count(*)` }).from(users).where(where('')).get())?.n ?? 0;
    let after = '';
    let seen = 0;
    let created = 0;
    for (;;) {
      if (await ctx.cancelRequested()) return { recipients: total, notified: created, cancelled: true };
      const page = await d
        .select({ id: users.id })
        .from(users)
        .where(where(after))
        .orderBy(asc(users.id))
        .limit(BATCH);
      if (!page.length) break;
      for (const u of page) {
        const row = await createNotification(ctx.env, {
          userId: u.id,
          type: p.type,
          category: 'system',
          priority: p.priority,
          title: p.title,
          message: p.message,
          dedupeKey: `broadcast:${p.job_key}`,
        });
        if (row) created++;
      }
      seen += page.length;
      after = page.at(-1)?.id ?? after;
      await ctx.progress(total ? (seen / total) * 100 : 100, `${seen} of ${total} users`);
    }
    return { recipients: total, notified: created };
  },
});
