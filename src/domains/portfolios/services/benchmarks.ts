import { eq } from 'drizzle-orm';
import { dayNumber, dayString } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { db } from '../../../db/client';
import { users } from '../../../db/schema';
import { betaAlpha, informationRatio, maxDrawdown, trackingError } from '../../../quant';
import { catalogAssetId } from '../../assets/catalog';
import { PERIODS_PER_YEAR, type ValuationPoint } from './performance';
import { dailyCloses } from './valuation';

/**
 * Benchmarks for a portfolio's performance: any catalog asset (BTC, ETH, SPY, QQQ, AGG...), a
 * total-crypto index weighted by the stored market caps, or a mix of assets rebalanced to its
 * weights (monthly by default). The benchmark's value is carried forward over days without a
 * close (weekends for equities), like the portfolio's valuation, so both series share days.
 */

export type Rebalance = 'daily' | 'monthly' | 'quarterly' | 'yearly' | 'none';
export type BenchmarkSpec =
  | { kind: 'asset'; symbol: string }
  | { kind: 'total_crypto' }
  | { kind: 'mix'; name: string | null; weights: { symbol: string; weight: number }[]; rebalance: Rebalance };

export const TOTAL_CRYPTO = 'TOTAL_CRYPTO';
const REBALANCES: Rebalance[] = ['daily', 'monthly', 'quarterly', 'yearly', 'none'];
const SYMBOL = /^[A-Z0-9][A-Z0-9.^=-]{0,31}$/;

function bad(message: string): ApiError {
  return new ApiError('VALIDATION_ERROR', message, { details: { field: 'benchmark' } });
}

/**
 * Reads `SPY`, `TOTAL_CRYPTO`, `SPY:60,AGG:40` (a mix; weights normalized to 100%) or `@name`
 * (a mix saved in the preferences' `benchmarks`).
 */
export function parseBenchmark(
  text: string,
  rebalance: Rebalance = 'monthly',
  saved: Record<string, unknown> = {},
): BenchmarkSpec {
  const t = text.trim();
  if (t.startsWith('@')) {
    const name = t.slice(1);
    const raw = Object.hasOwn(saved, name)
      ? (saved[name] as { weights?: unknown; rebalance?: unknown })
      : undefined;
    if (!raw || typeof raw !== 'object') throw bad(`No saved benchmark named "${name}"`);
    const weights = raw.weights;
    if (!weights || typeof weights !== 'object') throw bad(`Saved benchmark "${name}" has no weights`);
    const spec = parseBenchmark(
      Object.entries(weights as Record<string, unknown>)
        .map(([k, v]) => `${k}:${String(v)}`)
        .join(','),
      REBALANCES.includes(raw.rebalance as Rebalance) ? (raw.rebalance as Rebalance) : rebalance,
    );
    return spec.kind === 'mix' ? { ...spec, name } : spec;
  }
  const upper = t.toUpperCase();
  if (upper === TOTAL_CRYPTO) return { kind: 'total_crypto' };
  if (!upper.includes(':') && !upper.includes(',')) {
    if (!SYMBOL.test(upper)) throw bad(`benchmark "${text}" is not a symbol`);
    return { kind: 'asset', symbol: upper };
  }
  const weights = upper.split(',').map((part) => {
    const [symbol = '', w = ''] = part.split(':');
    const weight = Number(w);
    if (!SYMBOL.test(symbol.trim()) || !Number.isFinite(weight) || weight <= 0) {
      throw bad(`benchmark mix part "${part}" is not SYMBOL:weight with a weight above 0`);
    }
    return { symbol: symbol.trim(), weight };
  });
  if (weights.length < 1 || weights.length > 10) throw bad('a benchmark mix has 1 to 10 parts');
  if (new Set(weights.map((w) => w.symbol)).size !== weights.length)
    throw bad('a benchmark mix names a symbol twice');
  const sum = weights.reduce((s, w) => s + w.weight, 0);
  return {
    kind: 'mix',
    name: null,
    weights: weights.map((w) => ({ ...w, weight: w.weight / sum })),
    rebalance,
  };
}

/** The user's saved benchmarks and default (`default_benchmark`) from their preferences. */
export async function benchmarkPreferences(env: Env, userId: string | null) {
  if (!userId) return { saved: {}, fallback: null as string | null };
  const row = await db(env).select({ p: users.preferences }).from(users).where(eq(users.id, userId)).get();
  const prefs = (row?.p ?? {}) as { benchmarks?: unknown; default_benchmark?: unknown };
  return {
    saved:
      prefs.benchmarks && typeof prefs.benchmarks === 'object'
        ? (prefs.benchmarks as Record<string, unknown>)
        : {},
    fallback: typeof prefs.default_benchmark === 'string' ? prefs.default_benchmark : null,
  };
}

/** Closes carried forward onto `days`; null before an asset's first close. */
function carried(series: Map<string, number> | undefined, days: string[]): (number | null)[] {
  const sorted = series ? [...series].sort((a, b) => (a[0] < b[0] ? -1 : 1)) : [];
  const out: (number | null)[] = [];
  let i = 0;
  let last: number | null = null;
  for (const d of days) {
    while (i < sorted.length && (sorted[i] as [string, number])[0] <= d) {
      last = (sorted[i] as [string, number])[1];
      i++;
    }
    out.push(last);
  }
  return out;
}

const periodKey = (day: string, r: Rebalance) => {
  const m = Number(day.slice(5, 7));
  if (r === 'monthly') return day.slice(0, 7);
  if (r === 'quarterly') return `${day.slice(0, 4)}Q${Math.ceil(m / 3)}`;
  if (r === 'yearly') return day.slice(0, 4);
  if (r === 'daily') return day;
  return '';
};

export interface BenchmarkSeries {
  label: string;
  /** Value on each day, 100 on the first. */
  values: number[];
  method: string;
  components: string[];
}

async function assetIds(env: Env, symbols: string[]): Promise<Map<string, string>> {
  const ids = symbols.map((s) => catalogAssetId(s));
  const { results } = await env.DB.prepare(
    'SELECT id, symbol FROM assets WHERE id IN (SELECT value FROM json_each(?1))',
  )
    .bind(JSON.stringify(ids))
    .all<{ id: string; symbol: string }>();
  const found = new Map(results.map((r) => [r.symbol.toUpperCase(), r.id]));
  const missing = symbols.filter((s) => !found.has(s));
  if (missing.length) throw bad(`benchmark ${missing.join(', ')} is not in the catalog`);
  return found;
}

/** The benchmark's value on each of `days` (consecutive calendar days), rebased to 100. */
export async function benchmarkSeries(
  env: Env,
  spec: BenchmarkSpec,
  days: string[],
): Promise<BenchmarkSeries> {
  const from = days[0] as string;
  const to = days[days.length - 1] as string;
  if (spec.kind === 'total_crypto') return totalCrypto(env, days);
  const parts = spec.kind === 'asset' ? [{ symbol: spec.symbol, weight: 1 }] : spec.weights;
  const ids = await assetIds(
    env,
    parts.map((p) => p.symbol),
  );
  const closes = await dailyCloses(env, [...ids.values()], from, to);
  const paths = parts.map((p) => carried(closes.get(ids.get(p.symbol) as string), days));
  const missing = parts.filter((_, i) => paths[i]?.[0] === null).map((p) => p.symbol);
  if (missing.length) {
    throw new ApiError('VALIDATION_ERROR', `No stored close of ${missing.join(', ')} on or before ${from}`, {
      details: { field: 'benchmark' },
      suggestion: 'Choose a later from, or another benchmark.',
    });
  }
  const rebalance = spec.kind === 'mix' ? spec.rebalance : 'none';
  // Units of each part, reset to the weights at the first close of each rebalancing period.
  let units = parts.map((p, i) => (p.weight * 100) / ((paths[i] as number[])[0] as number));
  let period = periodKey(from, rebalance);
  const values: number[] = [];
  days.forEach((d, t) => {
    let v = parts.reduce((s, _, i) => s + (units[i] as number) * ((paths[i] as number[])[t] as number), 0);
    const key = periodKey(d, rebalance);
    if (t > 0 && rebalance !== 'none' && key !== period) {
      units = parts.map((p, i) => (p.weight * v) / ((paths[i] as number[])[t] as number));
      v = parts.reduce((s, _, i) => s + (units[i] as number) * ((paths[i] as number[])[t] as number), 0);
    }
    period = key;
    values.push(v);
  });
  const label =
    spec.kind === 'asset'
      ? spec.symbol
      : (spec.name ?? parts.map((p) => `${p.symbol} ${Math.round(p.weight * 1000) / 10}%`).join(' / '));
  return {
    label,
    values,
    components: parts.map((p) => p.symbol),
    method:
      spec.kind === 'asset'
        ? `${spec.symbol}'s daily close, carried forward over days without one, rebased to 100`
        : `Weights ${parts.map((p) => `${p.symbol} ${Math.round(p.weight * 1000) / 10}%`).join(', ')}, rebalanced ${rebalance === 'none' ? 'never (buy and hold)' : `at the first close of each ${rebalance === 'daily' ? 'day' : rebalance.replace('ly', '')}`}; closes carried forward; rebased to 100`,
  };
}

/**
 * A total-crypto index: each day's return is the average of the catalog's crypto assets'
 * daily returns weighted by their latest stored market cap before that day (asset_metrics).
 */
async function totalCrypto(env: Env, days: string[]): Promise<BenchmarkSeries> {
  const from = days[0] as string;
  const to = days[days.length - 1] as string;
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const { results } = await env.DB.prepare(
    `SELECT m.asset_id, m.time, m.value FROM asset_metrics m JOIN assets a ON a.id = m.asset_id
     WHERE m.metric = 'market_cap' AND a.asset_type = 'crypto' AND m.time <= ?2
       AND m.time >= (SELECT coalesce(max(x.time), 0) FROM asset_metrics x WHERE x.asset_id = m.asset_id AND x.metric = 'market_cap' AND x.time <= ?1)`,
  )
    .bind(start, end)
    .all<{ asset_id: string; time: number; value: number }>();
  const caps = new Map<string, Map<string, number>>();
  for (const r of results) {
    const m = caps.get(r.asset_id) ?? new Map<string, number>();
    m.set(dayString(Math.floor(r.time / 86_400_000)), r.value);
    caps.set(r.asset_id, m);
  }
  if (caps.size === 0) {
    throw new ApiError(
      'VALIDATION_ERROR',
      `No stored crypto market caps on or before ${to} for ${TOTAL_CRYPTO}`,
      {
        details: { field: 'benchmark' },
      },
    );
  }
  const ids = [...caps.keys()];
  const closes = await dailyCloses(env, ids, dayString(dayNumber(from) - 1), to);
  const prevDays = [dayString(dayNumber(from) - 1), ...days];
  const price = new Map(ids.map((id) => [id, carried(closes.get(id), prevDays)]));
  const cap = new Map(ids.map((id) => [id, carried(caps.get(id), prevDays)]));
  const values = [100];
  const used = new Set<string>();
  for (let t = 1; t < days.length; t++) {
    let weighted = 0;
    let total = 0;
    for (const id of ids) {
      const c = cap.get(id)?.[t] ?? null; // the cap known at the previous day's close
      const p0 = price.get(id)?.[t] ?? null;
      const p1 = price.get(id)?.[t + 1] ?? null;
      if (c === null || p0 === null || p1 === null || c <= 0 || p0 <= 0) continue;
      weighted += c * (p1 / p0 - 1);
      total += c;
      used.add(id);
    }
    values.push((values[t - 1] as number) * (1 + (total > 0 ? weighted / total : 0)));
  }
  return {
    label: TOTAL_CRYPTO,
    values,
    components: [...used].sort(),
    method:
      "Cap-weighted index of the catalog's crypto assets: each day's return is Σ cap·r / Σ cap, caps the latest stored market cap before the day, returns from daily closes carried forward; rebased to 100",
  };
}

const DAYS_PER_YEAR = 365;

/** Geometric capture: (Π(1+r_p))^(1/n) − 1 over (Π(1+r_b))^(1/n) − 1 on the days the benchmark rose (or fell). */
function capture(p: number[], b: number[], up: boolean): number | null {
  let gp = 0;
  let gb = 0;
  let n = 0;
  b.forEach((rb, i) => {
    if (up ? rb > 0 : rb < 0) {
      gp += Math.log1p(p[i] as number);
      gb += Math.log1p(rb);
      n++;
    }
  });
  if (n === 0) return null;
  const db = Math.expm1(gb / n);
  return db === 0 ? null : Math.expm1(gp / n) / db;
}

const wealthOf = (returns: number[]) => {
  const w = [1];
  for (const r of returns) w.push((w[w.length - 1] as number) * (1 + r));
  return w;
};

/** The portfolio against a benchmark over the same days: both series rebased and the relative statistics. */
export function compareWithBenchmark(
  points: ValuationPoint[],
  portfolioReturns: number[],
  bench: BenchmarkSeries,
) {
  const b = bench.values.slice(1).map((v, i) => v / (bench.values[i] as number) - 1);
  const p = portfolioReturns;
  const pw = wealthOf(p);
  const bw = bench.values.map((v) => v / 100);
  const days =
    points.length > 1
      ? dayNumber((points.at(-1) as ValuationPoint).date) - dayNumber((points[0] as ValuationPoint).date)
      : 0;
  const total = (w: number[]) => (w[w.length - 1] as number) - 1;
  const annual = (r: number) =>
    days >= DAYS_PER_YEAR && r > -1 ? (1 + r) ** (DAYS_PER_YEAR / days) - 1 : null;
  const ba = p.length >= 2 ? betaAlpha(p, b, { periodsPerYear: PERIODS_PER_YEAR }) : null;
  const dd = (w: number[]) =>
    w.length > 1 && w.every((x) => x > 0) ? (maxDrawdown(w)?.maxDrawdown ?? null) : null;
  const pr = total(pw);
  const br = total(bw);
  return {
    benchmark: bench.label,
    components: bench.components,
    data_points: points.length,
    series: points.map((pt, i) => ({
      date: pt.date,
      portfolio: Math.round((pw[i] as number) * 1e8) / 1e6,
      benchmark: Math.round((bw[i] as number) * 1e8) / 1e6,
    })),
    portfolio_return: pr,
    benchmark_return: br,
    excess_return: pr - br,
    portfolio_return_annualized: annual(pr),
    benchmark_return_annualized: annual(br),
    excess_return_annualized:
      annual(pr) !== null && annual(br) !== null ? (annual(pr) as number) - (annual(br) as number) : null,
    beta: ba?.beta ?? null,
    alpha_annualized: ba?.alphaAnnualized ?? null,
    correlation: ba?.correlation ?? null,
    r_squared: ba?.rSquared ?? null,
    tracking_error: p.length >= 2 ? trackingError(p, b, { periodsPerYear: PERIODS_PER_YEAR }) : null,
    information_ratio: p.length >= 2 ? informationRatio(p, b, { periodsPerYear: PERIODS_PER_YEAR }) : null,
    up_capture: capture(p, b, true),
    down_capture: capture(p, b, false),
    max_drawdown_portfolio: dd(pw),
    max_drawdown_benchmark: dd(bw),
    method: {
      benchmark: bench.method,
      returns:
        'Daily: the portfolio’s time-weighted returns against the benchmark’s on the same calendar days',
      beta_alpha: `β = cov/var of daily returns (sample); Jensen's α per day × ${PERIODS_PER_YEAR}, risk-free 0`,
      tracking_error: `Sample standard deviation of daily active returns × √${PERIODS_PER_YEAR}`,
      information_ratio: `Mean daily active return ÷ its standard deviation × √${PERIODS_PER_YEAR}`,
      capture:
        'Geometric mean daily return of the portfolio ÷ the benchmark’s, on the days the benchmark rose (up) or fell (down)',
      max_drawdown: 'Largest fall from a peak of each rebased series (flows excluded from the portfolio’s)',
    },
  };
}
