import { z } from '@hono/zod-openapi';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { config } from '../../core/config';
import { marketNow } from '../../core/market-clock';
import { ReadMemo } from '../../core/read-memo';
import { db } from '../../db/client';
import { priceData, quotes } from '../../db/schema';
import { assetCadence, assetFreshness, CADENCES, type Freshness } from './freshness';

const DAY = 86_400_000;

// The quote row's columns, always named with their table: drizzle writes a column bare when a
// query reads one table, and a bare "asset_id" inside these subqueries would be asset_metrics'
// own (every asset's supply would match).
const QUOTE_ASSET = sql.raw('"quotes"."asset_id"');
const QUOTE_AS_OF = sql.raw('"quotes"."as_of"');

/**
 * Per quote row, the inputs of its market cap, read from `asset_metrics` (which holds only rows
 * the market clock has reached): the latest circulating supply at or before the quote's time,
 * and CoinGecko's market cap of the quote's day. Correlated subqueries over the table's primary
 * key, so every query that joins `quotes` can select them.
 */
export const capInputColumns = {
  capSupply: sql<string | null>`(SELECT json_object('value', m.value, 'time', m.time, 'source', m.source)
    FROM asset_metrics m WHERE m.asset_id = ${QUOTE_ASSET} AND m.metric = 'circulating_supply'
    AND m.time <= ${QUOTE_AS_OF} ORDER BY m.time DESC LIMIT 1)`,
  capReported: sql<string | null>`(SELECT json_object('value', m.value, 'time', m.time, 'source', m.source)
    FROM asset_metrics m WHERE m.asset_id = ${QUOTE_ASSET} AND m.metric = 'market_cap'
    AND m.time <= ${QUOTE_AS_OF} AND m.time > ${QUOTE_AS_OF} - ${DAY} ORDER BY m.time DESC LIMIT 1)`,
};

export interface CapInputs {
  capSupply: string | null;
  capReported: string | null;
}

/** Orders by the same market cap `marketCapOf` serves (largest first when descending). */
export const marketCapOrder = sql`coalesce(${quotes.marketCap}, ${quotes.price} * (SELECT m.value
    FROM asset_metrics m WHERE m.asset_id = ${QUOTE_ASSET} AND m.metric = 'circulating_supply'
    AND m.time <= ${QUOTE_AS_OF} ORDER BY m.time DESC LIMIT 1), (SELECT m.value
    FROM asset_metrics m WHERE m.asset_id = ${QUOTE_ASSET} AND m.metric = 'market_cap'
    AND m.time <= ${QUOTE_AS_OF} AND m.time > ${QUOTE_AS_OF} - ${DAY} ORDER BY m.time DESC LIMIT 1))`;

export const MARKET_CAP_METHODS = [
  'provider_quote',
  'price_x_circulating_supply',
  'coingecko_daily_market_cap',
] as const;

export const MarketCapBasisSchema = z
  .object({
    method: z.enum(MARKET_CAP_METHODS).openapi({
      description:
        'provider_quote: the live provider quoted it; price_x_circulating_supply: the quote price times the latest circulating supply at or before it; coingecko_daily_market_cap: CoinGecko’s market cap of the quote’s day (no supply known).',
    }),
    source: z.string(),
    as_of: z.string(),
    circulating_supply: z.number().nullable(),
    supply_as_of: z.string().nullable(),
  })
  .openapi('MarketCapBasis');

/** The freshness and market-cap fields every served quote carries (000, 002, 003, 004). */
export const QuoteFactsSchema = z.object({
  as_of: z.string().nullable().openapi({ description: 'When the served price was observed (market time).' }),
  stale: z.boolean().openapi({
    description: 'True when the series has missed observations its cadence promised by the market clock.',
  }),
  stale_reason: z.string().nullable(),
  cadence: z.enum(CADENCES),
  market_cap: z.number().nullable(),
  market_cap_basis: MarketCapBasisSchema.nullable(),
  market_cap_missing_reason: z.string().nullable(),
});

export type QuoteFacts = z.infer<typeof QuoteFactsSchema>;

/** The freshness of a served series: its newest observation, judged against the market clock. */
export const SeriesFreshnessSchema = QuoteFactsSchema.pick({
  as_of: true,
  stale: true,
  stale_reason: true,
  cadence: true,
});
export type SeriesFreshness = z.infer<typeof SeriesFreshnessSchema>;

/**
 * How fresh an asset's price series is at the market clock: its newest observation is the
 * quote (or, without one, the close of its newest daily candle), whatever range a request
 * reads. A range that ends before it is still served as what it is; `stale` says whether the
 * series itself has stopped printing.
 */
export async function seriesFreshness(
  env: Env,
  asset: { id: string; symbol: string; assetType: string },
): Promise<SeriesFreshness> {
  const [quote, now] = await Promise.all([
    db(env).select({ asOf: quotes.asOf }).from(quotes).where(eq(quotes.assetId, asset.id)).get(),
    marketNow(env),
  ]);
  // Without a quote (a series that never had one), its newest daily close.
  const lastDay = quote
    ? undefined
    : await db(env)
        .select({ t: sql<number | null>`max(${priceData.openTime})` })
        .from(priceData)
        .where(and(eq(priceData.assetId, asset.id), eq(priceData.timeframe, '1d')))
        .get();
  const asOf = quote?.asOf ?? (lastDay?.t != null ? lastDay.t + DAY : null);
  const cadence = assetCadence(asset);
  if (asOf == null) {
    return { as_of: null, stale: true, stale_reason: 'No observation of this series yet', cadence };
  }
  const f = assetFreshness(asset, asOf, now);
  return { as_of: f.as_of, stale: f.stale, stale_reason: f.stale_reason, cadence: f.cadence };
}
type Basis = z.infer<typeof MarketCapBasisSchema>;

const CAP_TYPES = new Set(['crypto', 'stablecoin']);

function parsePoint(json: string | null): { value: number; time: number; source: string } | null {
  if (!json) return null;
  const p = JSON.parse(json) as { value: number; time: number; source: string };
  return Number.isFinite(p.value) && p.value > 0 ? p : null;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * The market cap of a quote, and how it was obtained: the live provider's figure; else the
 * quote's price × the circulating supply at or before it (so it moves with the price); else
 * CoinGecko's market cap of the quote's day. Without any, null with the reason: never guessed.
 */
export function marketCapOf(
  asset: { symbol: string; assetType: string },
  quote: { price: number; asOf: number; marketCap: number | null; source: string } | null,
  inputs: CapInputs | null,
): Pick<QuoteFacts, 'market_cap' | 'market_cap_basis' | 'market_cap_missing_reason'> {
  const none = (reason: string) => ({
    market_cap: null,
    market_cap_basis: null,
    market_cap_missing_reason: reason,
  });
  if (!CAP_TYPES.has(asset.assetType)) {
    return none(
      `Market capitalization is published for crypto assets; ${asset.symbol} is a ${asset.assetType}.`,
    );
  }
  if (!quote) return none(`No price for ${asset.symbol} yet.`);
  let basis: Basis | null = null;
  let value: number | null = null;
  const supply = parsePoint(inputs?.capSupply ?? null);
  const reported = parsePoint(inputs?.capReported ?? null);
  if (quote.marketCap !== null && quote.marketCap > 0) {
    value = quote.marketCap;
    basis = {
      method: 'provider_quote',
      source: quote.source,
      as_of: iso(quote.asOf),
      circulating_supply: null,
      supply_as_of: null,
    };
  } else if (supply) {
    value = quote.price * supply.value;
    basis = {
      method: 'price_x_circulating_supply',
      source: `${quote.source} price x ${supply.source} supply`,
      as_of: iso(quote.asOf),
      circulating_supply: supply.value,
      supply_as_of: iso(supply.time),
    };
  } else if (reported) {
    value = reported.value;
    basis = {
      method: 'coingecko_daily_market_cap',
      source: reported.source,
      as_of: iso(reported.time),
      circulating_supply: null,
      supply_as_of: null,
    };
  }
  if (value === null || basis === null) {
    return none(
      `No circulating supply or market cap for ${asset.symbol} at or before ${iso(quote.asOf)} in the data Meridian holds.`,
    );
  }
  return { market_cap: value, market_cap_basis: basis, market_cap_missing_reason: null };
}

/** Everything a served quote states about itself: freshness against the market clock and its market cap. */
export function quoteFacts(
  asset: { symbol: string; assetType: string },
  quote:
    | ({ price: number; asOf: number; marketCap: number | null; source: string } & Partial<CapInputs>)
    | null,
  now: number,
): QuoteFacts {
  const fresh: Freshness | null = quote ? assetFreshness(asset, quote.asOf, now) : null;
  return {
    as_of: fresh?.as_of ?? null,
    stale: fresh?.stale ?? false,
    stale_reason: fresh ? fresh.stale_reason : null,
    cadence: fresh?.cadence ?? assetFreshness(asset, now, now).cadence,
    ...marketCapOf(
      asset,
      quote,
      quote ? { capSupply: quote.capSupply ?? null, capReported: quote.capReported ?? null } : null,
    ),
  };
}

export type ServedQuote = typeof quotes.$inferSelect & CapInputs;

// Quotes (and their absence) this isolate read, by asset id: see ReadMemo.
const quoteMemo = new ReadMemo<ServedQuote | null>();

/** Forgets the isolate's memo of quotes: after this isolate wrote quotes. */
export function forgetServedQuotes(): void {
  quoteMemo.clear();
}

/**
 * Latest quotes of assets with their market-cap inputs, keyed by asset id. Quotes this isolate
 * read within `READ_MEMO_MS` come from its memo; only the others are read from D1.
 */
export async function servedQuotes(env: Env, assetIds: string[]): Promise<Map<string, ServedQuote>> {
  const out = new Map<string, ServedQuote>();
  const ttl = config(env).READ_MEMO_MS;
  const now = Date.now();
  const missing: string[] = [];
  for (const id of new Set(assetIds)) {
    const hit = ttl > 0 ? quoteMemo.get(id, now) : undefined;
    if (hit === undefined) missing.push(id);
    else if (hit) out.set(id, hit);
  }
  for (let i = 0; i < missing.length; i += 90) {
    const chunk = missing.slice(i, i + 90);
    const rows = await db(env)
      .select({ quote: quotes, ...capInputColumns })
      .from(quotes)
      .where(inArray(quotes.assetId, chunk));
    for (const r of rows)
      out.set(r.quote.assetId, { ...r.quote, capSupply: r.capSupply, capReported: r.capReported });
    if (ttl > 0) for (const id of chunk) quoteMemo.set(id, out.get(id) ?? null, now + ttl);
  }
  return out;
}
