import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { newId } from '../../../core/ids';
import { TIERS } from '../../../core/tiers';
import type { Database } from '../../../db/client';
import { db } from '../../../db/client';
import { planPrices, subscriptionEvents } from '../../../db/schema';
import { audit } from '../../audit/service';

/**
 * Plans and prices (admins configure what each tier costs) and subscription events (every
 * tier change with the price at that moment). Business metrics read only these.
 */

export async function listPlans(env: Env) {
  const rows = await db(env).select().from(planPrices);
  const byTier = new Map(rows.map((r) => [r.tier, r]));
  return TIERS.map((t) => {
    const p = byTier.get(t.code);
    return {
      tier: t.code,
      name: t.name,
      monthly_price: p?.monthlyPrice ?? 0,
      annual_price: Math.round((p?.monthlyPrice ?? 0) * 12 * 100) / 100,
      currency: p?.currency ?? 'USD',
      configured: p !== undefined,
      updated_at: p?.updatedAt ?? null,
    };
  });
}

export async function setPlanPrices(
  env: Env,
  prices: { tier: string; monthly_price: number; currency: string }[],
  actor: { userId: string; requestId: string },
) {
  const d = db(env);
  const now = new Date().toISOString();
  await d.batch([
    audit(d, {
      actorUserId: actor.userId,
      action: 'billing.plan_prices_updated',
      targetType: 'plan_prices',
      targetId: prices.map((p) => p.tier).join(','),
      details: prices,
      requestId: actor.requestId,
    }),
    ...prices.map((p) =>
      d
        .insert(planPrices)
        .values({
          tier: p.tier,
          monthlyPrice: p.monthly_price,
          currency: p.currency,
          updatedBy: actor.userId,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: planPrices.tier,
          set: {
            monthlyPrice: p.monthly_price,
            currency: p.currency,
            updatedBy: actor.userId,
            updatedAt: now,
          },
        }),
    ),
  ]);
  return listPlans(env);
}

/**
 * The insert recording a tier change, priced with the configured plans; to go in the same
 * batch as the change. Null when the tier does not change. Wrapped in an object: a drizzle
 * query is thenable, so an async function returning it bare would run it.
 */
export async function subscriptionEventFor(
  d: Database,
  change: { userId: string; fromTier: string; toTier: string; actor: string | null },
) {
  if (change.fromTier === change.toTier) return null;
  const rows = await d.select().from(planPrices);
  const price = (tier: string) => rows.find((r) => r.tier === tier);
  const to = price(change.toTier);
  const from = price(change.fromTier);
  const toPrice = to?.monthlyPrice ?? 0;
  const fromPrice = from?.monthlyPrice ?? 0;
  const kind =
    fromPrice === 0 && toPrice > 0
      ? 'new'
      : fromPrice > 0 && toPrice === 0
        ? 'cancel'
        : toPrice > fromPrice
          ? 'upgrade'
          : toPrice < fromPrice
            ? 'downgrade'
            : 'change';
  const insert = d.insert(subscriptionEvents).values({
    id: newId('subscriptionEvent'),
    userId: change.userId,
    fromTier: change.fromTier,
    toTier: change.toTier,
    monthlyPrice: toPrice,
    previousMonthlyPrice: fromPrice,
    currency: to?.currency ?? from?.currency ?? 'USD',
    kind,
    actor: change.actor,
    occurredAt: new Date().toISOString(),
  });
  return { insert };
}

export type SubscriptionEvent = typeof subscriptionEvents.$inferSelect;

/** Every subscription event up to `until` (ISO), oldest first. */
export async function eventsUntil(env: Env, until: string, since?: string): Promise<SubscriptionEvent[]> {
  return db(env)
    .select()
    .from(subscriptionEvents)
    .where(
      and(
        lte(subscriptionEvents.occurredAt, until),
        since ? gte(subscriptionEvents.occurredAt, since) : undefined,
      ),
    )
    .orderBy(asc(subscriptionEvents.occurredAt), asc(subscriptionEvents.id));
}

export async function userEvents(env: Env, userId: string) {
  return db(env).select().from(subscriptionEvents).where(eq(subscriptionEvents.userId, userId));
}
