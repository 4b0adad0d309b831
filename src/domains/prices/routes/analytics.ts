import { z } from '@hono/zod-openapi';
import { cachedJson, notModifiedResponse, sendCached } from '../../../core/cache';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { TIMEFRAMES } from '../../../db/schema/market';
import { AssetIdParam } from '../../assets/schemas';
import { resolveAsset } from '../../assets/service';
import {
  assetStatistics,
  INDICATORS,
  type IndicatorName,
  supportResistanceLevels,
  technicalIndicators,
} from '../analytics';
import { isoDate, parseTime } from '../schemas';

const int = (def: number, min = 1, max = 500) => z.coerce.number().int().min(min).max(max).default(def);

const IndicatorQuery = z
  .object({
    timeframe: z.enum(TIMEFRAMES).default('1d'),
    indicators: z
      .string()
      .default('sma,ema,rsi,macd,bbands')
      .transform((v, ctx) => {
        const names = v
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
        const unknown = names.filter((n) => !(INDICATORS as readonly string[]).includes(n));
        if (unknown.length) {
          ctx.addIssue({
            code: 'custom',
            message: `Unknown indicators: ${unknown.join(', ')}; choose from ${INDICATORS.join(', ')}`,
          });
          return z.NEVER;
        }
        return [...new Set(names)] as IndicatorName[];
      })
      .openapi({
        description: `Comma-separated, from: ${INDICATORS.join(', ')}`,
        example: 'rsi,macd,bbands',
      }),
    points: int(100, 1, 2000).openapi({ description: 'How many of the latest values to return per series.' }),
    end_date: isoDate.optional(),
    sma_period: int(20),
    ema_period: int(50),
    rsi_period: int(14, 2),
    macd_fast: int(12, 2),
    macd_slow: int(26, 2),
    macd_signal: int(9, 1),
    bb_period: int(20, 2),
    bb_std: z.coerce.number().positive().max(10).default(2),
    atr_period: int(14),
    stoch_k: int(5),
    stoch_d: int(3),
    adx_period: int(14, 2),
    cci_period: int(14, 2),
    roc_period: int(10),
    donchian_period: int(20),
    vwap_window: int(20),
  })
  .superRefine((q, ctx) => {
    // MACD is the fast EMA minus the slow one: equal periods give a line of zeros, and a
    // fast period above the slow one is the same indicator with the sign flipped.
    if (q.macd_fast >= q.macd_slow) {
      ctx.addIssue({
        code: 'custom',
        path: ['macd_fast'],
        message: `macd_fast (${q.macd_fast}) must be less than macd_slow (${q.macd_slow})`,
      });
    }
  });

const computed = {
  asset_id: z.string(),
  symbol: z.string(),
  method: z.string(),
  data_points_used: z.number().int(),
  as_of: z.string().nullable(),
};

export const analyticsRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/price-data/{asset_id}/technical-indicators',
      tags: ['Prices'],
      summary: 'Chosen indicators with their parameters: latest values and series (000)',
      description:
        'TA-Lib definitions (SMA, EMA, RSI, MACD, Bollinger, ATR, Stochastic, ADX/DI, CCI, OBV, VWAP, ROC, Donchian, Ichimoku). Series are aligned to `series.timestamps`; null during warm-up. The response states method, parameters, data points used and as-of time.',
      request: { params: AssetIdParam, query: IndicatorQuery },
      responses: {
        200: {
          description: 'Indicators.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  ...computed,
                  timeframe: z.string(),
                  parameters: z.record(z.string(), z.unknown()),
                  warmup_bars: z.record(z.string(), z.number().int().nullable()).openapi({
                    description:
                      'Bars loaded before the first point shown, per indicator; null: computed over the whole history.',
                  }),
                  warmup_rule: z.string(),
                  latest: z.record(z.string(), z.unknown()),
                  series: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.null()]))),
                }),
              ),
            },
          },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const { end_date, ...q } = c.req.valid('query');
      const cached = await cachedJson(c, 60, async () =>
        technicalIndicators(c.env, await resolveAsset(c.env, c.req.valid('param').asset_id), {
          ...q,
          end: parseTime(end_date, true),
        }),
      );
      if (cached.notModified) return c.body(null, 304);
      return sendCached(c, (data) => envelope(c, data), cached.json);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/price-data/{asset_id}/support-resistance',
      tags: ['Prices'],
      summary: 'Support and resistance levels from swing pivots, with touches and strength (000)',
      request: {
        params: AssetIdParam,
        query: z.object({
          timeframe: z.enum(TIMEFRAMES).default('1d'),
          lookback: int(365, 10, 5000),
          end_date: isoDate
            .optional()
            .openapi({ description: 'Levels as of this date (default: the latest candle).' }),
          left: int(3, 1, 50),
          right: int(3, 1, 50),
          tolerance: z.coerce.number().positive().max(0.5).default(0.01),
          max_levels: int(10, 1, 50),
        }),
      },
      responses: {
        200: {
          description: 'Levels.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  ...computed,
                  timeframe: z.string(),
                  last_close: z.number().nullable(),
                  support_levels: z.array(z.record(z.string(), z.unknown())),
                  resistance_levels: z.array(z.record(z.string(), z.unknown())),
                  nearest_support: z.record(z.string(), z.unknown()).nullable(),
                  nearest_resistance: z.record(z.string(), z.unknown()).nullable(),
                  pivots_found: z.number().int(),
                  parameters: z.record(z.string(), z.number()),
                }),
              ),
            },
          },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const { end_date, ...q } = c.req.valid('query');
      const cached = await cachedJson(c, 300, async () =>
        supportResistanceLevels(c.env, await resolveAsset(c.env, c.req.valid('param').asset_id), {
          ...q,
          end: parseTime(end_date, true),
        }),
      );
      if (cached.notModified) return c.body(null, 304);
      return sendCached(c, (data) => envelope(c, data), cached.json);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/assets/{asset_id}/statistics',
      tags: ['Assets'],
      summary: 'Returns, volatility, price ranges, volume trend and drawdown from daily candles (000)',
      request: { params: AssetIdParam, query: z.object({ days: int(365, 2, 10_000) }) },
      responses: {
        200: {
          description: 'Statistics.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  ...computed,
                  period_days: z.number().int(),
                  returns: z.record(z.string(), z.number().nullable()),
                  volatility: z.record(z.string(), z.number().nullable()),
                  ranges: z.record(z.string(), z.number().nullable()),
                  volume: z.record(z.string(), z.number().nullable()),
                  drawdown: z
                    .object({
                      max_drawdown: z.number(),
                      peak_date: z.string().nullable(),
                      trough_date: z.string().nullable(),
                      recovery_date: z.string().nullable(),
                      duration_days: z.number().int(),
                    })
                    .nullable(),
                  annualization_periods: z.number().int(),
                }),
              ),
            },
          },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const { days } = c.req.valid('query');
      const cached = await cachedJson(c, 300, async () =>
        assetStatistics(c.env, await resolveAsset(c.env, c.req.valid('param').asset_id), days),
      );
      if (cached.notModified) return c.body(null, 304);
      return sendCached(c, (data) => envelope(c, data), cached.json);
    },
  );
