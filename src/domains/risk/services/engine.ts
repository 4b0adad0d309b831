import { blackScholes } from '../../../quant';
import { catalogAssetId } from '../../assets/catalog';
import { isOptionValue } from '../../portfolios/services/insight';
import type { PortfolioValue, PositionValue } from '../../portfolios/services/valuation';
import { riskFreeRate } from '../../portfolios/services/valuation';
import { pricedAssetOf } from './factors';
import { type CloseSeries, closesOf, DAY, dayOf } from './market';

export const DEFAULT_RISK_LOOKBACK = 252;
export const MIN_RISK_OBSERVATIONS = 30;
export const SPY = catalogAssetId('SPY');
const BTC = catalogAssetId('BTC');
const TLT = catalogAssetId('TLT');

/** One open position's revaluation under each historical day's move of its priced asset. */
export interface PositionScenarioSeries {
  position: PositionValue;
  /** Current market value (signed: shorts negative). */
  marketValue: number;
  /** P&L in money for each day of the window: today's holding revalued by that day's move. */
  pnl: number[];
  /** How the position was revalued. */
  method: 'linear' | 'black_scholes' | 'excluded';
  excludedReason: string | null;
  /** Last day the position's asset has a close (stale series are held flat after it). */
  lastClose: string | null;
}

export interface RiskInputs {
  value: PortfolioValue;
  nav: number;
  /** Days of the window (the later close of each return), ascending. */
  days: number[];
  positions: PositionScenarioSeries[];
  /** Σ position P&L / NAV, per day. */
  portfolioReturns: number[];
  /** SPY's return per day of the calendar (0 where SPY did not trade, e.g. weekends). */
  benchmarkReturns: number[];
  /** BTC's and TLT's returns on the same calendar, for the crypto and rates shocks. */
  shockReturns: { btc: number[]; tlt: number[] };
  periodsPerYear: number;
  lookback: number;
  rate: number;
  /** Days of the window on which every included position's asset already had a close. */
  coveredDays: number;
}

/** A close on or before each calendar day (forward-filled), null before the series starts. */
function filled(series: CloseSeries | undefined, days: number[]): (number | null)[] {
  const out: (number | null)[] = [];
  let j = 0;
  let last: number | null = null;
  for (const d of days) {
    while (series && j < series.times.length && (series.times[j] as number) <= d) {
      last = series.closes[j] as number;
      j++;
    }
    out.push(last);
  }
  return out;
}

/** An option's Black-Scholes value per unit at spot S with today's implied volatility and time to expiry. */
function optionValueAt(v: PositionValue, spot: number, now: number, rate: number): number | null {
  const p = v.position;
  if (p.impliedVolatility === null) return null;
  const strike = Number(p.strike);
  const expiry = p.expiry ? Date.parse(`${p.expiry}T21:00:00Z`) : Number.NaN;
  const time = (expiry - now) / (365 * DAY);
  if (!(strike > 0) || !(spot > 0) || !(time > 0)) return null;
  return blackScholes({
    type: p.positionType === 'CALL' ? 'call' : 'put',
    spot,
    strike,
    rate,
    volatility: p.impliedVolatility,
    time,
  }).price;
}

/**
 * Revalues today's holdings over the last `lookback` days of history before the market clock:
 * the calendar is the union of the days any held asset (and SPY) closed; each asset's price is
 * carried forward over days it did not trade (weekends for equities; after its last close for
 * a stale series, which then contributes no moves: said in `lastClose`). Linear holdings move
 * with their asset's return; options are repriced by Black-Scholes at the moved underlying,
 * with today's implied volatility and time to expiry.
 */
export async function riskInputs(
  env: Env,
  value: PortfolioValue,
  lookback = DEFAULT_RISK_LOOKBACK,
): Promise<RiskInputs> {
  const now = Date.parse(value.asOf);
  const open = value.positions.filter((v) => v.isOpen);
  const ids = open.map(pricedAssetOf).filter((x): x is string => !!x);
  const from = now - Math.ceil(lookback * 1.6 + 60) * DAY * 2;
  const [closes, rate] = await Promise.all([
    closesOf(env, [...ids, SPY, BTC, TLT], from, now),
    open.some(isOptionValue) ? riskFreeRate(env) : Promise.resolve(0),
  ]);
  const calendarSet = new Set<number>();
  for (const id of new Set(ids)) for (const t of closes.get(id)?.times ?? []) calendarSet.add(t);
  for (const t of closes.get(SPY)?.times ?? []) calendarSet.add(t);
  const calendar = [...calendarSet].sort((a, b) => a - b).slice(-(lookback + 1));
  const days = calendar.slice(1);
  const weekendDays = days.filter((d) => {
    const w = new Date(d).getUTCDay();
    return w === 0 || w === 6;
  }).length;
  const periodsPerYear = weekendDays > days.length / 20 ? 365 : 252;
  const returnsOn = (id: string) => {
    const px = filled(closes.get(id), calendar);
    return days.map((_, i) => {
      const a = px[i];
      const b = px[i + 1];
      return a && b ? b / a - 1 : 0;
    });
  };
  const benchmarkReturns = returnsOn(SPY);
  const shockReturns = { btc: returnsOn(BTC), tlt: returnsOn(TLT) };
  const positions: PositionScenarioSeries[] = open.map((v) => {
    const id = pricedAssetOf(v);
    const series = id ? closes.get(id) : undefined;
    const lastClose = series?.times.length ? dayOf(series.times.at(-1) as number) : null;
    const base = { position: v, marketValue: v.marketValue, lastClose };
    if (!series || series.times.length < 2)
      return {
        ...base,
        pnl: days.map(() => 0),
        method: 'excluded' as const,
        excludedReason: 'No daily closes before the market clock',
      };
    const px = filled(series, calendar);
    const moves = days.map((_, i) => {
      const a = px[i];
      const b = px[i + 1];
      return a && b ? b / a - 1 : 0;
    });
    if (!isOptionValue(v))
      return {
        ...base,
        pnl: moves.map((r) => v.marketValue * r),
        method: 'linear' as const,
        excludedReason: null,
      };
    const spot = v.underlyingPrice;
    const v0 = spot !== null ? optionValueAt(v, spot, now, rate) : null;
    if (spot === null || v0 === null)
      return {
        ...base,
        pnl: days.map(() => 0),
        method: 'excluded' as const,
        excludedReason: 'Option without implied volatility (or expired): cannot be repriced',
      };
    const units = v.sign * v.quantity * v.multiplier;
    const pnl = moves.map((r) => {
      const moved = optionValueAt(v, spot * (1 + r), now, rate);
      return moved === null ? 0 : units * (moved - v0);
    });
    return { ...base, pnl, method: 'black_scholes' as const, excludedReason: null };
  });
  const starts = positions
    .filter((p) => p.method !== 'excluded')
    .map((p) => closes.get(pricedAssetOf(p.position) ?? '')?.times[0] ?? Number.POSITIVE_INFINITY);
  const latestStart = starts.length ? Math.max(...starts) : (calendar[0] ?? 0);
  const coveredDays = days.filter((d) => d > latestStart).length;
  const nav = value.totalValue;
  const portfolioReturns = days.map((_, i) =>
    nav > 0 ? positions.reduce((s, p) => s + (p.pnl[i] as number), 0) / nav : 0,
  );
  return {
    value,
    nav,
    days,
    positions,
    portfolioReturns,
    benchmarkReturns,
    shockReturns,
    periodsPerYear,
    lookback,
    rate,
    coveredDays,
  };
}
