import { and, asc, count, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { RequestFacts } from '../../core/client';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import { marketNow } from '../../core/market-clock';
import type { Page } from '../../core/pagination';
import { db } from '../../db/client';
import { type AssetType, assets, priceData, quotes } from '../../db/schema';
import type { Principal } from '../../env';
import { audit } from '../audit/service';
import {
  type CapInputs,
  capInputColumns,
  marketCapOrder,
  quoteFacts,
  servedQuotes,
} from '../prices/market-cap';

export type AssetRow = typeof assets.$inferSelect;
export type QuoteRow = typeof quotes.$inferSelect;

/** Shared catalog assets only: users' own series never appear on public routes. */
export const isShared = eq(assets.ownerId, '');

/**
 * Finds a shared asset by id (`ast_...`) or symbol (any case), or with `ownerId` one of
 * that user's own; anything else (including another user's) answers 404.
 */
export async function resolveAsset(env: Env, idOrSymbol: string, ownerId?: string): Promise<AssetRow> {
  const key = idOrSymbol.trim();
  const row = await db(env)
    .select()
    .from(assets)
    .where(
      and(
        key.startsWith('ast_') ? eq(assets.id, key) : eq(assets.symbol, key.toUpperCase()),
        ownerId === undefined ? isShared : eq(assets.ownerId, ownerId),
      ),
    )
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Asset ${idOrSymbol} not found`);
  return row;
}

/** Many assets by symbol or id in one query; the map is keyed by the requested spelling, upper-cased. */
export async function resolveAssets(env: Env, keys: string[]): Promise<Map<string, AssetRow>> {
  const wanted = [...new Set(keys.map((k) => k.trim().toUpperCase()))];
  const out = new Map<string, AssetRow>();
  // Each key is bound twice (symbol, id) plus the owner filter: 45 keys stay under D1's 100.
  for (let i = 0; i < wanted.length; i += 45) {
    const chunk = wanted.slice(i, i + 45);
    const rows = await db(env)
      .select()
      .from(assets)
      .where(and(isShared, sql`(upper(${assets.symbol}) IN ${chunk} OR upper(${assets.id}) IN ${chunk})`));
    for (const row of rows) {
      out.set(row.symbol.toUpperCase(), row);
      out.set(row.id.toUpperCase(), row);
    }
  }
  return out;
}

/**
 * An asset with its latest quote, as every surface serves it: the quote's freshness against the
 * market clock `now` (as_of, stale and why) and its market cap with how it was obtained.
 */
export function assetView(a: AssetRow, q: (QuoteRow & Partial<CapInputs>) | null, now: number) {
  const facts = quoteFacts(a, q, now);
  return {
    id: a.id,
    asset_id: a.id,
    symbol: a.symbol,
    name: a.name,
    asset_type: a.assetType,
    sector_id: a.sectorId,
    quote_currency: a.quoteCurrency,
    current_price: q?.price ?? null,
    price_change_24h: q?.change24h ?? null,
    price_change_percentage_24h: q?.changePct24h ?? null,
    volume_24h: q?.volume24h ?? null,
    price_updated_at: q ? new Date(q.asOf).toISOString() : null,
    is_active: a.isActive,
    is_supported: a.isSupported,
    ...facts,
  };
}

export type AssetView = ReturnType<typeof assetView>;

export interface AssetFilters {
  asset_type?: AssetType | undefined;
  search?: string | undefined;
  include_inactive?: boolean | undefined;
}

/** A joined quote row with its market-cap inputs, or null when the asset has no quote. */
const withCaps = (r: { quote: QuoteRow | null } & CapInputs) =>
  r.quote ? { ...r.quote, capSupply: r.capSupply, capReported: r.capReported } : null;

function likePattern(text: string): string {
  return `%${text.toLowerCase().replaceAll(/[%_\\]/g, (m) => `\\${m}`)}%`;
}

/** Active, supported assets with their latest quote (000's list). */
export async function listAssets(env: Env, filters: AssetFilters, page: Page) {
  const d = db(env);
  const conditions: (SQL | undefined)[] = [isShared];
  if (!filters.include_inactive) conditions.push(eq(assets.isActive, true), eq(assets.isSupported, true));
  if (filters.asset_type) conditions.push(eq(assets.assetType, filters.asset_type));
  if (filters.search) {
    const p = likePattern(filters.search);
    conditions.push(
      sql`(lower(${assets.symbol}) LIKE ${p} ESCAPE '\\' OR lower(${assets.name}) LIKE ${p} ESCAPE '\\')`,
    );
  }
  const where = and(...conditions);
  const [rows, total, now] = await Promise.all([
    d
      .select({ asset: assets, quote: quotes, ...capInputColumns })
      .from(assets)
      .leftJoin(quotes, eq(quotes.assetId, assets.id))
      .where(where)
      .orderBy(sql`${marketCapOrder} IS NULL`, desc(marketCapOrder), asc(assets.symbol))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(assets).where(where).get(),
    marketNow(env),
  ]);
  return { total: total?.n ?? 0, assets: rows.map((r) => assetView(r.asset, withCaps(r), now)) };
}

/** One asset with external ids and what history it has. */
export async function assetDetail(env: Env, idOrSymbol: string) {
  const asset = await resolveAsset(env, idOrSymbol);
  const d = db(env);
  const [quotesById, coverage, now] = await Promise.all([
    servedQuotes(env, [asset.id]),
    d
      .select({
        timeframe: priceData.timeframe,
        candles: count(),
        first: sql<number>`min(${priceData.openTime})`,
        last: sql<number>`max(${priceData.openTime})`,
      })
      .from(priceData)
      .where(eq(priceData.assetId, asset.id))
      .groupBy(priceData.timeframe),
    marketNow(env),
  ]);
  return {
    ...assetView(asset, quotesById.get(asset.id) ?? null, now),
    description: asset.description,
    external_ids: asset.externalIds,
    links: Object.fromEntries(
      Object.entries(asset.externalIds).flatMap(([provider, id]) => {
        const url =
          provider === 'coingecko'
            ? `https://www.coingecko.com/en/coins/${id}`
            : provider === 'yahoo'
              ? `https://finance.yahoo.com/quote/${encodeURIComponent(id)}`
              : null;
        return url ? [[provider, url]] : [];
      }),
    ),
    metrics_details: {
      access_count: asset.accessCount,
      last_accessed_at: asset.lastAccessedAt,
      history: coverage.map((c) => ({
        timeframe: c.timeframe,
        candles: c.candles,
        first: new Date(c.first).toISOString(),
        last: new Date(c.last).toISOString(),
      })),
    },
    created_at: asset.createdAt,
    updated_at: asset.updatedAt,
  };
}

/**
 * Search by symbol and name, best matches first (exact symbol, symbol prefix, name prefix,
 * anywhere), counting each returned asset's access.
 */
export async function searchAssets(env: Env, q: string, limit: number, assetType?: AssetType) {
  const d = db(env);
  const term = q.trim().toLowerCase();
  const p = likePattern(term);
  const prefix = `${term.replaceAll(/[%_\\]/g, (m) => `\\${m}`)}%`;
  const rank = sql<number>`CASE
      WHEN lower(${assets.symbol}) = ${term} THEN 0
      WHEN lower(${assets.symbol}) LIKE ${prefix} ESCAPE '\\' THEN 1
      WHEN lower(${assets.name}) LIKE ${prefix} ESCAPE '\\' THEN 2
      ELSE 3 END`;
  const now = await marketNow(env);
  const rows = await d
    .select({ asset: assets, quote: quotes, rank, ...capInputColumns })
    .from(assets)
    .leftJoin(quotes, eq(quotes.assetId, assets.id))
    .where(
      and(
        isShared,
        eq(assets.isActive, true),
        assetType ? eq(assets.assetType, assetType) : undefined,
        sql`(lower(${assets.symbol}) LIKE ${p} ESCAPE '\\' OR lower(${assets.name}) LIKE ${p} ESCAPE '\\')`,
      ),
    )
    .orderBy(rank, sql`${marketCapOrder} IS NULL`, desc(marketCapOrder), asc(assets.symbol))
    .limit(limit);
  if (rows.length) {
    await d
      .update(assets)
      .set({ accessCount: sql`${assets.accessCount} + 1`, lastAccessedAt: new Date().toISOString() })
      .where(
        inArray(
          assets.id,
          rows.map((r) => r.asset.id),
        ),
      );
  }
  return rows.map((r) => ({ ...assetView(r.asset, withCaps(r), now), match_rank: r.rank }));
}

export interface AssetInput {
  symbol: string;
  name: string;
  asset_type: AssetType;
  sector_id?: string | null | undefined;
  quote_currency?: string | undefined;
  external_ids?: Record<string, string> | undefined;
  description?: string | null | undefined;
  is_active?: boolean | undefined;
  is_supported?: boolean | undefined;
}

function isUnique(err: unknown): boolean {
  return (
    err instanceof Error && /UNIQUE constraint failed/i.test(`${err.message} ${String(err.cause ?? '')}`)
  );
}

/** Admin: a new asset; a taken symbol answers 409. Audited. */
export async function createAsset(
  env: Env,
  admin: Principal,
  input: AssetInput,
  facts: RequestFacts & { requestId: string },
) {
  const d = db(env);
  const id = newId('asset');
  const row = {
    id,
    symbol: input.symbol.toUpperCase(),
    name: input.name,
    assetType: input.asset_type,
    sectorId: input.sector_id ?? null,
    quoteCurrency: input.quote_currency ?? 'USD',
    externalIds: input.external_ids ?? {},
    description: input.description ?? null,
    isActive: input.is_active ?? true,
    isSupported: input.is_supported ?? true,
  };
  try {
    await d.batch([
      d.insert(assets).values(row),
      audit(d, {
        actorUserId: admin.userId,
        action: 'asset_create',
        targetType: 'asset',
        targetId: id,
        details: input,
        facts,
        requestId: facts.requestId,
      }),
    ]);
  } catch (err) {
    if (isUnique(err))
      throw new ApiError('INTEGRITY_ERROR', `An asset with symbol ${row.symbol} already exists`);
    throw err;
  }
  return assetDetail(env, id);
}

/** Admin: change an asset's fields. Audited with before and after. */
export async function updateAsset(
  env: Env,
  admin: Principal,
  idOrSymbol: string,
  input: Partial<AssetInput>,
  facts: RequestFacts & { requestId: string },
) {
  const asset = await resolveAsset(env, idOrSymbol);
  const d = db(env);
  const set = {
    ...(input.symbol !== undefined ? { symbol: input.symbol.toUpperCase() } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.asset_type !== undefined ? { assetType: input.asset_type } : {}),
    ...(input.sector_id !== undefined ? { sectorId: input.sector_id } : {}),
    ...(input.quote_currency !== undefined ? { quoteCurrency: input.quote_currency } : {}),
    ...(input.external_ids !== undefined
      ? { externalIds: { ...asset.externalIds, ...input.external_ids } }
      : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
    ...(input.is_supported !== undefined ? { isSupported: input.is_supported } : {}),
    updatedAt: new Date().toISOString(),
  };
  try {
    await d.batch([
      d.update(assets).set(set).where(eq(assets.id, asset.id)),
      audit(d, {
        actorUserId: admin.userId,
        action: 'asset_update',
        targetType: 'asset',
        targetId: asset.id,
        details: {
          before: { symbol: asset.symbol, name: asset.name, is_active: asset.isActive },
          changes: input,
        },
        facts,
        requestId: facts.requestId,
      }),
    ]);
  } catch (err) {
    if (isUnique(err))
      throw new ApiError('INTEGRITY_ERROR', `An asset with symbol ${input.symbol} already exists`);
    throw err;
  }
  return assetDetail(env, asset.id);
}

/** How many private series one user may keep. */
export const MAX_OWN_ASSETS = 50;

/** A user's own private series, for data they import (never shown on shared routes). */
export async function createOwnAsset(env: Env, owner: Principal, input: AssetInput) {
  const d = db(env);
  const existing = await d.select({ n: count() }).from(assets).where(eq(assets.ownerId, owner.userId)).get();
  if ((existing?.n ?? 0) >= MAX_OWN_ASSETS) {
    throw new ApiError('VALIDATION_ERROR', `At most ${MAX_OWN_ASSETS} own assets per user`);
  }
  const id = newId('asset');
  try {
    await d.insert(assets).values({
      id,
      symbol: input.symbol.toUpperCase(),
      name: input.name,
      assetType: input.asset_type,
      quoteCurrency: input.quote_currency ?? 'USD',
      description: input.description ?? null,
      ownerId: owner.userId,
      isSupported: false,
    });
  } catch (err) {
    if (isUnique(err))
      throw new ApiError(
        'INTEGRITY_ERROR',
        `You already have an asset with symbol ${input.symbol.toUpperCase()}`,
      );
    throw err;
  }
  return assetView(await resolveAsset(env, id, owner.userId), null, await marketNow(env));
}

export async function listOwnAssets(env: Env, owner: Principal) {
  const [rows, now] = await Promise.all([
    db(env)
      .select({ asset: assets, quote: quotes })
      .from(assets)
      .leftJoin(quotes, eq(quotes.assetId, assets.id))
      .where(eq(assets.ownerId, owner.userId))
      .orderBy(asc(assets.symbol)),
    marketNow(env),
  ]);
  return rows.map((r) => assetView(r.asset, r.quote, now));
}

/** Deletes one of the user's own assets with all its candles, in one batch. */
export async function deleteOwnAsset(env: Env, owner: Principal, idOrSymbol: string) {
  const asset = await resolveAsset(env, idOrSymbol, owner.userId);
  const d = db(env);
  await d.batch([
    d.delete(priceData).where(eq(priceData.assetId, asset.id)),
    d.delete(quotes).where(eq(quotes.assetId, asset.id)),
    d.delete(assets).where(and(eq(assets.id, asset.id), eq(assets.ownerId, owner.userId))),
  ]);
  return { id: asset.id, deleted: true };
}
