import type { Bar } from './features';

export interface TradePlan {
  direction: 'long' | 'short';
  entry: number;
  stop: number;
  target: number;
  /** Bars after the entry bar the trade may stay open. */
  maxBars: number;
}

export interface TradeOutcome {
  outcome: 'target' | 'stop' | 'expired' | 'open';
  exit_price: number | null;
  exit_time: number | null;
  /** Signed return in the trade's direction, before fees; for an open trade, at the last close. */
  return: number;
  /** Maximum favourable / adverse excursion in the trade's direction, as fractions of entry (MAE <= 0). */
  mfe: number;
  mae: number;
  bars_held: number;
}

/**
 * Follows a trade over the bars after its entry: the stop or target is hit when a bar's
 * low/high reaches it (both in one bar: the stop is assumed first, the conservative
 * reading of daily bars); after `maxBars` it exits at that close ("expired"); if the bars run
 * out first it is "open", marked at the last close. MFE/MAE from the highs and lows.
 */
export function simulateTrade(plan: TradePlan, after: readonly Bar[]): TradeOutcome {
  const sign = plan.direction === 'long' ? 1 : -1;
  let mfe = 0;
  let mae = 0;
  const bars = after.slice(0, plan.maxBars);
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i] as Bar;
    const favourable = plan.direction === 'long' ? b.high : b.low;
    const adverse = plan.direction === 'long' ? b.low : b.high;
    mfe = Math.max(mfe, (sign * (favourable - plan.entry)) / plan.entry);
    mae = Math.min(mae, (sign * (adverse - plan.entry)) / plan.entry);
    const stopHit = plan.direction === 'long' ? b.low <= plan.stop : b.high >= plan.stop;
    const targetHit = plan.direction === 'long' ? b.high >= plan.target : b.low <= plan.target;
    if (stopHit)
      return {
        outcome: 'stop',
        exit_price: plan.stop,
        exit_time: b.time,
        return: (sign * (plan.stop - plan.entry)) / plan.entry,
        mfe,
        mae,
        bars_held: i + 1,
      };
    if (targetHit)
      return {
        outcome: 'target',
        exit_price: plan.target,
        exit_time: b.time,
        return: (sign * (plan.target - plan.entry)) / plan.entry,
        mfe,
        mae,
        bars_held: i + 1,
      };
  }
  const last = bars.at(-1);
  if (!last) return { outcome: 'open', exit_price: null, exit_time: null, return: 0, mfe, mae, bars_held: 0 };
  const expired = bars.length >= plan.maxBars;
  return {
    outcome: expired ? 'expired' : 'open',
    exit_price: expired ? last.close : null,
    exit_time: expired ? last.time : null,
    return: (sign * (last.close - plan.entry)) / plan.entry,
    mfe,
    mae,
    bars_held: bars.length,
  };
}

export interface TradeStats {
  trades: number;
  wins: number;
  win_rate: number | null;
  average_return: number | null;
  profit_factor: number | null;
  total_return: number;
  max_drawdown: number;
}

/** Win rate, profit factor (gross wins / gross losses), compounded return and max drawdown of trades taken one after another. */
export function tradeStats(returns: readonly number[]): TradeStats {
  let wins = 0;
  let gains = 0;
  let losses = 0;
  let wealth = 1;
  let peak = 1;
  let mdd = 0;
  for (const r of returns) {
    if (r > 0) {
      wins++;
      gains += r;
    } else losses -= r;
    wealth *= 1 + r;
    peak = Math.max(peak, wealth);
    mdd = Math.max(mdd, 1 - wealth / peak);
  }
  const n = returns.length;
  return {
    trades: n,
    wins,
    win_rate: n ? wins / n : null,
    average_return: n ? returns.reduce((s, r) => s + r, 0) / n : null,
    profit_factor: losses > 0 ? gains / losses : null,
    total_return: wealth - 1,
    max_drawdown: mdd,
  };
}
