import { and, asc, count, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { assets, quotes, watchlistAssets, watchlistHistory, watchlists } from '../../db/schema';
import type { Principal } from '../../env';
import { assetView, resolveAsset, resolveAssets } from '../assets/service';
import { audit } from '../audit/service';
import { capInputColumns } from '../prices/market-cap';

type Watchlist = typeof watchlists.$inferSelect;

/** The admin-curated list guests see (001): a fixed id, so every deployment agrees. */
export const DEFAULT_WATCHLIST_ID = 'wl_default';
export const DEFAULT_WATCHLIST_SIZE = 15;
const MAX_WATCHLISTS = 50;
const MAX_ASSETS = 200;
/** Ids per IN list, under D1's 100 bound parameters with room for the other condition. */
const IN_CHUNK = 90;

function view(w: Watchlist, assetCount: number) {
  return {
    id: w.id,
    watchlist_id: w.id,
    user_id: w.userId,
    name: w.name,
    description: w.description,
    is_public: w.isPublic,
    is_default: w.isDefault,
    sort_order: w.sortOrder,
    asset_count: assetCount,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

/** The watchlist's assets with their current prices and 24h changes, in the user's order. */
export async function watchlistAssetViews(env: Env, watchlistId: string) {
  const [rows, now] = await Promise.all([
    db(env)
      .select({ item: watchlistAssets, asset: assets, quote: quotes, ...capInputColumns })
      .from(watchlistAssets)
      .innerJoin(assets, eq(assets.id, watchlistAssets.assetId))
      .leftJoin(quotes, eq(quotes.assetId, assets.id))
      .where(eq(watchlistAssets.watchlistId, watchlistId))
      .orderBy(asc(watchlistAssets.sortOrder), asc(assets.symbol)),
    marketNow(env),
  ]);
  return rows.map(({ item, asset, quote, capSupply, capReported }) => ({
    ...assetView(asset, quote ? { ...quote, capSupply, capReported } : null, now),
    notes: item.notes,
    position_type: item.positionType,
    target_price: item.targetPrice,
    distance_to_target_pct:
      item.targetPrice !== null && quote ? ((item.targetPrice - quote.price) / quote.price) * 100 : null,
    sort_order: item.sortOrder,
    added_at: item.addedAt,
  }));
}

/**
 * A watchlist the caller may read: their own, a public one, or the default; anything else
 * (another user's private list, a deleted one) answers 404.
 */
async function readable(env: Env, principal: Principal | undefined, id: string): Promise<Watchlist> {
  const w = await db(env)
    .select()
    .from(watchlists)
    .where(
      and(
        eq(watchlists.id, id),
        isNull(watchlists.deletedAt),
        or(
          eq(watchlists.isPublic, true),
          eq(watchlists.isDefault, true),
          principal ? eq(watchlists.userId, principal.userId) : sql`0`,
        ),
      ),
    )
    .get();
  if (!w) throw new ApiError('NOT_FOUND', `Watchlist ${id} not found`);
  return w;
}

/** A watchlist the caller owns (and so may change); others' answer 404. */
async function owned(env: Env, principal: Principal, id: string): Promise<Watchlist> {
  const w = await db(env)
    .select()
    .from(watchlists)
    .where(and(eq(watchlists.id, id), eq(watchlists.userId, principal.userId), isNull(watchlists.deletedAt)))
    .get();
  if (!w) throw new ApiError('NOT_FOUND', `Watchlist ${id} not found`);
  return w;
}

async function countAssets(env: Env, id: string): Promise<number> {
  return (
    (
      await db(env)
        .select({ n: count() })
        .from(watchlistAssets)
        .where(eq(watchlistAssets.watchlistId, id))
        .get()
    )?.n ?? 0
  );
}

export async function listWatchlists(env: Env, principal: Principal) {
  const rows = await db(env)
    .select({
      w: watchlists,
      n: sql<number>`(SELECT COUNT(*) FROM watchlist_assets wa WHERE wa.watchlist_id = ${watchlists.id})`,
    })
    .from(watchlists)
    .where(and(eq(watchlists.userId, principal.userId), isNull(watchlists.deletedAt)))
    .orderBy(asc(watchlists.sortOrder), desc(watchlists.createdAt));
  return rows.map((r) => view(r.w, r.n));
}

export async function getWatchlist(env: Env, principal: Principal | undefined, id: string) {
  const w = await readable(env, principal, id);
  const items = await watchlistAssetViews(env, w.id);
  return { ...view(w, items.length), assets: items };
}

export interface WatchlistInput {
  name: string;
  description?: string | null | undefined;
  is_public?: boolean | undefined;
  sort_order?: number | undefined;
  assets?: string[] | undefined;
}

/** The distinct asset ids of symbols or ids, in the order given; 404 naming any unknown. */
async function assetIdsOf(env: Env, keys: string[]): Promise<string[]> {
  if (!keys.length) return [];
  const found = await resolveAssets(env, keys);
  const missing = keys.filter((s) => !found.has(s.trim().toUpperCase()));
  if (missing.length)
    throw new ApiError('NOT_FOUND', `Unknown assets: ${missing.join(', ')}`, { details: { missing } });
  return [...new Set(keys.map((s) => found.get(s.trim().toUpperCase())?.id ?? ''))].filter(Boolean);
}

export async function createWatchlist(env: Env, principal: Principal, input: WatchlistInput) {
  const d = db(env);
  const n =
    (
      await d
        .select({ n: count() })
        .from(watchlists)
        .where(and(eq(watchlists.userId, principal.userId), isNull(watchlists.deletedAt)))
        .get()
    )?.n ?? 0;
  if (n >= MAX_WATCHLISTS)
    throw new ApiError('VALIDATION_ERROR', `At most ${MAX_WATCHLISTS} watchlists per user`);
  const assetIds = await assetIdsOf(env, input.assets ?? []);
  const id = newId('watchlist');
  await d.batch([
    d.insert(watchlists).values({
      id,
      userId: principal.userId,
      name: input.name,
      description: input.description ?? null,
      isPublic: input.is_public ?? false,
      sortOrder: input.sort_order ?? 0,
    }),
    ...assetIds.map((assetId, i) =>
      d.insert(watchlistAssets).values({ watchlistId: id, assetId, sortOrder: i }),
    ),
  ]);
  return getWatchlist(env, principal, id);
}

export async function updateWatchlist(
  env: Env,
  principal: Principal,
  id: string,
  input: Partial<WatchlistInput>,
) {
  await owned(env, principal, id);
  const assetIds = input.assets === undefined ? undefined : await assetIdsOf(env, input.assets);
  const d = db(env);
  const update = d
    .update(watchlists)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.is_public !== undefined ? { isPublic: input.is_public } : {}),
      ...(input.sort_order !== undefined ? { sortOrder: input.sort_order } : {}),
      updatedAt: new Date().toISOString(),
    })
    .where(eq(watchlists.id, id));
  if (assetIds === undefined) {
    await update;
  } else {
    // 001's `assets[]` is the whole list, in order: assets kept keep their notes and targets.
    const keep = new Set(assetIds);
    const held = await d
      .select({ assetId: watchlistAssets.assetId })
      .from(watchlistAssets)
      .where(eq(watchlistAssets.watchlistId, id));
    const dropped = held.map((h) => h.assetId).filter((a) => !keep.has(a));
    const chunks = Array.from({ length: Math.ceil(dropped.length / IN_CHUNK) }, (_, k) =>
      dropped.slice(k * IN_CHUNK, (k + 1) * IN_CHUNK),
    );
    await d.batch([
      update,
      ...chunks.map((chunk) =>
        d
          .delete(watchlistAssets)
          .where(and(eq(watchlistAssets.watchlistId, id), inArray(watchlistAssets.assetId, chunk))),
      ),
      ...assetIds.map((assetId, i) =>
        d
          .insert(watchlistAssets)
          .values({ watchlistId: id, assetId, sortOrder: i })
          .onConflictDoUpdate({
            target: [watchlistAssets.watchlistId, watchlistAssets.assetId],
            set: { sortOrder: i },
          }),
      ),
    ]);
  }
  return getWatchlist(env, principal, id);
}

export async function deleteWatchlist(env: Env, principal: Principal, id: string) {
  await owned(env, principal, id);
  await db(env).update(watchlists).set({ deletedAt: new Date().toISOString() }).where(eq(watchlists.id, id));
  return { id, deleted: true };
}

export interface ItemInput {
  notes?: string | null | undefined;
  position_type?: 'watch' | 'long' | 'short' | undefined;
  sort_order?: number | undefined;
  target_price?: number | null | undefined;
}

export async function addAsset(
  env: Env,
  principal: Principal,
  id: string,
  assetKey: string,
  input: ItemInput,
) {
  await owned(env, principal, id);
  const asset = await resolveAsset(env, assetKey);
  if ((await countAssets(env, id)) >= MAX_ASSETS)
    throw new ApiError('VALIDATION_ERROR', `At most ${MAX_ASSETS} assets per watchlist`);
  const rows = await db(env)
    .insert(watchlistAssets)
    .values({
      watchlistId: id,
      assetId: asset.id,
      notes: input.notes ?? null,
      positionType: input.position_type ?? 'watch',
      sortOrder: input.sort_order ?? 0,
      targetPrice: input.target_price ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!rows.length) throw new ApiError('INTEGRITY_ERROR', `${asset.symbol} is already in this watchlist`);
  await db(env).update(watchlists).set({ updatedAt: new Date().toISOString() }).where(eq(watchlists.id, id));
  return getWatchlist(env, principal, id);
}

export async function updateAsset(
  env: Env,
  principal: Principal,
  id: string,
  assetKey: string,
  input: ItemInput,
) {
  await owned(env, principal, id);
  const asset = await resolveAsset(env, assetKey);
  const rows = await db(env)
    .update(watchlistAssets)
    .set({
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      ...(input.position_type !== undefined ? { positionType: input.position_type } : {}),
      ...(input.sort_order !== undefined ? { sortOrder: input.sort_order } : {}),
      ...(input.target_price !== undefined ? { targetPrice: input.target_price } : {}),
    })
    .where(and(eq(watchlistAssets.watchlistId, id), eq(watchlistAssets.assetId, asset.id)))
    .returning();
  if (!rows.length) throw new ApiError('NOT_FOUND', `${asset.symbol} is not in this watchlist`);
  return getWatchlist(env, principal, id);
}

export async function removeAsset(env: Env, principal: Principal, id: string, assetKey: string) {
  await owned(env, principal, id);
  const asset = await resolveAsset(env, assetKey);
  const rows = await db(env)
    .delete(watchlistAssets)
    .where(and(eq(watchlistAssets.watchlistId, id), eq(watchlistAssets.assetId, asset.id)))
    .returning();
  if (!rows.length) throw new ApiError('NOT_FOUND', `${asset.symbol} is not in this watchlist`);
  return getWatchlist(env, principal, id);
}

/** The default watchlist guests see; 404 until an admin (or the seed) has set it. */
export async function defaultWatchlist(env: Env) {
  return getWatchlist(env, undefined, DEFAULT_WATCHLIST_ID);
}

/**
 * An admin replaces the default watchlist's assets (exactly 15, 001) with a reason; the
 * change is one batch, recorded in its history and the audit log.
 */
export async function setDefaultWatchlist(
  env: Env,
  admin: Principal,
  input: { assets: string[]; update_reason: string; name?: string | undefined },
  facts: RequestFacts & { requestId: string },
) {
  const found = await resolveAssets(env, input.assets);
  const missing = input.assets.filter((s) => !found.has(s.trim().toUpperCase()));
  if (missing.length)
    throw new ApiError('NOT_FOUND', `Unknown assets: ${missing.join(', ')}`, { details: { missing } });
  const ids = [...new Set(input.assets.map((s) => found.get(s.trim().toUpperCase())?.id ?? ''))];
  if (ids.length !== DEFAULT_WATCHLIST_SIZE) {
    throw new ApiError(
      'VALIDATION_ERROR',
      `The default watchlist holds exactly ${DEFAULT_WATCHLIST_SIZE} distinct assets`,
    );
  }
  const d = db(env);
  const before = await d
    .select({ assetId: watchlistAssets.assetId })
    .from(watchlistAssets)
    .where(eq(watchlistAssets.watchlistId, DEFAULT_WATCHLIST_ID));
  const now = new Date().toISOString();
  await d.batch([
    d
      .insert(watchlists)
      .values({
        id: DEFAULT_WATCHLIST_ID,
        userId: null,
        name: input.name ?? 'Default watchlist',
        isPublic: true,
        isDefault: true,
      })
      .onConflictDoUpdate({
        target: watchlists.id,
        set: { updatedAt: now, ...(input.name ? { name: input.name } : {}) },
      }),
    d.delete(watchlistAssets).where(eq(watchlistAssets.watchlistId, DEFAULT_WATCHLIST_ID)),
    ...ids.map((assetId, i) =>
      d.insert(watchlistAssets).values({ watchlistId: DEFAULT_WATCHLIST_ID, assetId, sortOrder: i }),
    ),
    d.insert(watchlistHistory).values({
      id: newId('watchlistHistory'),
      watchlistId: DEFAULT_WATCHLIST_ID,
      action: 'replace_assets',
      details: { before: before.map((b) => b.assetId), after: ids },
      updateReason: input.update_reason,
      actorUserId: admin.userId,
    }),
    audit(d, {
      actorUserId: admin.userId,
      action: 'default_watchlist_update',
      targetType: 'watchlist',
      targetId: DEFAULT_WATCHLIST_ID,
      details: { update_reason: input.update_reason, after: ids },
      facts,
      requestId: facts.requestId,
    }),
  ]);
  return adminDefaultWatchlist(env);
}

export async function adminDefaultWatchlist(env: Env) {
  const list = await defaultWatchlist(env);
  const history = await db(env)
    .select()
    .from(watchlistHistory)
    .where(eq(watchlistHistory.watchlistId, DEFAULT_WATCHLIST_ID))
    .orderBy(desc(watchlistHistory.createdAt))
    .limit(50);
  return {
    ...list,
    history: history.map((h) => ({
      id: h.id,
      action: h.action,
      details: h.details,
      update_reason: h.updateReason,
      actor_user_id: h.actorUserId,
      created_at: h.createdAt,
    })),
  };
}

/** 001's usage analytics for admins: how many lists, who keeps them, what is watched most. */
export async function watchlistAnalytics(env: Env) {
  const d = db(env);
  const live = and(isNull(watchlists.deletedAt), eq(watchlists.isDefault, false));
  const [totals, top, sizes] = await Promise.all([
    d
      .select({
        watchlists: count(),
        users: sql<number>`count(distinct ${watchlists.userId})`,
        public: sql<number>`sum(${watchlists.isPublic})`,
      })
      .from(watchlists)
      .where(live)
      .get(),
    d
      .select({ symbol: assets.symbol, asset_id: assets.id, watchers: count() })
      .from(watchlistAssets)
      .innerJoin(watchlists, eq(watchlists.id, watchlistAssets.watchlistId))
      .innerJoin(assets, eq(assets.id, watchlistAssets.assetId))
      .where(live)
      .groupBy(assets.id)
      .orderBy(desc(count()))
      .limit(20),
    d
      .select({ n: sql<number>`count(*)` })
      .from(watchlistAssets)
      .innerJoin(watchlists, eq(watchlists.id, watchlistAssets.watchlistId))
      .where(live)
      .groupBy(watchlistAssets.watchlistId),
  ]);
  const lists = totals?.watchlists ?? 0;
  return {
    total_watchlists: lists,
    users_with_watchlists: totals?.users ?? 0,
    public_watchlists: totals?.public ?? 0,
    average_assets_per_watchlist: sizes.length
      ? Math.round((sizes.reduce((s, r) => s + r.n, 0) / sizes.length) * 10) / 10
      : 0,
    empty_watchlists: lists - sizes.length,
    most_watched_assets: top,
  };
}
