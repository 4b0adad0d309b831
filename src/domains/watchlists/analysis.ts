import type { Principal } from '../../env';
import {
  annualizedVolatility,
  correlationMatrix,
  macd,
  macdWarmup,
  rsi,
  sma,
  wilderWarmup,
} from '../../quant';
import { resolveAsset } from '../assets/service';
import { candles, daysBefore } from '../prices/service';
import { dailyReturns, periodsPerYear } from '../prices/statistics';
import { getWatchlist } from './service';

/**
 * Daily candles read per asset: SMA(200), and enough for RSI(14) and the last four MACD
 * histogram values to equal their full-history values (see quant/warmup.ts).
 */
const LOOKBACK = Math.max(200, wilderWarmup(14) + 1, macdWarmup(26, 9) + 4);

async function dailySeries(env: Env, symbol: string) {
  const asset = await resolveAsset(env, symbol);
  const rows = (await candles(env, asset, { timeframe: '1d', limit: LOOKBACK, newestFirst: true })).reverse();
  return { asset, rows };
}

const lastFinite = (a: Float64Array) => {
  const v = a.at(-1);
  return v === undefined || Number.isNaN(v) ? null : v;
};

/**
 * Technical signals per asset of a watchlist, from daily candles: RSI(14) zones, the MACD
 * histogram's sign and any cross in the last 3 days, and the SMA(50)/SMA(200) trend. Each
 * asset gets bullish, bearish or neutral by a simple vote of those three, with its reasons.
 */
export async function watchlistSignals(env: Env, principal: Principal | undefined, id: string) {
  const list = await getWatchlist(env, principal, id);
  const signals = [];
  for (const item of list.assets) {
    const { rows } = await dailySeries(env, item.symbol);
    const closes = rows.map((r) => r.close);
    if (closes.length < 35) {
      signals.push({
        symbol: item.symbol,
        signal: 'insufficient_data' as const,
        score: 0,
        reasons: [`${closes.length} daily candles`],
        indicators: null,
        as_of: null,
      });
      continue;
    }
    const r = lastFinite(rsi(closes, 14));
    const m = macd(closes);
    const hist = Array.from(m.histogram.slice(-4));
    const crossedUp = hist.some((h, i) => i > 0 && (hist[i - 1] ?? 0) <= 0 && h > 0);
    const crossedDown = hist.some((h, i) => i > 0 && (hist[i - 1] ?? 0) >= 0 && h < 0);
    const s50 = lastFinite(sma(closes, 50));
    const s200 = closes.length >= 200 ? lastFinite(sma(closes, 200)) : null;
    const reasons: string[] = [];
    let score = 0;
    if (r !== null && r < 30) {
      score++;
      reasons.push(`RSI ${r.toFixed(1)} oversold`);
    } else if (r !== null && r > 70) {
      score--;
      reasons.push(`RSI ${r.toFixed(1)} overbought`);
    }
    const h = hist.at(-1) ?? 0;
    if (crossedUp || (!crossedDown && h > 0)) {
      score++;
      reasons.push(crossedUp ? 'MACD crossed above its signal' : 'MACD above its signal');
    } else if (crossedDown || h < 0) {
      score--;
      reasons.push(crossedDown ? 'MACD crossed below its signal' : 'MACD below its signal');
    }
    if (s50 !== null && s200 !== null) {
      if (s50 > s200) {
        score++;
        reasons.push('SMA50 above SMA200');
      } else {
        score--;
        reasons.push('SMA50 below SMA200');
      }
    }
    signals.push({
      symbol: item.symbol,
      signal: score > 0 ? ('bullish' as const) : score < 0 ? ('bearish' as const) : ('neutral' as const),
      score,
      reasons,
      indicators: { rsi_14: r, macd_histogram: h, sma_50: s50, sma_200: s200, close: closes.at(-1) ?? null },
      as_of: new Date(rows.at(-1)?.openTime ?? 0).toISOString(),
    });
  }
  return {
    watchlist_id: list.id,
    method:
      'vote of RSI(14) zones (<30 +1, >70 -1), MACD(12,26,9) histogram sign or 3-day cross, SMA(50) vs SMA(200); daily candles',
    signals,
  };
}

/**
 * A statistical analysis of a watchlist (no machine learning, named for what it is): 90-day
 * correlation of daily returns, each asset's annualized volatility and 30-day return, the
 * equal-weight basket's volatility and diversification ratio (weighted average volatility
 * over basket volatility; above 1 means the assets offset each other).
 */
export async function watchlistAnalysis(env: Env, principal: Principal | undefined, id: string) {
  const list = await getWatchlist(env, principal, id);
  const series = await Promise.all(list.assets.map((a) => dailySeries(env, a.symbol)));
  // Align on the dates every asset has: the last common close at or before 90 calendar days
  // before the latest common date, and every common date after it (crypto trades daily,
  // equities on exchange days; the window is the same 90 days for both).
  const days = series.map((s) => new Map(s.rows.map((r) => [r.openTime, r.close])));
  const shared = [...(days[0]?.keys() ?? [])]
    .filter((t) => days.every((d) => d.has(t)))
    .sort((a, b) => a - b);
  const windowStart = daysBefore(shared.at(-1) ?? 0, 90);
  const common = shared.slice(
    Math.max(
      0,
      shared.findLastIndex((t) => t <= windowStart),
    ),
  );
  const aligned = days.map((d) => common.map((t) => d.get(t) ?? 0));
  const returns = aligned.map((c) => dailyReturns(c));
  const usable = returns.length > 1 && (returns[0]?.length ?? 0) > 2;
  const corr = usable ? correlationMatrix(returns) : [];
  const ppy = (i: number) => periodsPerYear(series[i]?.asset.assetType ?? 'crypto');
  const perAsset = series.map((s, i) => {
    const r = returns[i] ?? [];
    const lastRow = s.rows.at(-1);
    // The last close at or before 30 calendar days before the latest one.
    const ago = lastRow ? s.rows.findLast((x) => x.openTime <= daysBefore(lastRow.openTime, 30)) : undefined;
    return {
      symbol: s.asset.symbol,
      volatility_annualized: r.length > 1 ? annualizedVolatility(r, ppy(i)) : null,
      return_30d: ago && lastRow ? lastRow.close / ago.close - 1 : null,
    };
  });
  const basket = usable
    ? (returns[0] ?? []).map((_, t) => returns.reduce((s, r) => s + (r[t] ?? 0), 0) / returns.length)
    : [];
  const basketVol =
    basket.length > 1 ? annualizedVolatility(basket, Math.max(...series.map((_, i) => ppy(i)))) : null;
  const vols = perAsset.map((p) => p.volatility_annualized).filter((v): v is number => v !== null);
  const avgVol = vols.length ? vols.reduce((a, b) => a + b, 0) / vols.length : null;
  const ranked = perAsset
    .filter((p) => p.return_30d !== null)
    .sort((a, b) => (b.return_30d ?? 0) - (a.return_30d ?? 0));
  return {
    watchlist_id: list.id,
    model: 'statistical summary (correlation, volatility, diversification); no machine learning',
    observations: common.length ? common.length - 1 : 0,
    as_of: common.length ? new Date(common.at(-1) ?? 0).toISOString() : null,
    assets: perAsset,
    correlation: { symbols: series.map((s) => s.asset.symbol), matrix: corr },
    equal_weight_basket: {
      volatility_annualized: basketVol,
      diversification_ratio: basketVol && avgVol ? avgVol / basketVol : null,
    },
    best_30d: ranked[0]?.symbol ?? null,
    worst_30d: ranked.at(-1)?.symbol ?? null,
  };
}
