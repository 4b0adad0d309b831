import { atr, bollinger, correlation, covariance, ema, macd, rsi, sma, variance } from '../../quant';
import { drawdownCycles, HALVING_INTERVAL, halvingCountdown, logRegressionBands } from '../../quant/cycles';
import { ewmaVariance, fitGarch11 } from '../../quant/garch';
import { fitMarkovSwitching, type RegimeFit, type RegimeParams } from '../../quant/regime';
import { catalogAssetId } from '../assets/catalog';
import { CRYPTO_ASSETS, DAY, type DailyBars, type DatedSeries, type MacroInputs } from './data';
import { dividendYieldAt } from './dividend-yield';

export { CRYPTO_ASSETS };

/** How a figure was computed: every served number carries one. */
export interface Meta {
  method: string;
  window: string;
  data_points: number;
  as_of: string | null;
  source: string;
}

/** A series the deployment does not have: served as absent, with why and what would provide it. */
export interface Absent {
  available: false;
  reason: string;
  configure: string;
}

const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());
const dayIso = (d: number | null | undefined) => (d == null ? null : new Date(d * DAY).toISOString());
const round = (v: number | null | undefined, digits = 6) =>
  v == null || !Number.isFinite(v) ? null : Number(v.toPrecision(Math.min(digits + 4, 15)));

/** Index of the last element <= day, or -1. */
export function lastIndexAtOrBefore(days: number[], day: number): number {
  let lo = 0;
  let hi = days.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((days[mid] as number) <= day) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

export function valueAt(
  s: DatedSeries | undefined,
  day: number,
): { value: number; day: number; label: string | null } | null {
  if (!s) return null;
  const i = lastIndexAtOrBefore(s.day, day);
  return i < 0 ? null : { value: s.value[i] as number, day: s.day[i] as number, label: s.label[i] ?? null };
}

export function closeAt(b: DailyBars | undefined, day: number): { value: number; day: number } | null {
  if (!b) return null;
  const i = lastIndexAtOrBefore(b.day, day);
  return i < 0 ? null : { value: b.close[i] as number, day: b.day[i] as number };
}

/** Percentage change of a series between its value at `day` and at `day - days`. */
function pctChange(get: (d: number) => { value: number } | null, day: number, days: number): number | null {
  const now = get(day);
  const then = get(day - days);
  if (!now || !then || then.value === 0) return null;
  return round((now.value / then.value - 1) * 100, 4);
}

/** Market cap of a crypto asset at `day`: close × latest circulating supply, else CoinGecko's cap of that day. */
export function marketCapAt(
  inputs: MacroInputs,
  assetId: string,
  day: number,
): { value: number; method: string; day: number } | null {
  const close = closeAt(inputs.bars.get(assetId), day);
  const supply = valueAt(inputs.supply.get(assetId), day);
  const cg = valueAt(inputs.caps.get(assetId), day);
  if (cg && cg.day === day) return { value: cg.value, method: 'coingecko_daily_market_cap', day };
  if (close && supply && day - close.day <= 3)
    return { value: close.value * supply.value, method: 'price_x_circulating_supply', day: close.day };
  if (cg && day - cg.day <= 3) return { value: cg.value, method: 'coingecko_daily_market_cap', day: cg.day };
  return null;
}

export interface Dominance {
  btc: number | null;
  eth: number | null;
  usdt: number | null;
  usdc: number | null;
  altcoin: number | null;
  total_market_cap: number | null;
  total_as_of: string | null;
}

/**
 * Shares of total crypto market cap (percent) at `day`. Total: CoinGecko's total market cap of
 * the latest day at or before `day` (stale beyond 3 days gives nulls). BTC and ETH: CoinGecko
 * market caps; USDT and USDC: CoinGecko caps, else price × CMC circulating supply. Altcoin =
 * 100 - BTC - ETH - USDT - USDC (everything that is neither BTC, ETH nor the two big stablecoins).
 */
export function dominanceAt(inputs: MacroInputs, day: number): Dominance {
  const total = valueAt(inputs.indicators.get('total_market_cap'), day);
  const out: Dominance = {
    btc: null,
    eth: null,
    usdt: null,
    usdc: null,
    altcoin: null,
    total_market_cap: null,
    total_as_of: null,
  };
  if (!total || day - total.day > 3) return out;
  out.total_market_cap = total.value;
  out.total_as_of = dayIso(total.day);
  const share = (sym: string) => {
    const cap = marketCapAt(inputs, catalogAssetId(sym), total.day);
    return cap ? round((cap.value / total.value) * 100, 4) : null;
  };
  out.btc = share('BTC');
  out.eth = share('ETH');
  out.usdt = share('USDT');
  out.usdc = share('USDC');
  if (out.btc != null && out.eth != null)
    out.altcoin = round(100 - out.btc - out.eth - (out.usdt ?? 0) - (out.usdc ?? 0), 4);
  return out;
}

/** Daily log returns (percent) of bars, with the day each return ends on. */
function logReturns(
  b: DailyBars | undefined,
  fromDay = Number.NEGATIVE_INFINITY,
): { day: number[]; r: number[] } {
  const day: number[] = [];
  const r: number[] = [];
  if (!b) return { day, r };
  for (let i = 1; i < b.day.length; i++) {
    if ((b.day[i] as number) < fromDay) continue;
    const prev = b.close[i - 1] as number;
    const cur = b.close[i] as number;
    if (prev > 0 && cur > 0) {
      day.push(b.day[i] as number);
      r.push(100 * Math.log(cur / prev));
    }
  }
  return { day, r };
}

/** A close series from bars or an indicator series, keyed by day. */
function dayMap(days: number[], values: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < days.length; i++) m.set(days[i] as number, values[i] as number);
  return m;
}

export interface PairStat {
  correlation: number | null;
  beta: number | null;
  data_points: number;
}

/**
 * Correlation and beta of crypto against a traditional series over the last `days` calendar
 * days ending at `day`, on aligned trading days: only days on which both have a close are kept
 * (weekends and market holidays drop out), and each return runs from one common day to the
 * next, so a Monday return of BTC includes its weekend move. Simple returns; beta =
 * cov(crypto, other) / var(other), sample (n-1) moments.
 */
export function alignedPair(
  a: Map<number, number>,
  b: Map<number, number>,
  day: number,
  days: number,
): PairStat {
  const common: number[] = [];
  for (const d of a.keys()) if (d > day - days && d <= day && b.has(d)) common.push(d);
  common.sort((x, y) => x - y);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 1; i < common.length; i++) {
    const d0 = common[i - 1] as number;
    const d1 = common[i] as number;
    ra.push((a.get(d1) as number) / (a.get(d0) as number) - 1);
    rb.push((b.get(d1) as number) / (b.get(d0) as number) - 1);
  }
  if (ra.length < 3) return { correlation: null, beta: null, data_points: ra.length };
  const cov = covariance(ra, rb);
  const vb = variance(rb);
  return {
    correlation: round(correlation(ra, rb), 6),
    beta: cov != null && vb != null && vb > 0 ? round(cov / vb, 6) : null,
    data_points: ra.length,
  };
}

const REGIME_NAMES = ['bear', 'neutral', 'bull'] as const;

/** Names fitted regimes from their moments: by mean, and the volatility beside it. */
function regimeLabels(means: number[], variances: number[]): string[] {
  const order = means.map((m, i) => [m, i] as const).sort((a, b) => a[0] - b[0]);
  const names = new Array<string>(means.length);
  const maxVar = Math.max(...variances);
  order.forEach(([, idx], rank) => {
    const base = means.length === 3 ? REGIME_NAMES[rank] : rank === 0 ? 'bear' : 'bull';
    const vol = (variances[idx] as number) >= maxVar ? 'high_volatility' : 'low_volatility';
    names[idx] = `${base}_${vol}`;
  });
  return names;
}

export const REGIME_WINDOW_DAYS = 1461;

/** A warm start older than this many market days is not used: the fit starts cold. */
export const REGIME_WARM_MAX_AGE_DAYS = 7;

/** What a stored regime section keeps of its fit: enough to start the next one from it. */
interface StoredRegime {
  regimes: { daily_mean_pct: number; daily_volatility_pct: number }[];
  transition_matrix: number[][];
  meta: { as_of: string | null };
}

/**
 * The previous snapshot's fitted parameters as starting values for the next fit, or undefined
 * (start cold) when there is none, it is older than REGIME_WARM_MAX_AGE_DAYS, or it is not a
 * valid 3-state fit. Rows of the stored (rounded) transition matrix are renormalised.
 */
export function regimeWarmStart(previous: unknown, day: number): RegimeParams | undefined {
  const r = previous as StoredRegime | null | undefined;
  if (!r?.regimes || !r.transition_matrix || !r.meta?.as_of) return undefined;
  const prevDay = Math.floor(Date.parse(r.meta.as_of) / DAY);
  if (!(prevDay <= day && day - prevDay <= REGIME_WARM_MAX_AGE_DAYS)) return undefined;
  if (r.regimes.length !== 3 || r.transition_matrix.length !== 3) return undefined;
  const means = r.regimes.map((g) => g.daily_mean_pct);
  const variances = r.regimes.map((g) => g.daily_volatility_pct ** 2);
  const transition = r.transition_matrix.map((row) => {
    const clipped = row.map((v) => Math.max(v, 1e-10));
    const sum = clipped.reduce((a, b) => a + b, 0);
    return clipped.map((v) => v / sum);
  });
  const ok =
    [...means, ...variances].every(Number.isFinite) &&
    variances.every((v) => v > 0) &&
    transition.every((row) => row.length === 3 && row.every(Number.isFinite));
  return ok ? { means, variances, transition } : undefined;
}

const REGIME_FIT = {
  regimes: 3,
  switchingVariance: true,
  maxIterations: 200,
  tolerance: 1e-4,
  polish: false,
};

/** The BTC regime model: a 3-state Markov switching mean/variance on daily log returns (percent), four years. */
export function regimeAnalysis(inputs: MacroInputs, day: number, warm?: RegimeParams) {
  const { day: days, r } = logReturns(inputs.bars.get(catalogAssetId('BTC')), day - REGIME_WINDOW_DAYS + 1);
  const keep = days.findLastIndex((d) => d <= day);
  const y = r.slice(0, keep + 1);
  const ydays = days.slice(0, keep + 1);
  if (y.length < 200) return null;
  // Warm: EM from the previous snapshot's fit. One more day of data moves the optimum little, so
  // it usually converges in a few iterations instead of ~140; where the likelihood is flat and a
  // cold fit stops at the iteration cap, the warm chain keeps climbing from where the last one
  // stopped (EM never lowers the likelihood), so it is kept even when it too reaches the cap.
  const start: 'warm' | 'cold' = warm ? 'warm' : 'cold';
  const fit: RegimeFit = fitMarkovSwitching(y, warm ? { ...REGIME_FIT, start: warm } : REGIME_FIT);
  const labels = regimeLabels(fit.params.means, fit.params.variances);
  const last = fit.filtered.at(-1) ?? [];
  let current = 0;
  for (let k = 1; k < last.length; k++) if ((last[k] as number) > (last[current] as number)) current = k;
  // How long the most likely (filtered) regime has held.
  let since = ydays.length - 1;
  const argmax = (p: number[]) => p.reduce((best, v, i) => (v > (p[best] as number) ? i : best), 0);
  while (since > 0 && argmax(fit.filtered[since - 1] as number[]) === current) since--;
  const history: { date: string; regime: string; probability: number }[] = [];
  let prev = -1;
  for (let t = 0; t < fit.filtered.length; t++) {
    const k = argmax(fit.filtered[t] as number[]);
    if (k !== prev)
      history.push({
        date: dayIso(ydays[t]) as string,
        regime: labels[k] as string,
        probability: round((fit.filtered[t] as number[])[k], 4) as number,
      });
    prev = k;
  }
  return {
    current_regime: labels[current] as string,
    confidence: round(last[current], 4) as number,
    probabilities: Object.fromEntries(labels.map((l, k) => [l, round(last[k], 6) as number])),
    transition_probability: round(
      1 - ((fit.params.transition[current] as number[])[current] as number),
      6,
    ) as number,
    regime_duration_days: ydays.length - 1 - since + 1,
    regime_started: dayIso(ydays[since]),
    expected_durations_days: Object.fromEntries(
      labels.map((l, k) => [l, round(fit.expectedDurations[k], 4) as number]),
    ),
    transition_matrix: fit.params.transition.map((row) => row.map((v) => round(v, 6) as number)),
    regimes: labels.map((l, k) => ({
      name: l,
      daily_mean_pct: round(fit.params.means[k], 6) as number,
      daily_volatility_pct: round(Math.sqrt(fit.params.variances[k] as number), 6) as number,
      annualized_volatility_pct: round(Math.sqrt((fit.params.variances[k] as number) * 365), 6) as number,
    })),
    history: history.slice(-50),
    log_likelihood: round(fit.logLikelihood, 8) as number,
    converged: fit.converged,
    em_iterations: fit.iterations,
    fit_start: start,
    meta: {
      method:
        'Markov switching (Hamilton 1989) with 3 regimes, switching mean and variance, fitted by EM (Hamilton filter + Kim smoother E-step, at most 200 iterations, stopping when the log-likelihood gains less than 1e-4); FILTERED probabilities P(S_t | data to t), never smoothed. ' +
        (start === 'warm'
          ? 'EM started from the previous snapshot’s fitted parameters (warm start)'
          : 'EM started from quantile means, the sample variance and 0.9 persistence (cold start)'),
      window: `${REGIME_WINDOW_DAYS} days of BTC daily log returns (percent)`,
      data_points: y.length,
      as_of: dayIso(ydays.at(-1)),
      source: 'price_data BTC 1d closes',
    } satisfies Meta,
  };
}

/** Volatility forecasts of BTC and ETH: GARCH(1,1) MLE and EWMA 0.94 on two years of daily log returns. */
export function volatilityForecasts(inputs: MacroInputs, day: number) {
  const out: Record<string, unknown> = {};
  for (const sym of ['BTC', 'ETH']) {
    const { day: days, r } = logReturns(inputs.bars.get(catalogAssetId(sym)), day - 730);
    const y = r.filter((_, i) => (days[i] as number) <= day);
    if (y.length < 100) {
      out[sym.toLowerCase()] = null;
      continue;
    }
    const g = fitGarch11(y);
    const ew = ewmaVariance(y, 0.94);
    const recent = y.slice(-30);
    const rv = variance(recent);
    out[sym.toLowerCase()] = {
      garch: {
        mu: round(g.params.mu, 6),
        omega: round(g.params.omega, 6),
        alpha: round(g.params.alpha, 6),
        beta: round(g.params.beta, 6),
        persistence: round(g.persistence, 6),
        half_life_days: round(g.halfLife, 4),
        log_likelihood: round(g.logLikelihood, 8),
        next_day_volatility_pct: round(Math.sqrt(g.nextVariance), 6),
        annualized_volatility_pct: round(Math.sqrt(g.nextVariance * 365), 6),
        long_run_annualized_volatility_pct:
          g.longRunVariance == null ? null : round(Math.sqrt(g.longRunVariance * 365), 6),
      },
      ewma: {
        lambda: 0.94,
        next_day_volatility_pct: round(Math.sqrt(ew), 6),
        annualized_volatility_pct: round(Math.sqrt(ew * 365), 6),
      },
      realized_30d_annualized_volatility_pct: rv == null ? null : round(Math.sqrt(rv * 365), 6),
      meta: {
        method:
          'GARCH(1,1) Gaussian MLE (constant mean, h0 = sample variance); EWMA RiskMetrics lambda 0.94; realized = sample sd of the last 30 returns; annualized by sqrt(365)',
        window: '730 days of daily log returns (percent)',
        data_points: y.length,
        as_of: dayIso(day),
        source: `price_data ${sym} 1d closes`,
      } satisfies Meta,
    };
  }
  return out;
}

/** Traditional series as day → level maps: FRED/LBMA indicators and candle closes. */
export function traditionalSeries(inputs: MacroInputs) {
  const ind = (name: string) => {
    const s = inputs.indicators.get(name);
    return s ? dayMap(s.day, s.value) : new Map<number, number>();
  };
  const bar = (sym: string) => {
    const b = inputs.bars.get(catalogAssetId(sym));
    return b ? dayMap(b.day, b.close) : new Map<number, number>();
  };
  return {
    sp500: { data: ind('sp500'), source: 'FRED SP500' },
    nasdaq100: { data: ind('nasdaq100'), source: 'FRED NASDAQ100' },
    gold: { data: ind('gold_lbma').size ? ind('gold_lbma') : bar('GOLD'), source: 'LBMA gold PM (USD/oz)' },
    dxy: { data: bar('DXY'), source: 'ICE US Dollar Index (DX-Y.NYB) daily closes' },
    us_10y_yield: { data: bar('TNX'), source: 'CBOE 10-year Treasury yield index (^TNX) daily closes' },
    vix: { data: ind('vix'), source: 'FRED VIXCLS' },
    wti: { data: bar('WTI'), source: 'FRED DCOILWTICO' },
  } as const;
}

export const CORRELATION_PERIODS = { '7d': 7, '30d': 30, '90d': 90 } as const;
export type CorrelationPeriod = keyof typeof CORRELATION_PERIODS;

export const WEEKEND_ALIGNMENT =
  'Aligned trading days: only days on which both series have a close are used (weekends and market holidays drop out); each return runs from one common day to the next, so the Monday return of a crypto asset includes its weekend move. Simple returns, sample moments.';

export function correlations(inputs: MacroInputs, day: number) {
  const trad = traditionalSeries(inputs);
  const btcBars = inputs.bars.get(catalogAssetId('BTC'));
  const ethBars = inputs.bars.get(catalogAssetId('ETH'));
  const btc = btcBars ? dayMap(btcBars.day, btcBars.close) : new Map<number, number>();
  const eth = ethBars ? dayMap(ethBars.day, ethBars.close) : new Map<number, number>();
  const periods: Record<string, unknown> = {};
  for (const [period, days] of Object.entries(CORRELATION_PERIODS)) {
    const pairs: Record<string, PairStat> = { 'BTC-ETH': alignedPair(eth, btc, day, days) };
    for (const [name, s] of Object.entries(trad)) {
      pairs[`BTC-${name.toUpperCase()}`] = alignedPair(btc, s.data, day, days);
      pairs[`ETH-${name.toUpperCase()}`] = alignedPair(eth, s.data, day, days);
    }
    periods[period] = pairs;
  }
  return {
    periods,
    meta: {
      method: `Pearson correlation and beta (cov/var of the second series) of simple returns. ${WEEKEND_ALIGNMENT} BTC-ETH is beta of ETH on BTC.`,
      window: '7, 30 and 90 calendar days ending at as_of',
      data_points: Object.values(periods).reduce<number>(
        (n, p) => n + Object.values(p as Record<string, PairStat>).reduce((m, s) => m + s.data_points, 0),
        0,
      ),
      as_of: dayIso(day),
      source: 'price_data BTC/ETH/DXY/TNX/WTI 1d closes; FRED SP500, NASDAQ100, VIXCLS; LBMA gold',
    } satisfies Meta,
  };
}

function levelView(data: Map<number, number>, day: number, source: string) {
  let last: number | null = null;
  for (let d = day; d > day - 10; d--)
    if (data.has(d)) {
      last = d;
      break;
    }
  const get = (d: number) => {
    for (let k = d; k > d - 10; k--) if (data.has(k)) return { value: data.get(k) as number };
    return null;
  };
  if (last == null)
    return { value: null, change_1d_pct: null, change_30d_pct: null, as_of: null, stale: true, source };
  return {
    value: round(data.get(last), 8),
    change_1d_pct: pctChange(get, last, 1),
    change_30d_pct: pctChange(get, last, 30),
    as_of: dayIso(last),
    stale: day - last > 4,
    source,
  };
}

export function intermarket(inputs: MacroInputs, day: number) {
  const trad = traditionalSeries(inputs);
  return Object.fromEntries(Object.entries(trad).map(([k, s]) => [k, levelView(s.data, day, s.source)]));
}

export function sentiment(inputs: MacroInputs, day: number) {
  const fg = inputs.indicators.get('fear_greed');
  const i = fg ? lastIndexAtOrBefore(fg.day, day) : -1;
  const window = (n: number) => {
    if (!fg || i < 0) return null;
    const vals = fg.value.slice(Math.max(0, i - n + 1), i + 1);
    return round(vals.reduce((a, b) => a + b, 0) / vals.length, 4);
  };
  return {
    fear_greed:
      fg && i >= 0
        ? {
            value: fg.value[i] as number,
            classification: fg.label[i] ?? null,
            average_7d: window(7),
            average_30d: window(30),
            change_7d: i >= 7 ? (fg.value[i] as number) - (fg.value[i - 7] as number) : null,
            history: fg.day.slice(Math.max(0, i - 29), i + 1).map((d, k) => ({
              date: dayIso(d) as string,
              value: fg.value[Math.max(0, i - 29) + k] as number,
              classification: fg.label[Math.max(0, i - 29) + k] ?? null,
            })),
            stale: day - (fg.day[i] as number) > 2,
            meta: {
              method:
                'Crypto Fear & Greed Index as published (0-100, label kept as published); averages are simple means of daily values',
              window: 'latest day; 7 and 30 days',
              data_points: Math.min(30, i + 1),
              as_of: dayIso(fg.day[i]),
              source: 'alternative.me /fng/',
            } satisfies Meta,
          }
        : null,
    social_sentiment: {
      available: false,
      reason: 'No social-media sentiment history is shipped with this deployment.',
      configure: 'A social data provider (e.g. LunarCrush or Santiment API key) as a market-data source.',
    } satisfies Absent,
    google_trends: {
      available: false,
      reason: 'No search-trend history is shipped with this deployment.',
      configure: 'Google Trends via a SerpApi or pytrends-backed provider.',
    } satisfies Absent,
  };
}

function latestWithChange(s: DatedSeries | undefined, day: number, days: number) {
  const now = valueAt(s, day);
  if (!now) return null;
  const then = valueAt(s, now.day - days);
  return {
    value: round(now.value, 10),
    change_pct: then && then.value !== 0 ? round((now.value / then.value - 1) * 100, 4) : null,
    as_of: dayIso(now.day),
    stale: day - now.day > 3,
  };
}

function sumOver(s: DatedSeries | undefined, day: number, days: number): { sum: number; n: number } | null {
  if (!s) return null;
  let sum = 0;
  let n = 0;
  for (let k = 0; k < s.day.length; k++) {
    const d = s.day[k] as number;
    if (d > day - days && d <= day) {
      sum += s.value[k] as number;
      n++;
    }
  }
  return n ? { sum, n } : null;
}

export function onchain(inputs: MacroInputs, day: number) {
  const s = (n: string) => inputs.indicators.get(n);
  const inflow = sumOver(s('btc_exchange_inflow'), day, 7);
  const outflow = sumOver(s('btc_exchange_outflow'), day, 7);
  const realizedCap = (() => {
    const mvrv = valueAt(s('btc_mvrv'), day);
    const price = valueAt(s('btc_price_usd'), day);
    const supply = valueAt(s('btc_supply'), day);
    return mvrv && price && supply && mvrv.value > 0
      ? round((price.value * supply.value) / mvrv.value, 8)
      : null;
  })();
  const asOf = valueAt(s('btc_active_addresses'), day)?.day;
  return {
    btc: {
      active_addresses: latestWithChange(s('btc_active_addresses'), day, 30),
      transaction_count: latestWithChange(s('btc_tx_count'), day, 30),
      hash_rate_th_s: latestWithChange(s('btc_hash_rate'), day, 30),
      mvrv: latestWithChange(s('btc_mvrv'), day, 30),
      realized_cap_usd: realizedCap,
      exchange_supply_btc: latestWithChange(s('btc_exchange_supply'), day, 30),
      exchange_netflow_7d_btc: inflow && outflow ? round(inflow.sum - outflow.sum, 8) : null,
      exchange_inflow_7d_btc: inflow ? round(inflow.sum, 8) : null,
      exchange_outflow_7d_btc: outflow ? round(outflow.sum, 8) : null,
      miner_issuance_btc: latestWithChange(s('btc_issuance'), day, 30),
      fees_btc: latestWithChange(s('btc_fees'), day, 30),
      block_height: valueAt(s('btc_block_height'), day)?.value ?? null,
      meta: {
        method:
          'Coin Metrics community daily values; change_pct over 30 days; exchange netflow = 7-day sum of inflow minus outflow to exchange wallets (Coin Metrics attribution); realized cap = price x supply / MVRV',
        window: 'latest day; 7 and 30 days',
        data_points: (inflow?.n ?? 0) + (outflow?.n ?? 0),
        as_of: dayIso(asOf),
        source: 'Coin Metrics community btc.csv (CC BY-NC 4.0)',
      } satisfies Meta,
    },
    eth: {
      available: false,
      reason:
        'The shipped ETH on-chain file ends in 2019 (Coin Metrics v2); no current ETH on-chain history exists in this deployment.',
      configure: 'Coin Metrics community API (api.coinmetrics.io/v4) for ETH as a data source.',
    } satisfies Absent,
    whale_flows: {
      available: false,
      reason: 'Per-address (whale) transfer data is not in the shipped Coin Metrics community set.',
      configure: 'An on-chain analytics provider (Glassnode, Whale Alert) API key.',
    } satisfies Absent,
  };
}

export function derivatives(inputs: MacroInputs, day: number) {
  const f = inputs.indicators.get('btc_funding_rate');
  const fi = f ? lastIndexAtOrBefore(f.day, day) : -1;
  const avg = (n: number) => {
    if (!f || fi < 0) return null;
    const v = f.value.slice(Math.max(0, fi - n + 1), fi + 1);
    return round(v.reduce((a, b) => a + b, 0) / v.length, 8);
  };
  const oi: Record<string, unknown> = {};
  for (const sym of ['btc', 'eth', 'sol', 'bnb', 'xrp', 'doge', 'ada', 'trx'])
    oi[sym] = latestWithChange(inputs.indicators.get(`oi_${sym}`), day, 7);
  const latestFunding = f && fi >= 0 ? (f.value[fi] as number) : null;
  return {
    funding_rate_btc: {
      rate_8h: latestFunding,
      annualized_pct: latestFunding == null ? null : round(latestFunding * 3 * 365 * 100, 6),
      average_7d_8h: avg(7),
      average_30d_8h: avg(30),
      as_of: f && fi >= 0 ? dayIso(f.day[fi]) : null,
      stale: f && fi >= 0 ? day - (f.day[fi] as number) > 2 : true,
      meta: {
        method:
          'Daily mean of Binance BTCUSDT 8-hourly funding rates (fraction per 8 h); annualized = rate x 3 x 365',
        window: 'latest day; 7 and 30 days',
        data_points: Math.min(fi + 1, 30),
        as_of: f && fi >= 0 ? dayIso(f.day[fi]) : null,
        source: 'Binance fapi/v1/fundingRate',
      } satisfies Meta,
    },
    open_interest_usd: {
      ...oi,
      meta: {
        method:
          'Daily close of open interest in USD, Binance COIN-M perpetuals only (not all-exchange); change over 7 days',
        window: 'latest day; 7 days',
        data_points: Object.values(oi).filter((v) => v != null).length,
        as_of: (oi.btc as { as_of: string | null } | null)?.as_of ?? null,
        source: 'Coinalyze open-interest-history',
      } satisfies Meta,
    },
    liquidations: {
      available: false,
      reason: 'No liquidation history is shipped: exchanges publish liquidations only as live streams.',
      configure: 'Binance forceOrder WebSocket stream or a Coinglass API key as a data source.',
    } satisfies Absent,
  };
}

export function technical(inputs: MacroInputs, day: number) {
  const out: Record<string, unknown> = {};
  for (const sym of ['BTC', 'ETH']) {
    const b = inputs.bars.get(catalogAssetId(sym));
    if (!b) {
      out[sym.toLowerCase()] = null;
      continue;
    }
    const n = lastIndexAtOrBefore(b.day, day) + 1;
    const c = b.close.slice(0, n);
    const last = (a: Float64Array) => round(a[a.length - 1], 8);
    const m = macd(c);
    const bb = bollinger(c);
    out[sym.toLowerCase()] = {
      price: round(c[c.length - 1], 10),
      rsi_14: last(rsi(c, 14)),
      macd: { macd: last(m.macd), signal: last(m.signal), histogram: last(m.histogram) },
      sma_20: last(sma(c, 20)),
      sma_50: last(sma(c, 50)),
      sma_200: last(sma(c, 200)),
      ema_20: last(ema(c, 20)),
      bollinger_20_2: { upper: last(bb.upper), middle: last(bb.middle), lower: last(bb.lower) },
      atr_14_close_only: last(atr(c, c, c, 14)),
      above_sma_200:
        c.length >= 200 ? (c[c.length - 1] as number) > ((sma(c, 200).at(-1) as number) ?? 0) : null,
      meta: {
        method:
          'TA-Lib definitions on daily closes (RSI Wilder 14; MACD 12/26/9; Bollinger 20, 2 population sd); ATR from closes only (daily high/low not read here)',
        window: `${c.length} daily closes`,
        data_points: c.length,
        as_of: dayIso(b.day[n - 1]),
        source: `price_data ${sym} 1d`,
      } satisfies Meta,
    };
  }
  return out;
}

/** Breadth, realised-volatility index and liquidity across the tracked crypto universe (stablecoins excluded). */
export function marketHealth(inputs: MacroInputs, day: number) {
  let above50 = 0;
  let above200 = 0;
  let n50 = 0;
  let n200 = 0;
  let advancers = 0;
  let decliners = 0;
  let unchanged = 0;
  const vols: number[] = [];
  let volume = 0;
  let volume30 = 0;
  let members = 0;
  for (const a of CRYPTO_ASSETS) {
    if (a.type === 'stablecoin') continue;
    const b = inputs.bars.get(a.id);
    if (!b) continue;
    const n = lastIndexAtOrBefore(b.day, day) + 1;
    if (n < 2 || day - (b.day[n - 1] as number) > 3) continue;
    members++;
    const c = b.close.slice(0, n);
    const price = c[n - 1] as number;
    if (n >= 50) {
      n50++;
      if (price > (sma(c, 50)[n - 1] as number)) above50++;
    }
    if (n >= 200) {
      n200++;
      if (price > (sma(c, 200)[n - 1] as number)) above200++;
    }
    const prev = c[n - 2] as number;
    if (price > prev) advancers++;
    else if (price < prev) decliners++;
    else unchanged++;
    const rets: number[] = [];
    for (let i = Math.max(1, n - 30); i < n; i++)
      rets.push(Math.log((c[i] as number) / (c[i - 1] as number)));
    const v = variance(rets);
    if (v != null) vols.push(Math.sqrt(v * 365) * 100);
    volume += b.volume[n - 1] as number;
    const vs = b.volume.slice(Math.max(0, n - 30), n);
    volume30 += vs.reduce((x, y) => x + y, 0) / vs.length;
  }
  const stable = latestWithChange(inputs.indicators.get('stablecoin_supply'), day, 30);
  const pct = (a: number, b: number) => (b ? round((a / b) * 100, 4) : null);
  return {
    breadth: {
      pct_above_sma_50: pct(above50, n50),
      pct_above_sma_200: pct(above200, n200),
      advancers,
      decliners,
      unchanged,
      advance_decline_ratio: decliners ? round(advancers / decliners, 4) : null,
      assets: members,
    },
    volatility_index: {
      value: vols.length ? round(vols.reduce((a, b) => a + b, 0) / vols.length, 6) : null,
      unit: 'annualized % (sqrt 365)',
    },
    liquidity: {
      volume_24h_usd: round(volume, 8),
      volume_30d_avg_usd: round(volume30, 8),
      volume_ratio: volume30 ? round(volume / volume30, 6) : null,
      stablecoin_supply_usd: stable?.value ?? null,
      stablecoin_supply_change_30d_pct: stable?.change_pct ?? null,
    },
    health_score: (() => {
      const parts = [
        pct(above50, n50),
        pct(above200, n200),
        decliners + advancers ? pct(advancers, advancers + decliners) : null,
      ].filter((v): v is number => v != null);
      return parts.length ? round(parts.reduce((a, b) => a + b, 0) / parts.length, 4) : null;
    })(),
    meta: {
      method:
        'Breadth: share of tracked non-stable crypto assets closing above their 50/200-day SMA; advance/decline on the last daily close; volatility index = equal-weight mean of 30-day annualized realized volatility; liquidity = summed daily volume vs its 30-day mean; health score = mean of the three breadth percentages',
      window: '1, 30, 50 and 200 days',
      data_points: members,
      as_of: dayIso(day),
      source: 'price_data 1d of the catalog crypto assets; DefiLlama stablecoin supply',
    } satisfies Meta,
  };
}

export function cycleAnalysis(inputs: MacroInputs, day: number) {
  const heightS = inputs.indicators.get('btc_block_height');
  const price = inputs.indicators.get('btc_price_usd');
  const blocks = inputs.indicators.get('btc_blocks');
  const h = valueAt(heightS, day);
  let halving: Record<string, unknown> | null = null;
  const epochs: Record<string, unknown>[] = [];
  if (h && heightS) {
    const cd = halvingCountdown(h.value);
    const recent = sumOver(blocks, h.day, 30);
    const perDay = recent?.n ? recent.sum / recent.n : 144;
    const halvingDays: number[] = [];
    for (let k = 1; k <= cd.epoch; k++) {
      const idx = heightS.value.findIndex((v) => v >= k * HALVING_INTERVAL);
      if (idx >= 0) halvingDays.push(heightS.day[idx] as number);
    }
    const lastHalving = halvingDays.at(-1);
    halving = {
      block_height: cd.height,
      epoch: cd.epoch,
      block_subsidy_btc: cd.subsidy,
      last_halving_height: cd.lastHalvingHeight,
      last_halving_date: dayIso(lastHalving),
      days_since_halving: lastHalving == null ? null : day - lastHalving,
      next_halving_height: cd.nextHalvingHeight,
      blocks_remaining: cd.blocksRemaining,
      blocks_per_day_30d: round(perDay, 6),
      estimated_days_remaining: round(cd.blocksRemaining / perDay, 4),
      estimated_next_halving_date: dayIso(h.day + Math.round(cd.blocksRemaining / perDay)),
    };
    const starts = [price?.day.find((_, i) => (price.value[i] as number) > 0) ?? null, ...halvingDays];
    for (let e = 0; e < starts.length; e++) {
      const s = starts[e];
      if (s == null) continue;
      const end = starts[e + 1] ?? day;
      const p0 = valueAt(price, s);
      const p1 = valueAt(price, end);
      epochs.push({
        epoch: e,
        start_date: dayIso(s),
        end_date: dayIso(end),
        ongoing: starts[e + 1] == null,
        start_price: p0 ? round(p0.value, 10) : null,
        end_price: p1 ? round(p1.value, 10) : null,
        return_pct: p0 && p1 && p0.value > 0 ? round((p1.value / p0.value - 1) * 100, 6) : null,
        days: end - s,
      });
    }
  }
  // Month-of-year seasonality from month-end closes.
  const monthly = new Map<string, number>();
  if (price)
    for (let i = 0; i < price.day.length; i++) {
      if ((price.day[i] as number) > day || !((price.value[i] as number) > 0)) continue;
      monthly.set(
        new Date((price.day[i] as number) * DAY).toISOString().slice(0, 7),
        price.value[i] as number,
      );
    }
  const keys = [...monthly.keys()].sort();
  const byMonth: number[][] = Array.from({ length: 12 }, () => []);
  const currentMonth = new Date(day * DAY).toISOString().slice(0, 7);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i] === currentMonth) continue; // an unfinished month is not a monthly return
    const m = Number((keys[i] as string).slice(5, 7)) - 1;
    (byMonth[m] as number[]).push(
      ((monthly.get(keys[i] as string) as number) / (monthly.get(keys[i - 1] as string) as number) - 1) * 100,
    );
  }
  const seasonality = byMonth.map((rs, m) => {
    const sorted = rs.slice().sort((a, b) => a - b);
    return {
      month: m + 1,
      mean_return_pct: rs.length ? round(rs.reduce((a, b) => a + b, 0) / rs.length, 6) : null,
      median_return_pct: rs.length
        ? round(
            ((sorted[Math.floor((rs.length - 1) / 2)] ?? 0) + (sorted[Math.ceil((rs.length - 1) / 2)] ?? 0)) /
              2,
            6,
          )
        : null,
      positive_share: rs.length ? round(rs.filter((r) => r > 0).length / rs.length, 4) : null,
      sample_size: rs.length,
    };
  });
  return {
    halving,
    epochs,
    seasonality,
    meta: {
      method:
        'Block height = running sum of Coin Metrics daily block counts (within a few blocks of the chain); halvings every 210,000 blocks; remaining days at the last 30 days’ block rate; epoch returns from BTC close at each halving day; seasonality from month-end closes, unfinished month excluded',
      window: 'full BTC history to as_of',
      data_points: keys.length,
      as_of: dayIso(day),
      source: 'Coin Metrics community btc.csv (BlkCnt, PriceUSD)',
    } satisfies Meta,
  };
}

/** 003 /api/risk-metrics: log-regression fair value and risk bands of BTC or ETH. */
export function riskModel(inputs: MacroInputs, symbol: 'BTC' | 'ETH', day: number) {
  // BTC: Coin Metrics prices from 2010-07-18 (days since the genesis block, 2009-01-03);
  // ETH: daily closes since listing (days since launch, 2015-07-30).
  const origin = symbol === 'BTC' ? Date.UTC(2009, 0, 3) / DAY : Date.UTC(2015, 6, 30) / DAY;
  let days: number[] = [];
  let prices: number[] = [];
  if (symbol === 'BTC') {
    const p = inputs.indicators.get('btc_price_usd');
    if (p)
      for (let i = 0; i < p.day.length; i++)
        if ((p.day[i] as number) <= day && (p.value[i] as number) > 0) {
          days.push((p.day[i] as number) - origin);
          prices.push(p.value[i] as number);
        }
  } else {
    const b = inputs.bars.get(catalogAssetId('ETH'));
    if (b) {
      const n = lastIndexAtOrBefore(b.day, day) + 1;
      days = b.day.slice(0, n).map((d) => d - origin);
      prices = b.close.slice(0, n);
    }
  }
  if (prices.length < 30) return null;
  const fit = logRegressionBands(days, prices);
  return { fit, lastDay: (days.at(-1) as number) + origin, first: (days[0] as number) + origin };
}

/** 003 /api/market-cycles: BTC drawdown cycles of at least `threshold`. */
export function marketCycles(inputs: MacroInputs, day: number, threshold: number) {
  const p = inputs.indicators.get('btc_price_usd');
  const days: number[] = [];
  const prices: number[] = [];
  if (p)
    for (let i = 0; i < p.day.length; i++)
      if ((p.day[i] as number) <= day && (p.value[i] as number) > 0) {
        days.push(p.day[i] as number);
        prices.push(p.value[i] as number);
      }
  return { cycles: drawdownCycles(prices, threshold), days, prices };
}

export { dayIso, iso, round };

/** 003 /api/screener/metrics rows: valuation and risk facts per tracked asset at `day`. */
export function screenerRows(
  inputs: MacroInputs,
  day: number,
  universe: { id: string; symbol: string; name: string; type: string }[],
) {
  return universe.map((a) => {
    const b = inputs.bars.get(a.id);
    const c = closeAt(b, day);
    const ch = (n: number) => {
      const p = c ? closeAt(b, c.day - n) : null;
      return c && p && p.value > 0 ? round((c.value / p.value - 1) * 100, 6) : null;
    };
    let vol: number | null = null;
    let high52: number | null = null;
    let low52: number | null = null;
    if (b && c) {
      const end = b.day.indexOf(c.day);
      const rets: number[] = [];
      for (let i = Math.max(1, end - 29); i <= end; i++)
        rets.push(Math.log((b.close[i] as number) / (b.close[i - 1] as number)));
      const v = variance(rets);
      vol =
        v == null
          ? null
          : round(Math.sqrt(v * (a.type === 'crypto' || a.type === 'stablecoin' ? 365 : 252)) * 100, 6);
      const yr = b.close.filter((_, i) => (b.day[i] as number) > c.day - 365 && i <= end);
      high52 = round(Math.max(...yr), 10);
      low52 = round(Math.min(...yr), 10);
    }
    const cap = a.type === 'crypto' || a.type === 'stablecoin' ? marketCapAt(inputs, a.id, day) : null;
    const dy = dividendYieldAt(inputs, a, c);
    return {
      symbol: a.symbol,
      name: a.name,
      asset_type: a.type,
      price: c ? round(c.value, 10) : null,
      market_cap: cap ? round(cap.value, 10) : null,
      change_24h_pct: ch(1),
      change_30d_pct: ch(30),
      volatility_30d_pct: vol,
      high_52w: high52,
      low_52w: low52,
      pe_ratio: null,
      dividend_yield: dy.value,
      dividend_yield_basis: dy.basis,
      dividend_yield_reason: dy.reason,
      mvrv: a.symbol === 'BTC' ? (valueAt(inputs.indicators.get('btc_mvrv'), day)?.value ?? null) : null,
      as_of: c ? dayIso(c.day) : null,
    };
  });
}
