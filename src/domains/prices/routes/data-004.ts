import { z } from '@hono/zod-openapi';
import { cachedJson, notModifiedResponse, sendCached } from '../../../core/cache';
import { CalendarDate, ordered } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import { requireUser } from '../../../middleware/auth';
import { ASSET_CATALOG } from '../../assets/catalog';
import { resolveAsset, resolveAssets } from '../../assets/service';
import {
  MarketCapBasisSchema,
  QuoteFactsSchema,
  quoteFacts,
  SeriesFreshnessSchema,
  seriesFreshness,
  servedQuotes,
} from '../market-cap';
import { parseTime } from '../schemas';
import { adjustForSplits, candles, recentDailyCloses, yearRange } from '../service';
import { dailyStatistics } from '../statistics';

const common = { security: [{ bearerAuth: [] }], middleware: requireUser, tags: ['Data (004)'] };
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/** 004's factor ETFs, by the factor each stands for: the catalog's factor roles (issue 16). */
export const FACTOR_ETFS: Record<string, string> = Object.fromEntries(
  ASSET_CATALOG.flatMap((a) => (a.factorRole ? [[a.symbol, a.factorRole]] : [])),
);
const ADJUSTED = new Set(ASSET_CATALOG.filter((a) => a.adjusted).map((a) => a.symbol));

const StatisticsSchema = z.object({
  period_return: z.number().nullable(),
  volatility: z
    .number()
    .nullable()
    .openapi({ description: 'Annualized, sample sd of simple daily returns.' }),
  max_price: z.number().nullable(),
  min_price: z.number().nullable(),
  avg_volume: z.number().nullable(),
  max_drawdown: z.number().nullable(),
  annualization_periods: z.number().int(),
  data_points: z.number().int(),
  method: z.string(),
});

/** The most daily rows one historical request returns (about 55 years). */
const HISTORY_MAX_DAYS = 20_000;
/** The most symbols one quotes request reads (each is one 52-week read). */
const MAX_QUOTE_SYMBOLS = 100;

export const data004Routes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/data/prices/historical/{symbol_or_position_id}',
      summary: 'Daily prices with statistics for a symbol (004)',
      description:
        'Newest first. Without dates, the `days` before the series’ latest candle. `adjusted_close` is split-adjusted. Position ids resolve once portfolios exist.',
      request: {
        params: z.object({ symbol_or_position_id: z.string().min(1).max(64) }),
        query: ordered(
          z.object({
            days: z.coerce.number().int().min(1).max(HISTORY_MAX_DAYS).default(30),
            start_date: CalendarDate.optional(),
            end_date: CalendarDate.optional().openapi({
              description: `With start_date, at most ${HISTORY_MAX_DAYS} daily rows (the oldest in the range are left out).`,
            }),
          }),
          'start_date',
          'end_date',
        ),
      },
      responses: {
        200: {
          description: 'Prices and statistics.',
          content: {
            'application/json': {
              schema: SeriesFreshnessSchema.extend({
                symbol: z.string(),
                data_points: z.number().int(),
                start_date: z.string().nullable(),
                end_date: z.string().nullable(),
                prices: z.array(
                  z.object({
                    date: z.string(),
                    open: z.number(),
                    high: z.number(),
                    low: z.number(),
                    close: z.number(),
                    volume: z.number(),
                    adjusted_close: z.number(),
                  }),
                ),
                statistics: StatisticsSchema,
                last_updated: z.string().nullable(),
              }),
            },
          },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const key = c.req.valid('param').symbol_or_position_id;
      if (key.startsWith('pos_')) throw new ApiError('NOT_FOUND', `Position ${key} not found`);
      const q = c.req.valid('query');
      const cached = await cachedJson(
        c,
        300,
        async () => {
          const asset = await resolveAsset(c.env, key);
          const end = parseTime(q.end_date, true);
          const start = parseTime(q.start_date);
          const rows = (
            await candles(c.env, asset, {
              timeframe: '1d',
              start,
              end,
              newestFirst: true,
              limit: start === undefined ? q.days : HISTORY_MAX_DAYS,
            })
          ).reverse();
          const adjusted = await adjustForSplits(c.env, asset.id, rows);
          const stats = dailyStatistics(adjusted, asset.assetType);
          return {
            symbol: asset.symbol,
            ...(await seriesFreshness(c.env, asset)),
            data_points: rows.length,
            start_date: rows[0] ? day(rows[0].openTime) : null,
            end_date: rows.at(-1) ? day(rows.at(-1)?.openTime ?? 0) : null,
            prices: rows
              .map((r, i) => ({
                date: day(r.openTime),
                open: r.open,
                high: r.high,
                low: r.low,
                close: r.close,
                volume: r.volume,
                adjusted_close: adjusted[i]?.close ?? r.close,
              }))
              .reverse(),
            statistics: {
              ...stats,
              method: 'simple daily returns of split-adjusted closes; volatility = sample sd x sqrt(periods)',
            },
            last_updated: rows.at(-1) ? new Date(rows.at(-1)?.openTime ?? 0).toISOString() : null,
          };
        },
        { private: true },
      );
      if (cached.notModified) return c.body(null, 304);
      return sendCached(c, (data) => data, cached.json);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/data/prices/quotes',
      summary: 'Latest quotes with 52-week range (004)',
      description:
        'Bid, ask and their sizes are null: the providers Meridian uses publish no order book for these assets.',
      request: {
        query: z.object({
          symbols: z
            .string()
            .min(1)
            .max(2000)
            .refine((v) => v.split(',').filter((s) => s.trim()).length <= MAX_QUOTE_SYMBOLS, {
              message: `at most ${MAX_QUOTE_SYMBOLS} symbols`,
            })
            .openapi({
              example: 'BTC,ETH,SPY',
              description: `Comma-separated, at most ${MAX_QUOTE_SYMBOLS}.`,
            }),
        }),
      },
      responses: {
        200: {
          description: 'Quotes.',
          content: {
            'application/json': {
              schema: z.object({
                quotes: z.array(
                  z
                    .object({
                      symbol: z.string(),
                      price: z.number(),
                      change: z.number().nullable(),
                      change_percent: z.number().nullable(),
                      volume: z.number().nullable(),
                      bid: z.number().nullable(),
                      ask: z.number().nullable(),
                      bid_size: z.number().nullable(),
                      ask_size: z.number().nullable(),
                      high_52_week: z.number().nullable(),
                      low_52_week: z.number().nullable(),
                      market_cap: z.number().nullable(),
                      market_cap_basis: MarketCapBasisSchema.nullable(),
                      market_cap_missing_reason: z.string().nullable(),
                      timestamp: z.string(),
                    })
                    .extend(
                      QuoteFactsSchema.pick({ as_of: true, stale: true, stale_reason: true, cadence: true })
                        .shape,
                    ),
                ),
                missing: z.array(z.string()),
                market_status: z.enum(['open', 'closed', '24x7']),
                last_updated: z.string().nullable(),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const symbols = [
        ...new Set(
          c.req
            .valid('query')
            .symbols.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      const found = await resolveAssets(c.env, symbols);
      const ids = [...new Set([...found.values()].map((a) => a.id))];
      const [quoteMap, now] = await Promise.all([servedQuotes(c.env, ids), marketNow(c.env)]);
      const out = [];
      const missing: string[] = [];
      // One 52-week read per symbol, side by side rather than one after another.
      const rows = await Promise.all(
        symbols.map(async (s) => {
          const asset = found.get(s.toUpperCase());
          const quote = asset ? quoteMap.get(asset.id) : undefined;
          if (!asset || !quote) return { missing: s, quote: null };
          const year = await yearRange(c.env, asset.id, quote.asOf);
          const facts = quoteFacts(asset, quote, now);
          return {
            missing: null,
            quote: {
              symbol: asset.symbol,
              price: quote.price,
              change: quote.change24h,
              change_percent: quote.changePct24h,
              volume: quote.volume24h,
              bid: null,
              ask: null,
              bid_size: null,
              ask_size: null,
              high_52_week: year.high,
              low_52_week: year.low,
              market_cap: facts.market_cap,
              market_cap_basis: facts.market_cap_basis,
              market_cap_missing_reason: facts.market_cap_missing_reason,
              timestamp: new Date(quote.asOf).toISOString(),
              as_of: facts.as_of,
              stale: facts.stale,
              stale_reason: facts.stale_reason,
              cadence: facts.cadence,
            },
          };
        }),
      );
      for (const r of rows) {
        if (r.quote) out.push(r.quote);
        else if (r.missing !== null) missing.push(r.missing);
      }
      const allCrypto = [...found.values()].every(
        (a) => a.assetType === 'crypto' || a.assetType === 'stablecoin',
      );
      const latest =
        out
          .map((q) => q.timestamp)
          .sort()
          .at(-1) ?? '';
      const nyHour = new Date(latest || Date.now()).getUTCHours() - 5;
      const weekday = new Date(latest || Date.now()).getUTCDay();
      const open = weekday >= 1 && weekday <= 5 && nyHour >= 9.5 && nyHour < 16;
      return c.json(
        {
          quotes: out,
          missing,
          market_status: allCrypto ? ('24x7' as const) : open ? ('open' as const) : ('closed' as const),
          last_updated: latest || null,
        },
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/data/factors/etf-prices',
      summary: 'Factor ETFs: current and historical prices (004)',
      request: {
        query: z.object({
          symbols: z.string().max(200).optional(),
          days: z.coerce.number().int().min(1).max(3650).default(30),
        }),
      },
      responses: {
        200: {
          description: 'One entry per factor ETF.',
          content: {
            'application/json': {
              schema: z.object({
                factor_etfs: z.array(
                  z.object({
                    symbol: z.string(),
                    name: z.string(),
                    factor_type: z.string(),
                    adjusted: z.boolean().openapi({
                      description: 'Split- and dividend-adjusted (total-return) series, or raw closes',
                    }),
                    current_price: z.number().nullable(),
                    change: z.number().nullable(),
                    change_percent: z.number().nullable(),
                    volume: z.number().nullable(),
                    last_updated: z.string().nullable(),
                    stale: z.boolean(),
                    stale_reason: z.string().nullable(),
                    historical_prices: z.array(z.object({ date: z.string(), close: z.number() })),
                  }),
                ),
                summary: z.object({
                  total_etfs: z.number().int(),
                  data_coverage: z.string(),
                  last_updated: z.string().nullable(),
                }),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const wanted = q.symbols
        ? q.symbols
            .split(',')
            .map((s) => s.trim().toUpperCase())
            .filter((s) => s in FACTOR_ETFS)
        : Object.keys(FACTOR_ETFS);
      const found = await resolveAssets(c.env, wanted);
      const [quoteMap, now] = await Promise.all([
        servedQuotes(
          c.env,
          [...found.values()].map((a) => a.id),
        ),
        marketNow(c.env),
      ]);
      const etfs = await Promise.all(
        wanted.map(async (symbol) => {
          const asset = found.get(symbol);
          const quote = asset ? quoteMap.get(asset.id) : undefined;
          const history = asset ? await recentDailyCloses(c.env, asset.id, q.days) : [];
          const facts = asset && quote ? quoteFacts(asset, quote, now) : null;
          return {
            symbol,
            name: asset?.name ?? symbol,
            factor_type: FACTOR_ETFS[symbol] ?? 'other',
            adjusted: ADJUSTED.has(symbol),
            current_price: quote?.price ?? null,
            change: quote?.change24h ?? null,
            change_percent: quote?.changePct24h ?? null,
            volume: quote?.volume24h ?? null,
            last_updated: quote ? new Date(quote.asOf).toISOString() : null,
            stale: facts?.stale ?? false,
            stale_reason: facts?.stale_reason ?? null,
            historical_prices: history.reverse().map((r) => ({ date: day(r.openTime), close: r.close })),
          };
        }),
      );
      const priced = etfs.filter((e) => e.current_price !== null).length;
      const last = etfs.reduce((m, e) => (e.last_updated && e.last_updated > m ? e.last_updated : m), '');
      return c.json(
        {
          factor_etfs: etfs,
          summary: {
            total_etfs: etfs.length,
            data_coverage: `${etfs.length ? Math.round((priced / etfs.length) * 100) : 0}%`,
            last_updated: last || null,
          },
        },
        200,
      );
    },
  );
