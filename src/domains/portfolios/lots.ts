import { D, type Dec, type LedgerEntry, parseEntryDate } from './ledger';

/**
 * Tax lots over the ledger, a pure replay that never changes it: lots per position with their
 * acquisition date and cost (trade fees allocated to the lot they open), and realized gains by
 * lot under FIFO, LIFO, HIFO, average cost or specific identification, each with its holding
 * period (long when held more than `longTermDays`). Changing the method is a new replay.
 *
 * Conventions: a buy (a sell for a SHORT) opens a lot at q·p·m + fees; a sale realizes its net
 * proceeds q·p·m − fees, spread over the lots it closes by quantity; a transfer out ('remove')
 * closes lots without realizing anything, a transfer in ('add') opens one at its stated value;
 * a split scales every open lot's quantity and keeps its date and total cost. Average cost
 * pools the basis (every lot at the pool's average) and dates the units it sells first in,
 * first out for the holding period.
 */

export const LOT_METHODS = ['fifo', 'lifo', 'hifo', 'average', 'specific'] as const;
export type LotMethod = (typeof LOT_METHODS)[number];

export interface OpenLot {
  positionId: string;
  entryId: string;
  acquired: string;
  quantity: Dec;
  costBasis: Dec;
}

export interface LotRealization {
  saleEntryId: string;
  positionId: string;
  lotEntryId: string;
  acquired: string;
  sold: string;
  quantity: Dec;
  proceeds: Dec;
  costBasis: Dec;
  gain: Dec;
  holdingDays: number;
  term: 'short' | 'long';
  /** A SHORT's cover: proceeds are the opening credit, the cost what the cover paid. */
  short: boolean;
}

export interface LotSelection {
  lot: string;
  quantity: Dec;
}

export interface LotWarning {
  entryId: string;
  message: string;
}

export interface LotReport {
  method: LotMethod;
  longTermDays: number;
  realizations: LotRealization[];
  open: OpenLot[];
  warnings: LotWarning[];
}

interface Lot {
  entryId: string;
  acquired: string;
  ms: number;
  seq: number;
  quantity: Dec;
  costBasis: Dec;
}

const ZERO = new D(0);
const DAY_MS = 86_400_000;

/** Whole days between two YYYY-MM-DD days. */
const daysBetween = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);

/**
 * The lots a sale names, written in its notes as `lots: <trade id>=<quantity>, ...` (the
 * importer's and the API's `lots` field write this form).
 */
export function parseLotSelection(notes: string | null | undefined): LotSelection[] | null {
  if (!notes) return null;
  const m = /\blots:\s*([^;\n]+)/i.exec(notes);
  if (!m?.[1]) return null;
  const out: LotSelection[] = [];
  for (const part of m[1].split(',')) {
    const [lot, qty] = part.trim().split('=');
    if (!lot || !qty || !/^\d+(\.\d+)?$/.test(qty.trim())) continue;
    out.push({ lot: lot.trim(), quantity: new D(qty.trim()) });
  }
  return out.length ? out : null;
}

/** The lots a sale of `q` takes, in order, as [lot, quantity] pairs (before any change). */
function pick(
  book: Lot[],
  q: Dec,
  method: LotMethod,
  selection: LotSelection[] | undefined,
  warn: (m: string) => void,
): [Lot, Dec][] {
  const taken: [Lot, Dec][] = [];
  let left = q;
  const used = new Map<Lot, Dec>();
  if (method === 'specific' && selection) {
    for (const s of selection) {
      const lot = book.find((l) => l.entryId === s.lot);
      const free = lot ? lot.quantity.minus(used.get(lot) ?? ZERO) : ZERO;
      if (!lot || free.lte(0)) {
        warn(`named lot ${s.lot} is not open; the rest is taken first in, first out`);
        continue;
      }
      const take = D.min(s.quantity, free, left);
      if (take.lt(s.quantity)) warn(`named lot ${s.lot} gives ${take} of the ${s.quantity} asked`);
      if (take.lte(0)) continue;
      taken.push([lot, take]);
      used.set(lot, (used.get(lot) ?? ZERO).plus(take));
      left = left.minus(take);
    }
    if (left.gt(0) && selection.length)
      warn(`the named lots cover less than the sale; ${left} taken first in, first out`);
  }
  const order = [...book];
  if (method === 'lifo') order.sort((a, b) => b.ms - a.ms || b.seq - a.seq);
  else if (method === 'hifo') {
    order.sort((a, b) => {
      const ua = a.costBasis.div(a.quantity);
      const ub = b.costBasis.div(b.quantity);
      return ub.cmp(ua) || a.ms - b.ms || a.seq - b.seq;
    });
  } else order.sort((a, b) => a.ms - b.ms || a.seq - b.seq);
  for (const lot of order) {
    if (left.lte(0)) break;
    const free = lot.quantity.minus(used.get(lot) ?? ZERO);
    if (free.lte(0)) continue;
    const take = D.min(free, left);
    taken.push([lot, take]);
    used.set(lot, (used.get(lot) ?? ZERO).plus(take));
    left = left.minus(take);
  }
  return taken;
}

interface Book {
  short: boolean;
  lots: Lot[];
}

/**
 * Replays ledger entries (already validated by the ledger) into lots and realizations.
 * `selections` are the lots sales name (specific identification), by sale entry id.
 */
export function lotReport(
  entries: readonly LedgerEntry[],
  options: { method: LotMethod; longTermDays?: number; selections?: ReadonlyMap<string, LotSelection[]> },
): LotReport {
  const longTermDays = options.longTermDays ?? 365;
  const method = options.method;
  const sorted = entries
    .map((e, index) => ({ e, at: parseEntryDate(e.date), index }))
    .filter((x): x is { e: LedgerEntry; at: { ms: number; day: string }; index: number } => x.at !== null)
    .sort((a, b) => a.at.ms - b.at.ms || a.e.seq - b.e.seq || a.index - b.index);
  const books = new Map<string, Book>();
  const realizations: LotRealization[] = [];
  const warnings: LotWarning[] = [];

  for (const { e, at } of sorted) {
    if (e.positionId === null) continue;
    const book = books.get(e.positionId) ?? { short: e.positionType === 'SHORT', lots: [] };
    books.set(e.positionId, book);
    const q = new D(e.quantity);
    const gross = q.times(e.price).times(e.multiplier);
    const fees = new D(e.fees);
    const opens = book.short ? e.type === 'sell' : e.type === 'buy' || e.type === 'add';
    const closes = book.short ? e.type === 'buy' : e.type === 'sell' || e.type === 'remove';
    if (e.type === 'split') {
      for (const lot of book.lots) lot.quantity = lot.quantity.times(q);
      continue;
    }
    if (opens) {
      // A long lot costs what was paid with its fees; a short lot holds the credit net of fees.
      const basis = book.short ? gross.minus(fees) : gross.plus(fees);
      book.lots.push({
        entryId: e.id,
        acquired: at.day,
        ms: at.ms,
        seq: e.seq,
        quantity: q,
        costBasis: basis,
      });
      if (method === 'average') poolAverage(book.lots);
      continue;
    }
    if (!closes) continue;
    const realizes = e.type === 'sell' || e.type === 'buy';
    const netCash = book.short ? gross.plus(fees) : gross.minus(fees);
    const taken = pick(
      book.lots,
      q,
      method === 'average' ? 'fifo' : method,
      options.selections?.get(e.id),
      (message) => warnings.push({ entryId: e.id, message }),
    );
    let cashLeft = netCash;
    taken.forEach(([lot, take], i) => {
      const whole = take.eq(lot.quantity);
      const basis = whole ? lot.costBasis : lot.costBasis.times(take).div(lot.quantity);
      const last = i === taken.length - 1;
      const cash = last ? cashLeft : netCash.times(take).div(q);
      cashLeft = cashLeft.minus(cash);
      lot.quantity = lot.quantity.minus(take);
      lot.costBasis = lot.costBasis.minus(basis);
      if (!realizes) return;
      // For a cover, the lot's credit is the proceeds and the cover's cash the cost.
      const proceeds = book.short ? basis : cash;
      const cost = book.short ? cash : basis;
      const held = daysBetween(lot.acquired, at.day);
      realizations.push({
        saleEntryId: e.id,
        positionId: e.positionId as string,
        lotEntryId: lot.entryId,
        acquired: lot.acquired,
        sold: at.day,
        quantity: take,
        proceeds,
        costBasis: cost,
        gain: proceeds.minus(cost),
        holdingDays: held,
        term: held > longTermDays ? 'long' : 'short',
        short: book.short,
      });
    });
    book.lots = book.lots.filter((l) => l.quantity.gt(0));
  }

  const open: OpenLot[] = [];
  for (const [positionId, book] of books) {
    for (const lot of book.lots) {
      open.push({
        positionId,
        entryId: lot.entryId,
        acquired: lot.acquired,
        quantity: lot.quantity,
        costBasis: lot.costBasis,
      });
    }
  }
  return { method, longTermDays, realizations, open, warnings };
}

/** Average cost: every open lot carries the pool's average unit cost (dates kept for the holding period). */
function poolAverage(lots: Lot[]): void {
  let qty = ZERO;
  let basis = ZERO;
  for (const l of lots) {
    qty = qty.plus(l.quantity);
    basis = basis.plus(l.costBasis);
  }
  if (qty.isZero()) return;
  let left = basis;
  lots.forEach((l, i) => {
    const share = i === lots.length - 1 ? left : basis.times(l.quantity).div(qty);
    l.costBasis = share;
    left = left.minus(share);
  });
}

export interface YearSummary {
  year: number;
  count: number;
  proceeds: Dec;
  costBasis: Dec;
  shortTermGain: Dec;
  longTermGain: Dec;
  gain: Dec;
}

/** Realized gains per calendar year of the sale, short and long term apart. */
export function gainsByYear(realizations: readonly LotRealization[]): YearSummary[] {
  const years = new Map<number, YearSummary>();
  for (const r of realizations) {
    const year = Number(r.sold.slice(0, 4));
    const y = years.get(year) ?? {
      year,
      count: 0,
      proceeds: ZERO,
      costBasis: ZERO,
      shortTermGain: ZERO,
      longTermGain: ZERO,
      gain: ZERO,
    };
    y.count++;
    y.proceeds = y.proceeds.plus(r.proceeds);
    y.costBasis = y.costBasis.plus(r.costBasis);
    if (r.term === 'long') y.longTermGain = y.longTermGain.plus(r.gain);
    else y.shortTermGain = y.shortTermGain.plus(r.gain);
    y.gain = y.gain.plus(r.gain);
    years.set(year, y);
  }
  return [...years.values()].sort((a, b) => a.year - b.year);
}
