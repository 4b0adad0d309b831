import { and, eq, inArray } from 'drizzle-orm';
import { describeError, log } from '../core/logger';
import { db } from '../db/client';
import { type AssetType, assets, marketIndicators, type Timeframe } from '../db/schema';
import { rollUp } from '../domains/prices/rollup';
import { upsertCandles, upsertQuotes } from '../domains/prices/service';
import { publish } from '../events/bus';
import {
  AlternativeMeClient,
  BinanceClient,
  CoinGeckoClient,
  type FetchLike,
  StooqClient,
} from '../providers';
import type { Quote } from '../providers/types';
import { D1SourceHealth } from './source-health';
import { bumpDataVersion, forgetDataVersion } from './state';

/** What a live run may swap out: the network (tests pass recorded responses) and the clock. */
export interface LiveDeps {
  fetch?: FetchLike;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

function clients(env: Env, deps: LiveDeps) {
  const health = new D1SourceHealth(env, deps.now);
  const init = {
    health,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
  return {
    coingecko: new CoinGeckoClient({
      ...init,
      options: env.COINGECKO_API_KEY ? { apiKey: env.COINGECKO_API_KEY } : {},
    }),
    binance: new BinanceClient(init),
    stooq: new StooqClient(init),
    fearGreed: new AlternativeMeClient(init),
  };
}

async function activeAssets(env: Env, types: AssetType[]) {
  return db(env)
    .select({ id: assets.id, symbol: assets.symbol, externalIds: assets.externalIds })
    .from(assets)
    .where(and(eq(assets.ownerId, ''), eq(assets.isActive, true), inArray(assets.assetType, types)));
}

async function announce(
  env: Env,
  source: string,
  at: number,
  entries: { assetId: string; quote: Quote }[],
  symbols: Map<string, string>,
) {
  const changed = await upsertQuotes(
    env,
    entries.map((e) => ({ ...e, source })),
  );
  if (!changed.length) return changed;
  await bumpDataVersion(env);
  forgetDataVersion();
  const byId = new Map(entries.map((e) => [e.assetId, e.quote]));
  await publish(env, {
    type: 'prices.updated',
    source,
    at,
    assets: changed.map((assetId) => ({
      assetId,
      symbol: symbols.get(assetId) ?? assetId,
      price: byId.get(assetId)?.price ?? 0,
      changePct24h: byId.get(assetId)?.changePct24h ?? null,
    })),
  });
  return changed;
}

/**
 * Every minute in live mode: crypto quotes (with market caps) from CoinGecko in one call;
 * if CoinGecko fails or its circuit is open, 24h tickers from Binance instead.
 */
export async function ingestLive(env: Env, time: number, deps: LiveDeps = {}) {
  const c = clients(env, deps);
  const crypto = await activeAssets(env, ['crypto', 'stablecoin']);
  const symbols = new Map(crypto.map((a) => [a.id, a.symbol]));
  const byGecko = new Map(
    crypto.filter((a) => a.externalIds.coingecko).map((a) => [a.externalIds.coingecko, a.id]),
  );
  try {
    const markets = await c.coingecko.markets({ ids: [...byGecko.keys()] as string[] });
    const entries = markets.flatMap((m) => {
      const assetId = byGecko.get(m.providerSymbol);
      return assetId ? [{ assetId, quote: m }] : [];
    });
    return {
      source: 'coingecko',
      quotes: entries.length,
      changed: (await announce(env, 'coingecko', time, entries, symbols)).length,
    };
  } catch (err) {
    log('warn', 'ingest.coingecko_failed', describeError(err));
  }
  const byBinance = new Map(
    crypto.filter((a) => a.externalIds.binance).map((a) => [a.externalIds.binance, a.id]),
  );
  const tickers = await c.binance.tickers24h([...byBinance.keys()] as string[]);
  const entries = tickers.flatMap((t) => {
    const assetId = byBinance.get(t.providerSymbol);
    return assetId ? [{ assetId, quote: t }] : [];
  });
  return {
    source: 'binance',
    quotes: entries.length,
    changed: (await announce(env, 'binance', time, entries, symbols)).length,
  };
}

/** Each hour in live mode: the last closed hourly candles of every crypto asset from Binance, rolled up to 4h. */
export async function ingestLiveHourly(env: Env, time: number, deps: LiveDeps = {}) {
  const c = clients(env, deps);
  let written = 0;
  const failures: string[] = [];
  for (const asset of await activeAssets(env, ['crypto', 'stablecoin'])) {
    const pair = asset.externalIds.binance;
    if (!pair) continue;
    try {
      const candles = await c.binance.klines(pair, '1h', { limit: 3 });
      written += await upsertCandles(env, asset.id, '1h', candles, 'binance');
      if (candles[0]) await rollUp(env, asset.id, '4h', candles[0].openTime, time);
    } catch (err) {
      failures.push(asset.symbol);
      log('warn', 'ingest.hourly_failed', { symbol: asset.symbol, ...describeError(err) });
    }
  }
  if (written) await bumpDataVersion(env);
  return { written, failures };
}

/**
 * Daily in live mode: daily candles for crypto (Binance) and for ETFs, indices, FX and
 * commodities (Stooq), plus the fear & greed index.
 */
export async function ingestLiveDaily(env: Env, _time: number, deps: LiveDeps = {}) {
  const c = clients(env, deps);
  let written = 0;
  const failures: string[] = [];
  for (const asset of await activeAssets(env, ['crypto', 'stablecoin'])) {
    if (!asset.externalIds.binance) continue;
    try {
      const days = await c.binance.klines(asset.externalIds.binance, '1d', { limit: 3 });
      written += await upsertCandles(env, asset.id, '1d', days, 'binance');
      if (days[0]) await rollUp(env, asset.id, '1w', days[0].openTime, Date.now());
    } catch (err) {
      failures.push(asset.symbol);
      log('warn', 'ingest.daily_failed', { symbol: asset.symbol, ...describeError(err) });
    }
  }
  const from = Date.now() - 10 * 86_400_000;
  for (const asset of await activeAssets(env, ['etf', 'index', 'fx', 'commodity', 'metal', 'us-equity'])) {
    if (!asset.externalIds.stooq) continue;
    try {
      const days = await c.stooq.daily(asset.externalIds.stooq, { from });
      written += await upsertCandles(env, asset.id, '1d', days, 'stooq');
      if (days[0]) await rollUp(env, asset.id, '1w', days[0].openTime, Date.now());
    } catch (err) {
      failures.push(asset.symbol);
      log('warn', 'ingest.daily_failed', { symbol: asset.symbol, ...describeError(err) });
    }
  }
  let fearGreed = 0;
  try {
    const points = await c.fearGreed.fearGreed(7);
    for (const p of points) {
      await db(env)
        .insert(marketIndicators)
        .values({
          series: 'fear_greed',
          time: p.time,
          value: p.value,
          label: p.classification,
          source: 'alternative_me',
        })
        .onConflictDoUpdate({
          target: [marketIndicators.series, marketIndicators.time],
          set: { value: p.value, label: p.classification },
        });
      fearGreed++;
    }
  } catch (err) {
    failures.push('fear_greed');
    log('warn', 'ingest.fear_greed_failed', describeError(err));
  }
  if (written) await bumpDataVersion(env);
  return { written, fear_greed: fearGreed, failures };
}

/**
 * Backfills one asset over [start, end] from a live provider: Binance klines (crypto, any
 * timeframe, paged 1,000 at a time) or Stooq daily candles (ETFs, indices, FX,
 * commodities). Upserts only, so rerunning a range writes the same rows.
 */
export async function backfillFromProvider(
  env: Env,
  input: {
    assetId: string;
    externalIds: Record<string, string>;
    source: 'binance' | 'stooq';
    timeframe: Timeframe;
    start: number;
    end: number;
  },
  progress?: (written: number) => Promise<void>,
  deps: LiveDeps = {},
): Promise<number> {
  const c = clients(env, deps);
  if (input.source === 'stooq') {
    const symbol = input.externalIds.stooq;
    if (!symbol) throw new Error('This asset has no Stooq symbol');
    if (input.timeframe !== '1d') throw new Error('Stooq serves daily candles only');
    const days = await c.stooq.daily(symbol, { from: input.start, to: input.end });
    const written = await upsertCandles(env, input.assetId, '1d', days, 'stooq');
    await progress?.(written);
    return written;
  }
  const pair = input.externalIds.binance;
  if (!pair) throw new Error('This asset has no Binance symbol');
  let written = 0;
  let from = input.start;
  for (let page = 0; page < 1000 && from <= input.end; page++) {
    const candles = await c.binance.klines(pair, input.timeframe, {
      startTime: from,
      endTime: input.end,
      limit: 1000,
    });
    if (!candles.length) break;
    written += await upsertCandles(env, input.assetId, input.timeframe, candles, 'binance');
    await progress?.(written);
    const last = candles.at(-1);
    if (!last || candles.length < 1000) break;
    from = last.openTime + 1;
  }
  return written;
}
