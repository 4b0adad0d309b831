import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  derivedChanges,
  type LedgerChange,
  ledgerEntries,
  replayChange,
  tradeOrder,
  withDerived,
} from '../../../src/domains/portfolios/checkpoints';
import {
  D,
  LedgerError,
  type LedgerState,
  parseEntryDate,
  replay,
  replayResumable,
} from '../../../src/domains/portfolios/ledger';
import { newPosition } from '../../../src/domains/portfolios/services/ledger';
import type { PositionRow, TradeRow } from '../../../src/domains/portfolios/services/portfolios';

// A change to a ledger continues the replay from a checkpoint of the version before it; these
// tests hold that to the full replay, digit for digit, over random ledgers and changes.

const EVERY = 3; // checkpoints every 3 entries, so changes land between many of them
const PORTFOLIO = 'pf_checkpoint_replay';

const POSITIONS: PositionRow[] = [
  newPosition(PORTFOLIO, {
    id: 'pos_a',
    symbol: 'AAA',
    assetType: 'crypto',
    positionType: 'LONG',
    assetId: null,
  }),
  newPosition(PORTFOLIO, {
    id: 'pos_b',
    symbol: 'BBB',
    assetType: 'us-equity',
    positionType: 'LONG',
    assetId: null,
  }),
  newPosition(PORTFOLIO, {
    id: 'pos_s',
    symbol: 'SSS',
    assetType: 'us-equity',
    positionType: 'SHORT',
    assetId: null,
  }),
  newPosition(PORTFOLIO, {
    id: 'pos_c',
    symbol: 'CCC',
    assetType: 'us-equity',
    positionType: 'CALL',
    assetId: null,
    multiplier: '100',
  }),
];

const KINDS = [
  'open',
  'open',
  'close',
  'close',
  'split',
  'dividend',
  'fee',
  'deposit',
  'withdraw',
  'transfer',
] as const;
// Same-day entries in every form the ledger sorts by instant: a bare day, a UTC time, and
// offsets that move the instant to the day before or after (so text order ≠ replay order).
const TIMES = ['', '', 'T10:00:00Z', 'T00:00:00+02:00', 'T23:30:00-05:00'] as const;

const op = fc.record({
  kind: fc.constantFrom(...KINDS),
  pos: fc.integer({ min: 0, max: POSITIONS.length - 1 }),
  qty: fc.integer({ min: 1, max: 40 }),
  part: fc.integer({ min: 1, max: 4 }),
  price: fc.integer({ min: 1, max: 50_000 }),
  fees: fc.constantFrom('0', '0', '0.5', '1.25'),
  split: fc.constantFrom('2', '3', '0.5'),
  days: fc.integer({ min: 0, max: 3 }),
  time: fc.constantFrom(...TIMES),
});
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const change = fc.record({
  kind: fc.constantFrom('append', 'append', 'insert', 'edit', 'delete', 'notes', 'deactivate'),
  op,
  pick: fc.nat(),
  back: fc.integer({ min: 0, max: 40 }),
});
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

const dayOf = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** A trade from an op, sized from what the ledger so far holds so that most ledgers are valid. */
function tradeOf(o: Op, day: number, seq: number, held: Map<string, InstanceType<typeof D>>): TradeRow {
  const p = POSITIONS[o.pos] as PositionRow;
  const short = p.positionType === 'SHORT';
  const have = held.get(p.id) ?? new D(0);
  let positionId: string | null = p.id;
  let type: TradeRow['tradeType'];
  let quantity = new D(o.qty).div(4);
  let price = new D(o.price).div(100).toString();
  let fees = o.fees;
  let kind: Op['kind'] = o.kind;
  if ((kind === 'close' || kind === 'split' || kind === 'transfer') && have.isZero()) kind = 'open';
  if (kind === 'transfer' && short) kind = 'close';
  switch (kind) {
    case 'open':
      type = short ? 'sell' : 'buy';
      break;
    case 'close':
      type = short ? 'buy' : 'sell';
      quantity = have.times(o.part).div(4);
      break;
    case 'split':
      type = 'split';
      quantity = new D(o.split);
      price = '0';
      fees = '0';
      break;
    case 'dividend':
      type = 'dividend';
      break;
    case 'fee':
      type = 'fee';
      if (o.qty % 2 === 0) positionId = null;
      break;
    case 'deposit':
      type = 'add';
      positionId = null;
      quantity = new D(o.qty * 100);
      price = '1';
      break;
    case 'withdraw':
      type = 'remove';
      positionId = null;
      quantity = new D(o.qty);
      price = '1';
      break;
    default:
      type = o.part % 2 === 0 ? 'add' : 'remove';
      if (type === 'remove') quantity = have.times(o.part).div(4);
  }
  if (positionId) {
    const sign = (type === 'buy' && !short) || type === 'add' || (type === 'sell' && short) ? 1 : -1;
    if (type === 'split') held.set(p.id, have.times(quantity));
    else if (type !== 'dividend' && type !== 'fee') held.set(p.id, have.plus(quantity.times(sign)));
  }
  return {
    id: `trd_${seq}`,
    portfolioId: PORTFOLIO,
    userId: 'usr_checkpoint_replay',
    positionId,
    tradeType: type,
    assetType: positionId ? p.assetType : 'cash',
    symbol: positionId ? p.symbol : 'USD',
    quantity: quantity.toString(),
    price,
    fees,
    totalAmount: quantity.times(price).toString(),
    tradeDate: `${dayOf(day)}${o.time}`,
    seq,
    notes: null,
    source: 'api',
    botId: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

/** The state as plain data: decimals as their digits, maps as ordered entries. */
function plain(state: LedgerState): unknown {
  return JSON.parse(JSON.stringify(state, (_k, v) => (v instanceof Map ? [...v.entries()] : v)));
}

const figures = (rows: readonly PositionRow[]) => rows.map(({ updatedAt: _u, ...rest }) => rest);

interface Ledger {
  positions: PositionRow[];
  trades: TradeRow[];
  days: number;
}

function build(ops: Op[]): Ledger {
  const held = new Map<string, InstanceType<typeof D>>();
  let day = 0;
  const trades = ops.map((o, i) => {
    day += o.days;
    return tradeOf(o, day, i + 1, held);
  });
  return { positions: POSITIONS.map((p) => ({ ...p })), trades: trades.sort(tradeOrder), days: day };
}

/** A change as a commit builds it: the mutation and the ledger after it. */
function applyChange(ledger: Ledger, c: Change): { mutation: LedgerChange; next: Ledger } {
  const seq = Math.max(0, ...ledger.trades.map((t) => t.seq)) + 1;
  const held = new Map<string, InstanceType<typeof D>>();
  for (const p of ledger.positions) held.set(p.id, new D(p.quantity));
  const target = ledger.trades[c.pick % Math.max(1, ledger.trades.length)];
  let mutation: LedgerChange = {};
  let days = ledger.days;
  if (c.kind === 'append' || !target) {
    days += c.op.days;
    mutation = { insertTrades: [tradeOf(c.op, days, seq, held)] };
  } else if (c.kind === 'insert') {
    mutation = { insertTrades: [tradeOf(c.op, Math.max(0, days - c.back), seq, held)] };
  } else if (c.kind === 'edit') {
    const edited: TradeRow = {
      ...target,
      quantity:
        target.tradeType === 'split'
          ? target.quantity
          : new D(target.quantity).times(c.op.part).div(2).toString(),
      fees: target.tradeType === 'split' ? '0' : c.op.fees,
      tradeDate: c.back % 3 === 0 ? `${dayOf(Math.max(0, days - c.back))}${c.op.time}` : target.tradeDate,
    };
    mutation = { updateTrades: [edited] };
  } else if (c.kind === 'delete') {
    mutation = { deleteTradeIds: [target.id] };
  } else {
    const p = ledger.positions[c.op.pos] as PositionRow;
    const updated = c.kind === 'notes' ? { ...p, notes: `note ${c.pick}` } : { ...p, isActive: !p.isActive };
    mutation = { updatePositions: [updated] };
  }
  const updatedPositions = new Map((mutation.updatePositions ?? []).map((p) => [p.id, p]));
  const deleted = new Set(mutation.deleteTradeIds ?? []);
  const edited = new Map((mutation.updateTrades ?? []).map((t) => [t.id, t]));
  return {
    mutation,
    next: {
      positions: ledger.positions.map((p) => updatedPositions.get(p.id) ?? p),
      trades: [
        ...ledger.trades.filter((t) => !deleted.has(t.id)).map((t) => edited.get(t.id) ?? t),
        ...(mutation.insertTrades ?? []),
      ].sort(tradeOrder),
      days,
    },
  };
}

const refusal = (err: unknown) =>
  err instanceof LedgerError ? { code: err.code, entry: err.entryId, message: err.message } : err;

describe('ledger changes continue from checkpoints', () => {
  it('equal the full replay exactly, state and written position figures, for appends, back-dated inserts, edits, deletes and position changes', () => {
    const seen = { end: 0, checkpoint: 0, start: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 0, maxLength: 40 }),
        fc.array(change, { minLength: 1, maxLength: 5 }),
        (ops, changes) => {
          let ledger = build(ops);
          let checkpoints: ReturnType<typeof replayResumable>['checkpoints'];
          try {
            const first = replayResumable(ledgerEntries(ledger.positions, ledger.trades), { every: EVERY });
            expect(plain(first.state)).toEqual(plain(replay(ledgerEntries(ledger.positions, ledger.trades))));
            checkpoints = first.checkpoints;
            ledger = { ...ledger, positions: derivedChanges(ledger.positions, first.state, 'now').saved };
          } catch (err) {
            expect(err).toBeInstanceOf(LedgerError);
            return;
          }
          for (const c of changes) {
            const { mutation, next } = applyChange(ledger, c);
            let full: LedgerState | undefined;
            let fullError: unknown;
            try {
              full = replay(ledgerEntries(next.positions, next.trades));
            } catch (err) {
              fullError = err;
            }
            const run = () => replayChange(ledger, checkpoints, next, mutation, { every: EVERY });
            if (!full) {
              // Refused, with the same entry and words; the ledger stays as it was.
              let error: unknown;
              try {
                run();
              } catch (err) {
                error = err;
              }
              expect(refusal(error)).toEqual(refusal(fullError));
              seen.refused++;
              continue;
            }
            const result = run();
            seen[result.from]++;
            expect(plain(result.state)).toEqual(plain(full));
            const added = mutation.insertTrades?.[0];
            const instant = (t: TradeRow) => parseEntryDate(t.tradeDate)?.ms ?? 0;
            if (c.kind === 'append' && added && ledger.trades.every((t) => instant(t) < instant(added))) {
              // An append after the last entry replays the new trade alone.
              expect([result.from, result.replayed]).toEqual([
                'end',
                next.positions.find((p) => p.id === added.positionId)?.isActive === false ? 0 : 1,
              ]);
            }
            // What the commit writes: only changed rows, which over the stored rows give every
            // position the full replay's figures.
            const { saved, changed } = derivedChanges(next.positions, result.state, 'later');
            const expected = next.positions.map((p) => withDerived(p, full as LedgerState, 'later'));
            const byId = new Map(changed.map((p) => [p.id, p]));
            expect(figures(next.positions.map((p) => byId.get(p.id) ?? p))).toEqual(figures(expected));
            expect(figures(saved)).toEqual(figures(expected));
            ledger = { ...next, positions: saved };
            checkpoints = result.checkpoints;
          }
        },
      ),
      { numRuns: 400, seed: 20_2026 },
    );
    // The runs crossed every path: appends from the end, back-dated changes from a checkpoint,
    // position changes and early edits from the start, and refusals.
    expect(seen.end).toBeGreaterThan(50);
    expect(seen.checkpoint).toBeGreaterThan(50);
    expect(seen.start).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
  });

  it('continues an append from the end, and refuses a back-dated change that makes a later sale impossible', () => {
    const held = new Map<string, InstanceType<typeof D>>();
    const base: Op = {
      kind: 'open',
      pos: 0,
      qty: 8,
      part: 1,
      price: 10_000,
      fees: '0.5',
      split: '2',
      days: 1,
      time: '',
    };
    const trades = Array.from({ length: 20 }, (_, i) =>
      tradeOf({ ...base, kind: i === 19 ? 'close' : 'open', part: 4 }, i, i + 1, held),
    ).sort(tradeOrder);
    const ledger: Ledger = { positions: POSITIONS.map((p) => ({ ...p })), trades, days: 19 };
    const first = replayResumable(ledgerEntries(ledger.positions, trades), { every: EVERY });
    expect(first.state.positions.get('pos_a')?.quantity.toString()).toBe('0'); // the last trade sold all

    const append = applyChange(ledger, { kind: 'append', op: { ...base, days: 1 }, pick: 0, back: 0 });
    const appended = replayChange(ledger, first.checkpoints, append.next, append.mutation, { every: EVERY });
    expect(appended.from).toBe('end');
    expect(appended.replayed).toBe(1);
    expect(appended.state.positions.get('pos_a')?.quantity.toString()).toBe('2');

    // Deleting the 10th buy makes the final sale of everything exceed what is then held.
    const cut = applyChange(ledger, { kind: 'delete', op: base, pick: 9, back: 0 });
    let error: unknown;
    try {
      replayChange(ledger, first.checkpoints, cut.next, cut.mutation, { every: EVERY });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe('INSUFFICIENT_QUANTITY');
    expect((error as LedgerError).entryId).toBe('trd_20');
  });

  it('keeps no checkpoints when two entries share an instant and seq, and the next change replays from the start', () => {
    const held = new Map<string, InstanceType<typeof D>>();
    const base: Op = {
      kind: 'open',
      pos: 1,
      qty: 4,
      part: 2,
      price: 2_500,
      fees: '0',
      split: '2',
      days: 0,
      time: '',
    };
    const trades = [tradeOf(base, 3, 1, held), { ...tradeOf(base, 3, 2, held), seq: 1 }].sort(tradeOrder);
    const ledger: Ledger = { positions: POSITIONS.map((p) => ({ ...p })), trades, days: 3 };
    expect(replayResumable(ledgerEntries(ledger.positions, trades), { every: 1 }).checkpoints).toBeNull();
    const append = applyChange(ledger, { kind: 'append', op: { ...base, days: 1 }, pick: 0, back: 0 });
    const result = replayChange(ledger, null, append.next, append.mutation, { every: 1 });
    expect(result.from).toBe('start');
    expect(plain(result.state)).toEqual(
      plain(replay(ledgerEntries(append.next.positions, append.next.trades))),
    );
  });
});
