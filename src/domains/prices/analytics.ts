import type { Timeframe } from '../../db/schema/market';
import {
  adx,
  adxWarmup,
  annualizedVolatility,
  atr,
  bollinger,
  cci,
  donchian,
  ema,
  emaWarmup,
  ichimoku,
  macd,
  macdWarmup,
  maxDrawdown,
  mean,
  obv,
  roc,
  rsi,
  sma,
  stochastic,
  supportResistance,
  toSeries,
  vwap,
  wilderWarmup,
} from '../../quant';
import type { AssetRow } from '../assets/service';
import { candles, daysBefore, oneYearBefore, type StoredCandle } from './service';
import { dailyReturns, periodsPerYear } from './statistics';

export const INDICATORS = [
  'sma',
  'ema',
  'rsi',
  'macd',
  'bbands',
  'atr',
  'stoch',
  'adx',
  'cci',
  'obv',
  'vwap',
  'roc',
  'donchian',
  'ichimoku',
] as const;
export type IndicatorName = (typeof INDICATORS)[number];

export interface IndicatorParams {
  sma_period: number;
  ema_period: number;
  rsi_period: number;
  macd_fast: number;
  macd_slow: number;
  macd_signal: number;
  bb_period: number;
  bb_std: number;
  atr_period: number;
  stoch_k: number;
  stoch_d: number;
  adx_period: number;
  cci_period: number;
  roc_period: number;
  donchian_period: number;
  vwap_window: number;
}

/**
 * Bars each indicator needs before the first bar shown for its value there to equal the one
 * computed from the asset's full history (to 1e-12 residual weight for the recursive ones,
 * exact for windowed ones); null: it depends on every bar (OBV's running total).
 */
export function indicatorWarmup(name: IndicatorName, q: IndicatorParams): number | null {
  switch (name) {
    case 'sma':
      return q.sma_period - 1;
    case 'ema':
      return emaWarmup(q.ema_period);
    case 'rsi':
      return wilderWarmup(q.rsi_period);
    case 'macd':
      return macdWarmup(q.macd_slow, q.macd_signal);
    case 'bbands':
      return q.bb_period - 1;
    case 'atr':
      return wilderWarmup(q.atr_period);
    case 'stoch':
      // fast %K window, then %K = SMA(fast %K, d) and %D = SMA(%K, d).
      return q.stoch_k - 1 + 2 * (q.stoch_d - 1);
    case 'adx':
      return adxWarmup(q.adx_period);
    case 'cci':
      return q.cci_period - 1;
    case 'obv':
      return null;
    case 'vwap':
      return q.vwap_window - 1;
    case 'roc':
      return q.roc_period;
    case 'donchian':
      return q.donchian_period - 1;
    case 'ichimoku':
      // Span B: the 52-bar midpoint, shown 26 bars ahead.
      return 52 - 1 + 26;
  }
}

const last = (a: (number | null)[]) => a.at(-1) ?? null;

export const WARMUP_RULE =
  'each value equals the one computed from the full history up to its bar: windowed indicators load their window; EMA-type ones load bars until the seed keeps under 1e-12 weight ((1-k)^m, k = 2/(n+1) for EMA and MACD, 1/n for Wilder RSI, ATR, ADX); null = the whole history (OBV)';

/**
 * The chosen indicators over an asset's recent candles (TA-Lib definitions, from the quant
 * library): the latest value of each and its last `points` values, aligned to timestamps,
 * null during warm-up.
 */
export async function technicalIndicators(
  env: Env,
  asset: AssetRow,
  q: {
    timeframe: Timeframe;
    indicators: IndicatorName[];
    points: number;
    end?: number | undefined;
  } & IndicatorParams,
) {
  const warmups = Object.fromEntries(q.indicators.map((name) => [name, indicatorWarmup(name, q)]));
  const needed = Object.values(warmups);
  const warmup = needed.includes(null) ? null : Math.max(0, ...(needed as number[]));
  const rows = (
    await candles(env, asset, {
      timeframe: q.timeframe,
      end: q.end,
      limit: warmup === null ? undefined : q.points + warmup,
      newestFirst: true,
    })
  ).reverse();
  const close = rows.map((r) => r.close);
  const high = rows.map((r) => r.high);
  const low = rows.map((r) => r.low);
  const volume = rows.map((r) => r.volume);
  const keep = Math.max(0, rows.length - q.points);
  const tail = (a: ArrayLike<number>) => toSeries(a).slice(keep);
  const series: Record<string, (number | null)[]> = {};
  const latest: Record<string, number | null | Record<string, number | null>> = {};
  const put = (name: string, values: ArrayLike<number>) => {
    series[name] = tail(values);
    latest[name] = last(series[name] ?? []);
  };
  const group = (name: string, parts: Record<string, ArrayLike<number>>) => {
    const out: Record<string, number | null> = {};
    for (const [part, values] of Object.entries(parts)) {
      series[`${name}_${part}`] = tail(values);
      out[part] = last(series[`${name}_${part}`] ?? []);
    }
    latest[name] = out;
  };
  if (rows.length) {
    for (const name of q.indicators) {
      switch (name) {
        case 'sma':
          put('sma', sma(close, q.sma_period));
          break;
        case 'ema':
          put('ema', ema(close, q.ema_period));
          break;
        case 'rsi':
          put('rsi', rsi(close, q.rsi_period));
          break;
        case 'macd': {
          const m = macd(close, { fast: q.macd_fast, slow: q.macd_slow, signal: q.macd_signal });
          group('macd', { line: m.macd, signal: m.signal, histogram: m.histogram });
          break;
        }
        case 'bbands': {
          const b = bollinger(close, { period: q.bb_period, multiplier: q.bb_std });
          group('bbands', { upper: b.upper, middle: b.middle, lower: b.lower });
          break;
        }
        case 'atr':
          put('atr', atr(high, low, close, q.atr_period));
          break;
        case 'stoch': {
          const s = stochastic(high, low, close, { fastK: q.stoch_k, slowK: q.stoch_d, slowD: q.stoch_d });
          group('stoch', { k: s.k, d: s.d });
          break;
        }
        case 'adx': {
          const a = adx(high, low, close, q.adx_period);
          group('adx', { adx: a.adx, plus_di: a.plusDI, minus_di: a.minusDI });
          break;
        }
        case 'cci':
          put('cci', cci(high, low, close, q.cci_period));
          break;
        case 'obv':
          put('obv', obv(close, volume));
          break;
        case 'vwap':
          put('vwap', vwap(high, low, close, volume, { window: q.vwap_window }));
          break;
        case 'roc':
          put('roc', roc(close, q.roc_period));
          break;
        case 'donchian': {
          const d = donchian(high, low, q.donchian_period);
          group('donchian', { upper: d.upper, middle: d.middle, lower: d.lower });
          break;
        }
        case 'ichimoku': {
          const i = ichimoku(high, low, close);
          group('ichimoku', { tenkan: i.tenkan, kijun: i.kijun, senkou_a: i.senkouA, senkou_b: i.senkouB });
          break;
        }
      }
    }
  }
  const shown = rows.slice(keep);
  return {
    asset_id: asset.id,
    symbol: asset.symbol,
    timeframe: q.timeframe,
    method:
      'TA-Lib definitions (Wilder smoothing for RSI, ATR and ADX; population sd for Bollinger), computed by Meridian’s quant library',
    parameters: Object.fromEntries(Object.entries(q).filter(([k]) => k !== 'end' && k !== 'timeframe')),
    warmup_bars: warmups,
    warmup_rule: WARMUP_RULE,
    data_points_used: rows.length,
    as_of: shown.at(-1) ? new Date(shown.at(-1)?.openTime ?? 0).toISOString() : null,
    latest,
    series: { timestamps: shown.map((r) => new Date(r.openTime).toISOString()), ...series },
  };
}

/** Support and resistance from swing pivots clustered by price, with touches and strength. */
export async function supportResistanceLevels(
  env: Env,
  asset: AssetRow,
  q: {
    timeframe: Timeframe;
    lookback: number;
    left: number;
    right: number;
    tolerance: number;
    max_levels: number;
    end?: number | undefined;
  },
) {
  // Pivots are defined on the `lookback` bars ending at the as-of bar: nothing earlier counts.
  const rows = (
    await candles(env, asset, { timeframe: q.timeframe, end: q.end, limit: q.lookback, newestFirst: true })
  ).reverse();
  const result = rows.length
    ? supportResistance(
        rows.map((r) => r.high),
        rows.map((r) => r.low),
        rows.map((r) => r.close),
        { left: q.left, right: q.right, tolerance: q.tolerance, maxLevels: q.max_levels },
      )
    : { levels: [], pivots: [], nearestSupport: null, nearestResistance: null };
  const at = (i: number) => new Date(rows[i]?.openTime ?? 0).toISOString();
  const level = (l: (typeof result.levels)[number]) => ({
    price: l.price,
    kind: l.kind,
    touches: l.touches,
    high_touches: l.highTouches,
    low_touches: l.lowTouches,
    range_low: l.low,
    range_high: l.high,
    first_touch: at(l.firstIndex),
    last_touch: at(l.lastIndex),
    strength: l.strength,
  });
  return {
    asset_id: asset.id,
    symbol: asset.symbol,
    timeframe: q.timeframe,
    last_close: rows.at(-1)?.close ?? null,
    support_levels: result.levels.filter((l) => l.kind === 'support').map(level),
    resistance_levels: result.levels.filter((l) => l.kind === 'resistance').map(level),
    nearest_support: result.nearestSupport ? level(result.nearestSupport) : null,
    nearest_resistance: result.nearestResistance ? level(result.nearestResistance) : null,
    pivots_found: result.pivots.length,
    method:
      'swing pivots (strict left, non-strict right) clustered by relative price distance; strength = recency-weighted touches relative to the strongest level',
    parameters: {
      left: q.left,
      right: q.right,
      tolerance: q.tolerance,
      max_levels: q.max_levels,
      lookback: q.lookback,
    },
    data_points_used: rows.length,
    as_of: rows.at(-1) ? new Date(rows.at(-1)?.openTime ?? 0).toISOString() : null,
  };
}

/** Index of the last row at or before `t` (the base of a window starting after `t`), or 0. */
function baseIndex(rows: StoredCandle[], t: number): number {
  for (let i = rows.length - 1; i >= 0; i--) if ((rows[i]?.openTime ?? 0) <= t) return i;
  return 0;
}

function ret(rows: StoredCandle[], days: number): number | null {
  const lastRow = rows.at(-1);
  if (!lastRow) return null;
  const target = daysBefore(lastRow.openTime, days);
  const base = rows[baseIndex(rows, target)];
  return base && base.openTime <= target ? lastRow.close / base.close - 1 : null;
}

/** Longest window the statistics read: 365-day return and 52-week range, or `days`. */
const YEAR_DAYS = 366;
/** Days read before a window's start to find its base close across a gap (holidays, halts). */
const BASE_MARGIN_DAYS = 31;

/**
 * 000's asset statistics at the asset's last daily candle. Every window is in calendar
 * time, the same for every asset class: the `days` period, 30- and 90-day volatility, 7- and
 * 30-day average volume, returns, and the 52-week range (the calendar year to the last
 * candle). A window's returns start from the last close at or before its start. The 30- and
 * 90-day figures do not depend on `days`: each reads its own window of the full history.
 */
export async function assetStatistics(env: Env, asset: AssetRow, days: number) {
  const [latest] = await candles(env, asset, { timeframe: '1d', limit: 1, newestFirst: true });
  const rows = latest
    ? await candles(env, asset, {
        timeframe: '1d',
        start: daysBefore(latest.openTime, Math.max(days, YEAR_DAYS) + BASE_MARGIN_DAYS),
        end: latest.openTime,
      })
    : [];
  const lastTime = latest?.openTime ?? 0;
  // The window with its base close first; `inside` drops the base (ranges and volumes).
  const window = (n: number) => rows.slice(baseIndex(rows, daysBefore(lastTime, n)));
  const inside = (n: number) => rows.filter((r) => r.openTime > daysBefore(lastTime, n));
  const period = window(days);
  const ppy = periodsPerYear(asset.assetType);
  const closes = period.map((r) => r.close);
  const positive = closes.every((v) => v > 0);
  const vol = (w: StoredCandle[]) => {
    const r = dailyReturns(w.map((c) => c.close));
    return r.length > 1 ? annualizedVolatility(r, ppy) : null;
  };
  const year = rows.filter((r) => r.openTime > oneYearBefore(lastTime));
  const avg = (a: number[]) => (a.length ? mean(a) : null);
  const v7 = avg(inside(7).map((r) => r.volume));
  const v30 = avg(inside(30).map((r) => r.volume));
  const inPeriod = inside(days);
  const dd =
    closes.length > 1 && positive
      ? maxDrawdown(
          closes,
          period.map((r) => r.openTime),
        )
      : null;
  const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString().slice(0, 10));
  return {
    asset_id: asset.id,
    symbol: asset.symbol,
    period_days: days,
    returns: {
      '1d': ret(rows, 1),
      '7d': ret(rows, 7),
      '30d': ret(rows, 30),
      '90d': ret(rows, 90),
      '365d': ret(rows, 365),
    },
    volatility: {
      annualized_30d: vol(window(30)),
      annualized_90d: vol(window(90)),
      annualized_period: vol(period),
    },
    ranges: {
      period_high: inPeriod.length ? Math.max(...inPeriod.map((r) => r.high)) : null,
      period_low: inPeriod.length ? Math.min(...inPeriod.map((r) => r.low)) : null,
      high_52w: year.length ? Math.max(...year.map((r) => r.high)) : null,
      low_52w: year.length ? Math.min(...year.map((r) => r.low)) : null,
      last_close: closes.at(-1) ?? null,
    },
    volume: { avg_7d: v7, avg_30d: v30, trend_ratio_7d_30d: v7 !== null && v30 ? v7 / v30 : null },
    drawdown: dd
      ? {
          max_drawdown: dd.maxDrawdown,
          peak_date: iso(dd.peakTime),
          trough_date: iso(dd.troughTime),
          recovery_date: iso(dd.recoveryTime),
          duration_days: dd.durationPeriods,
        }
      : null,
    method: `calendar windows ending at the last daily candle (52 weeks = the calendar year before it); simple daily returns from the last close at or before each window's start; volatility = sample sd x sqrt(${ppy}); drawdown on closes`,
    annualization_periods: ppy,
    data_points_used: period.length,
    as_of: period.at(-1) ? new Date(period.at(-1)?.openTime ?? 0).toISOString() : null,
  };
}
