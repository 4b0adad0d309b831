import { betaAlpha, historicalVar, maxDrawdown, positionGreeks, sharpeRatio, stdDev } from '../../../quant';
import { marketCapOf, servedQuotes } from '../../prices/market-cap';
import { recentDailyCloses, yearRange } from '../../prices/service';
import { D } from '../ledger';
import { round } from '../schemas';
import { tradesOfPositions } from './ledger';
import { PERIODS_PER_YEAR, performanceOf } from './performance';
import type { PortfolioRow, TradeRow } from './portfolios';
import { portfolioPerformance } from './summary';
import { dailyCloses, dateOf, type PortfolioValue, type PositionValue, riskFreeRate } from './valuation';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export const isOptionValue = (v: PositionValue) =>
  v.position.positionType === 'CALL' || v.position.positionType === 'PUT';

/** Crypto trades every day (365 a year); everything else on exchange days (252). */
export const periodsFor = (v: PositionValue) => (v.position.assetType === 'crypto' ? 365 : 252);

export interface OptionGreeks {
  /** Position greeks: per-option greek × quantity × multiplier. */
  delta: number;
  gamma: number;
  /** Per calendar day. */
  theta: number;
  /** Per 1.00 of volatility. */
  vega: number;
  rho: number;
  delta_notional: number;
  implied_volatility: number;
  underlying_price: number;
  time_to_expiry_years: number;
  risk_free_rate: number;
}

/**
 * Greeks of an option position by Black-Scholes-Merton from its underlying's price, its
 * implied volatility and the Fed funds rate; null while the implied volatility or the
 * underlying's price is unknown, or once expired.
 */
export function optionGreeks(v: PositionValue, now: number, rate: number): OptionGreeks | null {
  const p = v.position;
  if (!isOptionValue(v) || p.impliedVolatility === null || v.underlyingPrice === null) return null;
  const strike = Number(p.strike);
  const expiry = p.expiry ? Date.parse(`${p.expiry}T21:00:00Z`) : Number.NaN;
  const time = (expiry - now) / (365 * DAY);
  if (!(strike > 0) || !(time > 0) || !(v.underlyingPrice > 0)) return null;
  const g = positionGreeks({
    type: p.positionType === 'CALL' ? 'call' : 'put',
    spot: v.underlyingPrice,
    strike,
    rate,
    volatility: p.impliedVolatility,
    time,
    quantity: v.quantity,
    multiplier: v.multiplier,
  });
  return {
    delta: round(g.delta, 6),
    gamma: round(g.gamma, 8),
    theta: round(g.thetaPerDay, 6),
    vega: round(g.vega, 6),
    rho: round(g.rho, 6),
    delta_notional: round(g.deltaNotional, 2),
    implied_volatility: p.impliedVolatility,
    underlying_price: v.underlyingPrice,
    time_to_expiry_years: round(time, 6),
    risk_free_rate: rate,
  };
}

export interface GreeksAggregation {
  total_delta: number;
  total_gamma: number;
  total_theta: number;
  total_vega: number;
  net_delta_exposure: number;
  options_notional: number;
  options_positions: number;
  options_with_greeks: number;
}

/**
 * Sums of option position greeks (options whose implied volatility is known), the net delta
 * exposure in money (options: delta × underlying × quantity × multiplier; stocks and other
 * LONG/SHORT holdings count with delta ±1, i.e. their signed market value) and the options'
 * notional (|quantity × multiplier × underlying price|).
 */
export async function aggregateGreeks(env: Env, value: PortfolioValue): Promise<GreeksAggregation> {
  const now = Date.parse(value.asOf);
  const open = value.positions.filter((v) => v.isOpen);
  const options = open.filter(isOptionValue);
  const rate = options.length ? await riskFreeRate(env) : 0;
  const out: GreeksAggregation = {
    total_delta: 0,
    total_gamma: 0,
    total_theta: 0,
    total_vega: 0,
    net_delta_exposure: 0,
    options_notional: 0,
    options_positions: options.length,
    options_with_greeks: 0,
  };
  for (const v of open) {
    if (!isOptionValue(v)) {
      out.net_delta_exposure += v.marketValue;
      continue;
    }
    if (v.underlyingPrice !== null)
      out.options_notional += Math.abs(v.quantity * v.multiplier * v.underlyingPrice);
    const g = optionGreeks(v, now, rate);
    if (!g) continue;
    out.options_with_greeks++;
    out.total_delta += g.delta;
    out.total_gamma += g.gamma;
    out.total_theta += g.theta;
    out.total_vega += g.vega;
    out.net_delta_exposure += g.delta_notional;
  }
  return {
    ...out,
    total_delta: round(out.total_delta, 6),
    total_gamma: round(out.total_gamma, 8),
    total_theta: round(out.total_theta, 6),
    total_vega: round(out.total_vega, 6),
    net_delta_exposure: round(out.net_delta_exposure, 2),
    options_notional: round(out.options_notional, 2),
  };
}

/** The day before `day` minus `n` days, as YYYY-MM-DD. */
const daysBefore = (day: string, n: number) => dateOf(Date.parse(`${day}T00:00:00Z`) - n * DAY);

/**
 * Portfolio performance for the aggregation blocks: the valuation series from the last close of
 * the previous year (or 91 days back, whichever is earlier) to `to`, so YTD and 30/90-day
 * figures come from one series without replaying years of history.
 */
export async function recentPerformance(env: Env, portfolio: PortfolioRow, to: string) {
  const yearStart = daysBefore(`${to.slice(0, 4)}-01-01`, 1);
  const back = daysBefore(to, 91);
  const report = await portfolioPerformance(env, portfolio, {
    // ISO days sort as text: the earlier of the two.
    from: [yearStart, back].sort()[0],
    to,
  });
  const last30 = performanceOf(report.points.slice(-31));
  return {
    report,
    metrics: {
      ytd_return: report.trailing.ytd,
      trailing_30d_return: report.trailing.d30,
      trailing_90d_return: report.trailing.d90,
      sharpe_ratio_30d: last30.sharpe_ratio,
      max_drawdown_30d: last30.max_drawdown,
      annualization_periods: PERIODS_PER_YEAR,
      as_of: report.points.at(-1)?.date ?? null,
    },
  };
}

export interface MarketDataBlock {
  symbol: string;
  current_price: number;
  bid: null;
  ask: null;
  volume: number | null;
  day_high: number | null;
  day_low: number | null;
  year_high: number | null;
  year_low: number | null;
  market_cap: number | null;
  last_updated: string;
}

export interface RiskBlock {
  position_var_95: number | null;
  position_var_99: number | null;
  component_var: null;
  marginal_var: null;
  beta_to_portfolio: number | null;
  correlation_to_portfolio: number | null;
  observations: number;
  method: string;
}

export interface HistoryBlock {
  returns: { date: string; return: number }[] | null;
  volatility_30d: number | null;
  sharpe_ratio_30d: number | null;
  max_drawdown_30d: number | null;
  annualization_periods: number;
  data_points: number;
}

export interface Transaction {
  id: string;
  date: string;
  type: string;
  quantity: number;
  price: number;
  value: number;
  fees: number;
  notes: string | null;
}

export interface PositionInsight {
  marketData: MarketDataBlock | null;
  fundamentals: {
    market_cap: number | null;
    pe_ratio: null;
    dividend_yield: null;
    beta: null;
    sector: string;
    industry: null;
  };
  greeks: OptionGreeks | null;
  risk: RiskBlock;
  history: HistoryBlock;
  transactions: Transaction[];
  alerts: string[];
}

/** A trade as a position's transaction; the value is exact (decimal), then one conversion. */
export const transactionView = (t: TradeRow, multiplier: string): Transaction => ({
  id: t.id,
  date: t.tradeDate,
  type: t.tradeType.toUpperCase(),
  quantity: Number(t.quantity),
  price: Number(t.price),
  value: new D(t.quantity)
    .times(t.price)
    .times(t.tradeType === 'split' ? 0 : multiplier)
    .toNumber(),
  fees: Number(t.fees),
  notes: t.notes,
});

/**
 * Everything 2.13 shows about one position beyond its valuation: the priced asset's market
 * data (the underlying's, for an option), fundamentals the catalog has, option greeks,
 * historical 1-day VaR, beta and correlation to the portfolio, the asset's last 30 days,
 * the position's trades and generated alerts.
 */
export async function positionInsight(
  env: Env,
  value: PortfolioValue,
  v: PositionValue,
  options: { includeHistory: boolean; today: string },
): Promise<PositionInsight> {
  const p = v.position;
  const now = Date.parse(value.asOf);
  const assetId = p.assetId;
  const at = v.priceAt ?? now;
  const [quotes, year, range, trades, rate] = await Promise.all([
    assetId ? servedQuotes(env, [assetId]) : Promise.resolve(new Map()),
    assetId ? recentDailyCloses(env, assetId, 261, at) : Promise.resolve([]),
    assetId ? yearRange(env, assetId, at) : Promise.resolve({ high: null, low: null }),
    tradesOfPositions(env, p.portfolioId, [p.id]),
    isOptionValue(v) ? riskFreeRate(env) : Promise.resolve(0),
  ]);
  const quote = assetId ? quotes.get(assetId) : undefined;
  const last = year.at(-1);
  const marketData: MarketDataBlock | null = quote
    ? {
        symbol: p.symbol,
        current_price: quote.price,
        bid: null,
        ask: null,
        volume: quote.volume24h,
        day_high: quote.high24h,
        day_low: quote.low24h,
        year_high: range.high,
        year_low: range.low,
        market_cap: marketCapOf(p, quote, quote).market_cap,
        last_updated: new Date(quote.asOf).toISOString(),
      }
    : last
      ? {
          symbol: p.symbol,
          current_price: last.close,
          bid: null,
          ask: null,
          volume: last.volume,
          day_high: last.high,
          day_low: last.low,
          year_high: range.high,
          year_low: range.low,
          market_cap: null,
          last_updated: new Date(last.openTime).toISOString(),
        }
      : null;

  const greeks = optionGreeks(v, now, rate);
  const closes = year.map((r) => r.close).filter((c) => c > 0);
  const returns: number[] = [];
  for (let i = 1; i < closes.length; i++) returns.push((closes[i] as number) / (closes[i - 1] as number) - 1);
  const risk = await positionRisk(env, value, v, returns, greeks, options.today);

  const periods = periodsFor(v);
  const window = year.slice(-31);
  const windowReturns = window.slice(1).map((r, i) => ({
    date: dateOf(r.openTime),
    return: r.close / (window[i]?.close ?? r.close) - 1,
  }));
  const rs = windowReturns.map((r) => r.return);
  const sd = rs.length >= 2 ? stdDev(rs) : null;
  const dd = window.length ? maxDrawdown(window.map((r) => r.close)) : null;
  const history: HistoryBlock = {
    returns: options.includeHistory
      ? windowReturns.map((r) => ({ date: r.date, return: round(r.return, 6) })).reverse()
      : null,
    volatility_30d: sd === null ? null : round(sd * Math.sqrt(periods), 6),
    sharpe_ratio_30d: rs.length >= 2 ? nullableRound(sharpeRatio(rs, { periodsPerYear: periods }), 4) : null,
    max_drawdown_30d: dd ? round(-dd.maxDrawdown, 6) : null,
    annualization_periods: periods,
    data_points: window.length,
  };

  const alerts: string[] = [];
  const weight = value.totalValue !== 0 ? v.marketValue / value.totalValue : 0;
  if (v.isOpen && Math.abs(weight) > 0.1) alerts.push('Position weight above 10% of portfolio');
  if (v.isOpen && v.unrealizedPnlPct !== null && v.unrealizedPnlPct < -20)
    alerts.push(`Unrealized loss beyond -20% (${round(v.unrealizedPnlPct, 2)}%)`);
  if (v.isOpen && isOptionValue(v) && p.expiry) {
    const left = (Date.parse(`${p.expiry}T21:00:00Z`) - now) / DAY;
    if (left <= 0) alerts.push(`Option expired on ${p.expiry}`);
    else if (left <= 7) alerts.push(`Option expires within 7 days (${p.expiry})`);
  }
  if (v.isOpen && v.priceSource === 'cost') alerts.push('No market price: valued at cost');
  else if (v.isOpen && v.priceAt !== null && (now - v.priceAt) / HOUR > 48)
    alerts.push(`Price is stale: last updated ${new Date(v.priceAt).toISOString()}`);

  return {
    marketData,
    fundamentals: {
      market_cap: quote?.marketCap ?? null,
      pe_ratio: null,
      dividend_yield: null,
      beta: null,
      sector: v.sector,
      industry: null,
    },
    greeks,
    risk,
    history,
    transactions: trades.map((t) => transactionView(t, p.multiplier)),
    alerts,
  };
}

const nullableRound = (x: number | null, places: number) => (x === null ? null : round(x, places));

/**
 * Historical 1-day VaR of the position (empirical quantile of the asset's last 250 daily returns,
 * applied to the position's exposure: market value, or delta notional for an option; a short
 * loses on the upside, so its returns are negated), reported as a negative money loss. Beta and
 * correlation to the portfolio come from the last 90 days of the portfolio's daily valuations
 * against the asset's calendar-day returns (closes carried over non-trading days).
 */
async function positionRisk(
  env: Env,
  value: PortfolioValue,
  v: PositionValue,
  returns: number[],
  greeks: OptionGreeks | null,
  today: string,
): Promise<RiskBlock> {
  const exposure = isOptionValue(v) ? (greeks?.delta_notional ?? null) : v.marketValue;
  const sample = returns.slice(-250);
  const signed = exposure !== null && exposure < 0 ? sample.map((r) => -r) : sample;
  const var95 = v.isOpen && exposure !== null ? historicalVar(signed, { confidence: 0.95 }) : null;
  const var99 = v.isOpen && exposure !== null ? historicalVar(signed, { confidence: 0.99 }) : null;
  const size = Math.abs(exposure ?? 0);
  let beta: number | null = null;
  let correlation: number | null = null;
  if (v.isOpen && v.position.assetId) {
    const from = daysBefore(today, 90);
    const [perf, closes] = await Promise.all([
      portfolioPerformance(env, value.portfolio, { from, to: today }),
      dailyCloses(env, [v.position.assetId], from, today),
    ]);
    const series = closes.get(v.position.assetId);
    const points = perf.points;
    if (series && points.length > 2) {
      const assetR: number[] = [];
      const portR: number[] = [];
      let prevClose: number | undefined;
      // Carry the last close before the window into its first day.
      for (const [day, c] of [...series.entries()].sort()) if (day <= (points[0]?.date ?? '')) prevClose = c;
      for (let i = 1; i < points.length; i++) {
        const day = (points[i] as (typeof points)[number]).date;
        const close = series.get(day) ?? prevClose;
        const r = perf.dailyReturns[i - 1];
        if (close !== undefined && prevClose !== undefined && r !== undefined && prevClose > 0) {
          assetR.push(close / prevClose - 1);
          portR.push(r);
        }
        if (close !== undefined) prevClose = close;
      }
      const sign = v.sign;
      const fit =
        assetR.length >= 10
          ? betaAlpha(
              assetR.map((r) => sign * r),
              portR,
            )
          : null;
      beta = fit ? round(fit.beta, 4) : null;
      correlation = fit ? round(fit.correlation, 4) : null;
    }
  }
  return {
    position_var_95: var95 ? round(-var95.sqrtTime.var * size, 2) : null,
    position_var_99: var99 ? round(-var99.sqrtTime.var * size, 2) : null,
    component_var: null,
    marginal_var: null,
    beta_to_portfolio: beta,
    correlation_to_portfolio: correlation,
    observations: sample.length,
    method:
      'historical 1-day VaR: empirical quantile (type 7) of the last 250 daily returns × exposure (market value; delta notional for options); beta/correlation of the position against the portfolio’s daily returns over 90 days. component/marginal VaR come with the risk issue.',
  };
}
