import { and, eq, lte, sql } from 'drizzle-orm';
import { ApiError } from '../../../core/errors';
import { registerMemo } from '../../../core/isolate-memos';
import { marketNow } from '../../../core/market-clock';
import { db } from '../../../db/client';
import { assets, priceData } from '../../../db/schema';
import { blackScholes } from '../../../quant';
import { catalogAssetId } from '../../assets/catalog';
import { assetFreshness, type Freshness } from '../../prices/freshness';
import { servedQuotes } from '../../prices/market-cap';
import { D, type LedgerState } from '../ledger';
import type { PortfolioRow, PositionRow } from './portfolios';

const DAY = 86_400_000;
export const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface PricePoint {
  price: number;
  /** Previous close (or the price 24 h earlier), for day changes; null when unknown. */
  previous: number | null;
  /** Epoch ms of the price. */
  at: number;
  source: 'quote' | 'daily_close';
}

/**
 * Prices of assets now (quotes, falling back to the latest daily close) or as of a date (the
 * daily close on or before it, and the close before that for the day change).
 */
export async function pricesFor(
  env: Env,
  assetIds: string[],
  asOf?: string,
): Promise<Map<string, PricePoint>> {
  const out = new Map<string, PricePoint>();
  const ids = [...new Set(assetIds)];
  if (ids.length === 0) return out;
  const d = db(env);
  for (let i = 0; i < ids.length; i += 90) {
    const chunk = ids.slice(i, i + 90);
    if (!asOf) {
      // Latest quotes, through the isolate's quote memo (the hottest reads share it).
      const served = await servedQuotes(env, chunk);
      for (const q of served.values()) {
        out.set(q.assetId, {
          price: q.price,
          previous: q.change24h !== null ? q.price - q.change24h : q.open24h,
          at: q.asOf,
          source: 'quote',
        });
      }
    }
    const missing = chunk.filter((id) => !out.has(id));
    if (missing.length === 0) continue;
    const end = asOf ? Date.parse(`${asOf}T00:00:00Z`) : Number.MAX_SAFE_INTEGER;
    // The two latest closes at or before the date, looking back at most 30 days (weekends, holidays).
    const rows = await d.all<{ asset_id: string; open_time: number; close: number; rn: number }>(sql`
      SELECT asset_id, open_time, close, rn FROM (
        SELECT asset_id, open_time, close,
          ROW_NUMBER() OVER (PARTITION BY asset_id ORDER BY open_time DESC) AS rn
        FROM price_data
        WHERE timeframe = '1d' AND open_time <= ${end}
          AND open_time >= ${asOf ? end - 30 * DAY : 0}
          AND asset_id IN (SELECT value FROM json_each(${JSON.stringify(missing)}))
      ) WHERE rn <= 2`);
    for (const r of rows) {
      const p = out.get(r.asset_id);
      if (r.rn === 1)
        out.set(r.asset_id, {
          price: r.close,
          previous: p?.price ?? null,
          at: r.open_time,
          source: 'daily_close',
        });
      else if (p) p.previous = r.close;
      else
        out.set(r.asset_id, { price: Number.NaN, previous: r.close, at: r.open_time, source: 'daily_close' });
    }
    for (const [id, p] of out) if (Number.isNaN(p.price)) out.delete(id);
  }
  return out;
}

/**
 * Currencies a portfolio may report in. The catalog quotes every price in USD; the stored FX
 * series (daily closes, and quotes when live) turn them into the portfolio's currency. A
 * portfolio's ledger (trade prices, fees, cash) is kept in its own currency.
 */
export const CURRENCIES = {
  USD: null,
  EUR: { symbol: 'EURUSD', usdPerUnit: true },
  GBP: { symbol: 'GBPUSD', usdPerUnit: true },
  JPY: { symbol: 'USDJPY', usdPerUnit: false },
} as const;
export type Currency = keyof typeof CURRENCIES;

const fxSpec = (currency: string) => CURRENCIES[currency as Currency] ?? null;

/** The catalog asset whose price converts USD into `currency`; null for USD. */
export const fxAssetId = (currency: string) => {
  const spec = fxSpec(currency);
  return spec ? catalogAssetId(spec.symbol) : null;
};

/** A USD amount in `currency` at `rate` (the FX series' price: USD per unit, or units per USD for JPY). */
export function fromUsd(currency: string, usd: number, rate: number): number {
  const spec = fxSpec(currency);
  if (!spec) return usd;
  return spec.usdPerUnit ? usd / rate : usd * rate;
}

/** An amount in `currency` in USD at `rate`. */
export function toUsd(currency: string, amount: number, rate: number): number {
  const spec = fxSpec(currency);
  if (!spec) return amount;
  return spec.usdPerUnit ? amount * rate : amount / rate;
}

/**
 * Prices in a portfolio's currency: USD prices (now, or as of a day) converted at the FX rate
 * of the same moment, and previous prices at the previous rate, so day changes include the
 * currency's move. `fx` is the rate used (null for USD).
 */
export async function pricesIn(
  env: Env,
  currency: string,
  assetIds: string[],
  asOf?: string,
): Promise<{ prices: Map<string, PricePoint>; fx: PricePoint | null }> {
  const fxId = fxAssetId(currency);
  if (!fxId) return { prices: await pricesFor(env, assetIds, asOf), fx: null };
  const all = await pricesFor(env, [...assetIds, fxId], asOf);
  const fx = all.get(fxId);
  if (!fx && assetIds.length === 0) return { prices: new Map(), fx: null };
  if (!fx) {
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      `No stored ${currency} exchange rate${asOf ? ` on or before ${asOf}` : ''}`,
      {
        suggestion: 'Backfill the FX series, or report the portfolio in USD.',
      },
    );
  }
  const prices = new Map<string, PricePoint>();
  for (const id of assetIds) {
    const p = all.get(id);
    if (!p) continue;
    prices.set(id, {
      ...p,
      price: fromUsd(currency, p.price, fx.price),
      previous: p.previous === null ? null : fromUsd(currency, p.previous, fx.previous ?? fx.price),
    });
  }
  return { prices, fx };
}

/** The annual risk-free rate from the Fed funds series (DFF, percent), for option pricing; 0 when absent. */
export async function riskFreeRate(env: Env, asOf?: string): Promise<number> {
  const row = await db(env)
    .select({ close: priceData.close })
    .from(priceData)
    .innerJoin(assets, eq(assets.id, priceData.assetId))
    .where(
      and(
        eq(assets.symbol, 'DFF'),
        eq(assets.ownerId, ''),
        eq(priceData.timeframe, '1d'),
        asOf ? lte(priceData.openTime, Date.parse(`${asOf}T00:00:00Z`)) : undefined,
      ),
    )
    .orderBy(sql`${priceData.openTime} DESC`)
    .limit(1)
    .get();
  return row ? row.close / 100 : 0;
}

export type PriceSource = 'quote' | 'daily_close' | 'black_scholes' | 'intrinsic' | 'cost';

export interface PositionValue {
  position: PositionRow;
  quantity: number;
  multiplier: number;
  /** -1 for SHORT, +1 otherwise. */
  sign: 1 | -1;
  costBasis: number;
  avgCost: number;
  realizedPnl: number;
  income: number;
  price: number;
  previous: number | null;
  priceAt: number | null;
  priceSource: PriceSource;
  /** The price's freshness against the valuation time (market clock, or the as-of day); null when valued at cost. */
  freshness: Freshness | null;
  underlyingPrice: number | null;
  marketValue: number;
  unrealizedPnl: number;
  unrealizedPnlPct: number | null;
  dayChange: number;
  dayChangePct: number | null;
  sector: string;
  isOpen: boolean;
}

export interface PortfolioValue {
  portfolio: PortfolioRow;
  asOf: string;
  method: 'wac' | 'fifo';
  positions: PositionValue[];
  cash: number;
  marketValue: number;
  totalValue: number;
  costBasis: number;
  unrealizedPnl: number;
  realizedPnl: number;
  income: number;
  fees: number;
  netFlows: number;
  totalPnl: number;
  dayChange: number;
  lastPriceAt: number | null;
}

const TYPE_SECTORS: Record<string, string> = {
  crypto: 'Crypto',
  'us-equity': 'Equity',
  'pk-equity': 'PK Equity',
  etf: 'ETF',
  metal: 'Metals',
  cash: 'Cash',
};

export const sectorOf = (p: PositionRow) => p.tags.sector ?? TYPE_SECTORS[p.assetType] ?? 'Other';

/**
 * An option's value per unit from its underlying's price: Black-Scholes-Merton with the
 * position's implied volatility until expiry (21:00 UTC of the expiry day), intrinsic value
 * after; null while the implied volatility is unknown.
 */
export function blackScholesPrice(p: PositionRow, spot: number, at: number, rate: number): number | null {
  const strike = Number(p.strike);
  const expiry = p.expiry ? Date.parse(`${p.expiry}T21:00:00Z`) : Number.NaN;
  if (!Number.isFinite(expiry) || !(strike > 0) || !(spot > 0)) return null;
  const type = p.positionType === 'CALL' ? 'call' : 'put';
  const years = (expiry - at) / (365 * DAY);
  if (years <= 0) return Math.max(0, type === 'call' ? spot - strike : strike - spot);
  if (!p.impliedVolatility) return null;
  return blackScholes({ type, spot, strike, time: years, rate, volatility: p.impliedVolatility }).price;
}

/** The per-position figures from the ledger; `state` absent means the derived columns (current state). */
interface Holding {
  quantity: number;
  costBasis: number;
  avgCost: number;
  realizedPnl: number;
  income: number;
}

function holdingOf(p: PositionRow, method: 'wac' | 'fifo', state?: LedgerState): Holding {
  if (state) {
    const s = state.positions.get(p.id);
    if (!s) return { quantity: 0, costBasis: 0, avgCost: 0, realizedPnl: 0, income: 0 };
    const m = method === 'fifo' ? s.fifo : s.wac;
    return {
      quantity: s.quantity.toNumber(),
      costBasis: m.costBasis.toNumber(),
      avgCost: m.avgCost.toNumber(),
      realizedPnl: m.realizedPnl.toNumber(),
      income: s.income.toNumber(),
    };
  }
  const quantity = Number(p.quantity);
  const costBasis = Number(method === 'fifo' ? p.fifoCostBasis : p.costBasis);
  return {
    quantity,
    costBasis,
    avgCost: quantity > 0 ? costBasis / quantity / Number(p.multiplier) : Number(p.avgCost),
    realizedPnl: Number(method === 'fifo' ? p.fifoRealizedPnl : p.realizedPnl),
    income: Number(p.income),
  };
}

/**
 * Values a portfolio's positions: now from the cached ledger figures and current prices, or as
 * of a date from a replay up to that date and that date's closes. Options are priced with
 * Black-Scholes from the underlying when their implied volatility is known (intrinsic value
 * once expired), and at cost otherwise; instruments the catalog does not price are at cost.
 */
export async function valuePortfolio(
  env: Env,
  portfolio: PortfolioRow,
  positionRows: PositionRow[],
  options: {
    asOf?: string | undefined;
    state?: LedgerState | undefined;
    method?: 'wac' | 'fifo' | undefined;
  } = {},
): Promise<PortfolioValue> {
  const method = options.method ?? portfolio.costMethod;
  const now = options.asOf ? Date.parse(`${options.asOf}T23:59:59Z`) : await marketNow(env);
  const assetIds = positionRows
    .flatMap((p) => [p.assetId, p.underlyingAssetId])
    .filter((x): x is string => !!x);
  const hasOptions = positionRows.some((p) => p.positionType === 'CALL' || p.positionType === 'PUT');
  const [{ prices }, rate] = await Promise.all([
    pricesIn(env, portfolio.baseCurrency, assetIds, options.asOf),
    hasOptions ? riskFreeRate(env, options.asOf) : Promise.resolve(0),
  ]);

  const values: PositionValue[] = [];
  for (const p of positionRows) {
    const h = holdingOf(p, method, options.state);
    const multiplier = Number(p.multiplier);
    const sign: 1 | -1 = p.positionType === 'SHORT' ? -1 : 1;
    const isOption = p.positionType === 'CALL' || p.positionType === 'PUT';
    let price = h.avgCost;
    let previous: number | null = null;
    let priceAt: number | null = null;
    let priceSource: PriceSource = 'cost';
    let underlyingPrice: number | null = null;
    if (isOption) {
      const u = p.assetId ? prices.get(p.assetId) : undefined;
      underlyingPrice = u?.price ?? null;
      const model = u ? blackScholesPrice(p, u.price, now, rate) : null;
      if (u && model !== null) {
        price = model;
        previous = u.previous !== null ? blackScholesPrice(p, u.previous, now, rate) : null;
        priceSource = p.expiry && Date.parse(`${p.expiry}T21:00:00Z`) <= now ? 'intrinsic' : 'black_scholes';
        priceAt = u.at;
      }
    } else if (p.assetId) {
      const q = prices.get(p.assetId);
      if (q) {
        price = q.price;
        previous = q.previous;
        priceAt = q.at;
        priceSource = q.source;
      }
    }
    const gross = h.quantity * price * multiplier;
    const marketValue = sign * gross;
    const unrealizedPnl = sign === 1 ? gross - h.costBasis : h.costBasis - gross;
    const dayChange = previous !== null ? sign * h.quantity * multiplier * (price - previous) : 0;
    values.push({
      position: p,
      quantity: h.quantity,
      multiplier,
      sign,
      costBasis: h.costBasis,
      avgCost: h.avgCost,
      realizedPnl: h.realizedPnl,
      income: h.income,
      price,
      previous,
      priceAt,
      priceSource,
      freshness: priceAt !== null ? assetFreshness(p, priceAt, now) : null,
      underlyingPrice,
      marketValue,
      unrealizedPnl: h.quantity > 0 ? unrealizedPnl : 0,
      unrealizedPnlPct:
        h.quantity > 0 && h.costBasis !== 0 ? (unrealizedPnl / Math.abs(h.costBasis)) * 100 : null,
      dayChange,
      dayChangePct: previous ? sign * (price / previous - 1) * 100 : null,
      sector: sectorOf(p),
      isOpen: h.quantity > 0,
    });
  }

  const totals = options.state
    ? {
        cash: options.state.cash.toNumber(),
        realized: (method === 'fifo'
          ? options.state.realizedPnl.fifo
          : options.state.realizedPnl.wac
        ).toNumber(),
        income: options.state.income.toNumber(),
        fees: options.state.fees.toNumber(),
        netFlows: options.state.flows.reduce((s, f) => s.plus(f.amount), new D(0)).toNumber(),
      }
    : {
        cash: Number(portfolio.cash),
        realized: Number(
          method === 'fifo' ? (portfolio.totals.realized_fifo ?? 0) : (portfolio.totals.realized_wac ?? 0),
        ),
        income: Number(portfolio.totals.income ?? 0),
        fees: Number(portfolio.totals.fees ?? 0),
        netFlows: Number(portfolio.totals.net_flows ?? 0),
      };
  const open = values.filter((v) => v.isOpen);
  const marketValue = open.reduce((s, v) => s + v.marketValue, 0);
  const totalValue = marketValue + totals.cash;
  const lastPriceAt = open.reduce<number | null>(
    (m, v) => (v.priceAt !== null && (m === null || v.priceAt > m) ? v.priceAt : m),
    null,
  );
  return {
    portfolio,
    asOf: new Date(now).toISOString(),
    method,
    positions: values,
    cash: totals.cash,
    marketValue,
    totalValue,
    costBasis: open.reduce((s, v) => s + v.sign * v.costBasis, 0),
    unrealizedPnl: open.reduce((s, v) => s + v.unrealizedPnl, 0),
    realizedPnl: totals.realized,
    income: totals.income,
    fees: totals.fees,
    netFlows: totals.netFlows,
    totalPnl: totalValue - totals.netFlows,
    dayChange: open.reduce((s, v) => s + v.dayChange, 0),
    lastPriceAt,
  };
}

interface CachedCloses {
  count: number;
  lastOpen: number;
  lastUpdated: number;
  closes: Map<number, number>;
}

/**
 * Closes read for a range, kept per isolate (asset, range): the bulk of a long valuation is the
 * same past closes read again for every request. An entry is used only while the range's row
 * count, latest open time and latest `updated_at` are still the ones it was read with (one
 * aggregate on the primary key per request), so a backfill, an upsert or an archive move reads
 * the range again.
 */
const CLOSE_CACHE_ENTRIES = 256;
const closeCache = new Map<string, CachedCloses>();
registerMemo(() => closeCache.clear());

/**
 * Daily closes of assets between two days (inclusive), keyed by day number (read-only: maps may
 * be shared with later calls), plus each asset's
 * latest close before `from` (however old, so the first days carry a real price forward) and
 * any in the month before it.
 *
 * Reads on the primary key (asset_id, timeframe, open_time): each asset's latest close before
 * `from` (one index seek per asset) with the range's row count and latest changes, then only
 * the ranges the isolate has not read as they are now, as one row per asset with its closes
 * packed `day:close,...` to 17 significant digits (`%!.17g` round-trips a double exactly): five
 * years of 50 assets is 60,000 rows, and turning each D1 row into an object cost far more than
 * the query itself.
 */
export async function dailyCloseDays(
  env: Env,
  assetIds: string[],
  from: string,
  to: string,
): Promise<Map<string, ReadonlyMap<number, number>>> {
  const out = new Map<string, Map<number, number>>();
  const ids = [...new Set(assetIds)];
  if (ids.length === 0) return out;
  const first = Date.parse(`${from}T00:00:00Z`);
  const lo = first - 31 * DAY;
  const hi = Date.parse(`${to}T00:00:00Z`);
  const json = JSON.stringify(ids);
  type Stat = { asset_id: string; n?: number; last_open?: number; last_updated?: number };
  type Seed = { asset_id: string; open_time?: number; close?: number };
  const [stats, before] = await env.DB.batch<Stat & Seed>([
    env.DB.prepare(
      `SELECT asset_id, count(*) AS n, max(open_time) AS last_open, max(updated_at) AS last_updated
       FROM price_data
       WHERE asset_id IN (SELECT value FROM json_each(?1)) AND timeframe = '1d' AND open_time BETWEEN ?2 AND ?3
       GROUP BY asset_id`,
    ).bind(json, lo, hi),
    // CROSS JOIN keeps the ids first: left to itself SQLite scans price_data by timeframe.
    env.DB.prepare(
      `SELECT p.asset_id, p.open_time, p.close FROM
         (SELECT j.value AS id, (SELECT max(q.open_time) FROM price_data q
                                 WHERE q.asset_id = j.value AND q.timeframe = '1d' AND q.open_time < ?2) AS t
          FROM json_each(?1) j) m
       CROSS JOIN price_data p ON p.asset_id = m.id AND p.timeframe = '1d' AND p.open_time = m.t`,
    ).bind(json, first),
  ]);
  const key = (id: string) => `${id}:${lo}:${hi}`;
  const missing: Stat[] = [];
  for (const st of (stats?.results ?? []) as Stat[]) {
    const hit = closeCache.get(key(st.asset_id));
    if (hit && hit.count === st.n && hit.lastOpen === st.last_open && hit.lastUpdated === st.last_updated) {
      closeCache.delete(key(st.asset_id));
      closeCache.set(key(st.asset_id), hit);
      out.set(st.asset_id, hit.closes);
    } else {
      missing.push(st);
    }
  }
  if (missing.length > 0) {
    const packed = await env.DB.prepare(
      `SELECT asset_id, group_concat((open_time / 86400000) || ':' || printf('%!.17g', close), ',') AS closes
       FROM price_data
       WHERE asset_id IN (SELECT value FROM json_each(?1)) AND timeframe = '1d' AND open_time BETWEEN ?2 AND ?3
       GROUP BY asset_id`,
    )
      .bind(JSON.stringify(missing.map((m) => m.asset_id)), lo, hi)
      .all<{ asset_id: string; closes: string | null }>();
    const stat = new Map(missing.map((m) => [m.asset_id, m]));
    for (const r of packed.results) {
      const m = new Map<number, number>();
      for (const pair of (r.closes ?? '').split(',')) {
        const colon = pair.indexOf(':');
        if (colon > 0) m.set(Number(pair.slice(0, colon)), Number(pair.slice(colon + 1)));
      }
      const st = stat.get(r.asset_id);
      if (st?.n !== undefined && st.last_open !== undefined && st.last_updated !== undefined) {
        closeCache.set(key(r.asset_id), {
          count: st.n,
          lastOpen: st.last_open,
          lastUpdated: st.last_updated,
          closes: m,
        });
        if (closeCache.size > CLOSE_CACHE_ENTRIES)
          closeCache.delete(closeCache.keys().next().value as string);
      }
      out.set(r.asset_id, m);
    }
  }
  // The close before the range goes beside it (a cached map is shared: never written to).
  const result = new Map<string, ReadonlyMap<number, number>>(out);
  for (const r of (before?.results ?? []) as Seed[]) {
    if (r.open_time === undefined || r.close === undefined) continue;
    const day = Math.floor(r.open_time / DAY);
    const m = out.get(r.asset_id);
    if (m?.has(day)) continue;
    result.set(r.asset_id, new Map([[day, r.close], ...(m ?? [])]));
  }
  return result;
}

/** `dailyCloseDays` keyed by YYYY-MM-DD. */
export async function dailyCloses(env: Env, assetIds: string[], from: string, to: string) {
  const out = new Map<string, Map<string, number>>();
  for (const [id, m] of await dailyCloseDays(env, assetIds, from, to)) {
    const byDay = new Map<string, number>();
    for (const [n, close] of [...m].sort((a, b) => a[0] - b[0])) byDay.set(dateOf(n * DAY), close);
    out.set(id, byDay);
  }
  return out;
}
