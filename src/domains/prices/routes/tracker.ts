import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { resolveAssets } from '../../assets/service';
import { QuoteFactsSchema } from '../market-cap';
import { batchPrices, spotPrice } from '../market-service';
import { candles, daysBefore } from '../service';

const SpotSchema = z
  .object({
    symbol: z.string(),
    name: z.string(),
    type: z.string(),
    price: z.number(),
    change: z.number().nullable(),
    changePercent: z.number().nullable(),
    change_percent: z.number().nullable(),
    high: z.number().nullable(),
    low: z.number().nullable(),
    high52Week: z.number().nullable(),
    low52Week: z.number().nullable(),
    unit: z.string(),
    currency: z.string(),
    date: z.string(),
    source: z.string(),
  })
  .extend(QuoteFactsSchema.pick({ as_of: true, stale: true, stale_reason: true, cadence: true }).shape)
  .openapi('SpotPrice');

const RANGES = { '1W': 7, '1M': 30, '3M': 91, '6M': 182, '1Y': 365, '5Y': 1826, ALL: null } as const;

export const trackerRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/prices/batch',
      tags: ['Prices (003)'],
      summary: 'Latest prices of many assets at once (003)',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  tokens: z
                    .array(
                      z.object({ symbol: z.string().min(1).max(20), type: z.string().max(20).optional() }),
                    )
                    .min(1)
                    .max(200),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: '`results` keyed by "TYPE:SYMBOL"; unknown symbols get a null price and an error.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z.object({
                  results: z.record(
                    z.string(),
                    z.object({
                      price: z.number().nullable(),
                      date: z.string().nullable(),
                      change_percent_24h: z.number().nullable().optional(),
                      as_of: z.string().nullable().optional(),
                      stale: z.boolean().optional(),
                      stale_reason: z.string().nullable().optional().openapi({
                        description: 'Why the price is not live (freshness against the market clock).',
                      }),
                      error: z.string().optional(),
                    }),
                  ),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => c.json(plain(c, await batchPrices(c.env, c.req.valid('json').tokens)), 200),
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/historical-data',
      tags: ['Prices (003)'],
      summary: 'Daily closes of many symbols over a range (003)',
      description: 'Ranges end at each series’ latest candle. Unknown symbols answer 404 naming them.',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  symbols: z.array(z.string().min(1).max(20)).min(1).max(50),
                  range: z
                    .enum(Object.keys(RANGES) as [keyof typeof RANGES, ...(keyof typeof RANGES)[]])
                    .default('1Y'),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: '`{ "SYMBOL": [{ time, close }] }`, oldest first.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z.record(z.string(), z.array(z.object({ time: z.string(), close: z.number() }))),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const { symbols, range } = c.req.valid('json');
      const found = await resolveAssets(c.env, symbols);
      const missing = symbols.filter((s) => !found.has(s.trim().toUpperCase()));
      if (missing.length)
        throw new ApiError('NOT_FOUND', `Unknown symbols: ${missing.join(', ')}`, { details: { missing } });
      const days = RANGES[range];
      const out: Record<string, { time: string; close: number }[]> = {};
      await Promise.all(
        symbols.map(async (symbol) => {
          const asset = found.get(symbol.trim().toUpperCase());
          if (!asset) return;
          // A range is calendar days back from the latest candle, for every asset class: at
          // most one daily candle a day, so the newest `days` candles hold the whole range.
          const rows = (
            await candles(c.env, asset, { timeframe: '1d', newestFirst: true, limit: days ?? 100_000 })
          ).reverse();
          const from =
            days === null ? Number.NEGATIVE_INFINITY : daysBefore(rows.at(-1)?.openTime ?? 0, days);
          out[symbol.toUpperCase()] = rows
            .filter((r) => r.openTime > from)
            .map((r) => ({ time: new Date(r.openTime).toISOString().slice(0, 10), close: r.close }));
        }),
      );
      return c.json(plain(c, out), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/indices/price',
      tags: ['Prices (003)'],
      summary: 'Price of an index, rate or index ETF (003)',
      request: { query: z.object({ symbol: z.string().min(1).max(20).openapi({ example: 'DXY' }) }) },
      responses: {
        200: {
          description: 'The price.',
          content: { 'application/json': { schema: plainOrV2Schema(SpotSchema) } },
        },
      },
    }),
    async (c) =>
      c.json(plain(c, await spotPrice(c.env, c.req.valid('query').symbol, ['index', 'rate', 'etf'])), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/commodities/price',
      tags: ['Prices (003)'],
      summary: 'Price of a commodity or metal, with its unit (003)',
      request: { query: z.object({ symbol: z.string().min(1).max(20).openapi({ example: 'GOLD' }) }) },
      responses: {
        200: {
          description: 'The price.',
          content: { 'application/json': { schema: plainOrV2Schema(SpotSchema) } },
        },
      },
    }),
    async (c) =>
      c.json(plain(c, await spotPrice(c.env, c.req.valid('query').symbol, ['commodity', 'metal'])), 200),
  );
