import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { notModifiedResponse } from '../../../core/cache';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelopeSchema } from '../../../core/responses';
import { sectionHandlers } from '../../../core/sections';
import type { AppEnv } from '../../../env';
import { CORRELATION_PERIODS, type CorrelationPeriod, WEEKEND_ALIGNMENT } from '../compute';
import {
  AbsentSchema,
  CorrelationsSchema,
  CycleSchema,
  DerivativesSchema,
  DominanceSchema,
  HeadlineSchema,
  IntermarketSchema,
  MarketHealthSchema,
  MetaSchema,
  OnchainSchema,
  PairSchema,
  RegimeSchema,
  SentimentSchema,
  SnapshotInfo,
  TechnicalAssetSchema,
  VolatilityForecastSchema,
} from '../schemas';
import { type MacroSnapshot, macroSnapshot } from '../service';

const tags = ['Macro (Layer 1)'];
const TTL = 300;

/** The served snapshot with the fields every section repeats. */
interface MacroView {
  info: { snapshot_time: string; data_version: string; as_of: string };
  payload: MacroSnapshot;
}

async function loadView(c: Context<AppEnv>): Promise<MacroView> {
  const s = await macroSnapshot(c.env);
  return {
    info: {
      snapshot_time: new Date(s.snapshot_time).toISOString(),
      data_version: s.data_version,
      as_of: s.payload.as_of,
    },
    payload: s.payload,
  };
}

const { serve, section } = sectionHandlers({ ttl: TTL, load: loadView });
// The current snapshot adds market health and forecasts for signed-in users: its own cache entry.
const bySignIn = sectionHandlers({
  ttl: TTL,
  load: loadView,
  variant: (c) => (c.get('principal') !== undefined ? 'signed-in' : undefined),
});

function ok<T extends z.ZodType>(schema: T, description: string) {
  return {
    200: { description, content: { 'application/json': { schema: envelopeSchema(schema) } } },
    ...notModifiedResponse,
  };
}

const withInfo = <T extends z.ZodRawShape>(shape: T) => z.object({ ...SnapshotInfo, ...shape });

const SnapshotResponse = withInfo({
  headline: HeadlineSchema,
  dominance: DominanceSchema.shape.current,
  fear_greed: SentimentSchema.shape.fear_greed,
  technical: z.object({ btc: TechnicalAssetSchema.nullable(), eth: TechnicalAssetSchema.nullable() }),
  regime: RegimeSchema.pick({
    current_regime: true,
    confidence: true,
    transition_probability: true,
    regime_duration_days: true,
  }).nullable(),
  market_health: MarketHealthSchema.nullable().openapi({
    description: 'Signed-in users only (000: enhanced data for authenticated users); null for guests.',
  }),
  volatility: z
    .record(z.string(), VolatilityForecastSchema)
    .nullable()
    .openapi({ description: 'Signed-in users only; null for guests.' }),
}).openapi('MacroSnapshotResponse');

type Technical = {
  btc: z.infer<typeof TechnicalAssetSchema> | null;
  eth: z.infer<typeof TechnicalAssetSchema> | null;
};

const TECHNICAL_INDICATORS = [
  'rsi_14',
  'macd',
  'sma_20',
  'sma_50',
  'sma_200',
  'ema_20',
  'bollinger_20_2',
  'atr_14_close_only',
] as const;

const MarketRegimeResponse = withInfo({ regime: RegimeSchema.nullable() }).openapi('MarketRegimeResponse');
const RegimeResponse = withInfo({ regime: RegimeSchema.nullable() }).openapi('RegimeResponse');
const MarketSentimentResponse = withInfo({ sentiment: SentimentSchema }).openapi('MarketSentimentResponse');
const DominanceAnalysisResponse = withInfo({ dominance: DominanceSchema }).openapi(
  'DominanceAnalysisResponse',
);
const IntermarketDataResponse = withInfo({
  markets: IntermarketSchema,
  correlations_30d: z.record(z.string(), PairSchema),
  alignment: z.string(),
  meta: MetaSchema,
}).openapi('IntermarketDataResponse');
const CorrelationAnalysisResponse = withInfo({
  period: z.string(),
  pairs: z.record(z.string(), PairSchema),
  alignment: z.string(),
  meta: MetaSchema,
}).openapi('CorrelationAnalysisResponse');
const OnChainMetricsResponse = withInfo({ onchain: OnchainSchema }).openapi('OnChainMetricsResponse');
const DerivativesDataResponse = withInfo({ derivatives: DerivativesSchema }).openapi(
  'DerivativesDataResponse',
);
const LiquidationAnalysisResponse = withInfo({
  liquidations: AbsentSchema,
  zones: z.array(z.object({ price_from: z.number(), price_to: z.number(), volume_usd: z.number() })),
  open_interest_btc_usd: z.number().nullable(),
}).openapi('LiquidationAnalysisResponse');
const MacroTechnicalResponse = withInfo({
  timeframe: z.string(),
  indicators: z.array(z.string()),
  assets: z.record(z.string(), open().nullable()),
}).openapi('MacroTechnicalResponse');
const MarketHealthResponse = withInfo({ market_health: MarketHealthSchema }).openapi('MarketHealthResponse');
const CycleAnalysisResponse = withInfo({ cycles: CycleSchema }).openapi('CycleAnalysisResponse');
const MacroIndicatorsResponse = withInfo({
  volatility: z.record(z.string(), VolatilityForecastSchema),
  correlations: CorrelationsSchema,
  trends: z.object({
    btc_above_sma_200: z.boolean().nullable(),
    eth_above_sma_200: z.boolean().nullable(),
    btc_dominance_direction: z.string().nullable(),
    market_regime: z.string().nullable(),
  }),
}).openapi('MacroIndicatorsResponse');

export const macroReadRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/current-snapshot',
      tags,
      summary: 'Latest macro snapshot: BTC price, dominance, fear & greed, technicals (000)',
      description:
        'Served from the newest metrics_snapshot at or before the market clock. Guests: 10 requests/minute. Signed-in users also get market health and volatility forecasts.',
      responses: ok(SnapshotResponse, 'The snapshot.'),
    }),
    bySignIn.section(SnapshotResponse, ({ info, payload: p }, c) => {
      const signedIn = c.get('principal') !== undefined;
      const r = p.regime;
      return {
        ...info,
        headline: p.headline,
        dominance: p.dominance.current,
        fear_greed: p.sentiment.fear_greed,
        technical: p.technical as Technical,
        regime: r
          ? {
              current_regime: r.current_regime,
              confidence: r.confidence,
              transition_probability: r.transition_probability,
              regime_duration_days: r.regime_duration_days,
            }
          : null,
        market_health: signedIn ? p.market_health : null,
        volatility: signedIn
          ? (p.volatility as Record<string, z.infer<typeof VolatilityForecastSchema>>)
          : null,
      };
    }),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/market-regime',
      tags,
      summary:
        'Current market regime: Markov-switching model of BTC daily returns, filtered probabilities (000)',
      responses: ok(MarketRegimeResponse, 'The regime.'),
    }),
    section(MarketRegimeResponse, ({ info, payload }) => ({ ...info, regime: payload.regime })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/regime',
      tags,
      summary: 'Current market regime with confidence scores (001)',
      responses: ok(RegimeResponse, 'The regime.'),
    }),
    section(RegimeResponse, ({ info, payload }) => ({ ...info, regime: payload.regime })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/sentiment',
      tags,
      summary:
        'Fear & Greed with averages and history; social and search sentiment are absent with the reason (000/001)',
      responses: ok(MarketSentimentResponse, 'Sentiment.'),
    }),
    section(MarketSentimentResponse, ({ info, payload }) => ({ ...info, sentiment: payload.sentiment })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/dominance',
      tags,
      summary: 'BTC, ETH, USDT and altcoin dominance with 90-day history and trend (000/001)',
      responses: ok(DominanceAnalysisResponse, 'Dominance.'),
    }),
    section(DominanceAnalysisResponse, ({ info, payload }) => ({ ...info, dominance: payload.dominance })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/intermarket',
      tags,
      summary:
        'S&P 500, Nasdaq 100, gold, DXY, 10-year yield, VIX and WTI with their 30-day correlation to BTC (000)',
      responses: ok(IntermarketDataResponse, 'Traditional markets.'),
    }),
    section(IntermarketDataResponse, ({ info, payload: p }) => ({
      ...info,
      markets: p.intermarket,
      correlations_30d:
        (p.correlations.periods as Record<string, Record<string, z.infer<typeof PairSchema>>>)['30d'] ?? {},
      alignment: WEEKEND_ALIGNMENT,
      meta: p.correlations.meta,
    })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/correlations',
      tags,
      summary: 'Correlations and betas of BTC and ETH against each other and traditional markets (000)',
      request: {
        query: z.object({
          period: z
            .enum(Object.keys(CORRELATION_PERIODS) as [CorrelationPeriod, ...CorrelationPeriod[]])
            .default('30d'),
        }),
      },
      responses: ok(CorrelationAnalysisResponse, 'Correlations.'),
    }),
    async (c) => {
      const { period } = c.req.valid('query');
      return serve(c, CorrelationAnalysisResponse, ({ info, payload: p }) => ({
        ...info,
        period,
        pairs:
          (p.correlations.periods as Record<string, Record<string, z.infer<typeof PairSchema>>>)[period] ??
          {},
        alignment: WEEKEND_ALIGNMENT,
        meta: p.correlations.meta,
      }));
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/onchain',
      tags,
      summary:
        'BTC on-chain: active addresses, transactions, hash rate, MVRV, exchange flows, miner issuance (000)',
      responses: ok(OnChainMetricsResponse, 'On-chain metrics.'),
    }),
    section(OnChainMetricsResponse, ({ info, payload }) => ({ ...info, onchain: payload.onchain })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/derivatives',
      tags,
      summary: 'BTC funding rate, open interest by coin; liquidations absent with the reason (000)',
      responses: ok(DerivativesDataResponse, 'Derivatives.'),
    }),
    section(DerivativesDataResponse, ({ info, payload }) => ({
      ...info,
      derivatives: payload.derivatives as z.infer<typeof DerivativesSchema>,
    })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/liquidations',
      tags,
      summary:
        'Liquidation heatmap: absent (no liquidation history is shipped), with the source to configure (000)',
      responses: ok(LiquidationAnalysisResponse, 'Absent series with its reason.'),
    }),
    section(LiquidationAnalysisResponse, ({ info, payload }) => {
      const oi = (payload.derivatives.open_interest_usd as Record<string, unknown>).btc as {
        value: number | null;
      } | null;
      return {
        ...info,
        liquidations: payload.derivatives.liquidations,
        zones: [],
        open_interest_btc_usd: oi?.value ?? null,
      };
    }),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/technical',
      tags,
      summary: 'Macro technicals of BTC and ETH: RSI, MACD, moving averages, Bollinger, ATR (000)',
      request: {
        query: z.object({
          indicators: z
            .string()
            .max(200)
            .optional()
            .openapi({ description: `Comma-separated subset of ${TECHNICAL_INDICATORS.join(', ')}.` }),
          'indicators[]': z.union([z.string().max(50), z.array(z.string().max(50)).max(20)]).optional(),
          timeframe: z
            .enum(['1d'])
            .default('1d')
            .openapi({ description: 'Daily bars (the stored timeframe of the macro layer).' }),
        }),
      },
      responses: ok(MacroTechnicalResponse, 'Technicals.'),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const raw = [
        ...(q.indicators ? q.indicators.split(',') : []),
        ...(q['indicators[]'] ? ([] as string[]).concat(q['indicators[]']) : []),
      ]
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = raw.filter((i) => !(TECHNICAL_INDICATORS as readonly string[]).includes(i));
      if (unknown.length)
        throw new ApiError('VALIDATION_ERROR', `Unknown indicators: ${unknown.join(', ')}`, {
          details: [
            {
              loc: ['query', 'indicators'],
              msg: `expected one of ${TECHNICAL_INDICATORS.join(', ')}`,
              type: 'enum',
            },
          ],
        });
      const chosen = raw.length ? raw : [...TECHNICAL_INDICATORS];
      return serve(c, MacroTechnicalResponse, ({ info, payload }) => {
        const assets: Record<string, Record<string, unknown> | null> = {};
        for (const [k, v] of Object.entries(
          payload.technical as Record<string, Record<string, unknown> | null>,
        ))
          assets[k] = v
            ? Object.fromEntries(
                Object.entries(v).filter(
                  ([key]) => chosen.includes(key) || key === 'price' || key === 'meta',
                ),
              )
            : null;
        return { ...info, timeframe: q.timeframe, indicators: chosen, assets };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/market-health',
      tags,
      summary: 'Market breadth, realised-volatility index, liquidity (000)',
      responses: ok(MarketHealthResponse, 'Market health.'),
    }),
    section(MarketHealthResponse, ({ info, payload }) => ({ ...info, market_health: payload.market_health })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/cycle-analysis',
      tags,
      summary:
        'Halving countdown from block height, returns per halving epoch, month-of-year seasonality (000)',
      responses: ok(CycleAnalysisResponse, 'Cycles.'),
    }),
    section(CycleAnalysisResponse, ({ info, payload }) => ({
      ...info,
      cycles: payload.cycles as z.infer<typeof CycleSchema>,
    })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/macro/indicators',
      tags,
      summary: 'Volatility forecasts (GARCH(1,1) MLE, EWMA 0.94), correlations and trends (001)',
      responses: ok(MacroIndicatorsResponse, 'Indicators.'),
    }),
    section(MacroIndicatorsResponse, ({ info, payload: p }) => {
      const t = p.technical as Technical;
      return {
        ...info,
        volatility: p.volatility as Record<string, z.infer<typeof VolatilityForecastSchema>>,
        correlations: p.correlations as z.infer<typeof CorrelationsSchema>,
        trends: {
          btc_above_sma_200: t.btc?.above_sma_200 ?? null,
          eth_above_sma_200: t.eth?.above_sma_200 ?? null,
          btc_dominance_direction: p.dominance.trend.btc.direction,
          market_regime: p.regime?.current_regime ?? null,
        },
      };
    }),
  );

function open() {
  return z.record(z.string(), z.unknown());
}
