import { maxDrawdown, sharpeRatio, simpleReturns, sortinoRatio } from '../../../quant';
import { type Account, type ExecutionConfig, exitWithinBar, type Fill, fillMarket } from './execution';
import {
  type Bar,
  type Decision,
  prepareStrategy,
  type ResolvedStrategy,
  type StrategyModel,
} from './strategies';

export interface BacktestInput {
  strategy: ResolvedStrategy;
  /** ml_adaptive's registry model (the same one a live bot would use). */
  model?: StrategyModel | undefined;
  /** Closed bars in time order. Bars before `startIndex` only warm the indicators up. */
  bars: readonly Bar[];
  startIndex: number;
  timeframeMs: number;
  initialBalance: number;
  execution: ExecutionConfig;
  /** Annualization for Sharpe/Sortino: 365 daily bars, 8760 hourly (crypto trades every day). */
  periodsPerYear: number;
}

export interface BacktestTrade extends Fill {
  time: number;
  /** The bar whose close made the decision (signals), or the bar that hit the level (exits). */
  decisionTime: number;
  note: string;
}

export interface EquityPoint {
  time: number;
  equity: number;
  cash: number;
  qty: number;
  close: number;
}

export interface BacktestSummary {
  initialBalance: number;
  finalEquity: number;
  /** Percent. */
  totalReturn: number;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  /** Percent, negative (a fall), as 002 shows it. */
  maxDrawdown: number;
  /** Fraction of closing sells with a positive P&L. */
  winRate: number | null;
  profitFactor: number | null;
  /** Percent of bars that closed holding a position. */
  exposure: number;
  /** Fills (buys and sells). */
  totalTrades: number;
  closedTrades: number;
  feesPaid: number;
  openQuantity: number;
  bars: number;
}

export interface BacktestResult {
  trades: BacktestTrade[];
  equity: EquityPoint[];
  summary: BacktestSummary;
}

/**
 * Runs a strategy over closed bars with the execution model. Per bar i ≥ startIndex, in order:
 * 1. the order decided at bar i−1's close fills at bar i's open;
 * 2. stop-loss / take-profit are checked against bar i's low/high (stop first);
 * 3. equity is marked at bar i's close;
 * 4. the strategy decides at bar i's close (after its warm-up); the last bar's decision has no
 *    next open and is dropped. An open position at the end stays open, marked at the last close.
 * Pure and deterministic: the same input gives the same output bit for bit.
 */
export function runBacktest(input: BacktestInput): BacktestResult {
  const { bars, execution: cfg } = input;
  const strategy = prepareStrategy(input.strategy, bars, input.timeframeMs, input.model);
  let account: Account = { cash: input.initialBalance, qty: 0, avgCost: 0 };
  const trades: BacktestTrade[] = [];
  const equity: EquityPoint[] = [];
  let pending: { decision: Decision; at: number } | null = null;
  let exposed = 0;
  const first = Math.max(input.startIndex, 0);
  for (let i = first; i < bars.length; i++) {
    const bar = bars[i] as Bar;
    let entryBar = false;
    if (pending) {
      const side = pending.decision.action === 'buy' ? 'buy' : 'sell';
      const r = fillMarket(account, side, pending.decision.size, bar.open, cfg);
      if (r) {
        account = r.account;
        trades.push({
          ...r.fill,
          time: bar.openTime,
          decisionTime: pending.at,
          note: pending.decision.reason,
        });
        entryBar = side === 'buy';
      }
      pending = null;
    }
    const exit = exitWithinBar(account, bar, cfg, !entryBar);
    if (exit) {
      const r = fillMarket(account, 'sell', { kind: 'all' }, exit.price, cfg, exit.reason);
      if (r) {
        account = r.account;
        trades.push({
          ...r.fill,
          time: bar.openTime,
          decisionTime: bar.openTime,
          note: exit.reason.replace('_', '-'),
        });
      }
    }
    const value = account.cash + account.qty * bar.close;
    if (account.qty > 0) exposed++;
    equity.push({
      time: bar.openTime,
      equity: value,
      cash: account.cash,
      qty: account.qty,
      close: bar.close,
    });
    if (i >= strategy.warmup && i < bars.length - 1) {
      const d = strategy.decide(i, { qty: account.qty, cash: account.cash, equity: value });
      if (d.action !== 'hold') pending = { decision: d, at: bar.openTime };
    }
  }
  return { trades, equity, summary: summarize(input, trades, equity, exposed) };
}

function summarize(
  input: BacktestInput,
  trades: BacktestTrade[],
  equity: EquityPoint[],
  exposed: number,
): BacktestSummary {
  const values = equity.map((p) => p.equity);
  const final = values.at(-1) ?? input.initialBalance;
  const curve = [input.initialBalance, ...values];
  const positive = curve.every((v) => v > 0);
  const returns = positive && curve.length > 1 ? simpleReturns(curve) : new Float64Array();
  const dd = positive ? maxDrawdown(curve) : null;
  const sells = trades.filter((t) => t.side === 'sell');
  const wins = sells.filter((t) => t.pnl > 0);
  const gain = wins.reduce((s, t) => s + t.pnl, 0);
  const loss = sells.filter((t) => t.pnl < 0).reduce((s, t) => s - t.pnl, 0);
  return {
    initialBalance: input.initialBalance,
    finalEquity: final,
    totalReturn: (final / input.initialBalance - 1) * 100,
    sharpeRatio: sharpeRatio(returns, { periodsPerYear: input.periodsPerYear }),
    sortinoRatio: sortinoRatio(returns, { periodsPerYear: input.periodsPerYear }),
    maxDrawdown: dd ? -dd.maxDrawdown * 100 : 0,
    winRate: sells.length ? wins.length / sells.length : null,
    profitFactor: loss > 0 ? gain / loss : null,
    exposure: equity.length ? (exposed / equity.length) * 100 : 0,
    totalTrades: trades.length,
    closedTrades: sells.length,
    feesPaid: trades.reduce((s, t) => s + t.fee, 0),
    openQuantity: equity.at(-1)?.qty ?? 0,
    bars: equity.length,
  };
}

/** The stated conventions, stored with every result. */
export const BACKTEST_CONVENTIONS = {
  fills: 'Market orders decided at a bar close fill at the next bar open; the last bar decides nothing',
  slippage: 'Against the trader: buys at open·(1+s), sells at price·(1−s)',
  fees: 'Rate of notional per side, paid in cash; buy fees are part of the average cost',
  stops:
    'Stop-loss/take-profit from the average cost, checked against each bar low/high from the entry bar; a gap fills at the open; stop-loss first when a bar reaches both',
  sizing:
    'riskPerTrade with stopLoss: qty = equity·risk%/(price·stop%); riskPerTrade alone: notional = equity·risk%; neither: all cash; never more than cash/(price·(1+fee)); 8 decimals rounded down',
  returns: 'Simple per-bar returns of the equity curve (initial balance first)',
  sharpe: 'mean/sample sd · √periodsPerYear, risk-free 0',
  sortino: 'mean/downside deviation (over all bars, target 0) · √periodsPerYear',
  maxDrawdown: 'Largest peak-to-trough fall of the equity curve, percent, negative',
  winRate: 'Share of sells with positive P&L (weighted average cost, fees included)',
  profitFactor: 'Gross P&L of winning sells / gross loss of losing sells',
  exposure: 'Percent of bars closed holding a position',
} as const;
