import { and, eq, inArray } from 'drizzle-orm';
import { config } from '../../core/config';
import { ApiError } from '../../core/errors';
import { marketNow } from '../../core/market-clock';
import { ReadMemo } from '../../core/read-memo';
import { db } from '../../db/client';
import { assets, quotes } from '../../db/schema';
import { catalogAssetId } from '../assets/catalog';
import { type AssetRow, isShared, resolveAsset, resolveAssets } from '../assets/service';
import { quoteFacts, type ServedQuote, servedQuotes } from './market-cap';
import { yearRange } from './service';

/** 002's trading pairs: every active crypto asset against USD, each price with its freshness. */
export async function listMarkets(env: Env) {
  const [rows, now] = await Promise.all([
    db(env)
      .select({ asset: assets, quote: quotes })
      .from(assets)
      .leftJoin(quotes, eq(quotes.assetId, assets.id))
      .where(and(isShared, eq(assets.isActive, true), inArray(assets.assetType, ['crypto', 'stablecoin'])))
      .orderBy(assets.symbol),
    marketNow(env),
  ]);
  return rows.map(({ asset, quote }) => {
    const facts = quoteFacts(asset, quote, now);
    return {
      symbol: `${asset.symbol}/${asset.quoteCurrency}`,
      baseAsset: asset.symbol,
      quoteAsset: asset.quoteCurrency,
      price: quote?.price ?? null,
      change24h: quote?.changePct24h ?? null,
      volume24h: quote?.volume24h ?? null,
      as_of: facts.as_of,
      stale: facts.stale,
      stale_reason: facts.stale_reason,
    };
  });
}

/** A pair's base symbol and quote currency: `BTC/USD`, `BTC-USD`, `BTC_USD`, `BTCUSD`, `BTCUSDT`. */
function splitPair(pair: string): { base: string; quote: string } {
  // The router has decoded the path once already; decoding again turns "%25_%25" into a URIError.
  const text = pair.toUpperCase();
  const split = /^([A-Z0-9]+)[/\-_]([A-Z0-9]+)$/.exec(text);
  const [base, quote] = split
    ? [split[1] ?? '', split[2] ?? '']
    : (() => {
        const m = /^([A-Z0-9]+?)(USDT|USDC|USD)$/.exec(text);
        return m ? [m[1] ?? '', m[2] ?? ''] : [text, 'USD'];
      })();
  if (!['USD', 'USDT', 'USDC'].includes(quote))
    throw new ApiError('INVALID_SYMBOL', `Pair ${pair}: only USD quotes are served`);
  return { base, quote };
}

// Shared assets this isolate resolved by symbol (a pair's base): see ReadMemo.
const baseMemo = new ReadMemo<AssetRow>();

async function resolveBase(env: Env, pair: string, base: string): Promise<AssetRow> {
  const ttl = config(env).READ_MEMO_MS;
  const now = Date.now();
  const hit = ttl > 0 ? baseMemo.get(base, now) : undefined;
  if (hit) return hit;
  try {
    const asset = await resolveAsset(env, base);
    if (ttl > 0) baseMemo.set(base, asset, now + ttl);
    return asset;
  } catch {
    throw new ApiError('INVALID_SYMBOL', `Symbol "${pair}" not found`);
  }
}

/** `BTC/USD`, `BTC-USD`, `BTC_USD`, `BTCUSD` or `BTCUSDT` to the base asset; 400 INVALID_SYMBOL for unknown pairs (002's table). */
export async function resolvePair(env: Env, pair: string): Promise<{ asset: AssetRow; symbol: string }> {
  const { base, quote } = splitPair(pair);
  const asset = await resolveBase(env, pair, base);
  return { asset, symbol: `${asset.symbol}/${quote}` };
}

/**
 * A pair's asset and its served quote. The quote of the catalog asset the symbol names
 * (`ast_<symbol>`) is read while the symbol resolves, so a catalog pair costs one D1 round
 * trip of waiting, not two; any other asset's quote is read after it resolves.
 */
export async function pairQuote(
  env: Env,
  pair: string,
): Promise<{ asset: AssetRow; symbol: string; quote: ServedQuote | undefined }> {
  const { base, quote } = splitPair(pair);
  const guess = catalogAssetId(base);
  const [asset, guessed] = await Promise.all([resolveBase(env, pair, base), servedQuotes(env, [guess])]);
  const quotesById = asset.id === guess ? guessed : await servedQuotes(env, [asset.id]);
  return { asset, symbol: `${asset.symbol}/${quote}`, quote: quotesById.get(asset.id) };
}

/** 003's batch: `{ "TYPE:SYMBOL": { price, date } }`, null prices for what is not known. */
export async function batchPrices(env: Env, tokens: { symbol: string; type?: string | undefined }[]) {
  const found = await resolveAssets(
    env,
    tokens.map((t) => t.symbol),
  );
  const [quoteMap, now] = await Promise.all([
    servedQuotes(env, [...new Set([...found.values()].map((a) => a.id))]),
    marketNow(env),
  ]);
  const results: Record<
    string,
    {
      price: number | null;
      date: string | null;
      change_percent_24h?: number | null;
      as_of?: string | null;
      stale?: boolean;
      stale_reason?: string | null;
      error?: string;
    }
  > = {};
  for (const t of tokens) {
    const key = `${(t.type ?? 'auto').toUpperCase()}:${t.symbol.toUpperCase()}`;
    const asset = found.get(t.symbol.trim().toUpperCase());
    const quote = asset ? quoteMap.get(asset.id) : undefined;
    if (asset && quote) {
      const facts = quoteFacts(asset, quote, now);
      results[key] = {
        price: quote.price,
        date: new Date(quote.asOf).toISOString(),
        change_percent_24h: quote.changePct24h,
        as_of: facts.as_of,
        stale: facts.stale,
        stale_reason: facts.stale_reason,
      };
    } else results[key] = { price: null, date: null, error: asset ? 'no price yet' : 'unknown symbol' };
  }
  return { results };
}

const UNITS: Record<string, string> = { GOLD: 'USD/oz', WTI: 'USD/bbl', GLD: 'USD/share' };

/** 003's single-symbol quotes for indices and commodities, with the calendar year's range from daily candles. */
export async function spotPrice(env: Env, symbol: string, allowed: string[]) {
  const asset = await resolveAsset(env, symbol);
  if (!allowed.includes(asset.assetType)) {
    throw new ApiError(
      'INVALID_SYMBOL',
      `${asset.symbol} is a ${asset.assetType}, not one of ${allowed.join(', ')}`,
    );
  }
  const [quotesById, now] = await Promise.all([servedQuotes(env, [asset.id]), marketNow(env)]);
  const quote = quotesById.get(asset.id);
  if (!quote) throw new ApiError('NOT_FOUND', `No price for ${asset.symbol} yet`);
  const year = await yearRange(env, asset.id, quote.asOf);
  const facts = quoteFacts(asset, quote, now);
  return {
    symbol: asset.symbol,
    name: asset.name,
    type: asset.assetType,
    price: quote.price,
    change: quote.change24h,
    changePercent: quote.changePct24h,
    change_percent: quote.changePct24h,
    high: quote.high24h,
    low: quote.low24h,
    high52Week: year.high,
    low52Week: year.low,
    unit: UNITS[asset.symbol] ?? asset.quoteCurrency,
    currency: asset.quoteCurrency,
    date: new Date(quote.asOf).toISOString(),
    source: quote.source,
    as_of: facts.as_of,
    stale: facts.stale,
    stale_reason: facts.stale_reason,
    cadence: facts.cadence,
  };
}
