import type { AssetType } from '../../db/schema/market';
import type { Candle } from '../../providers/types';
import { annualizedVolatility, maxDrawdown, mean, simpleReturns } from '../../quant';

/** Crypto trades every day; everything else about 252 days a year (DESIGN.md, Analytics). */
export function periodsPerYear(type: AssetType): 365 | 252 {
  return type === 'crypto' || type === 'stablecoin' ? 365 : 252;
}

/**
 * Simple daily returns. A series that crossed zero (WTI in April 2020) has no meaningful
 * return across it, so only days whose price and previous price are both positive count.
 */
export function dailyReturns(closes: number[]): number[] {
  if (closes.length < 2) return [];
  if (closes.every((v) => v > 0)) return Array.from(simpleReturns(closes));
  return closes.slice(1).flatMap((v, i) => {
    const prev = closes[i] ?? 0;
    return prev > 0 && v > 0 ? [v / prev - 1] : [];
  });
}

const round = (v: number | null, digits = 6) =>
  v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits));

/**
 * Figures over a run of daily candles (oldest first): period return, annualized volatility
 * of simple daily returns (sample sd), price range, average volume, maximum drawdown.
 */
export function dailyStatistics(rows: Candle[], type: AssetType) {
  const closes = rows.map((r) => r.close);
  const first = closes[0];
  const last = closes.at(-1);
  const valid = dailyReturns(closes);
  const ppy = periodsPerYear(type);
  // Drawdown needs positive prices; WTI closed below zero in April 2020.
  const positive = closes.every((v) => v > 0);
  const dd =
    closes.length > 1 && positive
      ? maxDrawdown(
          closes,
          rows.map((r) => r.openTime),
        )
      : null;
  return {
    period_return: first && last !== undefined ? round(last / first - 1) : null,
    volatility: valid.length > 1 ? round(annualizedVolatility(valid, ppy)) : null,
    max_price: closes.length ? Math.max(...rows.map((r) => r.high)) : null,
    min_price: closes.length ? Math.min(...rows.map((r) => r.low)) : null,
    avg_volume: rows.length ? round(mean(rows.map((r) => r.volume)), 2) : null,
    max_drawdown: dd ? round(dd.maxDrawdown) : null,
    annualization_periods: ppy,
    data_points: rows.length,
  };
}
