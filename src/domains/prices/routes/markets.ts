import { z } from '@hono/zod-openapi';
import { cachedJson, notModifiedResponse, sendCached } from '../../../core/cache';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { TIMEFRAMES } from '../../../db/schema/market';
import { QuoteFactsSchema, quoteFacts } from '../market-cap';
import { listMarkets, pairQuote, resolvePair } from '../market-service';
import { isoDate, parseTime } from '../schemas';
import { candles } from '../service';

const PairParam = z.object({
  pair: z
    .string()
    .min(2)
    .max(32)
    .openapi({ example: 'BTC-USD', description: 'BTC/USD (URL-encoded), BTC-USD or BTCUSD' }),
});

export const marketRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/markets',
      tags: ['Markets (002)'],
      summary: 'Tradable pairs with price, 24h change (%) and volume (002)',
      request: { query: z.object({ chain_id: z.coerce.number().int().optional() }) },
      responses: {
        200: {
          description: 'Pairs.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z.array(
                  z.object({
                    symbol: z.string(),
                    baseAsset: z.string(),
                    quoteAsset: z.string(),
                    price: z.number().nullable(),
                    change24h: z.number().nullable(),
                    volume24h: z.number().nullable(),
                    as_of: z.string().nullable(),
                    stale: z.boolean(),
                    stale_reason: z.string().nullable(),
                  }),
                ),
              ),
            },
          },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const cached = await cachedJson(c, 15, () => listMarkets(c.env));
      if (cached.notModified) return c.body(null, 304);
      return sendCached(c, (data) => plain(c, data), cached.json);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/markets/{pair}/ohlcv',
      tags: ['Markets (002)'],
      summary: 'OHLCV candles of a pair (002)',
      request: {
        params: PairParam,
        query: z.object({
          timeframe: z.enum(TIMEFRAMES).default('1h'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          startTime: isoDate.optional(),
        }),
      },
      responses: {
        200: {
          description: 'Candles, oldest first.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z.array(
                  z.object({
                    timestamp: z.string(),
                    open: z.number(),
                    high: z.number(),
                    low: z.number(),
                    close: z.number(),
                    volume: z.number(),
                  }),
                ),
              ),
            },
          },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { asset } = await resolvePair(c.env, c.req.valid('param').pair);
      const cached = await cachedJson(c, 30, async () => {
        const start = parseTime(q.startTime);
        const rows = await candles(c.env, asset, {
          timeframe: q.timeframe,
          start,
          limit: q.limit,
          newestFirst: start === undefined,
        });
        if (start === undefined) rows.reverse();
        return rows.map((r) => ({
          timestamp: new Date(r.openTime).toISOString(),
          open: r.open,
          high: r.high,
          low: r.low,
          close: r.close,
          volume: r.volume,
        }));
      });
      if (cached.notModified) return c.body(null, 304);
      return sendCached(c, (data) => plain(c, data), cached.json);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/markets/{pair}/price',
      tags: ['Markets (002)'],
      summary: 'Current price of a pair (002)',
      request: { params: PairParam },
      responses: {
        200: {
          description: 'The price.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z
                  .object({
                    symbol: z.string(),
                    price: z.number(),
                    timestamp: z.string(),
                    source: z.string(),
                  })
                  .extend(
                    QuoteFactsSchema.pick({ as_of: true, stale: true, stale_reason: true, cadence: true })
                      .shape,
                  ),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const [{ asset, symbol, quote }, now] = await Promise.all([
        pairQuote(c.env, c.req.valid('param').pair),
        marketNow(c.env),
      ]);
      if (!quote) throw new ApiError('NOT_FOUND', `No price for ${symbol} yet`);
      const facts = quoteFacts(asset, quote, now);
      return c.json(
        plain(c, {
          symbol,
          price: quote.price,
          timestamp: new Date(quote.asOf).toISOString(),
          source: quote.source,
          as_of: facts.as_of,
          stale: facts.stale,
          stale_reason: facts.stale_reason,
          cadence: facts.cadence,
        }),
        200,
      );
    },
  );
