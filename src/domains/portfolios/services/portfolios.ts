import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNull,
  or,
  type Placeholder,
  sql,
} from 'drizzle-orm';
import type { RequestFacts } from '../../../core/client';
import { ApiError } from '../../../core/errors';
import { newId } from '../../../core/ids';
import type { Page } from '../../../core/pagination';
import { ReadMemo } from '../../../core/read-memo';
import { batchPrepared, db, preparedOnce } from '../../../db/client';
import { portfolios, positions, type trades } from '../../../db/schema';
import type { Principal } from '../../../env';
import { activity } from '../../audit/service';
import { forgetUserCard } from '../../auth/card';
import { forgetUserPortfolios, heldList, holdList } from './held-lists';
import { CURRENCIES, type Currency } from './valuation';

export type PortfolioRow = typeof portfolios.$inferSelect;
export type PositionRow = typeof positions.$inferSelect;
export type TradeRow = typeof trades.$inferSelect;

/** Who is asking: the owner changes, the owner or an admin reads, anyone signed in reads public ones. */
export type Reader = Pick<Principal, 'userId' | 'role'> | undefined;

export const SUPPORTED_CURRENCIES = Object.keys(CURRENCIES) as Currency[];
const MAX_PORTFOLIOS = 100;

export interface PortfolioInput {
  name: string;
  description?: string | null | undefined;
  portfolio_type?: string | undefined;
  base_currency?: string | undefined;
  mode?: 'paper' | 'live' | undefined;
  cost_method?: 'wac' | 'fifo' | undefined;
  is_public?: boolean | undefined;
  is_active?: boolean | undefined;
}

function assertCurrency(currency: string | undefined): void {
  if (currency !== undefined && !(SUPPORTED_CURRENCIES as readonly string[]).includes(currency)) {
    throw new ApiError('VALIDATION_ERROR', `Unsupported base currency ${currency}`, {
      details: { supported: SUPPORTED_CURRENCIES },
      suggestion: `Use one of ${SUPPORTED_CURRENCIES.join(', ')}: the currencies with a stored exchange rate.`,
    });
  }
}

/** Who may see a portfolio: owner-only access to change it, or read access (owner, admin, public). */
type Access = { owner: string } | { reader: Reader };

function accessible(access: Access) {
  if ('owner' in access) return eq(portfolios.userId, access.owner);
  const { reader } = access;
  if (reader?.role === 'admin') return undefined;
  return or(eq(portfolios.isPublic, true), reader ? eq(portfolios.userId, reader.userId) : sql`0`);
}

async function findPortfolio(env: Env, id: string, access: Access): Promise<PortfolioRow> {
  const row = await db(env)
    .select()
    .from(portfolios)
    .where(and(eq(portfolios.id, id), isNull(portfolios.deletedAt), accessible(access)))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Portfolio ${id} not found`);
  return row;
}

/** A portfolio the caller owns (and so may change). Anyone else's, or a deleted one, answers 404. */
export const getOwnedPortfolio = (env: Env, userId: string, id: string) =>
  findPortfolio(env, id, { owner: userId });

/** A portfolio the caller may read: their own, any (for admins), or a public one. Others answer 404. */
export const getReadablePortfolio = (env: Env, reader: Reader, id: string) =>
  findPortfolio(env, id, { reader });

/** Which of the user's portfolios a list shows, and which page of them. */
interface ListOptions {
  mode?: 'paper' | 'live' | undefined;
  includeInactive?: boolean | undefined;
  page?: Page | undefined;
}

/** What a value estimate reads of a position (`estimateValues`). */
export const estimateColumns = {
  portfolioId: positions.portfolioId,
  assetId: positions.assetId,
  positionType: positions.positionType,
  quantity: positions.quantity,
  multiplier: positions.multiplier,
  costBasis: positions.costBasis,
};
export type EstimatePosition = Pick<PositionRow, keyof typeof estimateColumns>;

/**
 * A list's reads, built once per D1 binding with every filter a placeholder (`listValues`; the
 * list is a hot path, and building its queries cost more CPU than D1's work): its page of
 * portfolios (not deleted, newest first) with the total beside each row (a window count, so no
 * second statement), the total alone (for a page past the end, which has no rows to carry it),
 * and for the page's portfolios whose ledger version the caller does not already hold (`known`,
 * a JSON array of `id:version`) their active positions: the estimate's columns and whether each
 * is open (`openPositionFilter`, the one definition of that).
 */
const listReads = preparedOnce((d) => {
  const where = and(
    eq(portfolios.userId, sql.placeholder('userId')),
    isNull(portfolios.deletedAt),
    sql`(${sql.placeholder('includeInactive')} = 1 OR ${portfolios.isActive} = 1)`,
    sql`(${sql.placeholder('mode')} IS NULL OR ${portfolios.mode} = ${sql.placeholder('mode')})`,
  );
  const [newestFirst, limit, offset] = [
    desc(portfolios.createdAt),
    sql.placeholder('limit'),
    sql.placeholder('offset'),
  ];
  const ids = d
    .select({ id: portfolios.id, version: portfolios.ledgerVersion })
    .from(portfolios)
    .where(where)
    .orderBy(newestFirst)
    .limit(limit)
    .offset(offset)
    .as('page');
  const unknownIds = d
    .select({ id: ids.id })
    .from(ids)
    .where(
      sql`${ids.id} || ':' || ${ids.version} NOT IN (SELECT value FROM json_each(${sql.placeholder('known')}))`,
    );
  return {
    page: d
      .select({ ...getTableColumns(portfolios), total: sql<number>`count(*) OVER ()` })
      .from(portfolios)
      .where(where)
      .orderBy(newestFirst)
      .limit(limit)
      .offset(offset)
      .prepare(),
    total: d.select({ n: count() }).from(portfolios).where(where).prepare(),
    positions: d
      .select({ ...estimateColumns, open: sql<number>`(${and(...openPositionFilter())})` })
      .from(positions)
      .where(
        and(
          inArray(positions.portfolioId, unknownIds),
          isNull(positions.deletedAt),
          eq(positions.isActive, true),
        ),
      )
      .orderBy(asc(positions.createdAt))
      .prepare(),
  };
});

function listValues(userId: string, options: ListOptions) {
  return {
    userId,
    includeInactive: options.includeInactive ? 1 : 0,
    mode: options.mode ?? null,
    limit: options.page?.limit ?? MAX_PORTFOLIOS,
    offset: options.page?.offset ?? 0,
  };
}

/** A page read with its window total: the rows without it, and the total (counted again past the end). */
async function pageAndTotal(
  env: Env,
  read: (PortfolioRow & { total: number })[],
  values: ReturnType<typeof listValues>,
): Promise<{ rows: PortfolioRow[]; total: number }> {
  const first = read[0];
  if (!first && values.offset > 0) {
    const [counted] = await batchPrepared(env, [listReads(env).total], values);
    return { rows: [], total: counted[0]?.n ?? 0 };
  }
  return { rows: read.map(({ total: _, ...row }) => row), total: first?.total ?? 0 };
}

/** The user's portfolios (a page of them) and how many there are. */
export async function listPortfolios(env: Env, userId: string, options: ListOptions = {}) {
  const values = listValues(userId, options);
  const [read] = await batchPrepared(env, [listReads(env).page], values);
  return pageAndTotal(env, read, values);
}

/** What a list's estimate reads of one portfolio at one ledger version. */
interface HeldAtVersion {
  version: number;
  positions: EstimatePosition[];
  openCount: number;
}

/**
 * Per user, the holdings of portfolios this isolate listed, at the ledger version it read them:
 * every write to a portfolio's positions is a versioned ledger commit, so a version's holdings
 * never change and a list reads positions only for portfolios whose version moved. The users
 * least recently listed are forgotten first.
 */
const heldByUser = new ReadMemo<Map<string, HeldAtVersion>>(500);

/** What a kept list is kept by, besides its user: its filters and page. */
export function listQuery(options: ListOptions): string {
  const { includeInactive, mode, limit, offset } = listValues('', options);
  return `${includeInactive}:${mode}:${limit}:${offset}`;
}

/** A page of the user's portfolios with what the list's value estimates need. */
export interface PortfolioList {
  rows: PortfolioRow[];
  total: number;
  holdings: { positions: EstimatePosition[]; counts: Map<string, number> };
}

/**
 * `listPortfolios` with what the list's value estimates need. With the user object's portfolios
 * token (`held-lists.ts`) a list kept under it is served as it is, without D1. Otherwise one D1
 * batch (one round trip): positions and counts come from D1 only for portfolios whose ledger
 * version this isolate does not hold, the rest from `heldByUser`.
 */
export async function listPortfoliosWithHoldings(
  env: Env,
  userId: string,
  options: ListOptions = {},
  token?: string,
): Promise<PortfolioList> {
  const values = listValues(userId, options);
  const query = listQuery(options);
  const kept = token ? heldList<PortfolioList>(userId, token, query) : undefined;
  if (kept) return kept;
  const list = await readPortfolioList(env, userId, values);
  if (token) holdList(userId, token, query, list);
  return list;
}

async function readPortfolioList(
  env: Env,
  userId: string,
  values: ReturnType<typeof listValues>,
): Promise<PortfolioList> {
  // The entries the query is told about are the ones used below, whatever other requests do meanwhile.
  const held = new Map(heldByUser.get(userId, Date.now()));
  const reads = listReads(env);
  const [page, read] = await batchPrepared(env, [reads.page, reads.positions], {
    ...values,
    known: JSON.stringify([...held].map(([id, h]) => `${id}:${h.version}`)),
  });
  const { rows, total } = await pageAndTotal(env, page, values);
  const readPositions = new Map<string, EstimatePosition[]>();
  const openCounts = new Map<string, number>();
  for (const { open, ...p } of read) {
    const list = readPositions.get(p.portfolioId);
    if (list) list.push(p);
    else readPositions.set(p.portfolioId, [p]);
    if (open) openCounts.set(p.portfolioId, (openCounts.get(p.portfolioId) ?? 0) + 1);
  }
  const positionsOut: EstimatePosition[] = [];
  const counts = new Map<string, number>();
  const next = new Map(held);
  for (const row of rows) {
    const kept = held.get(row.id);
    const entry =
      kept && kept.version === row.ledgerVersion
        ? kept
        : {
            version: row.ledgerVersion,
            positions: readPositions.get(row.id) ?? [],
            openCount: openCounts.get(row.id) ?? 0,
          };
    next.set(row.id, entry);
    positionsOut.push(...entry.positions);
    counts.set(row.id, entry.openCount);
  }
  heldByUser.set(
    userId,
    next.size > MAX_PORTFOLIOS ? new Map(rows.map((r) => [r.id, next.get(r.id) as HeldAtVersion])) : next,
    // A version's holdings never change: kept until pushed out by other users'.
    Number.POSITIVE_INFINITY,
  );
  return { rows, total, holdings: { positions: positionsOut, counts } };
}

/**
 * A new portfolio as a row and the statements that write it (the insert and its activity), for a
 * caller that writes more in the same D1 batch (a bot with its funded paper account) and then
 * calls `forgetUserPortfolios`.
 */
export async function newPortfolioStatements(
  env: Env,
  userId: string,
  input: PortfolioInput,
  facts?: Partial<RequestFacts>,
): Promise<{ row: PortfolioRow; statements: D1PreparedStatement[] }> {
  assertCurrency(input.base_currency);
  const d = db(env);
  const existing = await d
    .select({ n: count() })
    .from(portfolios)
    .where(and(eq(portfolios.userId, userId), isNull(portfolios.deletedAt)))
    .get();
  if ((existing?.n ?? 0) >= MAX_PORTFOLIOS) {
    throw new ApiError('VALIDATION_ERROR', `At most ${MAX_PORTFOLIOS} portfolios per user`);
  }
  const now = new Date().toISOString();
  const row: PortfolioRow = {
    id: newId('portfolio'),
    userId,
    name: input.name,
    description: input.description ?? null,
    portfolioType: input.portfolio_type ?? 'personal',
    baseCurrency: input.base_currency ?? 'USD',
    mode: input.mode ?? 'live',
    costMethod: input.cost_method ?? 'wac',
    isPublic: input.is_public ?? false,
    isDefault: false,
    isActive: input.is_active ?? true,
    ledgerVersion: 0,
    cash: '0',
    totals: {},
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  const statements = [
    d.insert(portfolios).values(row),
    activity(d, { userId, action: 'portfolio.create', facts, details: { portfolio_id: row.id } }),
  ].map((q) => {
    const { sql: text, params } = q.toSQL();
    return env.DB.prepare(text).bind(...params);
  });
  return { row, statements };
}

export async function createPortfolio(
  env: Env,
  userId: string,
  input: PortfolioInput,
  facts?: Partial<RequestFacts>,
): Promise<PortfolioRow> {
  const { row, statements } = await newPortfolioStatements(env, userId, input, facts);
  await env.DB.batch(statements);
  await forgetUserPortfolios(env, userId);
  return row;
}

export async function updatePortfolio(
  env: Env,
  userId: string,
  id: string,
  patch: Partial<PortfolioInput>,
  facts?: Partial<RequestFacts>,
): Promise<PortfolioRow> {
  await getOwnedPortfolio(env, userId, id);
  assertCurrency(patch.base_currency);
  const d = db(env);
  const [[row]] = await d.batch([
    d
      .update(portfolios)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.portfolio_type !== undefined ? { portfolioType: patch.portfolio_type } : {}),
        ...(patch.base_currency !== undefined ? { baseCurrency: patch.base_currency } : {}),
        ...(patch.mode !== undefined ? { mode: patch.mode } : {}),
        ...(patch.cost_method !== undefined ? { costMethod: patch.cost_method } : {}),
        ...(patch.is_public !== undefined ? { isPublic: patch.is_public } : {}),
        ...(patch.is_active !== undefined ? { isActive: patch.is_active } : {}),
        updatedAt: new Date().toISOString(),
      })
      .where(and(eq(portfolios.id, id), eq(portfolios.userId, userId), isNull(portfolios.deletedAt)))
      .returning(),
    activity(d, {
      userId,
      action: 'portfolio.update',
      facts,
      details: { portfolio_id: id, fields: Object.keys(patch) },
    }),
  ]);
  if (!row) throw new ApiError('NOT_FOUND', `Portfolio ${id} not found`);
  await forgetUserPortfolios(env, userId);
  // `/auth/me` names the live default portfolio.
  if (row.isDefault && patch.mode !== undefined) await forgetUserCard(env, userId);
  return row;
}

/** Soft delete (000, 004): the portfolio disappears from every surface; its rows stay for audit. */
export async function deletePortfolio(env: Env, userId: string, id: string, facts?: Partial<RequestFacts>) {
  const { isDefault } = await getOwnedPortfolio(env, userId, id);
  const d = db(env);
  const now = new Date().toISOString();
  await d.batch([
    d
      .update(portfolios)
      .set({ isActive: false, deletedAt: now, updatedAt: now })
      .where(and(eq(portfolios.id, id), eq(portfolios.userId, userId))),
    activity(d, { userId, action: 'portfolio.delete', facts, details: { portfolio_id: id } }),
  ]);
  await forgetUserPortfolios(env, userId);
  // `/auth/me` names the default portfolio; the next one is made on first use.
  if (isDefault) await forgetUserCard(env, userId);
  return { id, deleted_at: now };
}

/**
 * Which portfolio is a user's default of a mode (the partial unique index's condition); the
 * user and mode may be a prepared query's placeholders.
 */
export function defaultPortfolioOf(userId: string | Placeholder, mode: 'paper' | 'live' | Placeholder) {
  return and(
    eq(portfolios.userId, userId),
    eq(portfolios.mode, mode),
    eq(portfolios.isDefault, true),
    isNull(portfolios.deletedAt),
  );
}

/** The user's default portfolio of a mode, if it has been made. */
export function findDefaultPortfolio(
  env: Env,
  userId: string,
  mode: 'paper' | 'live' = 'live',
): Promise<PortfolioRow | undefined> {
  return db(env).select().from(portfolios).where(defaultPortfolioOf(userId, mode)).limit(1).get();
}

/**
 * The portfolio 003's paths (`/api/user/trades`, `/holdings`...) and 004's `/auth/me` use
 * (live), or 002's manual trades of a mode go to: made on first use. The partial unique index
 * means two racing first requests end with one portfolio.
 */
export async function defaultPortfolio(
  env: Env,
  userId: string,
  mode: 'paper' | 'live' = 'live',
): Promise<PortfolioRow> {
  const found = await findDefaultPortfolio(env, userId, mode);
  if (found) return found;
  await db(env)
    .insert(portfolios)
    .values({
      id: newId('portfolio'),
      userId,
      name: mode === 'live' ? 'My Portfolio' : 'Paper Trading',
      isDefault: true,
      mode,
      portfolioType: mode === 'live' ? 'tracker' : 'paper',
    })
    .onConflictDoNothing();
  await forgetUserPortfolios(env, userId);
  const made = await findDefaultPortfolio(env, userId, mode);
  if (!made) throw new ApiError('DATABASE_ERROR', 'Default portfolio was not created');
  return made;
}

/** Positions of a portfolio, oldest first; inactive (000-deleted) ones only when asked. */
export async function portfolioPositions(
  env: Env,
  portfolioIds: string[],
  options: { includeInactive?: boolean } = {},
): Promise<PositionRow[]> {
  if (portfolioIds.length === 0) return [];
  return db(env)
    .select()
    .from(positions)
    .where(
      and(
        inArray(positions.portfolioId, portfolioIds),
        isNull(positions.deletedAt),
        options.includeInactive ? undefined : eq(positions.isActive, true),
      ),
    )
    .orderBy(asc(positions.createdAt));
}

/** An open position: active, not deleted or closed, quantity not zero. */
function openPositionFilter() {
  return [
    eq(positions.isActive, true),
    isNull(positions.deletedAt),
    isNull(positions.closedAt),
    sql`${positions.quantity} <> '0'`,
  ];
}

/** Counts of open (non-zero, active) positions per portfolio, for lists. */
export async function openPositionCounts(env: Env, portfolioIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (portfolioIds.length === 0) return out;
  for (let i = 0; i < portfolioIds.length; i += 90) {
    const rows = await db(env)
      .select({ id: positions.portfolioId, n: count() })
      .from(positions)
      .where(and(inArray(positions.portfolioId, portfolioIds.slice(i, i + 90)), ...openPositionFilter()))
      .groupBy(positions.portfolioId);
    for (const r of rows) out.set(r.id, r.n);
  }
  return out;
}

async function findPosition(env: Env, positionId: string, access: Access) {
  const row = await db(env)
    .select({ position: positions, portfolio: portfolios })
    .from(positions)
    .innerJoin(portfolios, eq(portfolios.id, positions.portfolioId))
    .where(
      and(
        eq(positions.id, positionId),
        isNull(positions.deletedAt),
        isNull(portfolios.deletedAt),
        accessible(access),
      ),
    )
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Position ${positionId} not found`);
  return row;
}

/** A position the caller owns, with its portfolio. Another user's position answers 404, like their portfolio does. */
export const getOwnedPosition = (env: Env, userId: string, positionId: string) =>
  findPosition(env, positionId, { owner: userId });

/** A position the caller may read (its portfolio is theirs, public, or they are an admin). */
export const getReadablePosition = (env: Env, reader: Reader, positionId: string) =>
  findPosition(env, positionId, { reader });
