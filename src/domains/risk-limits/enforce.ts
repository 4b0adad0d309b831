import { marketDate } from '../../core/market-clock';
import { loadLedger } from '../portfolios/services/ledger';
import { performanceOf, valuationHistory } from '../portfolios/services/performance';
import type { PortfolioRow } from '../portfolios/services/portfolios';
import { portfolioValue } from '../portfolios/services/summary';
import { breachError, getLimits, type OrderRiskFacts, orderBreaches } from './service';

/** A paper order about to be recorded in a portfolio's ledger. */
export interface PaperOrder {
  userId: string;
  portfolio: PortfolioRow;
  assetId: string;
  side: 'buy' | 'sell';
  amount: number;
  /** The order's price, used to value the position when the asset has no quote. */
  price: number;
  /** Market time of the check (the market clock). */
  now: number;
  /**
   * A bot's own day-start and peak equity (its Durable Object's memory); without it both come
   * from the portfolio's daily valuations.
   */
  memory?: { dayStartEquity: number | null; peakEquity: number | null } | undefined;
}

/**
 * What an order would do to the account, from its ledger: equity (cash plus positions at their
 * quotes), the position in the asset and the gross exposure after the order; the day's starting
 * equity (yesterday's close value plus today's flows) and the peak expressed as the equity at
 * which today's flow-adjusted drawdown (time-weighted, from the daily valuations) would be zero.
 */
export async function paperOrderFacts(env: Env, order: PaperOrder): Promise<OrderRiskFacts> {
  const value = await portfolioValue(env, order.portfolio);
  const open = value.positions.filter((p) => p.isOpen);
  const pos = open.find((p) => p.position.assetId === order.assetId);
  const mark = pos && pos.price > 0 ? pos.price : order.price;
  const held = pos ? pos.quantity * pos.sign : 0;
  const after = held + (order.side === 'buy' ? order.amount : -order.amount);
  const others = open
    .filter((p) => p.position.assetId !== order.assetId)
    .reduce((s, p) => s + Math.abs(p.marketValue), 0);
  const positionValueAfter = Math.abs(after) * mark;
  const facts: OrderRiskFacts = {
    side: order.side,
    equity: value.totalValue,
    positionValueAfter,
    grossExposureAfter: others + positionValueAfter,
    dayStartEquity: null,
    peakEquity: null,
  };
  if (order.memory) return { ...facts, ...order.memory };
  if (order.side === 'sell' || value.totalValue <= 0) return facts;
  const ledger = await loadLedger(env, order.portfolio);
  const points = await valuationHistory(env, ledger, { to: marketDate(order.now) });
  const last = points.at(-1);
  const prev = points.at(-2);
  if (last && prev && last.date === marketDate(order.now)) facts.dayStartEquity = prev.value + last.flow;
  let index = 1;
  let peak = 1;
  for (const r of performanceOf(points).dailyReturns) {
    index *= 1 + r;
    peak = Math.max(peak, index);
  }
  const drawdown = peak > 0 ? 1 - index / peak : 0;
  if (drawdown > 0 && drawdown < 1) facts.peakEquity = value.totalValue / (1 - drawdown);
  return facts;
}

/**
 * The one check every API paper order passes BEFORE it is recorded (manual trades with or
 * without a bot): the user's limits against the order's facts; the first breach is a 422 naming
 * the limit. Bots apply the same rules (`orderBreaches`) to facts they already hold.
 */
export async function assertPaperOrderWithinLimits(env: Env, order: PaperOrder): Promise<void> {
  if (order.side === 'sell') return;
  const [limits, facts] = await Promise.all([getLimits(env, order.userId), paperOrderFacts(env, order)]);
  const [breach] = orderBreaches(limits, facts);
  if (breach) throw breachError(breach);
}
