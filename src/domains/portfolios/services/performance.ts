import { dayNumber, dayString, eachDay } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { maxDrawdown, moneyWeightedReturn, sharpeRatio, stdDev, timeWeightedReturn } from '../../../quant';
import type { Snapshot } from '../ledger';
import { type LoadedLedger, ledgerSnapshots } from './ledger';
import type { PositionRow } from './portfolios';
import { blackScholesPrice, dailyCloseDays, fromUsd, fxAssetId } from './valuation';

/**
 * The longest valuation series served, in days (about ten years): an explicit longer range is
 * refused, and a series from an older first trade starts this many days before its end.
 */
export const VALUATION_MAX_DAYS = 3660;
/** Portfolios mix 7-day crypto with 5-day equities; valuations are daily on the calendar, so 365. */
export const PERIODS_PER_YEAR = 365;

export interface ValuationPoint {
  date: string;
  /** Positions at that day's closes plus cash. */
  value: number;
  cash: number;
  /** Market value of positions. */
  invested: number;
  /** Cost basis (WAC) of open positions. */
  costBasis: number;
  /** Net external flow that day (deposits, implicit deposits, transfers), positive in. */
  flow: number;
  /** Days valued on a close older than the day itself (weekends, holidays, missing data). */
  filled: number;
  /** Signed market value per position id: on the first and last day (`positionsAtEnds`) or every day (`positionsDaily`). */
  positions?: Map<string, number>;
}

/** A snapshot's figures as numbers, converted once per snapshot (not once per day it covers). */
interface NumericSnapshot {
  ids: string[];
  quantities: Float64Array;
  costBasis: Float64Array;
  cash: number;
}
const numericSnapshots = new WeakMap<Snapshot, NumericSnapshot>();

function numeric(s: Snapshot): NumericSnapshot {
  const hit = numericSnapshots.get(s);
  if (hit) return hit;
  const ids: string[] = [];
  const q: number[] = [];
  const c: number[] = [];
  for (const [id, qty] of s.quantities) {
    if (qty.isZero()) continue;
    ids.push(id);
    q.push(qty.toNumber());
    c.push(s.costBasis.get(id)?.toNumber() ?? 0);
  }
  const out = {
    ids,
    quantities: Float64Array.from(q),
    costBasis: Float64Array.from(c),
    cash: s.cash.toNumber(),
  };
  numericSnapshots.set(s, out);
  return out;
}

/**
 * Daily valuations from the first trade (or `from`) to `to`, at most `VALUATION_MAX_DAYS` of
 * them (the last ones): the ledger's state after each day
 * (one pass over its snapshots) valued at that day's close of each asset, carried forward over
 * days without a close. Instruments without prices are valued at cost; options at
 * Black-Scholes when their implied volatility is known, at cost otherwise.
 *
 * `positionsAtEnds` keeps each position's signed market value on the first and last day;
 * `positionsDaily` on every day (for linked contributions).
 */
export async function valuationHistory(
  env: Env,
  ledger: LoadedLedger,
  range: {
    from?: string | undefined;
    to: string;
    positionsAtEnds?: boolean | undefined;
    positionsDaily?: boolean | undefined;
  },
): Promise<ValuationPoint[]> {
  const positionRows = ledger.positions;
  const snaps = ledgerSnapshots(ledger);
  const first = snaps[0];
  if (!first) return [];
  // Day numbers, not strings: the walk's length is fixed here, before it starts.
  const end = dayNumber(range.to);
  const begin = Math.max(
    dayNumber(range.from && range.from > first.date ? range.from : first.date),
    end - VALUATION_MAX_DAYS + 1,
  );
  if (begin > end) return [];
  const start = dayString(begin);
  const byId = new Map(positionRows.map((p) => [p.id, p]));
  const priced = positionRows.flatMap((p) => (p.assetId ? [p.assetId] : []));
  const currency = ledger.portfolio.baseCurrency;
  const fxId = fxAssetId(currency);
  const closes = await dailyCloseDays(env, fxId ? [...priced, fxId] : priced, start, range.to);
  const rate = 0.0; // Options in history use a flat zero rate: the series shows moves, not carry.

  const out: ValuationPoint[] = [];
  let si = 0;
  let current = first;
  // Advance through snapshots before the start, summing their flows into the first day.
  let pendingFlow = 0;
  while (si < snaps.length && (snaps[si] as (typeof snaps)[number]).date <= start) {
    current = snaps[si] as (typeof snaps)[number];
    if (current.date === start) pendingFlow += current.flow.toNumber();
    si++;
  }
  // Each asset's close on every day of the walk, carried forward (from the latest close before
  // the start), and whether the day had its own close: one pass per asset, not per position-day.
  const length = end - begin + 1;
  type Path = { price: Float64Array; own: Uint8Array };
  const carried = new Map<string, Path>();
  for (const [assetId, series] of closes) {
    let seed = -Infinity;
    for (const day of series.keys()) if (day < begin && day > seed) seed = day;
    let last = seed === -Infinity ? Number.NaN : (series.get(seed) as number);
    const price = new Float64Array(length);
    const own = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const close = series.get(begin + i);
      if (close !== undefined) {
        last = close;
        own[i] = 1;
      }
      price[i] = last;
    }
    carried.set(assetId, { price, own });
  }
  const fxPath = fxId ? carried.get(fxId) : undefined;
  const NONE: Path = { price: new Float64Array(length).fill(Number.NaN), own: new Uint8Array(length) };
  // Per snapshot, what each held position needs every day (resolved once, not once a day).
  type Plan = { row: PositionRow | undefined; m: number; sign: number; path: Path }[];
  const plans = new WeakMap<NumericSnapshot, Plan>();
  const planOf = (state: NumericSnapshot): Plan => {
    const hit = plans.get(state);
    if (hit) return hit;
    const plan: Plan = state.ids.map((id) => {
      const row = byId.get(id);
      return {
        row,
        m: Number(row?.multiplier ?? 1),
        sign: row?.positionType === 'SHORT' ? -1 : 1,
        path: (row?.assetId ? carried.get(row.assetId) : undefined) ?? NONE,
      };
    });
    plans.set(state, plan);
    return plan;
  };
  let i = -1;
  for (const n of eachDay(begin, end, VALUATION_MAX_DAYS)) {
    i++;
    const day = dayString(n);
    let flow = n === begin ? pendingFlow : 0;
    // The day's FX rate, carried forward like prices.
    const fx = fxPath ? (fxPath.price[i] as number) : 1;
    while (si < snaps.length && (snaps[si] as (typeof snaps)[number]).date === day) {
      current = snaps[si] as (typeof snaps)[number];
      flow += current.flow.toNumber();
      si++;
    }
    const state = numeric(current);
    const plan = planOf(state);
    let invested = 0;
    let costBasis = 0;
    let filled = 0;
    const perPosition =
      range.positionsDaily || (range.positionsAtEnds && (n === begin || n === end))
        ? new Map<string, number>()
        : undefined;
    for (let k = 0; k < plan.length; k++) {
      const { row: p, m, sign, path } = plan[k] as (typeof plan)[number];
      if (!p) continue;
      const basis = state.costBasis[k] as number;
      const q = state.quantities[k] as number;
      let price = q > 0 ? basis / q / m : 0;
      if (p.assetId) {
        if (path.own[i] === 0) filled++;
        const usdSpot = path.price[i] as number;
        if (!Number.isNaN(usdSpot)) {
          if (fxId && Number.isNaN(fx)) {
            throw new ApiError(
              'SERVICE_UNAVAILABLE',
              `No stored ${currency} exchange rate on or before ${day}`,
              {
                suggestion: 'Backfill the FX series, or report the portfolio in USD.',
              },
            );
          }
          const spot = fxId ? fromUsd(currency, usdSpot, fx) : usdSpot;
          if (p.positionType === 'CALL' || p.positionType === 'PUT') {
            const model = blackScholesPrice(p, spot, Date.parse(`${day}T23:59:59Z`), rate);
            if (model !== null) price = model;
          } else {
            price = spot;
          }
        }
      }
      const v = sign * q * price * m;
      invested += v;
      costBasis += sign * basis;
      perPosition?.set(p.id, v);
    }
    const cash = state.cash;
    out.push({
      date: day,
      value: invested + cash,
      cash,
      invested,
      costBasis,
      flow,
      filled,
      ...(perPosition ? { positions: perPosition } : {}),
    });
  }
  return out;
}

export interface PerformanceMetrics {
  start_date: string | null;
  end_date: string | null;
  start_value: number;
  end_value: number;
  net_flows: number;
  /** End value − start value − net flows. */
  gain: number;
  time_weighted_return: number | null;
  time_weighted_return_annualized: number | null;
  money_weighted_return: number | null;
  volatility_annualized: number | null;
  sharpe_ratio: number | null;
  max_drawdown: number | null;
  max_drawdown_peak: string | null;
  max_drawdown_trough: string | null;
  best_day: { date: string; return: number } | null;
  worst_day: { date: string; return: number } | null;
  data_points: number;
}

/**
 * Performance of a valuation series: time-weighted return (deposits earn their day,
 * withdrawals leave at its end), money-weighted return (XIRR of the flows with the start and
 * end values), volatility and Sharpe of the daily time-weighted returns (sample deviation,
 * annualized by 365, risk-free 0), and the maximum drawdown of the time-weighted wealth index
 * (flows do not count as drawdowns).
 */
export function performanceOf(points: ValuationPoint[]): PerformanceMetrics & { dailyReturns: number[] } {
  const firstPoint = points[0];
  const lastPoint = points[points.length - 1];
  const empty = {
    start_date: firstPoint?.date ?? null,
    end_date: lastPoint?.date ?? null,
    start_value: firstPoint?.value ?? 0,
    end_value: lastPoint?.value ?? 0,
    net_flows: 0,
    gain: 0,
    time_weighted_return: null,
    time_weighted_return_annualized: null,
    money_weighted_return: null,
    volatility_annualized: null,
    sharpe_ratio: null,
    max_drawdown: null,
    max_drawdown_peak: null,
    max_drawdown_trough: null,
    best_day: null,
    worst_day: null,
    data_points: points.length,
    dailyReturns: [],
  };
  if (!firstPoint || !lastPoint || points.length < 2) return empty;
  const values = points.map((p) => p.value);
  // The first day's flow is inside its starting value.
  const flows = points.map((p, i) => (i === 0 ? 0 : p.flow));
  const twr = timeWeightedReturn(values, flows, { flowsAt: 'start', periodsPerYear: PERIODS_PER_YEAR });
  const returns = Array.from(twr.periodReturns);
  const wealth = [1];
  for (const r of returns) wealth.push((wealth[wealth.length - 1] as number) * (1 + r));
  const dd = wealth.every((w) => w > 0) ? maxDrawdown(wealth) : null;
  const timestamps = points.map((p) => Date.parse(`${p.date}T00:00:00Z`));
  let mwr: number | null = null;
  try {
    mwr = firstPoint.value > 0 ? moneyWeightedReturn(values, flows, timestamps) : null;
  } catch {
    mwr = null; // XIRR has no root for some flow patterns; say so with null rather than guess.
  }
  let best: { date: string; return: number } | null = null;
  let worst: { date: string; return: number } | null = null;
  returns.forEach((r, i) => {
    const date = (points[i + 1] as ValuationPoint).date;
    if (!best || r > best.return) best = { date, return: r };
    if (!worst || r < worst.return) worst = { date, return: r };
  });
  const netFlows = flows.reduce((s, f) => s + f, 0);
  const sd = returns.length >= 2 ? stdDev(returns) : null;
  return {
    start_date: firstPoint.date,
    end_date: lastPoint.date,
    start_value: firstPoint.value,
    end_value: lastPoint.value,
    net_flows: netFlows,
    gain: lastPoint.value - firstPoint.value - netFlows,
    time_weighted_return: twr.twr,
    time_weighted_return_annualized: points.length > 30 ? twr.annualized : null,
    money_weighted_return: mwr,
    volatility_annualized: sd === null ? null : sd * Math.sqrt(PERIODS_PER_YEAR),
    sharpe_ratio: sharpeRatio(returns, { periodsPerYear: PERIODS_PER_YEAR }),
    max_drawdown: dd ? -dd.maxDrawdown : null,
    max_drawdown_peak: dd ? ((points[dd.peakIndex] as ValuationPoint | undefined)?.date ?? null) : null,
    max_drawdown_trough: dd ? ((points[dd.troughIndex] as ValuationPoint | undefined)?.date ?? null) : null,
    best_day: best,
    worst_day: worst,
    data_points: points.length,
    dailyReturns: returns,
  };
}

/** The time-weighted return over the last `days` days of a series (null when it is shorter). */
export function trailingReturn(points: ValuationPoint[], days: number): number | null {
  if (points.length < 2) return null;
  const slice = points.slice(Math.max(0, points.length - 1 - days));
  if (slice.length < 2) return null;
  return performanceOf(slice).time_weighted_return;
}

/** The time-weighted return since the first day of the last point's year. */
export function yearToDateReturn(points: ValuationPoint[]): number | null {
  const last = points[points.length - 1];
  if (!last) return null;
  const yearStart = `${last.date.slice(0, 4)}-01-01`;
  // From the last close of the previous year, when the series has it.
  const i = points.findIndex((p) => p.date >= yearStart);
  if (i < 0) return null;
  return performanceOf(points.slice(Math.max(0, i - 1))).time_weighted_return;
}
