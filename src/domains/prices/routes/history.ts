import { z } from '@hono/zod-openapi';
import { cachedData, notModifiedResponse } from '../../../core/cache';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { ema, rsi, sma, toSeries } from '../../../quant';
import { AssetIdParam } from '../../assets/schemas';
import { resolveAsset } from '../../assets/service';
import { CandleSchema, HistoryQuery, parseTime } from '../schemas';
import { adjustForSplits, candles } from '../service';
import { TIMEFRAME_MS } from '../timeframes';

const WARMUP = 50;

const candleView = (c: {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}) => ({
  timestamp: new Date(c.openTime).toISOString(),
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
  volume: c.volume,
});

const HistorySchema = z.object({
  asset_id: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  adjusted: z.boolean(),
  count: z.number().int(),
  start: z.string().nullable(),
  end: z.string().nullable(),
  candles: z.array(CandleSchema),
});

const IndicatorCandle = CandleSchema.extend({
  technical_indicators: z.object({
    sma_20: z.number().nullable(),
    ema_50: z.number().nullable(),
    rsi_14: z.number().nullable(),
  }),
});

async function load(env: Env, idOrSymbol: string, q: z.infer<typeof HistoryQuery>, warmup = 0) {
  const asset = await resolveAsset(env, idOrSymbol);
  const start = parseTime(q.start_date);
  const end = parseTime(q.end_date, true);
  if (start !== undefined && end !== undefined && start > end) {
    throw new ApiError('VALIDATION_ERROR', 'start_date is after end_date');
  }
  // Newest `limit` candles in the range (plus warm-up for indicators), returned oldest first.
  const rows = (
    await candles(env, asset, {
      timeframe: q.timeframe,
      start: start !== undefined && warmup ? start - warmup * TIMEFRAME_MS[q.timeframe] * 2 : start,
      end,
      limit: q.limit + warmup,
      newestFirst: true,
    })
  ).reverse();
  return { asset, rows: q.adjusted ? await adjustForSplits(env, asset.id, rows) : rows, start };
}

export const historyRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/assets/{asset_id}/price-history',
      tags: ['Prices'],
      summary: 'Candles of an asset by timeframe and date range (000)',
      description:
        'Oldest first; with `limit`, the most recent candles of the range. Intraday ranges beyond what D1 keeps are read back from the R2 archive.',
      request: { params: AssetIdParam, query: HistoryQuery },
      responses: {
        200: {
          description: 'Candles.',
          content: { 'application/json': { schema: envelopeSchema(HistorySchema) } },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const cached = await cachedData(c, 60, async () => {
        const { asset, rows } = await load(c.env, c.req.valid('param').asset_id, q);
        return {
          asset_id: asset.id,
          symbol: asset.symbol,
          timeframe: q.timeframe,
          adjusted: q.adjusted,
          count: rows.length,
          start: rows[0] ? new Date(rows[0].openTime).toISOString() : null,
          end: rows.at(-1) ? new Date(rows.at(-1)?.openTime ?? 0).toISOString() : null,
          candles: rows.map(candleView),
        };
      });
      if (cached.notModified) return c.body(null, 304);
      return c.json(envelope(c, cached.data), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/price-data/{asset_id}',
      tags: ['Prices'],
      summary: 'OHLCV candles with SMA(20), EMA(50) and RSI(14) per candle (000)',
      description:
        'Indicators use TA-Lib definitions, computed over the candles plus a warm-up before the range; null where there is not enough history.',
      request: { params: AssetIdParam, query: HistoryQuery },
      responses: {
        200: {
          description: 'Candles with indicators.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                HistorySchema.omit({ candles: true }).extend({ candles: z.array(IndicatorCandle) }),
              ),
            },
          },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const cached = await cachedData(c, 60, async () => {
        const { asset, rows } = await load(c.env, c.req.valid('param').asset_id, q, WARMUP);
        const closes = rows.map((r) => r.close);
        const s = toSeries(sma(closes, 20));
        const e = toSeries(ema(closes, 50));
        const r = toSeries(rsi(closes, 14));
        const keep = Math.max(0, rows.length - q.limit);
        const shown = rows.slice(keep);
        return {
          asset_id: asset.id,
          symbol: asset.symbol,
          timeframe: q.timeframe,
          adjusted: q.adjusted,
          count: shown.length,
          start: shown[0] ? new Date(shown[0].openTime).toISOString() : null,
          end: shown.at(-1) ? new Date(shown.at(-1)?.openTime ?? 0).toISOString() : null,
          candles: shown.map((row, i) => ({
            ...candleView(row),
            technical_indicators: {
              sma_20: s[keep + i] ?? null,
              ema_50: e[keep + i] ?? null,
              rsi_14: r[keep + i] ?? null,
            },
          })),
        };
      });
      if (cached.notModified) return c.body(null, 304);
      return c.json(envelope(c, cached.data), 200);
    },
  );
