import type { OrderSize } from './strategies';

/**
 * The one execution model, shared by backtests, bots and their paper fills. Long only, spot,
 * fractional quantities (8 decimals, rounded down), cash never negative.
 *
 * - Market orders fill at a reference price: the next bar's open in a backtest, the current
 *   quote for a live or replay bot. Slippage moves it against the trader: buys pay
 *   ref·(1 + slippage), sells receive ref·(1 − slippage).
 * - Fees are a rate of the fill's notional on each side (default 0.1%), paid in cash. A buy's
 *   fee is part of its cost basis (weighted average cost, as the portfolio ledger keeps it).
 * - A buy never spends more cash than there is: its quantity is cut to
 *   floor8(cash / (price·(1 + fee))); below one satoshi-sized unit nothing fills.
 * - Buy sizing: `all` uses the risk rule — with `riskPerTrade` and `stopLoss`, quantity =
 *   equity·risk% / (price·stopLoss%) (the stop loses risk% of equity); with `riskPerTrade`
 *   alone, notional = equity·risk%; with neither, all the cash. `quote` buys that notional;
 *   `targetFraction` trades toward holding that fraction of equity.
 * - Stop-loss and take-profit are levels from the average entry cost (avg·(1 − sl%),
 *   avg·(1 + tp%)), checked against every bar's low and high from the entry bar on (the entry
 *   fills at the open, so the whole bar follows it). A bar opening beyond a level fills at its
 *   open (gap). **When one bar reaches both, the stop-loss is taken** (the pessimistic rule:
 *   a bar's path between high and low is unknown).
 */

export interface ExecutionConfig {
  /** Fee rate per side (0.001 = 0.1%). */
  feeRate: number;
  /** Slippage rate against the trader (0.0005 = 5 bps). */
  slippage: number;
  /** Percent of equity risked per trade (with stopLoss) or invested (without). */
  riskPerTrade?: number | undefined;
  /** Stop-loss, percent below the average entry cost. */
  stopLoss?: number | undefined;
  /** Take-profit, percent above the average entry cost. */
  takeProfit?: number | undefined;
}

export const DEFAULT_FEE_RATE = 0.001;
export const DEFAULT_SLIPPAGE = 0.0005;

export interface Account {
  cash: number;
  qty: number;
  /** Weighted average cost per unit, buy fees included; 0 when flat. */
  avgCost: number;
}

export type FillReason = 'signal' | 'stop_loss' | 'take_profit';

export interface Fill {
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  fee: number;
  /** Sells: proceeds − fee − qty·avgCost. Buys: 0. */
  pnl: number;
  reason: FillReason;
}

const UNIT = 1e8;
/** Rounds a quantity down to 8 decimals, robust to binary noise just below a whole unit. */
export const floor8 = (q: number) => Math.floor(q * UNIT + 1e-6) / UNIT;

/** The quantity a buy of `size` at `price` asks for, before the cash cap. */
function buyQty(account: Account, size: OrderSize, price: number, cfg: ExecutionConfig): number {
  const equity = account.cash + account.qty * price;
  switch (size.kind) {
    case 'quote':
      return size.value / price;
    case 'targetFraction':
      return Math.max(0, (equity * size.value) / price - account.qty);
    case 'all': {
      if (cfg.riskPerTrade !== undefined && cfg.stopLoss !== undefined)
        return (equity * cfg.riskPerTrade) / 100 / ((price * cfg.stopLoss) / 100);
      if (cfg.riskPerTrade !== undefined) return (equity * cfg.riskPerTrade) / 100 / price;
      return Number.POSITIVE_INFINITY;
    }
  }
}

/**
 * Fills a market order at `refPrice` (slippage applied here) and returns the fill and the
 * account after it, or null when nothing can trade (no cash, nothing held, below one unit).
 */
export function fillMarket(
  account: Account,
  side: 'buy' | 'sell',
  size: OrderSize,
  refPrice: number,
  cfg: ExecutionConfig,
  reason: FillReason = 'signal',
): { fill: Fill; account: Account } | null {
  if (!(refPrice > 0)) return null;
  if (side === 'buy') {
    const price = refPrice * (1 + cfg.slippage);
    const affordable = account.cash / (price * (1 + cfg.feeRate));
    const qty = floor8(Math.min(buyQty(account, size, price, cfg), affordable));
    if (qty <= 0) return null;
    const notional = qty * price;
    const fee = notional * cfg.feeRate;
    // Rounding can leave a hair of negative cash; the cap above makes it at most 1e-9 of cash.
    const cash = Math.max(0, account.cash - notional - fee);
    const basis = account.qty * account.avgCost + notional + fee;
    const held = account.qty + qty;
    return {
      fill: { side, qty, price, fee, pnl: 0, reason },
      account: { cash, qty: held, avgCost: basis / held },
    };
  }
  const price = refPrice * (1 - cfg.slippage);
  let qty = account.qty;
  if (size.kind === 'targetFraction') {
    const equity = account.cash + account.qty * price;
    qty = Math.min(account.qty, Math.max(0, account.qty - (equity * size.value) / price));
  } else if (size.kind === 'quote') qty = Math.min(account.qty, size.value / price);
  qty = qty >= account.qty ? account.qty : floor8(qty);
  if (qty <= 0) return null;
  const notional = qty * price;
  const fee = notional * cfg.feeRate;
  const pnl = notional - fee - qty * account.avgCost;
  const left = account.qty - qty;
  return {
    fill: { side, qty, price, fee, pnl, reason },
    account: {
      cash: account.cash + notional - fee,
      qty: left > 1e-12 ? left : 0,
      avgCost: left > 1e-12 ? account.avgCost : 0,
    },
  };
}

export interface BarRange {
  open: number;
  high: number;
  low: number;
}

/**
 * Stop-loss / take-profit of a long position over one bar: the exit (reason and reference
 * price) if the bar reaches a level, else null. `gapAllowed` is false on the entry bar (its
 * open is the entry itself). Stop-loss wins when both are reached.
 */
export function exitWithinBar(
  account: Account,
  bar: BarRange,
  cfg: ExecutionConfig,
  gapAllowed = true,
): { reason: 'stop_loss' | 'take_profit'; price: number } | null {
  if (account.qty <= 0) return null;
  const stop = cfg.stopLoss !== undefined ? account.avgCost * (1 - cfg.stopLoss / 100) : null;
  const target = cfg.takeProfit !== undefined ? account.avgCost * (1 + cfg.takeProfit / 100) : null;
  if (stop !== null && bar.low <= stop) {
    return { reason: 'stop_loss', price: gapAllowed && bar.open < stop ? bar.open : stop };
  }
  if (target !== null && bar.high >= target) {
    return { reason: 'take_profit', price: gapAllowed && bar.open > target ? bar.open : target };
  }
  return null;
}
