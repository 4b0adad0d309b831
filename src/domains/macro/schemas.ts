import { z } from '@hono/zod-openapi';
import { HISTORY_METRICS } from './service';

export const MetaSchema = z
  .object({
    method: z.string(),
    window: z.string(),
    data_points: z.number().int(),
    as_of: z.string().nullable(),
    source: z.string(),
  })
  .openapi('FigureMeta', {
    description: 'How a figure was computed: method, window, data points, as-of (market time), source.',
  });

export const AbsentSchema = z
  .object({ available: z.literal(false), reason: z.string(), configure: z.string() })
  .openapi('AbsentSeries', {
    description: 'A series this deployment does not have: why, and the source a deployment would configure.',
  });

const num = z.number().nullable();
const open = z.record(z.string(), z.unknown());

export const SnapshotInfo = {
  snapshot_time: z
    .string()
    .openapi({ description: 'Market time of the metrics_snapshot served (its data stop there).' }),
  data_version: z.string(),
  as_of: z.string().openapi({ description: 'The market day the figures describe.' }),
};

export const HeadlineSchema = z
  .object(
    Object.fromEntries([
      ...HISTORY_METRICS.map((m) => [m, num]),
      ...[
        'btc_change_24h_pct',
        'btc_change_7d_pct',
        'eth_change_24h_pct',
        'eth_change_7d_pct',
        'total_market_cap_change_24h_pct',
        'regime_confidence',
      ].map((m) => [m, num]),
      ['fear_greed_label', z.string().nullable()],
      ['market_regime', z.string().nullable()],
    ]) as Record<string, z.ZodType>,
  )
  .openapi('MacroHeadline');

export const DominanceSchema = z
  .object({
    current: z.object({
      btc: num,
      eth: num,
      usdt: num,
      usdc: num,
      altcoin: num,
      total_market_cap: num,
      total_as_of: z.string().nullable(),
    }),
    trend: z.record(
      z.string(),
      z.object({ change_7d_pp: num, change_30d_pp: num, direction: z.string().nullable() }),
    ),
    history: z.array(z.object({ date: z.string(), btc: num, eth: num, usdt: num, altcoin: num })),
    meta: MetaSchema,
  })
  .openapi('DominanceAnalysis');

export const RegimeSchema = z
  .object({
    current_regime: z.string(),
    confidence: z.number(),
    probabilities: z.record(z.string(), z.number()),
    transition_probability: z
      .number()
      .openapi({ description: 'P(leaving the current regime tomorrow) = 1 - P[k][k].' }),
    regime_duration_days: z.number().int(),
    regime_started: z.string().nullable(),
    expected_durations_days: z.record(z.string(), z.number()),
    transition_matrix: z.array(z.array(z.number())),
    regimes: z.array(
      z.object({
        name: z.string(),
        daily_mean_pct: z.number(),
        daily_volatility_pct: z.number(),
        annualized_volatility_pct: z.number(),
      }),
    ),
    history: z.array(z.object({ date: z.string(), regime: z.string(), probability: z.number() })),
    log_likelihood: z.number(),
    converged: z.boolean(),
    em_iterations: z.number().int().optional().openapi({ description: 'EM iterations this fit took.' }),
    fit_start: z.enum(['warm', 'cold']).optional().openapi({
      description:
        'warm: EM started from the previous snapshot’s fitted parameters (at most 7 days old); cold: from quantile starting values.',
    }),
    meta: MetaSchema,
  })
  .openapi('MarketRegime');

export const SentimentSchema = z
  .object({
    fear_greed: z
      .object({
        value: z.number(),
        classification: z.string().nullable(),
        average_7d: num,
        average_30d: num,
        change_7d: num,
        history: z.array(
          z.object({ date: z.string(), value: z.number(), classification: z.string().nullable() }),
        ),
        stale: z.boolean(),
        meta: MetaSchema,
      })
      .nullable(),
    social_sentiment: AbsentSchema,
    google_trends: AbsentSchema,
  })
  .openapi('MarketSentiment');

const Level = z.object({
  value: num,
  change_1d_pct: num,
  change_30d_pct: num,
  as_of: z.string().nullable(),
  stale: z.boolean(),
  source: z.string(),
});
export const IntermarketSchema = z.record(z.string(), Level).openapi('IntermarketLevels');

export const PairSchema = z.object({ correlation: num, beta: num, data_points: z.number().int() });

export const CorrelationsSchema = z
  .object({ periods: z.record(z.string(), z.record(z.string(), PairSchema)), meta: MetaSchema })
  .openapi('MacroCorrelations');

const Changed = z
  .object({ value: num, change_pct: num, as_of: z.string().nullable(), stale: z.boolean() })
  .nullable();

export const OnchainSchema = z
  .object({
    btc: z.object({
      active_addresses: Changed,
      transaction_count: Changed,
      hash_rate_th_s: Changed,
      mvrv: Changed,
      realized_cap_usd: num,
      exchange_supply_btc: Changed,
      exchange_netflow_7d_btc: num,
      exchange_inflow_7d_btc: num,
      exchange_outflow_7d_btc: num,
      miner_issuance_btc: Changed,
      fees_btc: Changed,
      block_height: num,
      meta: MetaSchema,
    }),
    eth: AbsentSchema,
    whale_flows: AbsentSchema,
  })
  .openapi('OnChainMetrics');

export const DerivativesSchema = z
  .object({
    funding_rate_btc: z.object({
      rate_8h: num,
      annualized_pct: num,
      average_7d_8h: num,
      average_30d_8h: num,
      as_of: z.string().nullable(),
      stale: z.boolean(),
      meta: MetaSchema,
    }),
    open_interest_usd: z.record(z.string(), z.union([Changed, MetaSchema])),
    liquidations: AbsentSchema,
  })
  .openapi('DerivativesData');

export const TechnicalAssetSchema = z.object({
  price: num,
  rsi_14: num,
  macd: z.object({ macd: num, signal: num, histogram: num }),
  sma_20: num,
  sma_50: num,
  sma_200: num,
  ema_20: num,
  bollinger_20_2: z.object({ upper: num, middle: num, lower: num }),
  atr_14_close_only: num,
  above_sma_200: z.boolean().nullable(),
  meta: MetaSchema,
});

export const MarketHealthSchema = z
  .object({
    breadth: z.object({
      pct_above_sma_50: num,
      pct_above_sma_200: num,
      advancers: z.number().int(),
      decliners: z.number().int(),
      unchanged: z.number().int(),
      advance_decline_ratio: num,
      assets: z.number().int(),
    }),
    volatility_index: z.object({ value: num, unit: z.string() }),
    liquidity: z.object({
      volume_24h_usd: num,
      volume_30d_avg_usd: num,
      volume_ratio: num,
      stablecoin_supply_usd: num,
      stablecoin_supply_change_30d_pct: num,
    }),
    health_score: num,
    meta: MetaSchema,
  })
  .openapi('MarketHealth');

export const CycleSchema = z
  .object({
    halving: open.nullable(),
    epochs: z.array(open),
    seasonality: z.array(
      z.object({
        month: z.number().int(),
        mean_return_pct: num,
        median_return_pct: num,
        positive_share: num,
        sample_size: z.number().int(),
      }),
    ),
    meta: MetaSchema,
  })
  .openapi('CycleAnalysis');

export const VolatilityForecastSchema = z
  .object({
    garch: z.object({
      mu: num,
      omega: num,
      alpha: num,
      beta: num,
      persistence: num,
      half_life_days: num,
      log_likelihood: num,
      next_day_volatility_pct: num,
      annualized_volatility_pct: num,
      long_run_annualized_volatility_pct: num,
    }),
    ewma: z.object({ lambda: z.number(), next_day_volatility_pct: num, annualized_volatility_pct: num }),
    realized_30d_annualized_volatility_pct: num,
    meta: MetaSchema,
  })
  .nullable()
  .openapi('VolatilityForecast');

export const TIMEFRAMES = ['1d', '1w', '1M'] as const;
