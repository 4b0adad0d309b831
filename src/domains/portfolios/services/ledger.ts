import { and, asc, eq, inArray } from 'drizzle-orm';
import type { RequestFacts } from '../../../core/client';
import { ApiError } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { registerMemo } from '../../../core/isolate-memos';
import { describeError, log } from '../../../core/logger';
import { db } from '../../../db/client';
import {
  ledgerCommits,
  type PositionType,
  portfolios,
  positions,
  type TradeAssetType,
  type TradeType,
  trades,
} from '../../../db/schema';
import { publish } from '../../../events/bus';
import { resolveAsset } from '../../assets/service';
import { activity } from '../../audit/service';
import { derivedChanges, derivedJson, ledgerEntries, replayChange, tradeOrder } from '../checkpoints';
import {
  type Checkpoint,
  D,
  LedgerError,
  type LedgerState,
  replay,
  replayResumable,
  type Snapshot,
  snapshots,
} from '../ledger';
import { forgetUserPortfolios } from './held-lists';
import type { PortfolioRow, PositionRow, TradeRow } from './portfolios';

/** What a caller asks to record; amounts as decimal strings (numbers are converted exactly by the schemas). */
export interface TradeInput {
  trade_type: TradeType;
  asset_type: TradeAssetType;
  symbol?: string | undefined;
  quantity: string;
  price?: string | undefined;
  fees?: string | undefined;
  trade_date: string;
  notes?: string | null | undefined;
  position_id?: string | undefined;
  position_type?: PositionType | undefined;
  underlying?: string | undefined;
  strike?: string | undefined;
  expiry?: string | undefined;
  multiplier?: string | undefined;
  bot_id?: string | undefined;
}

export interface LoadedLedger {
  portfolio: PortfolioRow;
  /** Every position, active or not, in creation order. */
  positions: PositionRow[];
  /** Every trade, in ledger order (date, seq). */
  trades: TradeRow[];
}

/** One change to a portfolio's ledger, built from what was read; applied atomically or not at all. */
export interface Mutation {
  insertPositions?: PositionRow[];
  /** Descriptive changes (notes, targets, active flag...) to existing positions. */
  updatePositions?: PositionRow[];
  insertTrades?: TradeRow[];
  updateTrades?: TradeRow[];
  deleteTradeIds?: string[];
  details: Record<string, unknown>;
  /** A user activity to record in the same batch as the change. */
  activity?: LedgerActivity | undefined;
}

export interface LedgerActivity {
  action: string;
  facts?: Partial<RequestFacts> | undefined;
  details?: Record<string, unknown>;
}

export interface CommitResult {
  ledger: LoadedLedger;
  state: LedgerState;
  version: number;
}

const COMMIT_ATTEMPTS = 4;
/** Rows per json_each batch: keeps every bound JSON value well under D1's size limits. */
const JSON_CHUNK = 400;

/**
 * Ledgers and replays kept per isolate, keyed by portfolio and ledger version. A version's
 * content never changes (every change claims a new one), so a hit is always current for the
 * version the caller read; reads of a 5,000-trade ledger then skip the D1 read and the replay.
 */
const CACHE_ENTRIES = 32;
const ledgerCache = new Map<string, LoadedLedger>();
const stateCache = new Map<string, LedgerState>();
const snapshotCache = new Map<string, Snapshot[]>();
/** Replay checkpoints per version (`replayResumable`): a pure cache, rebuilt by any full replay. */
const checkpointCache = new Map<string, Checkpoint[]>();
registerMemo(() => {
  for (const cache of [ledgerCache, stateCache, snapshotCache, checkpointCache]) cache.clear();
});

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return value;
}

const versionKey = (ledger: LoadedLedger) => `${ledger.portfolio.id}:${ledger.portfolio.ledgerVersion}`;

/**
 * A portfolio's positions and trades, read in one D1 batch together with the ledger version
 * they belong to (a batch is one transaction, so the three agree). Reads answer from the cache
 * for the version of the row the caller holds; a change (`fresh`) always reads D1, since the
 * caller's row may be older than the ledger.
 */
export async function loadLedger(
  env: Env,
  portfolio: PortfolioRow,
  options: { fresh?: boolean } = {},
): Promise<LoadedLedger> {
  const hit = options.fresh ? undefined : ledgerCache.get(`${portfolio.id}:${portfolio.ledgerVersion}`);
  if (hit) return { portfolio: hit.portfolio, positions: [...hit.positions], trades: [...hit.trades] };
  const d = db(env);
  const [version, pos, trs] = await d.batch([
    d.select({ v: portfolios.ledgerVersion }).from(portfolios).where(eq(portfolios.id, portfolio.id)),
    d
      .select()
      .from(positions)
      .where(eq(positions.portfolioId, portfolio.id))
      .orderBy(asc(positions.createdAt)),
    d
      .select()
      .from(trades)
      .where(eq(trades.portfolioId, portfolio.id))
      .orderBy(asc(trades.tradeDate), asc(trades.seq)),
  ]);
  const ledger = {
    portfolio: { ...portfolio, ledgerVersion: version[0]?.v ?? portfolio.ledgerVersion },
    positions: pos,
    trades: trs,
  };
  remember(ledgerCache, versionKey(ledger), ledger);
  return { portfolio: ledger.portfolio, positions: [...pos], trades: [...trs] };
}

/**
 * The replayed state of a loaded ledger (up to a day), cached per version. Callers must not
 * mutate it. The whole ledger's replay also leaves its checkpoints, so this isolate's next
 * change to the portfolio continues from them (`replayChange`).
 */
export function ledgerState(ledger: LoadedLedger, until?: string): LedgerState {
  const key = `${versionKey(ledger)}:${until ?? ''}`;
  const hit = stateCache.get(key);
  if (hit) return hit;
  if (until) return remember(stateCache, key, replayLedger(ledger.positions, ledger.trades, until));
  const { state, checkpoints } = refusalsAsApiErrors(ledger.positions, ledger.trades, () =>
    replayResumable(ledgerEntries(ledger.positions, ledger.trades)),
  );
  if (checkpoints) remember(checkpointCache, versionKey(ledger), checkpoints);
  return remember(stateCache, key, state);
}

/** The ledger's state after each day, cached per version. Callers must not mutate it. */
export function ledgerSnapshots(ledger: LoadedLedger): Snapshot[] {
  const key = versionKey(ledger);
  return (
    snapshotCache.get(key) ??
    remember(snapshotCache, key, snapshots(ledgerEntries(ledger.positions, ledger.trades)))
  );
}

export { ledgerEntries } from '../checkpoints';

/** Replays the ledger, turning the engine's refusals into our error shape. */
export function replayLedger(
  positionRows: readonly PositionRow[],
  tradeRows: readonly TradeRow[],
  until?: string,
): LedgerState {
  return refusalsAsApiErrors(positionRows, tradeRows, () =>
    replay(ledgerEntries(positionRows, tradeRows), until ? { until } : undefined),
  );
}

function refusalsAsApiErrors<T>(
  positionRows: readonly PositionRow[],
  tradeRows: readonly TradeRow[],
  run: () => T,
): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof LedgerError) throw ledgerApiError(err, positionRows, tradeRows);
    throw err;
  }
}

function ledgerApiError(
  err: LedgerError,
  positionRows: readonly PositionRow[],
  tradeRows: readonly TradeRow[],
) {
  const trade = tradeRows.find((t) => t.id === err.entryId);
  const position = trade?.positionId ? positionRows.find((p) => p.id === trade.positionId) : undefined;
  const what = trade
    ? `${trade.tradeType} of ${trade.quantity} ${trade.symbol} on ${trade.tradeDate}`
    : err.entryId;
  const details = {
    trade_id: err.entryId,
    date: err.date,
    position_id: position?.id ?? null,
    ...err.details,
  };
  if (err.code === 'INSUFFICIENT_QUANTITY') {
    return new ApiError('INSUFFICIENT_BALANCE', `The ${what} exceeds the quantity held at that date`, {
      details,
      suggestion:
        'Record the purchase first, or reduce the quantity; later trades are checked too when you edit a past one.',
    });
  }
  if (err.code === 'INSUFFICIENT_CASH') {
    return new ApiError('INSUFFICIENT_BALANCE', `The ${what} exceeds the cash balance at that date`, {
      details,
    });
  }
  return new ApiError('VALIDATION_ERROR', `Invalid ledger entry (${what}): ${err.message}`, { details });
}

const str = (v: { toString(): string }) => v.toString();

export function portfolioTotals(state: LedgerState): Record<string, string> {
  let deposits = new D(0);
  let withdrawals = new D(0);
  for (const f of state.flows) {
    if (f.amount.isPositive()) deposits = deposits.plus(f.amount);
    else withdrawals = withdrawals.minus(f.amount);
  }
  return {
    realized_wac: str(state.realizedPnl.wac),
    realized_fifo: str(state.realizedPnl.fifo),
    income: str(state.income),
    fees: str(state.fees),
    deposits: str(deposits),
    withdrawals: str(withdrawals),
    net_flows: str(deposits.minus(withdrawals)),
  };
}

/** A drizzle query as a plain D1 statement, to batch with hand-written json_each statements. */
export function prepared(
  env: Env,
  query: { toSQL(): { sql: string; params: unknown[] } },
): D1PreparedStatement {
  const { sql: text, params } = query.toSQL();
  return env.DB.prepare(text).bind(...params);
}

function chunks<T>(rows: readonly T[], size = JSON_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const TRADE_COLUMNS = [
  'id',
  'portfolio_id',
  'user_id',
  'position_id',
  'trade_type',
  'asset_type',
  'symbol',
  'quantity',
  'price',
  'fees',
  'total_amount',
  'trade_date',
  'seq',
  'notes',
  'source',
  'bot_id',
  'created_at',
  'updated_at',
] as const;

function tradeJson(t: TradeRow) {
  return {
    id: t.id,
    portfolio_id: t.portfolioId,
    user_id: t.userId,
    position_id: t.positionId,
    trade_type: t.tradeType,
    asset_type: t.assetType,
    symbol: t.symbol,
    quantity: t.quantity,
    price: t.price,
    fees: t.fees,
    total_amount: t.totalAmount,
    trade_date: t.tradeDate,
    seq: t.seq,
    notes: t.notes,
    source: t.source,
    bot_id: t.botId,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

/**
 * Applies one change to a portfolio's ledger. Reads the ledger (or, when this isolate holds its
 * current version, just the version), lets `mutate` build the change from it, replays the
 * result from the latest checkpoint before the change (refusing a sale beyond what is held at
 * its date, even when the change is a backdated edit that makes a later sale impossible), and
 * writes the trades, the positions whose derived figures changed and the portfolio's cash in
 * one D1 batch headed by a `ledger_commits` insert of the next version.
 *
 * Commits to one portfolio take turns in its owner's user object (a portfolio has one owner,
 * whose object already orders their sessions), so 50 concurrent sells are each judged against
 * the ledger the previous one left, not refused as conflicts. If that object is unreachable the
 * commit runs anyway: the version check below keeps the ledger whole on its own.
 */
export async function commitLedger(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  action: string,
  mutate: (ledger: LoadedLedger) => Mutation | Promise<Mutation>,
): Promise<CommitResult> {
  let outcome: Promise<CommitResult> | undefined;
  const commit = () => {
    outcome ??= commitVersioned(env, portfolio, userId, action, mutate);
    return outcome;
  };
  try {
    await env.USER.getByName(portfolio.userId).inTurn(`portfolio:${portfolio.id}`, async () => {
      // Settled either way here: the result or error goes back to the caller below, unchanged.
      await commit().then(
        () => undefined,
        () => undefined,
      );
    });
  } catch (err) {
    log('warn', 'ledger.turn_unavailable', { portfolio_id: portfolio.id, ...describeError(err) });
  }
  return commit();
}

/**
 * The statements of one change to a ledger read at `ledger` (the next version's commit row, the
 * trades, the derived figures of the positions they changed and the portfolio's cash), with
 * the replayed state and its checkpoints.
 * The caller writes them in one D1 batch (with its own statements, if any).
 */
function changeStatements(
  env: Env,
  current: PortfolioRow,
  ledger: LoadedLedger,
  change: Mutation,
  userId: string,
  action: string,
) {
  const updatedPositions = new Map((change.updatePositions ?? []).map((p) => [p.id, p]));
  const nextPositions = [
    ...ledger.positions.map((p) => updatedPositions.get(p.id) ?? p),
    ...(change.insertPositions ?? []),
  ];
  const deleted = new Set(change.deleteTradeIds ?? []);
  const edited = new Map((change.updateTrades ?? []).map((t) => [t.id, t]));
  const nextTrades = [
    ...ledger.trades.filter((t) => !deleted.has(t.id)).map((t) => edited.get(t.id) ?? t),
    ...(change.insertTrades ?? []),
  ].sort(tradeOrder);
  // From this isolate's checkpoints of the version read, when it has them; else the whole ledger.
  const { state, checkpoints } = refusalsAsApiErrors(nextPositions, nextTrades, () =>
    replayChange(
      ledger,
      checkpointCache.get(versionKey(ledger)),
      { positions: nextPositions, trades: nextTrades },
      change,
    ),
  );

  const version = ledger.portfolio.ledgerVersion + 1;
  const now = new Date().toISOString();
  // Positions are written only where a figure changed: new ones are inserted with theirs, the
  // others updated when the replay moved them (a descriptive update is written by its own statement).
  const inserted = new Set((change.insertPositions ?? []).map((p) => p.id));
  const { saved, changed } = derivedChanges(nextPositions, state, now);
  const savedPositions = saved.map((p) => (updatedPositions.has(p.id) ? { ...p, updatedAt: now } : p));
  const writePositions = changed.filter((p) => !inserted.has(p.id));
  const d = db(env);
  const statements: D1PreparedStatement[] = [
    prepared(
      env,
      d.insert(ledgerCommits).values({
        portfolioId: current.id,
        version,
        action,
        userId,
        details: change.details,
      }),
    ),
    ...savedPositions
      .filter((p) => inserted.has(p.id))
      .map((p) => prepared(env, d.insert(positions).values(p))),
    ...(change.updatePositions ?? []).map((p) =>
      prepared(
        env,
        d
          .update(positions)
          .set({
            notes: p.notes,
            allocationTarget: p.allocationTarget,
            tags: p.tags,
            isActive: p.isActive,
            impliedVolatility: p.impliedVolatility,
            deletedAt: p.deletedAt,
            updatedAt: now,
          })
          .where(eq(positions.id, p.id)),
      ),
    ),
    ...chunks(change.insertTrades ?? []).map((rows) =>
      env.DB.prepare(
        `INSERT INTO trades (${TRADE_COLUMNS.join(', ')})
         SELECT ${TRADE_COLUMNS.map((c) => `json_extract(value, '$.${c}')`).join(', ')} FROM json_each(?)`,
      ).bind(JSON.stringify(rows.map(tradeJson))),
    ),
    ...(change.updateTrades ?? []).map((t) =>
      prepared(
        env,
        d
          .update(trades)
          .set({
            tradeType: t.tradeType,
            assetType: t.assetType,
            symbol: t.symbol,
            positionId: t.positionId,
            quantity: t.quantity,
            price: t.price,
            fees: t.fees,
            totalAmount: t.totalAmount,
            tradeDate: t.tradeDate,
            notes: t.notes,
            updatedAt: now,
          })
          .where(and(eq(trades.id, t.id), eq(trades.portfolioId, current.id))),
      ),
    ),
    ...chunks(change.deleteTradeIds ?? []).map((ids) =>
      env.DB.prepare(
        'DELETE FROM trades WHERE portfolio_id = ? AND id IN (SELECT value FROM json_each(?))',
      ).bind(current.id, JSON.stringify(ids)),
    ),
    ...chunks(writePositions.map(derivedJson)).map((rows) =>
      env.DB.prepare(`UPDATE positions SET
          quantity = json_extract(j.value, '$.quantity'), cost_basis = json_extract(j.value, '$.cost_basis'),
          avg_cost = json_extract(j.value, '$.avg_cost'), fifo_cost_basis = json_extract(j.value, '$.fifo_cost_basis'),
          realized_pnl = json_extract(j.value, '$.realized_pnl'),
          fifo_realized_pnl = json_extract(j.value, '$.fifo_realized_pnl'), income = json_extract(j.value, '$.income'),
          total_cost = json_extract(j.value, '$.total_cost'), total_proceeds = json_extract(j.value, '$.total_proceeds'),
          opened_at = json_extract(j.value, '$.opened_at'), closed_at = json_extract(j.value, '$.closed_at'),
          updated_at = json_extract(j.value, '$.updated_at')
        FROM json_each(?) AS j
        WHERE positions.id = json_extract(j.value, '$.id')`).bind(JSON.stringify(rows)),
    ),
    ...(change.activity
      ? [
          prepared(
            env,
            activity(d, {
              userId,
              action: change.activity.action,
              facts: change.activity.facts,
              details: { portfolio_id: current.id, ...change.activity.details },
            }),
          ),
        ]
      : []),
    prepared(
      env,
      d
        .update(portfolios)
        .set({
          ledgerVersion: version,
          cash: str(state.cash),
          totals: portfolioTotals(state),
          updatedAt: now,
        })
        .where(eq(portfolios.id, current.id)),
    ),
  ];
  return { statements, state, checkpoints, version, now, savedPositions, nextTrades };
}

/**
 * The ledger a change is built from. When this isolate has cached a ledger of the portfolio, it
 * reads only the version (one row) and takes that version's ledger from the cache if it has it;
 * a version's content never changes (every write to trades and positions is a versioned commit),
 * and should another change claim the next version first, the batch fails and is retried here.
 */
async function loadForCommit(env: Env, current: PortfolioRow): Promise<LoadedLedger> {
  const prefix = `${current.id}:`;
  let known = false;
  for (const key of ledgerCache.keys()) if (key.startsWith(prefix)) known = true;
  if (known) {
    const row = await db(env)
      .select({ v: portfolios.ledgerVersion })
      .from(portfolios)
      .where(eq(portfolios.id, current.id))
      .get();
    const hit = row ? ledgerCache.get(`${prefix}${row.v}`) : undefined;
    if (row && hit) {
      return {
        portfolio: { ...current, ledgerVersion: row.v },
        positions: [...hit.positions],
        trades: [...hit.trades],
      };
    }
  }
  return loadLedger(env, current, { fresh: true });
}

/**
 * One commit, guarded by the ledger version: a concurrent change that claimed the same version
 * makes the batch fail as a whole; it is then re-read and retried, at most COMMIT_ATTEMPTS times.
 */
async function commitVersioned(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  action: string,
  mutate: (ledger: LoadedLedger) => Mutation | Promise<Mutation>,
): Promise<CommitResult> {
  let current = portfolio;
  for (let attempt = 1; ; attempt++) {
    const ledger = await loadForCommit(env, current);
    const change = await mutate(ledger);
    const { statements, state, checkpoints, version, now, savedPositions, nextTrades } = changeStatements(
      env,
      current,
      ledger,
      change,
      userId,
      action,
    );
    try {
      await env.DB.batch(statements);
      await forgetUserPortfolios(env, current.userId);
      // Live dashboards hear of it on /ws/portfolio; a failing subscriber never fails the change.
      await publish(env, {
        type: 'portfolio.changed',
        userId: current.userId,
        portfolioId: current.id,
        version,
        action,
        cash: str(state.cash),
        positions: savedPositions
          .filter((p) => p.isActive && !p.deletedAt)
          .map((p) => ({
            id: p.id,
            symbol: p.symbol,
            quantity: p.quantity,
            costBasis: p.costBasis,
            realizedPnl: p.realizedPnl,
          })),
        at: now,
      });
      const saved = {
        portfolio: { ...current, ledgerVersion: version },
        positions: savedPositions,
        trades: nextTrades,
      };
      remember(ledgerCache, versionKey(saved), saved);
      remember(stateCache, `${versionKey(saved)}:`, state);
      if (checkpoints) remember(checkpointCache, versionKey(saved), checkpoints);
      return {
        ledger: { ...saved, positions: [...savedPositions], trades: [...nextTrades] },
        state,
        version,
      };
    } catch (err) {
      const conflict = /UNIQUE constraint failed: ledger_commits/i.test(String(err));
      if (!conflict || attempt >= COMMIT_ATTEMPTS) {
        if (conflict) {
          throw new ApiError('INTEGRITY_ERROR', 'The portfolio changed while this change was being made', {
            suggestion: 'Retry the request.',
          });
        }
        throw err;
      }
      log('warn', 'ledger.commit_conflict', { portfolio_id: current.id, attempt });
      const fresh = await db(env).select().from(portfolios).where(eq(portfolios.id, current.id)).get();
      if (!fresh || fresh.deletedAt) throw new ApiError('NOT_FOUND', `Portfolio ${current.id} not found`);
      current = fresh;
    }
  }
}

/** Symbols as the catalog spells them: upper case, and 002's `BTC/USD` pairs as their base asset. */
export function normalizeSymbol(symbol: string): string {
  const s = symbol.trim().toUpperCase();
  const pair = /^([A-Z0-9.^-]+)[/-](USD|USDT|USDC)$/.exec(s);
  return pair?.[1] ?? s;
}

/** The asset a symbol names, or null for instruments the catalog does not price (valued at cost). */
export async function findHeldAsset(env: Env, symbol: string, userId: string) {
  try {
    return await resolveHeldAsset(env, symbol, userId);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}

export async function assetIdFor(env: Env, symbol: string, userId: string): Promise<string | null> {
  return (await findHeldAsset(env, symbol, userId))?.id ?? null;
}

/**
 * The asset a user's position refers to: their own private series of that symbol, else the
 * shared catalog's. (`resolveAsset` with an owner looks at that owner's series only.)
 */
export async function resolveHeldAsset(env: Env, symbol: string, userId: string) {
  try {
    return await resolveAsset(env, symbol, userId);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'NOT_FOUND') return resolveAsset(env, symbol);
    throw err;
  }
}

/** A new position row with zeroed derived columns; the commit fills them from the replay. */
export function newPosition(
  portfolioId: string,
  fields: Pick<PositionRow, 'symbol' | 'assetType' | 'positionType' | 'assetId'> & Partial<PositionRow>,
): PositionRow {
  const now = new Date().toISOString();
  const isOption = fields.positionType === 'CALL' || fields.positionType === 'PUT';
  return {
    id: newId('position'),
    portfolioId,
    underlyingAssetId: null,
    strike: null,
    expiry: null,
    multiplier: isOption ? '100' : '1',
    impliedVolatility: null,
    notes: null,
    allocationTarget: null,
    tags: {},
    isActive: true,
    quantity: '0',
    costBasis: '0',
    avgCost: '0',
    fifoCostBasis: '0',
    realizedPnl: '0',
    fifoRealizedPnl: '0',
    income: '0',
    totalCost: '0',
    totalProceeds: '0',
    openedAt: null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    ...fields,
  };
}

/** A new trade row; `seq` is the next insertion number of the ledger it joins. */
export function newTrade(
  ledger: LoadedLedger,
  userId: string,
  positionId: string | null,
  input: TradeInput & { symbol: string; price: string },
  seq: number,
  source: TradeRow['source'] = 'api',
): TradeRow {
  const now = new Date().toISOString();
  return {
    id: newId('trade'),
    portfolioId: ledger.portfolio.id,
    userId,
    positionId,
    tradeType: input.trade_type,
    assetType: input.asset_type,
    symbol: input.symbol,
    quantity: new D(input.quantity).toString(),
    price: new D(input.price).toString(),
    fees: new D(input.fees ?? '0').toString(),
    totalAmount: new D(input.quantity).times(input.price).toString(),
    tradeDate: input.trade_date,
    seq,
    notes: input.notes ?? null,
    source,
    botId: input.bot_id ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

export function nextSeq(ledger: LoadedLedger): number {
  let max = 0;
  for (const t of ledger.trades) if (t.seq > max) max = t.seq;
  return max + 1;
}

/**
 * The position a trade belongs to: the one named, or the portfolio's active position with the
 * same instrument (symbol, asset type, position type and, for options, strike and expiry), or
 * a new one. Cash deposits, withdrawals and portfolio-level fees belong to none.
 */
export async function positionForTrade(
  env: Env,
  ledger: LoadedLedger,
  userId: string,
  input: TradeInput,
  pending: PositionRow[],
): Promise<{ positionId: string | null; symbol: string; created?: PositionRow }> {
  if (input.asset_type === 'cash') {
    if (!['add', 'remove', 'fee'].includes(input.trade_type)) {
      throw new ApiError(
        'VALIDATION_ERROR',
        `A cash entry can be add, remove or fee, not ${input.trade_type}`,
      );
    }
    return { positionId: null, symbol: normalizeSymbol(input.symbol ?? 'USD') };
  }
  if (input.position_id) {
    const p = [...ledger.positions, ...pending].find(
      (x) => x.id === input.position_id && x.isActive && !x.deletedAt,
    );
    if (!p) throw new ApiError('NOT_FOUND', `Position ${input.position_id} not found in this portfolio`);
    return { positionId: p.id, symbol: p.symbol };
  }
  if (!input.symbol) throw new ApiError('VALIDATION_ERROR', 'symbol is required for a non-cash trade');
  const symbol = normalizeSymbol(input.symbol);
  const positionType = input.position_type ?? 'LONG';
  const isOption = positionType === 'CALL' || positionType === 'PUT';
  if (isOption && (!input.strike || !input.expiry || !input.underlying)) {
    throw new ApiError('VALIDATION_ERROR', 'An option needs underlying, strike and expiry');
  }
  const same = (p: PositionRow) =>
    p.isActive &&
    !p.deletedAt &&
    p.symbol === symbol &&
    p.assetType === input.asset_type &&
    p.positionType === positionType &&
    (!isOption || (p.strike === new D(input.strike ?? '0').toString() && p.expiry === input.expiry));
  const existing = [...ledger.positions, ...pending].find(same);
  if (existing) return { positionId: existing.id, symbol };
  if (
    input.trade_type !== 'buy' &&
    input.trade_type !== 'add' &&
    !(positionType === 'SHORT' && input.trade_type === 'sell')
  ) {
    throw new ApiError('INSUFFICIENT_BALANCE', `No ${symbol} held in this portfolio to ${input.trade_type}`, {
      details: { symbol, asset_type: input.asset_type, position_type: positionType },
    });
  }
  const underlyingAssetId =
    isOption && input.underlying ? await assetIdFor(env, normalizeSymbol(input.underlying), userId) : null;
  const created = newPosition(ledger.portfolio.id, {
    symbol,
    assetType: input.asset_type,
    positionType,
    assetId: isOption ? underlyingAssetId : await assetIdFor(env, symbol, userId),
    underlyingAssetId,
    strike: isOption ? new D(input.strike ?? '0').toString() : null,
    expiry: isOption ? (input.expiry ?? null) : null,
    ...(input.multiplier ? { multiplier: new D(input.multiplier).toString() } : {}),
  });
  return { positionId: created.id, symbol, created };
}

/**
 * A new trade on its position (made, and added to `created`, when the instrument is new to the
 * ledger). Cash entries default to a price of 1 and splits to 0; any other trade needs one.
 */
export async function placeTrade(
  env: Env,
  ledger: LoadedLedger,
  userId: string,
  input: TradeInput,
  created: PositionRow[],
  seq: number,
  source?: TradeRow['source'],
): Promise<TradeRow> {
  const target = await positionForTrade(env, ledger, userId, input, created);
  if (target.created) created.push(target.created);
  const price =
    input.price ?? (input.asset_type === 'cash' ? '1' : input.trade_type === 'split' ? '0' : undefined);
  if (price === undefined) throw new ApiError('VALIDATION_ERROR', 'price is required');
  return newTrade(ledger, userId, target.positionId, { ...input, symbol: target.symbol, price }, seq, source);
}

/**
 * The statements that open a NEW portfolio's ledger (version 1) with `inputs`, for a caller
 * that writes them in one D1 batch after the portfolio's own insert (a bot and its funded paper
 * account: all or nothing). Nothing else can commit to a portfolio not yet written, so no turn
 * is taken.
 */
export async function openingLedgerStatements(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  inputs: TradeInput[],
  options: { source?: TradeRow['source']; action?: string; details?: Record<string, unknown> } = {},
): Promise<{ statements: D1PreparedStatement[]; trades: TradeRow[] }> {
  const ledger: LoadedLedger = { portfolio: { ...portfolio, ledgerVersion: 0 }, positions: [], trades: [] };
  const created: PositionRow[] = [];
  const inserted: TradeRow[] = [];
  let seq = 1;
  for (const input of inputs) {
    inserted.push(await placeTrade(env, ledger, userId, input, created, seq++, options.source));
  }
  const { statements } = changeStatements(
    env,
    ledger.portfolio,
    ledger,
    {
      insertPositions: created,
      insertTrades: inserted,
      details: { trade_ids: inserted.map((t) => t.id), ...options.details },
    },
    userId,
    options.action ?? 'trade.create',
  );
  return { statements, trades: inserted };
}

/** Records trades (one, or an import's many) into a portfolio's ledger, making positions as needed. */
export async function recordTrades(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  inputs: TradeInput[],
  options: { source?: TradeRow['source']; action?: string; details?: Record<string, unknown> } = {},
): Promise<{ trades: TradeRow[]; positions: PositionRow[]; result: CommitResult }> {
  let inserted: TradeRow[] = [];
  let created: PositionRow[] = [];
  const result = await commitLedger(
    env,
    portfolio,
    userId,
    options.action ?? 'trade.create',
    async (ledger) => {
      inserted = [];
      created = [];
      let seq = nextSeq(ledger);
      for (const input of inputs) {
        inserted.push(await placeTrade(env, ledger, userId, input, created, seq++, options.source));
      }
      return {
        insertPositions: created,
        insertTrades: inserted,
        details: { trade_ids: inserted.map((t) => t.id), ...options.details },
      };
    },
  );
  return { trades: inserted, positions: created, result };
}

/** Ids of trades in a portfolio that belong to the given positions. */
export async function tradesOfPositions(
  env: Env,
  portfolioId: string,
  positionIds: string[],
): Promise<TradeRow[]> {
  if (positionIds.length === 0) return [];
  return db(env)
    .select()
    .from(trades)
    .where(and(eq(trades.portfolioId, portfolioId), inArray(trades.positionId, positionIds)))
    .orderBy(asc(trades.tradeDate), asc(trades.seq));
}
