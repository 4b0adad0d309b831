import { dayNumber, dayString } from '../../../core/dates';
import { D, type Dec } from '../ledger';
import { type LoadedLedger, ledgerSnapshots, loadLedger } from './ledger';
import {
  PERIODS_PER_YEAR,
  performanceOf,
  VALUATION_MAX_DAYS,
  type ValuationPoint,
  valuationHistory,
} from './performance';
import type { PortfolioRow, PositionRow, TradeRow } from './portfolios';

/**
 * Returns that reconcile: one valuation series (from inception, or the last
 * `VALUATION_MAX_DAYS`, up to `to`) gives the window's time-weighted, money-weighted, Modified
 * Dietz and simple returns and the net profit side by side; the window's P&L rebuilt position by
 * position from the ledger's trades reconciles start + net flows + P&L = end to the cent; and
 * contributions by position and asset class (daily weight × return, Carino-linked) sum to the
 * window's time-weighted return.
 */

/** Standard periods, each ending at `to`. */
export const RETURN_PERIODS = ['MTD', 'QTD', 'YTD', '1Y', '3Y', '5Y', 'ITD'] as const;
export type ReturnPeriod = (typeof RETURN_PERIODS)[number];

const DAYS_PER_YEAR = 365;

/**
 * The close a standard period starts from (the last day before it, so its first return is inside
 * it); null for since inception.
 */
export function returnPeriodStart(period: ReturnPeriod, to: string): string | null {
  const y = Number(to.slice(0, 4));
  const m = Number(to.slice(5, 7));
  const lastDayBefore = (year: number, month: number) =>
    dayString(dayNumber(`${year}-${String(month).padStart(2, '0')}-01`) - 1);
  switch (period) {
    case 'MTD':
      return lastDayBefore(y, m);
    case 'QTD':
      return lastDayBefore(y, Math.floor((m - 1) / 3) * 3 + 1);
    case 'YTD':
      return `${y - 1}-12-31`;
    case '1Y':
    case '3Y':
    case '5Y': {
      const d = new Date(`${to}T00:00:00Z`);
      d.setUTCFullYear(d.getUTCFullYear() - Number(period[0]));
      return d.toISOString().slice(0, 10);
    }
    case 'ITD':
      return null;
  }
}

/** Cash a trade moves out of its position into the portfolio's cash (negative: capital put in). */
function positionCash(t: TradeRow, multiplier: string): Dec {
  const gross = new D(t.quantity).times(t.price);
  const fees = new D(t.fees);
  switch (t.tradeType) {
    case 'buy':
    case 'add':
      return gross.times(multiplier).plus(fees).neg();
    case 'sell':
    case 'remove':
      return gross.times(multiplier).minus(fees);
    case 'dividend':
      return gross.minus(fees);
    case 'fee':
      return gross.plus(fees).neg();
    default:
      return new D(0);
  }
}

/** P&L of a cash entry (no position): the fees of deposits and withdrawals, portfolio-level fees. */
function cashEntryPnl(t: TradeRow): Dec {
  const fees = new D(t.fees);
  if (t.tradeType === 'fee') return new D(t.quantity).times(t.price).plus(fees).neg();
  return fees.neg();
}

export interface Contributor {
  key: string;
  position_id: string | null;
  symbol: string;
  asset_class: string;
  start_value: number;
  end_value: number;
  /** Cash the position's trades moved out of it (sales, income) minus what they put in. */
  net_cash: number;
  pnl: number;
  /** Modified Dietz average capital of the position over the window. */
  average_capital: number;
  /** Mean of the daily weights (capital at work ÷ the portfolio's, each day). */
  weight_pct: number | null;
  /** The position's own time-weighted return over the window (its daily returns chain-linked). */
  return_pct: number | null;
  /** Carino-linked sum of the daily weight × return: the contributions sum to the window's TWR. */
  contribution_pct: number | null;
  /** P&L ÷ the portfolio's Modified Dietz capital: these sum to the Modified Dietz return. */
  modified_dietz_contribution_pct: number | null;
}

/** One sleeve's daily P&L and capital at work, for linked contributions. */
interface Daily {
  pnl: Float64Array;
  base: Float64Array;
}

/**
 * Linked figures of a sleeve from the portfolio's daily denominators `d` (capital at the start
 * of each day, deposits included), the daily TWR factors `k` (Carino: ln(1+r_t)/r_t) and the
 * window's `K` (ln(1+R)/R): contribution = Σ_t (pnl_t / d_t) · k_t / K, mean weight = mean of
 * base_t / d_t, own return = Π(1 + pnl_t / base_t) − 1 (null when capital at work was not
 * positive on a day it moved).
 */
function linked(x: Daily, d: Float64Array, k: Float64Array, K: number) {
  let contribution = 0;
  let weights = 0;
  let growth = 1;
  let ownReturn = true;
  for (let t = 1; t < d.length; t++) {
    const dt = d[t] as number;
    const pnl = x.pnl[t] as number;
    const base = x.base[t] as number;
    if (dt !== 0) {
      contribution += (pnl / dt) * (k[t] as number);
      weights += base / dt;
    }
    if (base > 0) growth *= 1 + pnl / base;
    else if (pnl !== 0) ownReturn = false;
  }
  const days = d.length - 1;
  return {
    contribution: contribution / K,
    weight: days > 0 ? weights / days : null,
    own: ownReturn ? growth - 1 : null,
  };
}

export interface WindowReturns {
  from: string;
  to: string;
  days: number;
  data_points: number;
  methods: {
    time_weighted: { return_pct: number | null; annualized_pct: number | null; method: string };
    money_weighted: { return_pct: number | null; annualized_pct: number | null; method: string };
    modified_dietz: { return_pct: number | null; method: string };
    simple_on_invested: { return_pct: number | null; invested_capital: number; method: string };
    net_profit: { amount: number; method: string };
  };
  reconciliation: {
    start_value: number;
    deposits: number;
    withdrawals: number;
    net_flows: number;
    pnl: number;
    end_value: number;
    difference: number;
    reconciles: boolean;
    pnl_from_positions: number;
    pnl_from_cash: number;
    line: string;
  };
  contribution: {
    method: string;
    total_pct: number | null;
    by_position: Contributor[];
    by_asset_class: {
      asset_class: string;
      pnl: number;
      average_capital: number;
      weight_pct: number | null;
      return_pct: number | null;
      contribution_pct: number | null;
      modified_dietz_contribution_pct: number | null;
    }[];
    modified_dietz_total_pct: number | null;
    best: Contributor[];
    worst: Contributor[];
  };
}

export interface PeriodReturn {
  period: ReturnPeriod;
  from: string | null;
  to: string;
  /** True when the portfolio is younger than the period: figures are since inception. */
  partial: boolean;
  time_weighted_pct: number | null;
  time_weighted_annualized_pct: number | null;
  money_weighted_annualized_pct: number | null;
  net_profit: number | null;
}

export interface ReturnsReport {
  window: WindowReturns | null;
  periods: PeriodReturn[];
  inception: string | null;
  method_notes: Record<string, string>;
}

const cents = (x: number) => Math.round(x * 100) / 100;
const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1e8) / 1e6);
/** Percent to 1e-10 (a fraction to 1e-12): linked contributions keep their sum to the TWR within 1e-9. */
const finePct = (x: number | null) =>
  x === null || !Number.isFinite(x) ? null : Math.round(x * 1e12) / 1e10;

/** Annualized from a return over `days` calendar days; null under a year (not annualized, GIPS). */
function annualize(r: number | null, days: number): number | null {
  if (r === null || days < DAYS_PER_YEAR || r <= -1) return null;
  return (1 + r) ** (DAYS_PER_YEAR / days) - 1;
}

/** The window's figures from a slice of the valuation series (first point = the start close). */
export function windowReturns(ledger: LoadedLedger, points: ValuationPoint[]): WindowReturns | null {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || points.length < 2) return null;
  const s = dayNumber(first.date);
  const e = dayNumber(last.date);
  const days = e - s;
  const perf = performanceOf(points);
  const weight = (day: string) => (e - dayNumber(day)) / days;

  let deposits = 0;
  let withdrawals = 0;
  let weightedFlows = 0;
  for (const p of points.slice(1)) {
    if (p.flow > 0) deposits += p.flow;
    else withdrawals -= p.flow;
    weightedFlows += p.flow * weight(p.date);
  }
  const netFlows = deposits - withdrawals;
  const netProfit = last.value - first.value - netFlows;

  // P&L rebuilt from the ledger: each position's value change plus the cash its trades moved,
  // and the cash entries' own costs; each position's cash also day by day, for linking.
  const byId = new Map(ledger.positions.map((p) => [p.id, p]));
  const counted = (p: PositionRow) => p.isActive && !p.deletedAt;
  const index = new Map(points.map((p, i) => [p.date, i]));
  const n = points.length;
  const netCash = new Map<string, Dec>();
  const dailyCash = new Map<string, Float64Array>();
  const capitalIn = new Map<string, number>();
  let cashPnl = new D(0);
  for (const t of ledger.trades) {
    const day = t.tradeDate.slice(0, 10);
    if (day <= first.date || day > last.date) continue;
    if (t.positionId === null) {
      cashPnl = cashPnl.plus(cashEntryPnl(t));
      continue;
    }
    const p = byId.get(t.positionId);
    if (p === undefined || !counted(p)) continue;
    const c = positionCash(t, p.multiplier);
    netCash.set(p.id, (netCash.get(p.id) ?? new D(0)).plus(c));
    capitalIn.set(p.id, (capitalIn.get(p.id) ?? 0) - c.toNumber() * weight(day));
    const i = index.get(day);
    if (i !== undefined) {
      const arr = dailyCash.get(p.id) ?? new Float64Array(n);
      arr[i] = (arr[i] as number) + c.toNumber();
      dailyCash.set(p.id, arr);
    }
  }
  const startPos = first.positions ?? new Map<string, number>();
  const endPos = last.positions ?? new Map<string, number>();
  const denominator = first.value + weightedFlows;
  const share = (x: number, of: number) => (of !== 0 ? x / of : null);

  // Daily linking (Carino): d_t is the capital the day's TWR divides by (the previous value plus
  // a deposit that day), so Σ_sleeves pnl_t / d_t = r_t exactly; k_t = ln(1+r_t)/r_t and
  // K = ln(1+R)/R turn the sum of daily contributions into one that adds up to the window's R.
  const d = new Float64Array(n);
  const k = new Float64Array(n);
  const dayR = perf.dailyReturns;
  for (let t = 1; t < n; t++) {
    const prev = points[t - 1] as ValuationPoint;
    d[t] = prev.value + Math.max((points[t] as ValuationPoint).flow, 0);
    const r = dayR[t - 1] ?? 0;
    k[t] = r === 0 || r <= -1 ? 1 : Math.log1p(r) / r;
  }
  const R = perf.time_weighted_return;
  const K = R === null || R === 0 || R <= -1 ? 1 : Math.log1p(R) / R;
  const linkable = R !== null && R > -1;
  const daily = (id: string): Daily => {
    const pnl = new Float64Array(n);
    const base = new Float64Array(n);
    const cash = dailyCash.get(id);
    for (let t = 1; t < n; t++) {
      const before = (points[t - 1] as ValuationPoint).positions?.get(id) ?? 0;
      const after = (points[t] as ValuationPoint).positions?.get(id) ?? 0;
      const c = cash ? (cash[t] as number) : 0;
      pnl[t] = after - before + c;
      base[t] = before + Math.max(-c, 0);
    }
    return { pnl, base };
  };

  const rows: Contributor[] = [];
  const sleeves = new Map<string, Daily>();
  const positionTotal: Daily = { pnl: new Float64Array(n), base: new Float64Array(n) };
  const row = (
    key: string,
    p: PositionRow | null,
    figures: { sv: number; ev: number; nc: number; pnl: number; avg: number },
    x: Daily,
  ): Contributor => {
    const l = linked(x, d, k, K);
    return {
      key,
      position_id: p?.id ?? null,
      symbol: p?.symbol ?? ledger.portfolio.baseCurrency,
      asset_class: p?.assetType ?? 'cash',
      start_value: cents(figures.sv),
      end_value: cents(figures.ev),
      net_cash: cents(figures.nc),
      pnl: cents(figures.pnl),
      average_capital: cents(figures.avg),
      weight_pct: pct(l.weight),
      return_pct: pct(l.own),
      contribution_pct: linkable ? finePct(l.contribution) : null,
      modified_dietz_contribution_pct: pct(share(figures.pnl, denominator)),
    };
  };
  for (const p of ledger.positions) {
    if (!counted(p)) continue;
    const sv = startPos.get(p.id) ?? 0;
    const ev = endPos.get(p.id) ?? 0;
    const nc = netCash.get(p.id);
    const x = daily(p.id);
    if (sv === 0 && ev === 0 && !nc && x.pnl.every((v) => v === 0)) continue;
    const ncn = nc?.toNumber() ?? 0;
    for (let t = 1; t < n; t++) {
      positionTotal.pnl[t] = (positionTotal.pnl[t] as number) + (x.pnl[t] as number);
      positionTotal.base[t] = (positionTotal.base[t] as number) + (x.base[t] as number);
    }
    sleeves.set(p.id, x);
    rows.push(row(p.id, p, { sv, ev, nc: ncn, pnl: ev - sv + ncn, avg: sv + (capitalIn.get(p.id) ?? 0) }, x));
  }
  const positionsPnl = rows.reduce((sum, r) => sum + r.pnl, 0);
  const cashPnlN = cashPnl.toNumber();
  // The cash sleeve: capital not in positions, its P&L the cash entries' costs (day by day, what
  // the day's P&L leaves after the positions', so the sleeves add up to the day's return).
  const cashCapital = denominator - rows.reduce((sum, r) => sum + r.average_capital, 0);
  const cashDaily: Daily = { pnl: new Float64Array(n), base: new Float64Array(n) };
  for (let t = 1; t < n; t++) {
    const cur = points[t] as ValuationPoint;
    const dayPnl = cur.value - (points[t - 1] as ValuationPoint).value - cur.flow;
    cashDaily.pnl[t] = dayPnl - (positionTotal.pnl[t] as number);
    cashDaily.base[t] = (d[t] as number) - (positionTotal.base[t] as number);
  }
  if (
    cashPnlN !== 0 ||
    first.cash !== 0 ||
    last.cash !== 0 ||
    cashDaily.pnl.some((v) => Math.abs(v) > 1e-9)
  ) {
    sleeves.set('cash', cashDaily);
    rows.push(
      row('cash', null, { sv: first.cash, ev: last.cash, nc: 0, pnl: cashPnlN, avg: cashCapital }, cashDaily),
    );
  }
  const pnl = positionsPnl + cashPnlN;
  const difference = cents(last.value) - (cents(first.value) + cents(netFlows) + cents(pnl));

  const classes = new Map<string, { pnl: number; avg: number; daily: Daily }>();
  for (const r of rows) {
    const c = classes.get(r.asset_class) ?? {
      pnl: 0,
      avg: 0,
      daily: { pnl: new Float64Array(n), base: new Float64Array(n) },
    };
    c.pnl += r.pnl;
    c.avg += r.average_capital;
    const x = sleeves.get(r.key) as Daily;
    for (let t = 1; t < n; t++) {
      c.daily.pnl[t] = (c.daily.pnl[t] as number) + (x.pnl[t] as number);
      c.daily.base[t] = (c.daily.base[t] as number) + (x.base[t] as number);
    }
    classes.set(r.asset_class, c);
  }
  const byClass = [...classes].map(([assetClass, c]) => {
    const l = linked(c.daily, d, k, K);
    return {
      asset_class: assetClass,
      pnl: cents(c.pnl),
      average_capital: cents(c.avg),
      weight_pct: pct(l.weight),
      return_pct: pct(l.own),
      contribution_pct: linkable ? finePct(l.contribution) : null,
      modified_dietz_contribution_pct: pct(share(c.pnl, denominator)),
    };
  });
  byClass.sort((a, b) => (b.contribution_pct ?? b.pnl) - (a.contribution_pct ?? a.pnl));
  const ranked = rows
    .filter((r) => r.position_id !== null)
    .sort((a, b) => (b.contribution_pct ?? 0) - (a.contribution_pct ?? 0) || b.pnl - a.pnl);

  const invested = first.value + deposits;
  const mwrAnnual = perf.money_weighted_return;
  const mwrPeriod =
    mwrAnnual === null || mwrAnnual <= -1 ? null : (1 + mwrAnnual) ** (days / DAYS_PER_YEAR) - 1;
  const md = share(pnl, denominator);
  return {
    from: first.date,
    to: last.date,
    days,
    data_points: points.length,
    methods: {
      time_weighted: {
        return_pct: pct(perf.time_weighted_return),
        annualized_pct: pct(annualize(perf.time_weighted_return, days)),
        method:
          "Time-weighted: daily returns chain-linked, each day's flow counted from the start of that day (withdrawals at its end); annualized (1+r)^(365/days) − 1 only over a year or more",
      },
      money_weighted: {
        return_pct: pct(mwrPeriod),
        annualized_pct: pct(mwrAnnual),
        method:
          'Money-weighted: XIRR (actual/365) of −start value, −each day’s net external flow and +end value; the period figure is the annual rate compounded over the window',
      },
      modified_dietz: {
        return_pct: pct(md),
        method:
          'Modified Dietz: P&L ÷ (start value + Σ flow × (end day − flow day) ÷ window days); the return the modified_dietz_contribution_pct figures sum to',
      },
      simple_on_invested: {
        return_pct: pct(share(netProfit, invested)),
        invested_capital: cents(invested),
        method: 'Simple return on invested capital: net profit ÷ (start value + money added in the window)',
      },
      net_profit: {
        amount: cents(netProfit),
        method:
          'End value − start value − net external flows (deposits, withdrawals, transfers of units at their stated value)',
      },
    },
    reconciliation: {
      start_value: cents(first.value),
      deposits: cents(deposits),
      withdrawals: cents(withdrawals),
      net_flows: cents(netFlows),
      pnl: cents(pnl),
      end_value: cents(last.value),
      difference: cents(difference),
      reconciles: Math.abs(difference) < 0.005,
      pnl_from_positions: cents(positionsPnl),
      pnl_from_cash: cents(cashPnlN),
      line: `${cents(first.value).toFixed(2)} + ${cents(netFlows).toFixed(2)} + ${cents(pnl).toFixed(2)} = ${cents(last.value).toFixed(2)}`,
    },
    contribution: {
      method:
        "Daily weight × return, linked by Carino: each day a sleeve contributes its P&L ÷ the capital the portfolio's TWR divides by that day (previous value + the day's deposits), i.e. its weight × its return; the daily contributions are scaled by k_t = ln(1+r_t)/r_t ÷ K, K = ln(1+R)/R, so positions plus the cash sleeve sum to the window's time-weighted return R. weight_pct is the mean daily weight, return_pct the sleeve's own chain-linked return; modified_dietz_contribution_pct (P&L ÷ the Modified Dietz capital) sums to the Modified Dietz return instead",
      total_pct: linkable ? finePct(R) : null,
      modified_dietz_total_pct: pct(md),
      by_position: ranked.concat(rows.filter((r) => r.position_id === null)),
      by_asset_class: byClass,
      best: ranked.filter((r) => (r.contribution_pct ?? r.pnl) > 0).slice(0, 3),
      worst: ranked
        .filter((r) => (r.contribution_pct ?? r.pnl) < 0)
        .reverse()
        .slice(0, 3),
    },
  };
}

/** The standard periods' returns from a series that starts at inception (or its earliest kept day). */
export function periodReturns(points: ValuationPoint[], to: string): PeriodReturn[] {
  const first = points[0];
  return RETURN_PERIODS.map((period) => {
    const start = returnPeriodStart(period, to);
    const empty = {
      period,
      from: start,
      to,
      partial: false,
      time_weighted_pct: null,
      time_weighted_annualized_pct: null,
      money_weighted_annualized_pct: null,
      net_profit: null,
    };
    if (!first) return empty;
    const partial = start === null || start < first.date;
    const i = partial ? 0 : points.findIndex((p) => p.date >= start);
    const slice = i < 0 ? [] : points.slice(i);
    const a = slice[0];
    const b = slice[slice.length - 1];
    if (!a || !b || slice.length < 2) return { ...empty, from: a?.date ?? start, partial };
    const m = performanceOf(slice);
    return {
      period,
      from: a.date,
      to: b.date,
      partial: period === 'ITD' ? false : partial,
      time_weighted_pct: pct(m.time_weighted_return),
      time_weighted_annualized_pct: pct(
        annualize(m.time_weighted_return, dayNumber(b.date) - dayNumber(a.date)),
      ),
      money_weighted_annualized_pct: pct(m.money_weighted_return),
      net_profit: cents(m.gain),
    };
  });
}

/**
 * Returns of a portfolio over `from`..`to` (days already validated and clamped to the market
 * clock): the window's figures from its valuation series (`window`, valued with the positions
 * at both ends), and with `periods` the standard periods ending at `to`, from one series since
 * inception (or the last `VALUATION_MAX_DAYS`).
 */
export async function portfolioReturns(
  env: Env,
  portfolio: PortfolioRow,
  range: { to: string; window: ValuationPoint[]; periods: boolean },
): Promise<ReturnsReport> {
  const ledger = await loadLedger(env, portfolio);
  const inception = ledgerSnapshots(ledger)[0]?.date ?? null;
  const notes = {
    valuation: "Each day's ledger state at that day's closes, carried forward over days without one",
    periods: range.periods
      ? 'Each period starts at the close of the day before it; a portfolio younger than the period is measured since inception (partial)'
      : 'Ask standard_periods=true for MTD, QTD, YTD, 1Y, 3Y, 5Y and since inception',
    periods_per_year: String(PERIODS_PER_YEAR),
  };
  const window = windowReturns(ledger, range.window);
  if (!range.periods || !inception) return { window, periods: [], inception, method_notes: notes };
  const end = dayNumber(range.to);
  const earliest = dayString(Math.max(dayNumber(inception), end - VALUATION_MAX_DAYS + 1));
  const points = await valuationHistory(env, ledger, { from: earliest, to: range.to });
  return { window, periods: periodReturns(points, range.to), inception, method_notes: notes };
}
