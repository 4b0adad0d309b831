import type { positions, trades } from '../../db/schema/portfolios';
import {
  type Checkpoint,
  type LedgerEntry,
  type LedgerState,
  parseEntryDate,
  type ResumableReplay,
  replayResumable,
} from './ledger';

/**
 * # Ledger changes that replay only what they touch
 *
 * A change to a ledger (the trades and positions of one version) continues the replay from a
 * checkpoint of the version before it instead of from the first trade: from its end when every
 * changed trade sorts after the ledger's last entry (an append), else from the latest
 * checkpoint before the earliest trade the change inserts, edits (its old or new date) or
 * deletes. The prefix up to that checkpoint is the same set of entries before and after the
 * change, so the machine's state there is the same, and continuing from it gives the full
 * replay's state exactly; the entries after it are all replayed, so a back-dated change that
 * makes a later sale impossible is refused as before. A change to a position that moves
 * entries in or out of the ledger (active flag, deletion, type, multiplier) replays everything.
 * Pure: no Workers imports (the bench runs it in Node).
 */

// The rows' types from the schema itself, so this module (and the bench) stays free of Workers types.
export type PositionRow = typeof positions.$inferSelect;
export type TradeRow = typeof trades.$inferSelect;

/** The ledger entries the engine replays: trades of active, undeleted positions, and cash entries. */
export function ledgerEntries(
  positionRows: readonly PositionRow[],
  tradeRows: readonly TradeRow[],
): LedgerEntry[] {
  const byId = new Map(positionRows.map((p) => [p.id, p]));
  const out: LedgerEntry[] = [];
  for (const t of tradeRows) {
    const p = t.positionId ? byId.get(t.positionId) : undefined;
    if (t.positionId && (!p?.isActive || p.deletedAt)) continue;
    out.push({
      id: t.id,
      type: t.tradeType,
      positionId: t.positionId,
      positionType: p?.positionType ?? 'LONG',
      multiplier: p?.multiplier ?? '1',
      quantity: t.quantity,
      price: t.price,
      fees: t.fees,
      date: t.tradeDate,
      seq: t.seq,
    });
  }
  return out;
}

/** The order trades are kept in (and read from D1): date text, then insertion. */
export const tradeOrder = (a: TradeRow, b: TradeRow) =>
  a.tradeDate < b.tradeDate ? -1 : a.tradeDate > b.tradeDate ? 1 : a.seq - b.seq;

export interface LedgerChange {
  insertTrades?: readonly TradeRow[] | undefined;
  updateTrades?: readonly TradeRow[] | undefined;
  deleteTradeIds?: readonly string[] | undefined;
  insertPositions?: readonly PositionRow[] | undefined;
  updatePositions?: readonly PositionRow[] | undefined;
}

export interface ChangeReplay extends ResumableReplay {
  /** Where the replay started: the previous version's end, one of its checkpoints, or the first trade. */
  from: 'end' | 'checkpoint' | 'start';
  /** Entries replayed (the rest came from the checkpoint). */
  replayed: number;
}

interface Key {
  ms: number;
  seq: number;
}

const after = (a: Key, b: Key) => a.ms > b.ms || (a.ms === b.ms && a.seq > b.seq);

/** Whether a position's change moves entries in or out of the ledger, or changes how they replay. */
const movesEntries = (a: PositionRow, b: PositionRow) =>
  a.isActive !== b.isActive ||
  Boolean(a.deletedAt) !== Boolean(b.deletedAt) ||
  a.positionType !== b.positionType ||
  a.multiplier !== b.multiplier;

/**
 * The state of the ledger after a change. `before` is the ledger the change was built from and
 * `checkpoints` that ledger's (null or undefined: unknown, so everything is replayed); `next` is
 * the ledger after it (trades in `tradeOrder`). The state equals `replay` of `next` exactly.
 * `every` spaces the checkpoints (tests use small values to cross many of them).
 */
export function replayChange(
  before: { positions: readonly PositionRow[]; trades: readonly TradeRow[] },
  checkpoints: readonly Checkpoint[] | null | undefined,
  next: { positions: readonly PositionRow[]; trades: readonly TradeRow[] },
  change: LedgerChange,
  options: { every?: number } = {},
): ChangeReplay {
  const full = (): ChangeReplay => {
    const entries = ledgerEntries(next.positions, next.trades);
    return { ...replayResumable(entries, options), from: 'start', replayed: entries.length };
  };
  const end = checkpoints?.[checkpoints.length - 1];
  if (!checkpoints || !end) return full();

  const oldPositions = new Map(before.positions.map((p) => [p.id, p]));
  for (const p of change.updatePositions ?? []) {
    const old = oldPositions.get(p.id);
    if (!old || movesEntries(old, p)) return full();
  }
  for (const p of change.insertPositions ?? []) if (oldPositions.has(p.id)) return full();

  // The earliest (instant, seq) the change touches: inserted and edited trades, and the old
  // place of edited and deleted ones.
  const touched: TradeRow[] = [...(change.insertTrades ?? []), ...(change.updateTrades ?? [])];
  if ((change.updateTrades?.length ?? 0) > 0 || (change.deleteTradeIds?.length ?? 0) > 0) {
    const gone = new Set([...(change.updateTrades ?? []).map((t) => t.id), ...(change.deleteTradeIds ?? [])]);
    for (const t of before.trades) if (gone.has(t.id)) touched.push(t);
  }
  let earliest: Key | null = null;
  for (const t of touched) {
    const at = parseEntryDate(t.tradeDate);
    // A malformed date is refused by the full replay, with its usual error.
    if (!at || !Number.isFinite(t.seq)) return full();
    const key = { ms: at.ms, seq: t.seq };
    if (!earliest || after(earliest, key)) earliest = key;
  }
  if (!earliest) earliest = { ms: Number.POSITIVE_INFINITY, seq: 0 };

  let at = -1;
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    if (after(earliest, checkpoints[i] as Checkpoint)) {
      at = i;
      break;
    }
  }
  if (at < 0) return full();
  const from = checkpoints[at] as Checkpoint;
  const kept = checkpoints.slice(0, at);

  let rest: LedgerEntry[];
  if (from === end && !change.updateTrades?.length && !change.deleteTradeIds?.length) {
    // An append: the new trades are the whole rest, in the order they take in `next.trades`.
    rest = ledgerEntries(next.positions, [...(change.insertTrades ?? [])].sort(tradeOrder));
  } else {
    const days = new Map<string, number | null>();
    rest = ledgerEntries(next.positions, next.trades).filter((e) => {
      let ms = days.get(e.date);
      if (ms === undefined) {
        ms = parseEntryDate(e.date)?.ms ?? null;
        days.set(e.date, ms);
      }
      // Unparseable dates stay in, for the engine to refuse.
      return ms === null || after({ ms, seq: e.seq }, from);
    });
  }
  return {
    ...replayResumable(rest, { ...options, from, kept }),
    from: from === end ? 'end' : 'checkpoint',
    replayed: rest.length,
  };
}

const str = (v: { toString(): string }) => v.toString();

/** A position with its derived columns set from a replay (zeros when the ledger has none of it). */
export function withDerived(p: PositionRow, state: LedgerState, now: string): PositionRow {
  const s = state.positions.get(p.id);
  return {
    ...p,
    quantity: s ? str(s.quantity) : '0',
    costBasis: s ? str(s.wac.costBasis) : '0',
    avgCost: s ? str(s.wac.avgCost) : '0',
    fifoCostBasis: s ? str(s.fifo.costBasis) : '0',
    realizedPnl: s ? str(s.wac.realizedPnl) : '0',
    fifoRealizedPnl: s ? str(s.fifo.realizedPnl) : '0',
    income: s ? str(s.income) : '0',
    totalCost: s ? str(s.totalCost) : '0',
    totalProceeds: s ? str(s.totalProceeds) : '0',
    openedAt: s?.openedAt ?? null,
    closedAt: s ? s.closedAt : null,
    updatedAt: now,
  };
}

const DERIVED = [
  'quantity',
  'costBasis',
  'avgCost',
  'fifoCostBasis',
  'realizedPnl',
  'fifoRealizedPnl',
  'income',
  'totalCost',
  'totalProceeds',
  'openedAt',
  'closedAt',
] as const satisfies readonly (keyof PositionRow)[];

/**
 * Every position after a change (`rows`: as stored, with their derived columns as the last
 * commit wrote them), and those whose derived figures the replay changed, the only ones to
 * write. A position whose figures are unchanged keeps its row (and `updatedAt`) as stored.
 */
export function derivedChanges(
  rows: readonly PositionRow[],
  state: LedgerState,
  now: string,
): { saved: PositionRow[]; changed: PositionRow[] } {
  const saved: PositionRow[] = [];
  const changed: PositionRow[] = [];
  for (const p of rows) {
    const d = withDerived(p, state, now);
    if (DERIVED.every((k) => d[k] === p[k])) saved.push(p);
    else {
      saved.push(d);
      changed.push(d);
    }
  }
  return { saved, changed };
}

/** A position's derived columns as the commit's json_each UPDATE reads them. */
export const derivedJson = (p: PositionRow) => ({
  id: p.id,
  quantity: p.quantity,
  cost_basis: p.costBasis,
  avg_cost: p.avgCost,
  fifo_cost_basis: p.fifoCostBasis,
  realized_pnl: p.realizedPnl,
  fifo_realized_pnl: p.fifoRealizedPnl,
  income: p.income,
  total_cost: p.totalCost,
  total_proceeds: p.totalProceeds,
  opened_at: p.openedAt,
  closed_at: p.closedAt,
  updated_at: p.updatedAt,
});
