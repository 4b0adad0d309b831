import { and, eq } from 'drizzle-orm';
import { marketNow } from '../../../core/market-clock';
import { db } from '../../../db/client';
import { type FactorSet, portfolioFactorExposures, positionFactorExposures } from '../../../db/schema';
import { covarianceMatrix, ols, QuantInputError } from '../../../quant';
import { catalogAssetId } from '../../assets/catalog';
import { isOptionValue, optionGreeks } from '../../portfolios/services/insight';
import type { PortfolioRow } from '../../portfolios/services/portfolios';
import { portfolioValue } from '../../portfolios/services/summary';
import type { PortfolioValue, PositionValue } from '../../portfolios/services/valuation';
import { riskFreeRate } from '../../portfolios/services/valuation';
import {
  alignedReturns,
  type CloseSeries,
  closesOf,
  DAY,
  dayOf,
  type FrenchRow,
  frenchFactors,
} from './market';

/** 004's seven ETF-proxy factors: the market in excess of the T-bill, the others as spreads over SPY. */
export const ETF7 = [
  { factor: 'market', etf: 'SPY', definition: 'SPY return - RF' },
  { factor: 'size', etf: 'IWM', definition: 'IWM return - SPY return' },
  { factor: 'value', etf: 'VLUE', definition: 'VLUE return - SPY return' },
  { factor: 'momentum', etf: 'MTUM', definition: 'MTUM return - SPY return' },
  { factor: 'quality', etf: 'QUAL', definition: 'QUAL return - SPY return' },
  { factor: 'low_volatility', etf: 'USMV', definition: 'USMV return - SPY return' },
  { factor: 'dividend_yield', etf: 'VYM', definition: 'VYM return - SPY return' },
] as const;

/** Fama-French five factors and momentum (Kenneth French daily files, one vintage). */
export const FF5MOM = ['mkt_rf', 'smb', 'hml', 'rmw', 'cma', 'mom'] as const;
const FF_NAMES: Record<(typeof FF5MOM)[number], string> = {
  mkt_rf: 'market',
  smb: 'size',
  hml: 'value',
  rmw: 'profitability',
  cma: 'investment',
  mom: 'momentum',
};

export const FACTOR_NAMES: Record<FactorSet, string[]> = {
  etf7: ETF7.map((f) => f.factor),
  ff5mom: FF5MOM.map((f) => FF_NAMES[f]),
};

export const DEFAULT_LOOKBACK = 252;
export const MIN_OBSERVATIONS = 60;
const PERIODS = 252;
/** Calendar days loaded for a lookback of n trading days (holidays, gaps). */
const calendarSpan = (n: number) => Math.ceil(n * 1.6 + 30) * DAY;

export interface Coefficient {
  factor: string;
  beta: number;
  standard_error: number;
  t_stat: number;
  p_value: number;
}

export interface FactorModel {
  factor_set: FactorSet;
  coefficients: Coefficient[];
  alpha: { daily: number; annualized: number; standard_error: number; t_stat: number };
  r_squared: number;
  adjusted_r_squared: number;
  /** Residual standard error (daily) and annualized by √252. */
  residual_volatility_daily: number;
  residual_volatility_annualized: number;
  observations: number;
  lookback: number;
  window_start: string;
  window_end: string;
  dependent: string;
  factor_definitions: Record<string, string>;
  french_vintage: string | null;
  method: string;
}

export interface AlignedFactorData {
  times: number[];
  /** The position's excess returns. */
  y: number[];
  /** One series per factor (FACTOR_NAMES order, plus crypto_market where used). */
  x: number[][];
  names: string[];
  definitions: Record<string, string>;
  vintage: string | null;
}

/** Compounded French values over the days in (t0, t1]: sums of logs would differ; this is Π(1+f)-1. */
function compoundFrench(
  rows: FrenchRow[],
  index: Map<number, number>,
  t0: number,
  t1: number,
  key: keyof FrenchRow,
) {
  let w = 1;
  let any = false;
  for (let t = t0 + DAY; t <= t1; t += DAY) {
    const i = index.get(t);
    if (i === undefined) continue;
    const v = (rows[i] as FrenchRow)[key];
    if (v === null) return null;
    w *= 1 + v;
    any = true;
  }
  return any ? w - 1 : null;
}

/**
 * The aligned regression data of one asset for a factor set, ending at the last common day
 * before `now`, the last `lookback` observations. Pure given its inputs (tests rebuild it).
 */
export function alignFactorData(input: {
  factorSet: FactorSet;
  asset: CloseSeries;
  etfs: Map<string, CloseSeries>;
  french: { vintage: string; rows: FrenchRow[] } | null;
  crypto: CloseSeries | null;
  lookback: number;
}): AlignedFactorData | null {
  const { french } = input;
  if (!french || french.rows.length === 0) return null;
  const fIndex = new Map(french.rows.map((r, i) => [r.time, i]));
  const frenchDays: CloseSeries = { times: french.rows.map((r) => r.time), closes: french.rows.map(() => 1) };
  const extra = input.crypto ? [input.crypto] : [];
  const names = [...FACTOR_NAMES[input.factorSet], ...(input.crypto ? ['crypto_market'] : [])];
  const definitions: Record<string, string> = {};
  let series: CloseSeries[];
  if (input.factorSet === 'etf7') {
    const etfs = ETF7.map((f) => input.etfs.get(f.etf));
    if (etfs.some((s) => !s || s.times.length < 2)) return null;
    series = [input.asset, ...(etfs as CloseSeries[]), ...extra, frenchDays];
    for (const f of ETF7) definitions[f.factor] = f.definition;
  } else {
    series = [input.asset, ...extra, frenchDays];
    for (const f of FF5MOM) definitions[FF_NAMES[f]] = `Kenneth French ${f.toUpperCase()} (daily, decimal)`;
  }
  if (input.crypto) definitions.crypto_market = 'BTC return - RF (crypto positions only)';
  const aligned = alignedReturns(series);
  const y: number[] = [];
  const x: number[][] = names.map(() => []);
  const times: number[] = [];
  const n = aligned.times.length;
  for (let i = 0; i < n; i++) {
    const t1 = aligned.times[i] as number;
    const t0 = i > 0 ? (aligned.times[i - 1] as number) : null;
    // The first return's start is the common day before it; rebuild it from the asset series.
    const start = t0 ?? previousCommon(series, t1);
    if (start === null) continue;
    const rf = compoundFrench(french.rows, fIndex, start, t1, 'rf');
    if (rf === null) continue;
    const r = aligned.returns;
    const asset = (r[0] as number[])[i] as number;
    const row: number[] = [];
    if (input.factorSet === 'etf7') {
      const spy = (r[1] as number[])[i] as number;
      row.push(spy - rf);
      for (let k = 1; k < ETF7.length; k++) row.push(((r[1 + k] as number[])[i] as number) - spy);
      if (input.crypto) row.push(((r[1 + ETF7.length] as number[])[i] as number) - rf);
    } else {
      let missing = false;
      for (const f of FF5MOM) {
        const v = compoundFrench(french.rows, fIndex, start, t1, f);
        if (v === null) missing = true;
        row.push(v ?? 0);
      }
      if (missing) continue;
      if (input.crypto) row.push(((r[1] as number[])[i] as number) - rf);
    }
    times.push(t1);
    y.push(asset - rf);
    row.forEach((v, k) => {
      (x[k] as number[]).push(v);
    });
  }
  const keep = Math.max(0, times.length - input.lookback);
  return {
    times: times.slice(keep),
    y: y.slice(keep),
    x: x.map((s) => s.slice(keep)),
    names,
    definitions,
    vintage: french.vintage,
  };
}

function previousCommon(series: CloseSeries[], t1: number): number | null {
  const sets = series.map((s) => new Set(s.times));
  const first = series[0] as CloseSeries;
  for (let i = first.times.indexOf(t1) - 1; i >= 0; i--) {
    const t = first.times[i] as number;
    if (sets.every((s) => s.has(t))) return t;
  }
  return null;
}

export type RegressionOutcome =
  | { status: 'ok'; model: FactorModel }
  | { status: 'insufficient_data' | 'no_prices' | 'unsupported'; reason: string; observations: number };

/** OLS of the aligned excess returns on the factors (with an intercept), via the quant library. */
export function regress(
  data: AlignedFactorData | null,
  factorSet: FactorSet,
  lookback: number,
): RegressionOutcome {
  if (!data)
    return { status: 'no_prices', reason: 'No factor or price data up to the market clock', observations: 0 };
  const n = data.y.length;
  if (n < Math.max(MIN_OBSERVATIONS, data.names.length + 2))
    return {
      status: 'insufficient_data',
      reason: `${n} aligned daily returns; at least ${MIN_OBSERVATIONS} are required`,
      observations: n,
    };
  let fit: ReturnType<typeof ols>;
  try {
    fit = ols(data.y, data.x);
  } catch (err) {
    if (err instanceof QuantInputError)
      return { status: 'insufficient_data', reason: `Regression failed: ${err.message}`, observations: n };
    throw err;
  }
  const c = fit.coefficients;
  const se = fit.standardErrors;
  const t = fit.tStatistics;
  const p = fit.pValues;
  return {
    status: 'ok',
    model: {
      factor_set: factorSet,
      coefficients: data.names.map((factor, k) => ({
        factor,
        beta: c[k + 1] as number,
        standard_error: se[k + 1] as number,
        t_stat: t[k + 1] as number,
        p_value: p[k + 1] as number,
      })),
      alpha: {
        daily: c[0] as number,
        annualized: (c[0] as number) * PERIODS,
        standard_error: se[0] as number,
        t_stat: t[0] as number,
      },
      r_squared: fit.rSquared,
      adjusted_r_squared: fit.adjustedRSquared,
      residual_volatility_daily: fit.residualStdError,
      residual_volatility_annualized: fit.residualStdError * Math.sqrt(PERIODS),
      observations: n,
      lookback,
      window_start: dayOf(data.times[0] as number),
      window_end: dayOf(data.times.at(-1) as number),
      dependent: 'daily simple return of the position’s asset minus the T-bill return (French RF)',
      factor_definitions: data.definitions,
      french_vintage: data.vintage,
      method: 'OLS with intercept (Householder QR), sample SE with n-p degrees of freedom',
    },
  };
}

/** The asset whose prices drive a position: an option's underlying, or the asset itself. */
export const pricedAssetOf = (v: PositionValue) =>
  isOptionValue(v) ? (v.position.underlyingAssetId ?? v.position.assetId) : v.position.assetId;

/**
 * The position's exposure in money for weighting: market value for linear holdings, the
 * delta-equivalent (Black-Scholes delta × underlying × quantity × multiplier) for options
 * whose implied volatility is known; null for options without it.
 */
export function exposureValue(v: PositionValue, now: number, rate: number): number | null {
  if (!isOptionValue(v)) return v.marketValue;
  const g = optionGreeks(v, now, rate);
  return g ? g.delta_notional : null;
}

export interface PositionExposure {
  positionId: string;
  symbol: string;
  marketValue: number;
  weight: number;
  outcome: RegressionOutcome;
}

export interface PortfolioExposureSummary {
  factor_set: FactorSet;
  exposures: Record<string, number>;
  risk_attribution: {
    systematic_risk: number;
    idiosyncratic_risk: number;
    systematic_variance_annualized: number;
    idiosyncratic_variance_annualized: number;
    factor_concentration: Record<string, number>;
    method: string;
  } | null;
  r_squared: number | null;
  total_positions: number;
  positions_with_exposures: number;
  coverage_percentage: number;
  weight_basis: string;
  lookback: number;
  window_end: string | null;
  french_vintage: string | null;
}

export interface FactorInputs {
  closes: Map<string, CloseSeries>;
  french: { vintage: string; rows: FrenchRow[] } | null;
  rate: number;
}

/** The closes (held assets, the factor ETFs, BTC) and French factors one batch needs, read once. */
export async function loadFactorInputs(
  env: Env,
  value: PortfolioValue,
  lookback: number,
): Promise<FactorInputs> {
  const now = Date.parse(value.asOf);
  const open = value.positions.filter((v) => v.isOpen);
  const assetIds = open.map(pricedAssetOf).filter((x): x is string => !!x);
  const ids = [...assetIds, ...ETF7.map((f) => catalogAssetId(f.etf)), catalogAssetId('BTC')];
  const span = calendarSpan(lookback + 5);
  const [base, rate] = await Promise.all([
    closesOf(env, ids, now - span, now),
    open.some(isOptionValue) ? riskFreeRate(env) : Promise.resolve(0),
  ]);
  // A held asset whose prices stopped earlier (a stale series) gets its own last `lookback`
  // days: then everything is read over three spans, so the factors cover its window too.
  const stale = assetIds.some((id) => (base.get(id)?.times.length ?? 0) < lookback + 1);
  const from = stale ? now - 3 * span : now - span;
  const [closes, french] = await Promise.all([
    stale ? closesOf(env, ids, from, now) : Promise.resolve(base),
    frenchFactors(env, from, now),
  ]);
  return { closes, french, rate };
}

/**
 * Factor exposures of every open position of a portfolio and the value-weighted portfolio
 * exposures, computed from data up to the market clock.
 */
export async function computeExposures(
  env: Env,
  value: PortfolioValue,
  factorSet: FactorSet,
  lookback = DEFAULT_LOOKBACK,
  loaded?: FactorInputs,
): Promise<{ positions: PositionExposure[]; summary: PortfolioExposureSummary }> {
  const now = Date.parse(value.asOf);
  const open = value.positions.filter((v) => v.isOpen);
  const btcId = catalogAssetId('BTC');
  const { closes, french, rate } = loaded ?? (await loadFactorInputs(env, value, lookback));
  const etfs = new Map(
    ETF7.map((f) => [f.etf, closes.get(catalogAssetId(f.etf)) ?? { times: [], closes: [] }]),
  );
  const nav = value.totalValue;
  const positions: PositionExposure[] = [];
  for (const v of open) {
    const assetId = pricedAssetOf(v);
    const exposure = exposureValue(v, now, rate);
    const weight = exposure !== null && nav > 0 ? exposure / nav : 0;
    const base = { positionId: v.position.id, symbol: v.position.symbol, marketValue: v.marketValue, weight };
    const series = assetId ? closes.get(assetId) : undefined;
    if (exposure === null) {
      positions.push({
        ...base,
        outcome: {
          status: 'unsupported',
          reason: 'Option without implied volatility: no delta to weight its exposure',
          observations: 0,
        },
      });
      continue;
    }
    if (!series || series.times.length < 2) {
      positions.push({
        ...base,
        outcome: {
          status: 'no_prices',
          reason: 'No daily closes for this asset before the market clock',
          observations: 0,
        },
      });
      continue;
    }
    const isCrypto = v.position.assetType === 'crypto' && assetId !== btcId;
    const data = alignFactorData({
      factorSet,
      asset: series,
      etfs,
      french,
      crypto: isCrypto ? (closes.get(btcId) ?? null) : null,
      lookback,
    });
    positions.push({ ...base, outcome: regress(data, factorSet, lookback) });
  }
  return { positions, summary: summarize(factorSet, positions, etfs, french, lookback, value) };
}

function summarize(
  factorSet: FactorSet,
  positions: PositionExposure[],
  etfs: Map<string, CloseSeries>,
  french: { vintage: string; rows: FrenchRow[] } | null,
  lookback: number,
  value: PortfolioValue,
): PortfolioExposureSummary {
  const names = FACTOR_NAMES[factorSet];
  const ok = positions.filter((p) => p.outcome.status === 'ok');
  const exposures: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  let idio = 0;
  let r2Weighted = 0;
  let weightSum = 0;
  for (const p of ok) {
    if (p.outcome.status !== 'ok') continue;
    for (const c of p.outcome.model.coefficients)
      if (c.factor in exposures) exposures[c.factor] = (exposures[c.factor] as number) + p.weight * c.beta;
    idio += p.weight * p.weight * p.outcome.model.residual_volatility_daily ** 2;
    r2Weighted += Math.abs(p.weight) * p.outcome.model.r_squared;
    weightSum += Math.abs(p.weight);
  }
  // Factor covariance over the same lookback, from the factor series alone.
  let attribution: PortfolioExposureSummary['risk_attribution'] = null;
  const fx = alignFactorData({
    factorSet,
    asset:
      factorSet === 'etf7'
        ? (etfs.get('SPY') ?? { times: [], closes: [] })
        : { times: (french?.rows ?? []).map((r) => r.time), closes: (french?.rows ?? []).map(() => 1) },
    etfs,
    french,
    crypto: null,
    lookback,
  });
  if (fx && fx.y.length > names.length + 1 && ok.length > 0) {
    const cov = covarianceMatrix(fx.x.slice(0, names.length));
    const b = names.map((n) => exposures[n] as number);
    const sigmaB = cov.map((row) => row.reduce((s, c, j) => s + c * (b[j] as number), 0));
    const sys = b.reduce((s, bi, i) => s + bi * (sigmaB[i] as number), 0);
    const total = sys + idio;
    if (total > 0)
      attribution = {
        systematic_risk: sys / total,
        idiosyncratic_risk: idio / total,
        systematic_variance_annualized: sys * PERIODS,
        idiosyncratic_variance_annualized: idio * PERIODS,
        factor_concentration: Object.fromEntries(
          names.map((n, i) => [n, sys > 0 ? ((b[i] as number) * (sigmaB[i] as number)) / sys : 0]),
        ),
        method:
          'systematic = bᵀΣ_f b (b the value-weighted exposures, Σ_f the sample factor covariance over the lookback); idiosyncratic = Σ w²·s² (residual variances, residuals assumed uncorrelated); factor_concentration = Euler shares b_k(Σ_f b)_k / bᵀΣ_f b',
      };
  }
  const windowEnds = ok.map((p) => (p.outcome.status === 'ok' ? p.outcome.model.window_end : ''));
  return {
    factor_set: factorSet,
    exposures,
    risk_attribution: attribution,
    r_squared: weightSum > 0 ? r2Weighted / weightSum : null,
    total_positions: positions.length,
    positions_with_exposures: ok.length,
    coverage_percentage: positions.length ? (ok.length / positions.length) * 100 : 0,
    weight_basis: `exposure value / portfolio total value (${value.totalValue.toFixed(2)} ${value.portfolio.baseCurrency}); options at delta-equivalent; cash has no exposure`,
    lookback,
    window_end: windowEnds.sort().at(-1) ?? null,
    french_vintage: french?.vintage ?? null,
  };
}

/**
 * The factor batch for one portfolio: regressions of every open position under both factor
 * sets, stored (upserts in one D1 batch), stale rows of closed positions removed. Idempotent.
 */
export async function runFactorBatch(env: Env, portfolio: PortfolioRow): Promise<string> {
  const value = await portfolioValue(env, portfolio);
  // Batch times are market times: under replay the clock, not the wall clock.
  const calculatedAt = new Date(await marketNow(env)).toISOString();
  const d = db(env);
  const statements = [];
  statements.push(
    d.delete(positionFactorExposures).where(eq(positionFactorExposures.portfolioId, portfolio.id)),
  );
  const loaded = await loadFactorInputs(env, value, DEFAULT_LOOKBACK);
  for (const set of ['etf7', 'ff5mom'] as const) {
    const computed = await computeExposures(env, value, set, DEFAULT_LOOKBACK, loaded);
    const positions = computed.positions;
    const summary = { ...computed.summary, holdings_key: holdingsKey(value) };
    for (const p of positions)
      statements.push(
        d.insert(positionFactorExposures).values({
          positionId: p.positionId,
          factorSet: set,
          portfolioId: portfolio.id,
          symbol: p.symbol,
          status: p.outcome.status,
          marketValue: p.marketValue,
          weight: p.weight,
          model: (p.outcome.status === 'ok'
            ? p.outcome.model
            : { reason: p.outcome.reason, observations: p.outcome.observations }) as unknown as Record<
            string,
            unknown
          >,
          calculatedAt,
          asOf: value.asOf,
        }),
      );
    statements.push(
      d
        .insert(portfolioFactorExposures)
        .values({
          portfolioId: portfolio.id,
          factorSet: set,
          summary: summary as unknown as Record<string, unknown>,
          calculatedAt,
          asOf: value.asOf,
        })
        .onConflictDoUpdate({
          target: [portfolioFactorExposures.portfolioId, portfolioFactorExposures.factorSet],
          set: { summary: summary as unknown as Record<string, unknown>, calculatedAt, asOf: value.asOf },
        }),
    );
  }
  const [first, ...rest] = statements;
  if (first) await d.batch([first, ...rest]);
  return calculatedAt;
}

/**
 * Open positions with their quantities (and options' implied volatilities, which reprice them),
 * and the cash: what a stored computation was made for.
 */
export const holdingsKey = (value: PortfolioValue) =>
  [
    `cash:${value.cash}`,
    ...value.positions
      .filter((v) => v.isOpen)
      .map((v) =>
        v.position.impliedVolatility === null
          ? `${v.position.id}:${v.quantity}`
          : `${v.position.id}:${v.quantity}:${v.position.impliedVolatility}`,
      )
      .sort(),
  ].join('|');

export interface StoredExposures {
  positions: (typeof positionFactorExposures.$inferSelect)[];
  summary: PortfolioExposureSummary;
  calculatedAt: string;
  asOf: string;
}

/**
 * The stored exposures of a portfolio for a factor set; the batch runs first when nothing is
 * stored yet or the market clock has passed another close since the stored run.
 */
export async function storedExposures(env: Env, value: PortfolioValue, factorSet: FactorSet) {
  const portfolio = value.portfolio;
  const now = Date.parse(value.asOf);
  const openIds = value.positions
    .filter((v) => v.isOpen)
    .map((v) => v.position.id)
    .sort()
    .join(',');
  const d = db(env);
  const read = async () => {
    const [summary, positions] = await Promise.all([
      d
        .select()
        .from(portfolioFactorExposures)
        .where(
          and(
            eq(portfolioFactorExposures.portfolioId, portfolio.id),
            eq(portfolioFactorExposures.factorSet, factorSet),
          ),
        )
        .get(),
      d
        .select()
        .from(positionFactorExposures)
        .where(
          and(
            eq(positionFactorExposures.portfolioId, portfolio.id),
            eq(positionFactorExposures.factorSet, factorSet),
          ),
        ),
    ]);
    return { summary, positions };
  };
  let got = await read();
  const stale =
    !got.summary ||
    dayOf(Date.parse(got.summary.asOf)) !== dayOf(now) ||
    (got.summary.summary as { holdings_key?: string }).holdings_key !== holdingsKey(value) ||
    got.positions
      .map((p) => p.positionId)
      .sort()
      .join(',') !== openIds;
  if (stale) {
    await runFactorBatch(env, portfolio);
    got = await read();
  }
  if (!got.summary) throw new Error('factor batch stored nothing');
  return {
    positions: got.positions,
    summary: got.summary.summary as unknown as PortfolioExposureSummary,
    calculatedAt: got.summary.calculatedAt,
    asOf: got.summary.asOf,
  } satisfies StoredExposures;
}
