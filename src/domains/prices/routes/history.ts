import { z } from '@hono/zod-openapi';
import { cachedJson, notModifiedResponse, sendCached } from '../../../core/cache';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { ema, emaWarmup, rsi, sma, toSeries, wilderWarmup } from '../../../quant';
import { AssetIdParam } from '../../assets/schemas';
import { resolveAsset } from '../../assets/service';
import { SeriesFreshnessSchema, seriesFreshness } from '../market-cap';
import { CandleSchema, HistoryQuery, parseTime } from '../schemas';
import { adjustForSplits, candles, type StoredCandle } from '../service';

/** The per-candle indicators and the history each needs before the first candle shown. */
const SMA_PERIOD = 20;
const EMA_PERIOD = 50;
const RSI_PERIOD = 14;
const WARMUP = Math.max(SMA_PERIOD - 1, emaWarmup(EMA_PERIOD), wilderWarmup(RSI_PERIOD));

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

const HistorySchema = SeriesFreshnessSchema.extend({
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

async function load(env: Env, idOrSymbol: string, q: z.infer<typeof HistoryQuery>) {
  const asset = await resolveAsset(env, idOrSymbol);
  const start = parseTime(q.start_date);
  const end = parseTime(q.end_date, true);
  if (start !== undefined && end !== undefined && start > end) {
    throw new ApiError('VALIDATION_ERROR', 'start_date is after end_date');
  }
  // Newest `limit` candles in the range, returned oldest first; the series' freshness is read
  // at the same time (one D1 round trip of waiting, not two).
  const [newest, freshness] = await Promise.all([
    candles(env, asset, { timeframe: q.timeframe, start, end, limit: q.limit, newestFirst: true }),
    seriesFreshness(env, asset),
  ]);
  return { asset, rows: newest.reverse(), freshness };
}

/** Split-adjusted when asked, so a series reads continuously across splits. */
const adjusted = async (env: Env, assetId: string, q: { adjusted: boolean }, rows: StoredCandle[]) =>
  q.adjusted ? adjustForSplits(env, assetId, rows) : rows;

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
      const cached = await cachedJson(c, 60, async () => {
        const loaded = await load(c.env, c.req.valid('param').asset_id, q);
        const { asset } = loaded;
        const rows = await adjusted(c.env, asset.id, q, loaded.rows);
        return {
          asset_id: asset.id,
          symbol: asset.symbol,
          ...loaded.freshness,
          timeframe: q.timeframe,
          adjusted: q.adjusted,
          count: rows.length,
          start: rows[0] ? new Date(rows[0].openTime).toISOString() : null,
          end: rows.at(-1) ? new Date(rows.at(-1)?.openTime ?? 0).toISOString() : null,
          candles: rows.map(candleView),
        };
      });
      if (cached.notModified) return c.body(null, 304);
      return sendCached(c, (data) => envelope(c, data), cached.json);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/price-data/{asset_id}',
      tags: ['Prices'],
      summary: 'OHLCV candles with SMA(20), EMA(50) and RSI(14) per candle (000)',
      description: `Indicators use TA-Lib definitions, computed over the candles plus the ${WARMUP} candles before the first one shown (SMA(20) needs 19; EMA(50) and Wilder RSI(14) until the seed keeps under 1e-12 weight), so a candle's values equal those computed from the full history whatever the range or limit; null where there is not enough history.`,
      request: { params: AssetIdParam, query: HistoryQuery },
      responses: {
        200: {
          description: 'Candles with indicators.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                HistorySchema.omit({ candles: true }).extend({
                  warmup_bars: z
                    .number()
                    .int()
                    .openapi({ description: 'Candles read before the first one shown.' }),
                  candles: z.array(IndicatorCandle),
                }),
              ),
            },
          },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const cached = await cachedJson(c, 60, async () => {
        const { asset, rows: range, freshness } = await load(c.env, c.req.valid('param').asset_id, q);
        // The warm-up is the candles just before the first one shown, whatever the range.
        const first = range[0];
        const before = first
          ? (
              await candles(c.env, asset, {
                timeframe: q.timeframe,
                end: first.openTime - 1,
                limit: WARMUP,
                newestFirst: true,
              })
            ).reverse()
          : [];
        const rows = await adjusted(c.env, asset.id, q, [...before, ...range]);
        const closes = rows.map((r) => r.close);
        const s = toSeries(sma(closes, SMA_PERIOD));
        const e = toSeries(ema(closes, EMA_PERIOD));
        const r = toSeries(rsi(closes, RSI_PERIOD));
        const keep = before.length;
        const shown = rows.slice(keep);
        return {
          asset_id: asset.id,
          symbol: asset.symbol,
          ...freshness,
          timeframe: q.timeframe,
          adjusted: q.adjusted,
          count: shown.length,
          start: shown[0] ? new Date(shown[0].openTime).toISOString() : null,
          end: shown.at(-1) ? new Date(shown.at(-1)?.openTime ?? 0).toISOString() : null,
          warmup_bars: before.length,
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
      return sendCached(c, (data) => envelope(c, data), cached.json);
    },
  );
