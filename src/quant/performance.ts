import { QuantInputError } from './errors';
import {
  assertCandles,
  assertFinite,
  assertFiniteNumber,
  assertPositive,
  assertSameLength,
  type Series,
} from './validate';

export interface TwrOptions {
  /** Valuation points per year (equally spaced), to annualize; omit for no annualization. */
  periodsPerYear?: number;
  /**
   * When flows happen: 'end' (default) of their period, so they earn nothing in it; or
   * 'start', where deposits arrive at the start and earn the whole period while withdrawals
   * leave at its end: r_i = (V_i - min(F_i, 0))/(V_{i-1} + max(F_i, 0)) - 1. That is the daily
   * convention for trades valued at the day's close: money deposited to fund a buy is invested
   * that day, and money withdrawn after a sale was in the portfolio all day.
   */
  flowsAt?: 'end' | 'start';
}

export interface TwrResult {
  /** Π(1 + r_i) - 1 over the sub-periods. */
  twr: number;
  /** (1 + twr)^(periodsPerYear/(n-1)) - 1, or null without periodsPerYear. */
  annualized: number | null;
  /** r_i = (V_i - F_i)/V_{i-1} - 1 for i = 1..n-1 (length n-1). */
  periodReturns: Float64Array;
}

/**
 * Time-weighted return from valuations V_i and external cash flows F_i at the same points
 * (deposits positive, withdrawals negative). V_i is the value right AFTER the flow F_i, so
 * the flow earns nothing in the period it arrives: r_i = (V_i - F_i)/V_{i-1} - 1, and
 * TWR = Π(1 + r_i) - 1 (F_0 is ignored: V_0 is the starting value). A period starting from
 * V_{i-1} = 0 has r_i = 0 when nothing was invested (V_i = F_i), and throws otherwise.
 */
export function timeWeightedReturn(valuations: Series, flows: Series, options: TwrOptions = {}): TwrResult {
  const n = assertCandles({ valuations, flows });
  if (options.periodsPerYear !== undefined) assertPositive('periodsPerYear', options.periodsPerYear);
  const periodReturns = new Float64Array(Math.max(n - 1, 0));
  let growth = 1;
  const start = options.flowsAt === 'start';
  for (let i = 1; i < n; i++) {
    const f = flows[i] as number;
    const prev = (valuations[i - 1] as number) + (start ? Math.max(f, 0) : 0);
    const end = (valuations[i] as number) - (start ? Math.min(f, 0) : f);
    let r: number;
    if (prev === 0) {
      if (end !== 0) {
        throw new QuantInputError('INVALID_PARAMETER', 'valuations', `value grew from 0 at index ${i}`, i);
      }
      r = 0;
    } else {
      r = end / prev - 1;
    }
    periodReturns[i - 1] = r;
    growth *= 1 + r;
  }
  const twr = growth - 1;
  const annualized =
    options.periodsPerYear === undefined || n < 2
      ? null
      : growth <= 0
        ? -1
        : growth ** (options.periodsPerYear / (n - 1)) - 1;
  return { twr, annualized, periodReturns };
}

export interface CashFlow {
  /** Amount from the investor's side: money in (invested) negative, money out positive. */
  amount: number;
  /** Epoch milliseconds or a Date. */
  date: number | Date;
}

export interface XirrOptions {
  /** Newton starting rate, default 0.1. */
  guess?: number;
  /** Days per year of the exponent, default 365 (Excel XIRR's actual/365). */
  daysPerYear?: number;
}

const DAY_MS = 86_400_000;

/**
 * Money-weighted return: the annual rate r with Σ a_i·(1 + r)^{-(d_i - d_0)/365} = 0 (Excel
 * XIRR, actual/365). Newton from the guess; if it fails or leaves r > -1, bisection on the
 * first sign change of a grid of rates in (-1, 1e6). null without both a positive and a
 * negative flow, or when no root is found.
 */
export function xirr(flows: readonly CashFlow[], options: XirrOptions = {}): number | null {
  const daysPerYear = options.daysPerYear ?? 365;
  assertPositive('daysPerYear', daysPerYear);
  const amounts = new Float64Array(flows.length);
  const times = new Float64Array(flows.length);
  let t0 = Number.POSITIVE_INFINITY;
  let hasPos = false;
  let hasNeg = false;
  flows.forEach((f, i) => {
    const ms = f.date instanceof Date ? f.date.getTime() : f.date;
    assertFiniteNumber(`flows[${i}].amount`, f.amount);
    assertFiniteNumber(`flows[${i}].date`, ms);
    amounts[i] = f.amount;
    times[i] = ms;
    if (ms < t0) t0 = ms;
    if (f.amount > 0) hasPos = true;
    if (f.amount < 0) hasNeg = true;
  });
  if (!hasPos || !hasNeg) return null;
  for (let i = 0; i < times.length; i++) times[i] = ((times[i] as number) - t0) / DAY_MS / daysPerYear;

  const npv = (r: number): number => {
    let s = 0;
    for (let i = 0; i < amounts.length; i++) s += (amounts[i] as number) * (1 + r) ** -(times[i] as number);
    return s;
  };
  const dnpv = (r: number): number => {
    let s = 0;
    for (let i = 0; i < amounts.length; i++) {
      const t = times[i] as number;
      s -= t * (amounts[i] as number) * (1 + r) ** (-t - 1);
    }
    return s;
  };

  let r = options.guess ?? 0.1;
  for (let i = 0; i < 100 && r > -1 && Number.isFinite(r); i++) {
    const f = npv(r);
    const d = dnpv(r);
    if (!(Math.abs(d) > 0)) break;
    const next = r - f / d;
    if (Math.abs(next - r) <= 1e-12 * Math.max(1, Math.abs(r))) {
      if (next > -1 && Math.abs(npv(next)) <= 1e-9 * scaleOf(amounts)) return next;
      break;
    }
    r = next;
  }
  const grid = [-0.999999, -0.99, -0.9, -0.5, -0.2, 0, 0.1, 0.25, 0.5, 1, 2, 5, 10, 100, 1e3, 1e4, 1e6];
  let lo = grid[0] as number;
  let flo = npv(lo);
  for (let g = 1; g < grid.length; g++) {
    const hi = grid[g] as number;
    const fhi = npv(hi);
    if (flo === 0) return lo;
    if (Math.sign(flo) !== Math.sign(fhi)) return bisect(npv, lo, hi, flo);
    lo = hi;
    flo = fhi;
  }
  return null;
}

function scaleOf(amounts: Float64Array): number {
  let s = 0;
  for (let i = 0; i < amounts.length; i++) s += Math.abs(amounts[i] as number);
  return s;
}

function bisect(f: (x: number) => number, lo: number, hi: number, flo: number): number {
  let a = lo;
  let b = hi;
  let fa = flo;
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (a + b);
    const fm = f(m);
    if (fm === 0 || b - a <= 1e-15 * Math.max(1, Math.abs(m))) return m;
    if (Math.sign(fm) === Math.sign(fa)) {
      a = m;
      fa = fm;
    } else {
      b = m;
    }
  }
  return 0.5 * (a + b);
}

/**
 * Money-weighted return (XIRR) of a portfolio from its valuations, external flows (deposits
 * positive, as in timeWeightedReturn) and the timestamps (epoch ms) of each point: the
 * investor pays V_0 at t_0 and each deposit F_i, and receives V_n at the end.
 */
export function moneyWeightedReturn(
  valuations: Series,
  flows: Series,
  timestamps: Series,
  options: XirrOptions = {},
): number | null {
  const n = assertSameLength({ valuations, flows, timestamps });
  assertFinite('valuations', valuations);
  assertFinite('flows', flows);
  assertFinite('timestamps', timestamps);
  if (n < 2) return null;
  const cash: CashFlow[] = [{ amount: -(valuations[0] as number), date: timestamps[0] as number }];
  for (let i = 1; i < n; i++) {
    const f = flows[i] as number;
    if (f !== 0) cash.push({ amount: -f, date: timestamps[i] as number });
  }
  cash.push({ amount: valuations[n - 1] as number, date: timestamps[n - 1] as number });
  return xirr(cash, options);
}

export interface ConcentrationResult {
  /** Herfindahl-Hirschman index Σ s_i², s_i = |w_i|/Σ|w|: 1/N (equal) .. 1 (one position). */
  herfindahl: number;
  /** 1/HHI: the number of equal positions with the same concentration. */
  effectiveN: number;
  /** (HHI - 1/N)/(1 - 1/N) in [0, 1]; 0 for a single position. */
  normalized: number;
  positions: number;
}

/**
 * Concentration of a portfolio from position weights or values (absolute values are used,
 * so shorts count as exposure). null when empty or all zero.
 */
export function concentration(weights: Series): ConcentrationResult | null {
  assertFinite('weights', weights);
  const n = weights.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.abs(weights[i] as number);
  if (!(total > 0)) return null;
  let hhi = 0;
  for (let i = 0; i < n; i++) {
    const s = Math.abs(weights[i] as number) / total;
    hhi += s * s;
  }
  return {
    herfindahl: hhi,
    effectiveN: 1 / hhi,
    normalized: n > 1 ? Math.max(0, (hhi - 1 / n) / (1 - 1 / n)) : 0,
    positions: n,
  };
}

export interface Trade {
  /** Realized profit or loss of the trade (money or return, consistently). */
  pnl: number;
  /** Maximum favourable excursion during the trade, >= 0 (see `excursions`). */
  mfe?: number;
  /** Maximum adverse excursion during the trade, >= 0. */
  mae?: number;
}

export interface TradeStats {
  trades: number;
  wins: number;
  losses: number;
  breakeven: number;
  /** wins / trades (breakeven trades count in the denominator). */
  winRate: number;
  lossRate: number;
  /** Σ of winning pnl, and Σ |losing pnl| (a positive number). */
  grossProfit: number;
  grossLoss: number;
  netProfit: number;
  /** grossProfit / grossLoss; null when there is no loss. */
  profitFactor: number | null;
  /** Mean pnl per trade = winRate·averageWin + lossRate·averageLoss. */
  expectancy: number;
  /** Mean of winning pnl; null without wins. */
  averageWin: number | null;
  /** Mean of losing pnl (negative); null without losses. */
  averageLoss: number | null;
  /** averageWin / |averageLoss|; null without wins or losses. */
  payoffRatio: number | null;
  largestWin: number | null;
  largestLoss: number | null;
  /** Means over the trades that report them; null when none do. */
  averageMfe: number | null;
  averageMae: number | null;
}

/** Trade statistics over closed trades; null for no trades. */
export function tradeStats(trades: readonly Trade[]): TradeStats | null {
  const n = trades.length;
  if (n === 0) return null;
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let largestWin: number | null = null;
  let largestLoss: number | null = null;
  let mfeSum = 0;
  let mfeCount = 0;
  let maeSum = 0;
  let maeCount = 0;
  trades.forEach((t, i) => {
    assertFiniteNumber(`trades[${i}].pnl`, t.pnl);
    if (t.pnl > 0) {
      wins++;
      grossProfit += t.pnl;
      if (largestWin === null || t.pnl > largestWin) largestWin = t.pnl;
    } else if (t.pnl < 0) {
      losses++;
      grossLoss -= t.pnl;
      if (largestLoss === null || t.pnl < largestLoss) largestLoss = t.pnl;
    }
    if (t.mfe !== undefined) {
      assertFiniteNumber(`trades[${i}].mfe`, t.mfe);
      mfeSum += t.mfe;
      mfeCount++;
    }
    if (t.mae !== undefined) {
      assertFiniteNumber(`trades[${i}].mae`, t.mae);
      maeSum += t.mae;
      maeCount++;
    }
  });
  const averageWin = wins > 0 ? grossProfit / wins : null;
  const averageLoss = losses > 0 ? -grossLoss / losses : null;
  return {
    trades: n,
    wins,
    losses,
    breakeven: n - wins - losses,
    winRate: wins / n,
    lossRate: losses / n,
    grossProfit,
    grossLoss,
    netProfit: grossProfit - grossLoss,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancy: (grossProfit - grossLoss) / n,
    averageWin,
    averageLoss,
    payoffRatio: averageWin !== null && averageLoss !== null ? averageWin / -averageLoss : null,
    largestWin,
    largestLoss,
    averageMfe: mfeCount > 0 ? mfeSum / mfeCount : null,
    averageMae: maeCount > 0 ? maeSum / maeCount : null,
  };
}

/**
 * Maximum favourable and adverse excursion of one trade, as fractions of the entry price,
 * from the highs and lows of the bars it was open: long MFE = max(H)/entry - 1,
 * MAE = 1 - min(L)/entry; short mirrored. Both clamped at 0 (never favourable → MFE 0).
 */
export function excursions(
  side: 'long' | 'short',
  entryPrice: number,
  high: Series,
  low: Series,
): { mfe: number; mae: number } {
  assertPositive('entryPrice', entryPrice);
  const n = assertCandles({ high, low });
  if (n === 0) return { mfe: 0, mae: 0 };
  let hh = Number.NEGATIVE_INFINITY;
  let ll = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if ((high[i] as number) > hh) hh = high[i] as number;
    if ((low[i] as number) < ll) ll = low[i] as number;
  }
  const up = Math.max(0, hh / entryPrice - 1);
  const down = Math.max(0, 1 - ll / entryPrice);
  return side === 'long' ? { mfe: up, mae: down } : { mfe: down, mae: up };
}
