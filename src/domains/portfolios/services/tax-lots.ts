import { csvCell } from '../csv';
import { gainsByYear, type LotMethod, type LotSelection, lotReport, parseLotSelection } from '../lots';
import { ledgerEntries, loadLedger, replayLedger } from './ledger';
import type { PortfolioRow } from './portfolios';

export interface GainsQuery {
  method: LotMethod;
  longTermDays: number;
  year?: number | undefined;
  symbol?: string | undefined;
}

const n = (d: { toNumber(): number }) => d.toNumber();
const money = (x: number) => Math.round(x * 100) / 100;

/**
 * Realized gains by lot of a portfolio under a lot method, recomputed from its ledger (which it
 * never changes): per-year totals (short and long term), each sale's lots, the open lots, and
 * the warnings of sales whose named lots could not be used.
 */
export async function realizedGains(env: Env, portfolio: PortfolioRow, query: GainsQuery) {
  const ledger = await loadLedger(env, portfolio);
  // The ledger's own replay validates it first (a broken ledger is the ledger's error).
  replayLedger(ledger.positions, ledger.trades);
  const entries = ledgerEntries(ledger.positions, ledger.trades);
  const selections = new Map<string, LotSelection[]>();
  for (const t of ledger.trades) {
    const s = parseLotSelection(t.notes);
    if (s) selections.set(t.id, s);
  }
  const report = lotReport(entries, { method: query.method, longTermDays: query.longTermDays, selections });
  const positions = new Map(ledger.positions.map((p) => [p.id, p]));
  const symbolOf = (id: string) => positions.get(id)?.symbol ?? id;
  const wanted = query.symbol?.trim().toUpperCase();
  const realizations = report.realizations.filter(
    (r) =>
      (query.year === undefined || Number(r.sold.slice(0, 4)) === query.year) &&
      (!wanted || symbolOf(r.positionId) === wanted),
  );
  const years = gainsByYear(realizations);
  const sum = (f: (y: (typeof years)[number]) => { toNumber(): number }) =>
    money(years.reduce((s, y) => s + n(f(y)), 0));
  return {
    portfolio_id: portfolio.id,
    base_currency: portfolio.baseCurrency,
    method: query.method,
    long_term_days: query.longTermDays,
    year: query.year ?? null,
    totals: {
      count: realizations.length,
      proceeds: sum((y) => y.proceeds),
      cost_basis: sum((y) => y.costBasis),
      short_term_gain: sum((y) => y.shortTermGain),
      long_term_gain: sum((y) => y.longTermGain),
      gain: sum((y) => y.gain),
    },
    years: years.map((y) => ({
      year: y.year,
      count: y.count,
      proceeds: money(n(y.proceeds)),
      cost_basis: money(n(y.costBasis)),
      short_term_gain: money(n(y.shortTermGain)),
      long_term_gain: money(n(y.longTermGain)),
      gain: money(n(y.gain)),
    })),
    realizations: realizations.map((r) => ({
      sale_trade_id: r.saleEntryId,
      lot_trade_id: r.lotEntryId,
      position_id: r.positionId,
      symbol: symbolOf(r.positionId),
      date_acquired: r.acquired,
      date_sold: r.sold,
      quantity: r.quantity.toFixed(),
      proceeds: money(n(r.proceeds)),
      cost_basis: money(n(r.costBasis)),
      gain: money(n(r.gain)),
      holding_days: r.holdingDays,
      term: r.term,
      short_position: r.short,
    })),
    open_lots: report.open
      .filter((l) => !wanted || symbolOf(l.positionId) === wanted)
      .map((l) => ({
        lot_trade_id: l.entryId,
        position_id: l.positionId,
        symbol: symbolOf(l.positionId),
        date_acquired: l.acquired,
        quantity: l.quantity.toFixed(),
        cost_basis: money(n(l.costBasis)),
        unit_cost: l.quantity.isZero() ? null : n(l.costBasis.div(l.quantity)),
      })),
    warnings: report.warnings.map((w) => ({ trade_id: w.entryId, message: w.message })),
  };
}

export type RealizedGains = Awaited<ReturnType<typeof realizedGains>>;

/** The realizations as a CSV (Form 8949's columns: description, dates, proceeds, basis, gain, term). */
export function realizedGainsCsv(g: RealizedGains): string {
  const head = [
    'description',
    'symbol',
    'quantity',
    'date_acquired',
    'date_sold',
    'proceeds',
    'cost_basis',
    'gain',
    'term',
    'holding_days',
    'sale_trade_id',
    'lot_trade_id',
    'method',
    'currency',
  ];
  const lines = [head.join(',')];
  for (const r of g.realizations) {
    lines.push(
      [
        csvCell(`${r.quantity} ${r.symbol}`, false),
        csvCell(r.symbol, false),
        r.quantity,
        r.date_acquired,
        r.date_sold,
        r.proceeds.toFixed(2),
        r.cost_basis.toFixed(2),
        r.gain.toFixed(2),
        r.term,
        String(r.holding_days),
        r.sale_trade_id,
        r.lot_trade_id,
        g.method,
        g.base_currency,
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
