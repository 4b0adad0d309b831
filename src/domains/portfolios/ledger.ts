/**
 * # The trades ledger
 *
 * Holdings, cash and P&L are never stored as inputs: they are derived by replaying the ledger's
 * entries in (date, seq) order. Everything is exact decimal arithmetic (decimal.js, 40 significant
 * digits, banker's rounding); no value ever passes through a float. A position's multiplier `m`
 * (1, or e.g. 100 for options) applies to every value: value = quantity × price × m.
 *
 * Rules, per entry type:
 * - **buy** (LONG/CALL/PUT): quantity += q; cost basis += q·p·m + fees (fees are capitalised); a
 *   FIFO lot with unitCost = (q·p·m + fees) / q; cash −= q·p·m + fees.
 * - **sell** (LONG/CALL/PUT): q must be ≤ the open quantity, else `INSUFFICIENT_QUANTITY` naming
 *   the entry, its date, the held and the requested quantity. Proceeds = q·p·m − fees; cash +=
 *   proceeds. Weighted average cost (WAC): cost removed = avgCost × q, the average is unchanged.
 *   FIFO: the oldest lots are consumed first. Realized P&L = proceeds − cost removed, per method.
 * - **SHORT** positions: `sell` opens or increases the short (cash += q·p·m − fees; the basis is
 *   the net proceeds received, lots likewise); `buy` covers (q ≤ short size, else
 *   `INSUFFICIENT_QUANTITY`; cash −= q·p·m + fees; realized = basis removed − (q·p·m + fees)).
 *   `add`/`remove` on a SHORT are `INVALID_ENTRY`. In a cover's realization, `proceeds` is the
 *   cash paid (negative) and `costBasis` is minus the opening proceeds removed, so
 *   pnl = proceeds − costBasis holds for longs and shorts alike.
 * - **add** on a position (units transferred in): quantity += q; cost basis += q·p·m + fees (a lot
 *   as for a buy); an external flow `transfer_in` of q·p·m; the fees are paid from cash.
 * - **remove** on a position (units transferred out): q ≤ open quantity, else
 *   `INSUFFICIENT_QUANTITY`; cost is removed by WAC and FIFO as for a sale but NO P&L is
 *   realized; an external flow `transfer_out` of −q·p·m; the fees are paid from cash.
 * - **add / remove without a position**: a cash deposit / withdrawal of q·p (flows `deposit` /
 *   `withdrawal`). A withdrawal (plus its fees) above the cash balance is `INSUFFICIENT_CASH`.
 * - **dividend** (on a position, open or closed): amount q·p; cash += amount − fees; income +=
 *   amount − fees, on the position and in total.
 * - **fee** (position optional): cash −= q·p + fees; counted in the fee totals (and in the
 *   position's `feesPaid` when it names one).
 * - **split** (on a position): ratio r = quantity (new units per old unit; 0.1 is a 1-for-10
 *   reverse split); open quantity ×= r; each lot's quantity ×= r and unitCost ÷= r; the cost basis
 *   is unchanged, so avgCost ÷= r. Price is ignored; fees must be 0.
 * - **Cash never goes negative**: whenever a buy, cover, fee or transfer's fees would take cash
 *   below zero, the shortfall is an `implicit_deposit` flow on that date. A ledger that never
 *   records cash (seed 003) thereby still has well-defined flows and returns.
 * - Any entry with a quantity ≤ 0, a negative price or fees, a multiplier ≤ 0, a malformed
 *   number or date, a position entry (buy, sell, dividend, split) without a position, or a
 *   position whose type or multiplier changes between entries is `INVALID_ENTRY`.
 * - `realizedPnl` totals are trading P&L only; dividends are `income`, kept apart. `fees` totals
 *   every fee paid: the `fees` of every entry plus the amounts of `fee` entries.
 *
 * Dates: an entry's date is 'YYYY-MM-DD' or an ISO date-time (no offset means UTC). Entries sort
 * by instant (a bare date is its 00:00 UTC), then `seq`. An entry's *day* is its UTC calendar day;
 * `until` and `snapshots` work in days. Dates in the state (lots, flows, realizations,
 * openedAt/closedAt/lastEntryAt) are the entries' own date strings.
 *
 * Worked example (LONG, m = 1): deposit 10,000; buy 10 @ 100 fee 5 (lot 100.5); buy 10 @ 110 fee 5
 * (lot 110.5; WAC avg 105.5); sell 5 @ 120 fee 2 → proceeds 598, WAC cost 527.5 → +70.5, FIFO cost
 * 502.5 → +95.5. See test/domains/portfolios/ledger.test.ts for the full example with a split,
 * a second sale, a dividend, a withdrawal and a transfer out.
 */
import Decimal from 'decimal.js';

/**
 * The ledger's decimal constructor. toExpNeg/toExpPos keep `toString()` in plain notation
 * (1e-8 BTC must serialise as "0.00000001", never "1e-8").
 */
export const D = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Dec = Decimal;

/**
 * Whether a decimal string (plain or exponent notation, as the ledger stores amounts) is zero,
 * as `new D(s).isZero()` answers, without building a Decimal (the portfolio list tests every
 * position's quantity): it is zero exactly when every digit of its mantissa is 0.
 */
export function isZeroDecimal(s: string): boolean {
  return /^[-+]?(0+\.?0*|\.0+)(e[-+]?\d+)?$/i.test(s);
}

export type EntryType = 'buy' | 'sell' | 'add' | 'remove' | 'dividend' | 'fee' | 'split';
export type PositionType = 'LONG' | 'SHORT' | 'CALL' | 'PUT';

export interface LedgerEntry {
  id: string;
  type: EntryType;
  /** The position the entry moves; null for cash deposits/withdrawals and portfolio-level fees. */
  positionId: string | null;
  /** Of that position ('LONG' for cash entries; ignored there). */
  positionType: PositionType;
  /** Decimal string: '1', or e.g. '100' for options. Ignored for cash entries. */
  multiplier: string;
  /** Decimal string > 0 (for 'split': the ratio, new units per old unit). */
  quantity: string;
  /** Decimal string >= 0, per unit (ignored for 'split'). */
  price: string;
  /** Decimal string >= 0. */
  fees: string;
  /** ISO date or date-time; entries are applied in (date, seq) order. */
  date: string;
  /** Insertion order, tie-breaker for the same date. */
  seq: number;
}

export interface Lot {
  entryId: string;
  date: string;
  quantity: Dec;
  unitCost: Dec;
  /** The lot's remaining cost (quantity × unitCost, kept exactly rather than re-multiplied). */
  costBasis: Dec;
}

export interface PositionState {
  positionId: string;
  positionType: PositionType;
  multiplier: Dec;
  /** Open quantity, >= 0 (for a SHORT, the short size). */
  quantity: Dec;
  wac: { costBasis: Dec; avgCost: Dec; realizedPnl: Dec };
  fifo: { lots: Lot[]; costBasis: Dec; avgCost: Dec; realizedPnl: Dec };
  /** Dividends net of their fees. */
  income: Dec;
  feesPaid: Dec;
  /** Gross cost of all buys (q·p·m + fees). */
  totalCost: Dec;
  /** Net proceeds of all sells (q·p·m − fees). */
  totalProceeds: Dec;
  /** Date the current (or last) holding period opened; null if the position never held units. */
  openedAt: string | null;
  /** Date the quantity went to zero; null while open; cleared on reopen. */
  closedAt: string | null;
  lastEntryAt: string;
  entryIds: string[];
}

export interface Realization {
  entryId: string;
  positionId: string;
  positionType: PositionType;
  date: string;
  quantity: Dec;
  /** Net cash of the closing trade: sale proceeds, or (negative) the cost of a cover. */
  proceeds: Dec;
  wac: { costBasis: Dec; pnl: Dec };
  fifo: { costBasis: Dec; pnl: Dec; lots: { entryId: string; quantity: Dec; unitCost: Dec }[] };
}

export type FlowKind = 'deposit' | 'withdrawal' | 'implicit_deposit' | 'transfer_in' | 'transfer_out';

/** An external cash flow; positive into the portfolio. */
export interface Flow {
  entryId: string;
  date: string;
  amount: Dec;
  kind: FlowKind;
}

export interface LedgerState {
  positions: Map<string, PositionState>;
  /** Never negative. */
  cash: Dec;
  realizations: Realization[];
  flows: Flow[];
  income: Dec;
  fees: Dec;
  /** Trading P&L only (income is separate). */
  realizedPnl: { wac: Dec; fifo: Dec };
  /** How many entries were applied (all, or those up to `until`). */
  entriesApplied: number;
}

export interface Snapshot {
  date: string;
  quantities: Map<string, Dec>;
  cash: Dec;
  /** Net external flow on that date, all kinds. */
  flow: Dec;
  /** WAC cost basis per position. */
  costBasis: Map<string, Dec>;
}

export type LedgerErrorCode = 'INSUFFICIENT_QUANTITY' | 'INSUFFICIENT_CASH' | 'INVALID_ENTRY';

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: LedgerErrorCode,
    readonly entryId: string,
    readonly date: string,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

const ZERO = new D(0);
const ONE = new D(1);
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** An entry with its numbers parsed once and its sort key computed. */
interface Prepared {
  e: LedgerEntry;
  q: Dec;
  p: Dec;
  f: Dec;
  m: Dec;
  ms: number;
  day: string;
  index: number;
}

function invalid(e: LedgerEntry, field: string, reason: string): LedgerError {
  return new LedgerError('INVALID_ENTRY', e.id, String(e.date), `Entry ${e.id}: ${field} ${reason}.`, {
    field,
    reason,
  });
}

/** Parses a decimal field; `cache` shares the (immutable) Decimal of repeated strings like '0'. */
function num(
  e: LedgerEntry,
  field: 'quantity' | 'price' | 'fees' | 'multiplier',
  cache: Map<string, Dec>,
): Dec {
  const raw = e[field];
  const hit = cache.get(raw);
  if (hit) return hit;
  if (typeof raw !== 'string' || !DECIMAL_RE.test(raw)) throw invalid(e, field, 'is not a decimal number');
  const value = new D(raw);
  cache.set(raw, value);
  return value;
}

function validCalendarDate(y: string, m: string, d: string): boolean {
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  return new Date(ms).toISOString().slice(0, 10) === `${y}-${m}-${d}`;
}

/** Parses an entry date to (instant, UTC day); null when malformed. */
export function parseEntryDate(date: string): { ms: number; day: string } | null {
  if (typeof date !== 'string') return null;
  const dm = DATE_RE.exec(date);
  if (dm) {
    const [, y, m, d] = dm as unknown as [string, string, string, string];
    if (!validCalendarDate(y, m, d)) return null;
    return { ms: Date.UTC(Number(y), Number(m) - 1, Number(d)), day: date };
  }
  const tm = DATE_TIME_RE.exec(date);
  if (!tm) return null;
  const [, y, m, d] = tm as unknown as [string, string, string, string];
  if (!validCalendarDate(y, m, d)) return null;
  // Without an offset JavaScript would read local time; the ledger's convention is UTC.
  const ms = Date.parse(tm[6] ? date : `${date}Z`);
  if (Number.isNaN(ms)) return null;
  return { ms, day: new Date(ms).toISOString().slice(0, 10) };
}

const POSITION_ENTRY_TYPES = new Set<EntryType>(['buy', 'sell', 'dividend', 'split']);
const ENTRY_TYPES = new Set<EntryType>(['buy', 'sell', 'add', 'remove', 'dividend', 'fee', 'split']);
const POSITION_TYPES = new Set<PositionType>(['LONG', 'SHORT', 'CALL', 'PUT']);

function prepare(entries: readonly LedgerEntry[]): Prepared[] {
  const out: Prepared[] = new Array(entries.length);
  const numbers = new Map<string, Dec>([
    ['0', ZERO],
    ['1', ONE],
  ]);
  // Ledgers repeat dates heavily; calendar validation is the costliest part of preparing an entry.
  const dates = new Map<string, { ms: number; day: string } | null>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as LedgerEntry;
    if (!ENTRY_TYPES.has(e.type)) throw invalid(e, 'type', 'is not a ledger entry type');
    let when = dates.get(e.date);
    if (when === undefined) {
      when = parseEntryDate(e.date);
      dates.set(e.date, when);
    }
    if (!when) throw invalid(e, 'date', 'is not an ISO date or date-time');
    if (!Number.isFinite(e.seq)) throw invalid(e, 'seq', 'is not a number');
    const q = num(e, 'quantity', numbers);
    if (q.lte(0)) throw invalid(e, 'quantity', 'must be greater than 0');
    const p = num(e, 'price', numbers);
    if (p.isNeg()) throw invalid(e, 'price', 'must not be negative');
    const f = num(e, 'fees', numbers);
    if (f.isNeg()) throw invalid(e, 'fees', 'must not be negative');
    let m = ONE;
    if (e.positionId !== null) {
      m = num(e, 'multiplier', numbers);
      if (m.lte(0)) throw invalid(e, 'multiplier', 'must be greater than 0');
      if (!POSITION_TYPES.has(e.positionType)) throw invalid(e, 'positionType', 'is not a position type');
      if (e.positionType === 'SHORT' && (e.type === 'add' || e.type === 'remove')) {
        throw invalid(e, 'type', 'add/remove (transfers) do not apply to a SHORT position');
      }
    } else if (POSITION_ENTRY_TYPES.has(e.type)) {
      throw invalid(e, 'positionId', `is required for a ${e.type} entry`);
    }
    if (e.type === 'split' && !f.isZero()) throw invalid(e, 'fees', 'must be 0 for a split');
    out[i] = { e, q, p, f, m, ms: when.ms, day: when.day, index: i };
  }
  // Sorting a copy: the caller's array is never reordered.
  out.sort((a, b) => a.ms - b.ms || a.e.seq - b.e.seq || a.index - b.index);
  return out;
}

/** The mutable replay machine shared by `replay` and `snapshots`. */
class Machine {
  readonly positions = new Map<string, PositionState>();
  cash: Dec = ZERO;
  realizations: Realization[] = [];
  flows: Flow[] = [];
  income: Dec = ZERO;
  fees: Dec = ZERO;
  realizedWac: Dec = ZERO;
  realizedFifo: Dec = ZERO;
  applied = 0;
  private readonly staleAvg = new Set<PositionState>();

  /**
   * The machine as it stands after the entry sorting at (ms, seq), to continue from later. Taken
   * before `state()`: which averages are stale is part of it (a split scales a fresh average but
   * leaves a stale one to be recomputed, and the two can differ in the 40th digit).
   */
  checkpoint(ms: number, seq: number): Checkpoint {
    const positions: PositionState[] = [];
    for (const pos of this.positions.values()) positions.push(clonePosition(pos));
    return {
      ms,
      seq,
      applied: this.applied,
      positions,
      stale: [...this.staleAvg].map((p) => p.positionId),
      cash: this.cash,
      income: this.income,
      fees: this.fees,
      realizedWac: this.realizedWac,
      realizedFifo: this.realizedFifo,
      // Realizations and flows are never changed once pushed; copying the arrays is enough.
      realizations: this.realizations.slice(),
      flows: this.flows.slice(),
    };
  }

  /** A machine in the state a checkpoint recorded (its own copies: the checkpoint stays as it was). */
  static restore(cp: Checkpoint): Machine {
    const m = new Machine();
    const stale = new Set(cp.stale);
    for (const p of cp.positions) {
      const pos = clonePosition(p);
      m.positions.set(pos.positionId, pos);
      if (stale.has(pos.positionId)) m.staleAvg.add(pos);
    }
    m.cash = cp.cash;
    m.income = cp.income;
    m.fees = cp.fees;
    m.realizedWac = cp.realizedWac;
    m.realizedFifo = cp.realizedFifo;
    m.applied = cp.applied;
    m.realizations = cp.realizations.slice();
    m.flows = cp.flows.slice();
    return m;
  }

  private flow(e: LedgerEntry, amount: Dec, kind: FlowKind): void {
    this.flows.push({ entryId: e.id, date: e.date, amount, kind });
  }

  /** Takes `amount` out of cash; any shortfall becomes an implicit deposit so cash stays >= 0. */
  private pay(e: LedgerEntry, amount: Dec): void {
    const next = this.cash.minus(amount);
    if (next.isNeg()) {
      this.flow(e, next.neg(), 'implicit_deposit');
      this.cash = ZERO;
    } else {
      this.cash = next;
    }
  }

  /** Adds signed cash (a negative net amount, e.g. fees above proceeds, is paid like any outflow). */
  private receive(e: LedgerEntry, amount: Dec): void {
    if (amount.isNeg()) this.pay(e, amount.neg());
    else this.cash = this.cash.plus(amount);
  }

  private position(x: Prepared): PositionState {
    const e = x.e;
    const id = e.positionId as string;
    let pos = this.positions.get(id);
    if (!pos) {
      pos = {
        positionId: id,
        positionType: e.positionType,
        multiplier: x.m,
        quantity: ZERO,
        wac: { costBasis: ZERO, avgCost: ZERO, realizedPnl: ZERO },
        fifo: { lots: [], costBasis: ZERO, avgCost: ZERO, realizedPnl: ZERO },
        income: ZERO,
        feesPaid: ZERO,
        totalCost: ZERO,
        totalProceeds: ZERO,
        openedAt: null,
        closedAt: null,
        lastEntryAt: e.date,
        entryIds: [],
      };
      this.positions.set(id, pos);
    } else {
      if (pos.positionType !== e.positionType) {
        throw invalid(e, 'positionType', `is ${e.positionType} but position ${id} is ${pos.positionType}`);
      }
      if (!pos.multiplier.eq(x.m)) {
        throw invalid(e, 'multiplier', `is ${x.m} but position ${id} has ${pos.multiplier}`);
      }
    }
    pos.lastEntryAt = e.date;
    pos.entryIds.push(e.id);
    return pos;
  }

  /** Adds units at a total basis (buy, add, short open). */
  private open(pos: PositionState, e: LedgerEntry, q: Dec, basis: Dec): void {
    if (pos.quantity.isZero()) {
      pos.openedAt = e.date;
      pos.closedAt = null;
    }
    pos.quantity = pos.quantity.plus(q);
    pos.wac.costBasis = pos.wac.costBasis.plus(basis);
    // The average is computed when next needed (a sale, or the end): buys in a row cost one division.
    this.staleAvg.add(pos);
    pos.fifo.lots.push({
      entryId: e.id,
      date: e.date,
      quantity: q,
      unitCost: basis.div(q),
      costBasis: basis,
    });
    pos.fifo.costBasis = pos.fifo.costBasis.plus(basis);
  }

  /** Brings a position's WAC average up to date (basis / quantity after its latest additions). */
  private freshAvg(pos: PositionState): void {
    if (!this.staleAvg.has(pos)) return;
    this.staleAvg.delete(pos);
    pos.wac.avgCost = pos.quantity.isZero() ? ZERO : pos.wac.costBasis.div(pos.quantity);
  }

  /**
   * Removes q units (sell, cover, transfer out) and returns the basis removed under each method.
   * A full close removes exactly the remaining basis, so no rounding residue is left behind.
   */
  private close(
    pos: PositionState,
    x: Prepared,
    verb: string,
  ): { wac: Dec; fifo: Dec; lots: Realization['fifo']['lots'] } {
    const { e, q } = x;
    if (q.gt(pos.quantity)) {
      throw new LedgerError(
        'INSUFFICIENT_QUANTITY',
        e.id,
        e.date,
        `Entry ${e.id} on ${e.date} ${verb} ${q} of position ${pos.positionId}, but only ${pos.quantity} is held.`,
        { positionId: pos.positionId, held: pos.quantity.toString(), requested: q.toString() },
      );
    }
    const full = q.eq(pos.quantity);
    this.freshAvg(pos);
    const wac = full ? pos.wac.costBasis : pos.wac.avgCost.times(q);
    const lots: Realization['fifo']['lots'] = [];
    let fifo = ZERO;
    let left = q;
    const book = pos.fifo.lots;
    let used = 0;
    while (left.gt(0) && used < book.length) {
      const lot = book[used] as Lot;
      if (lot.quantity.lte(left)) {
        lots.push({ entryId: lot.entryId, quantity: lot.quantity, unitCost: lot.unitCost });
        fifo = fifo.plus(lot.costBasis);
        left = left.minus(lot.quantity);
        used++;
      } else {
        const cost = lot.unitCost.times(left);
        lots.push({ entryId: lot.entryId, quantity: left, unitCost: lot.unitCost });
        fifo = fifo.plus(cost);
        lot.quantity = lot.quantity.minus(left);
        lot.costBasis = lot.costBasis.minus(cost);
        left = ZERO;
      }
    }
    if (used > 0) book.splice(0, used);
    pos.quantity = pos.quantity.minus(q);
    if (full) {
      // Lots were consumed exactly; drop any rounding dust rather than keep a zero-size lot.
      book.length = 0;
      fifo = pos.fifo.costBasis;
      pos.wac.costBasis = ZERO;
      pos.wac.avgCost = ZERO;
      pos.fifo.costBasis = ZERO;
      pos.fifo.avgCost = ZERO;
      pos.closedAt = e.date;
    } else {
      pos.wac.costBasis = pos.wac.costBasis.minus(wac);
      pos.fifo.costBasis = pos.fifo.costBasis.minus(fifo);
    }
    return { wac, fifo, lots };
  }

  private realize(
    pos: PositionState,
    x: Prepared,
    proceeds: Dec,
    removed: { wac: Dec; fifo: Dec; lots: Realization['fifo']['lots'] },
    sign: 1 | -1,
  ): void {
    // For a cover the basis is the opening proceeds, a credit: sign −1 keeps pnl = proceeds − costBasis.
    const wacBasis = sign === 1 ? removed.wac : removed.wac.neg();
    const fifoBasis = sign === 1 ? removed.fifo : removed.fifo.neg();
    const wacPnl = proceeds.minus(wacBasis);
    const fifoPnl = proceeds.minus(fifoBasis);
    pos.wac.realizedPnl = pos.wac.realizedPnl.plus(wacPnl);
    pos.fifo.realizedPnl = pos.fifo.realizedPnl.plus(fifoPnl);
    this.realizedWac = this.realizedWac.plus(wacPnl);
    this.realizedFifo = this.realizedFifo.plus(fifoPnl);
    this.realizations.push({
      entryId: x.e.id,
      positionId: pos.positionId,
      positionType: pos.positionType,
      date: x.e.date,
      quantity: x.q,
      proceeds,
      wac: { costBasis: wacBasis, pnl: wacPnl },
      fifo: { costBasis: fifoBasis, pnl: fifoPnl, lots: removed.lots },
    });
  }

  apply(x: Prepared): void {
    const { e, q, p, f } = x;
    this.applied++;
    if (f.gt(0)) this.fees = this.fees.plus(f);

    if (e.positionId === null) {
      const amount = q.times(p);
      if (e.type === 'add') {
        this.cash = this.cash.plus(amount);
        this.flow(e, amount, 'deposit');
        this.pay(e, f);
      } else if (e.type === 'remove') {
        const need = amount.plus(f);
        if (need.gt(this.cash)) {
          throw new LedgerError(
            'INSUFFICIENT_CASH',
            e.id,
            e.date,
            `Entry ${e.id} on ${e.date} withdraws ${need} but the cash balance is ${this.cash}.`,
            { balance: this.cash.toString(), requested: need.toString() },
          );
        }
        this.cash = this.cash.minus(need);
        this.flow(e, amount.neg(), 'withdrawal');
      } else {
        // fee: the only other entry type allowed without a position (checked in prepare).
        this.fees = this.fees.plus(amount);
        this.pay(e, amount.plus(f));
      }
      return;
    }

    const pos = this.position(x);
    if (f.gt(0)) pos.feesPaid = pos.feesPaid.plus(f);
    const gross = x.m === ONE ? q.times(p) : q.times(p).times(x.m);
    const short = pos.positionType === 'SHORT';
    switch (e.type) {
      case 'buy': {
        const cost = gross.plus(f);
        pos.totalCost = pos.totalCost.plus(cost);
        if (short) {
          const removed = this.close(pos, x, 'covers');
          this.pay(e, cost);
          this.realize(pos, x, cost.neg(), removed, -1);
        } else {
          this.open(pos, e, q, cost);
          this.pay(e, cost);
        }
        return;
      }
      case 'sell': {
        const proceeds = gross.minus(f);
        pos.totalProceeds = pos.totalProceeds.plus(proceeds);
        if (short) {
          this.open(pos, e, q, proceeds);
          this.receive(e, proceeds);
        } else {
          const removed = this.close(pos, x, 'sells');
          this.receive(e, proceeds);
          this.realize(pos, x, proceeds, removed, 1);
        }
        return;
      }
      case 'add': {
        this.open(pos, e, q, gross.plus(f));
        this.flow(e, gross, 'transfer_in');
        this.pay(e, f);
        return;
      }
      case 'remove': {
        this.close(pos, x, 'transfers out');
        this.flow(e, gross.neg(), 'transfer_out');
        this.pay(e, f);
        return;
      }
      case 'dividend': {
        const net = q.times(p).minus(f);
        pos.income = pos.income.plus(net);
        this.income = this.income.plus(net);
        this.receive(e, net);
        return;
      }
      case 'fee': {
        const amount = q.times(p);
        pos.feesPaid = pos.feesPaid.plus(amount);
        this.fees = this.fees.plus(amount);
        this.pay(e, amount.plus(f));
        return;
      }
      case 'split': {
        pos.quantity = pos.quantity.times(q);
        // A stale average is recomputed from the scaled quantity later; a fresh one scales here.
        if (!this.staleAvg.has(pos)) pos.wac.avgCost = pos.wac.avgCost.div(q);
        for (const lot of pos.fifo.lots) {
          lot.quantity = lot.quantity.times(q);
          lot.unitCost = lot.unitCost.div(q);
        }
        return;
      }
    }
  }

  state(): LedgerState {
    for (const pos of this.staleAvg) this.freshAvg(pos);
    for (const pos of this.positions.values()) {
      pos.fifo.avgCost = pos.quantity.isZero() ? ZERO : pos.fifo.costBasis.div(pos.quantity);
    }
    return {
      positions: this.positions,
      cash: this.cash,
      realizations: this.realizations,
      flows: this.flows,
      income: this.income,
      fees: this.fees,
      realizedPnl: { wac: this.realizedWac, fifo: this.realizedFifo },
      entriesApplied: this.applied,
    };
  }
}

/**
 * The replay's state after a prefix of the ledger in (instant, seq) order, to continue from
 * without replaying that prefix. Immutable once taken (`Machine.restore` copies what it changes).
 */
export interface Checkpoint {
  /** Sort key of the last entry applied (instant ms, seq); -Infinity for the empty ledger. */
  readonly ms: number;
  readonly seq: number;
  /** Entries applied up to here. */
  readonly applied: number;
  /** Every position so far, in first-entry order, as it stood (before `state()`'s averages). */
  readonly positions: readonly PositionState[];
  /** Positions whose WAC average is stale (recomputed when next needed). */
  readonly stale: readonly string[];
  readonly cash: Dec;
  readonly income: Dec;
  readonly fees: Dec;
  readonly realizedWac: Dec;
  readonly realizedFifo: Dec;
  readonly realizations: readonly Realization[];
  readonly flows: readonly Flow[];
}

function clonePosition(p: PositionState): PositionState {
  return {
    ...p,
    wac: { ...p.wac },
    fifo: { ...p.fifo, lots: p.fifo.lots.map((lot) => ({ ...lot })) },
    entryIds: p.entryIds.slice(),
  };
}

/** Entries applied between two kept checkpoints of one ledger (the last, its end, is always kept). */
export const CHECKPOINT_EVERY = 512;

export interface ResumableReplay {
  state: LedgerState;
  /**
   * Checkpoints of the whole ledger, ascending, at least `every` entries apart; the last is its
   * end. Null when two entries share an (instant, seq) key: their order then rests on input order,
   * which a later read of the ledger need not reproduce, so no prefix of it is reused.
   */
  checkpoints: Checkpoint[] | null;
}

/**
 * `replay` (without `until`) that leaves checkpoints behind and can start from one. With `from`,
 * `entries` must be exactly the ledger's entries that sort strictly after it (the caller knows
 * the prefix before it is unchanged), and the result equals `replay` of the whole ledger, digit
 * for digit: the machine continues from the very state the prefix left. `kept` are the
 * ledger's checkpoints before `from`, carried into the result. Errors are `replay`'s: the
 * prefix was valid, so the first invalid or impossible entry is found in the rest.
 */
export function replayResumable(
  entries: readonly LedgerEntry[],
  options: { from?: Checkpoint; kept?: readonly Checkpoint[]; every?: number } = {},
): ResumableReplay {
  const every = options.every ?? CHECKPOINT_EVERY;
  const from = options.from;
  const machine = from ? Machine.restore(from) : new Machine();
  const out: Checkpoint[] = [...(options.kept ?? [])];
  let lastKept = out.length > 0 ? (out[out.length - 1] as Checkpoint).applied : 0;
  if (from && from.applied - lastKept >= every) {
    out.push(from);
    lastKept = from.applied;
  }
  let lastMs = from?.ms ?? Number.NEGATIVE_INFINITY;
  let lastSeq = from?.seq ?? Number.NEGATIVE_INFINITY;
  let tie = false;
  for (const x of prepare(entries)) {
    if (x.ms < lastMs || (x.ms === lastMs && x.e.seq <= lastSeq)) {
      if (from && machine.applied === from.applied) {
        throw new RangeError(`Entry ${x.e.id} does not sort after the checkpoint it continues from`);
      }
      tie = true;
    } else if (machine.applied - lastKept >= every) {
      // Only between distinct keys, so a prefix is a set of keys, whatever the input order.
      out.push(machine.checkpoint(lastMs, lastSeq));
      lastKept = machine.applied;
    }
    machine.apply(x);
    lastMs = x.ms;
    lastSeq = x.e.seq;
  }
  const end = machine.checkpoint(lastMs, lastSeq);
  return { state: machine.state(), checkpoints: tie ? null : [...out, end] };
}

/**
 * Replays the ledger and returns the derived state. `until` (inclusive, 'YYYY-MM-DD') ignores
 * entries whose UTC day is after it: the state as of the end of that day. The input is not
 * mutated. Throws `LedgerError` on the first invalid or impossible entry (every entry is
 * validated, even those after `until`; the oversell/overdraw checks apply only to applied ones).
 */
export function replay(entries: readonly LedgerEntry[], options: { until?: string } = {}): LedgerState {
  const { until } = options;
  if (until !== undefined && (!DATE_RE.test(until) || parseEntryDate(until) === null)) {
    throw new RangeError(`until must be a YYYY-MM-DD date, got "${until}"`);
  }
  const machine = new Machine();
  for (const x of prepare(entries)) {
    if (until !== undefined && x.day > until) break;
    machine.apply(x);
  }
  return machine.state();
}

/**
 * The state after each distinct day (UTC) that has entries, in one pass: quantities, cash, the net
 * external flow of that day (all kinds) and the WAC cost basis per position. Each snapshot equals
 * `replay(entries, { until: date })` on those fields. Positions appear from their first entry on,
 * with quantity 0 once closed.
 */
export function snapshots(entries: readonly LedgerEntry[]): Snapshot[] {
  const machine = new Machine();
  const out: Snapshot[] = [];
  const prepared = prepare(entries);
  let i = 0;
  while (i < prepared.length) {
    const day = (prepared[i] as Prepared).day;
    const flowsBefore = machine.flows.length;
    while (i < prepared.length && (prepared[i] as Prepared).day === day) {
      machine.apply(prepared[i] as Prepared);
      i++;
    }
    let flow = ZERO;
    for (let k = flowsBefore; k < machine.flows.length; k++)
      flow = flow.plus((machine.flows[k] as Flow).amount);
    const quantities = new Map<string, Dec>();
    const costBasis = new Map<string, Dec>();
    for (const [id, pos] of machine.positions) {
      quantities.set(id, pos.quantity);
      costBasis.set(id, pos.wac.costBasis);
    }
    out.push({ date: day, quantities, cash: machine.cash, flow, costBasis });
  }
  return out;
}
