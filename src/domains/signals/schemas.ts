import { z } from '@hono/zod-openapi';
import { TrackRecordSchema } from '../models/schemas';

const nn = z.number().nullable();

export const ExecutionSchema = z.object({
  execution_id: z.string(),
  status: z.enum(['executed', 'closed', 'cancelled']),
  entry_price: z.number(),
  quantity: nn,
  executed_at: z.string(),
  exit_price: nn,
  closed_at: z.string().nullable(),
  realized_return: nn,
  notes: z.string().nullable(),
});

export const SignalSchema = z
  .object({
    signal_id: z.string(),
    id: z.string(),
    asset_id: z.string(),
    symbol: z.string().nullable(),
    signal_type: z.enum(['long_entry', 'short_entry']),
    direction: z.enum(['long', 'short']),
    timeframe: z.string(),
    quality: z.enum(['high', 'medium', 'low']),
    confidence: z.number().openapi({
      description:
        "The model's probability of the signal's direction (its calibration is in the track record).",
    }),
    entry_price: z.number(),
    stop_loss: z.number(),
    take_profit_1: z.number(),
    take_profit_2: z.number(),
    take_profits: z.array(z.number()),
    risk_reward: z.array(z.number()).nullable(),
    atr_14: z.number(),
    position_size_pct: z.number(),
    risk_level: z.enum(['low', 'medium', 'high']),
    confluence_factors: z.array(z.record(z.string(), z.unknown())),
    market_context: z.record(z.string(), z.unknown()),
    generated_at: z.string(),
    expires_at: z.string(),
    status: z.enum(['active', 'executed', 'closed', 'expired', 'cancelled']),
    scope: z.enum(['public', 'personal']),
    execution: ExecutionSchema.nullable(),
    model_id: z.string(),
    model_version: z.number().int(),
    method: z.string(),
    track_record: TrackRecordSchema.nullable(),
    disclaimer: z.string(),
  })
  .openapi('TradingSignal');

const ModelReading = z.object({
  model_id: z.string(),
  model_version: z.number().int(),
  prediction_id: z.string(),
  prediction_date: z.string(),
  probability_up: z.number(),
  horizon_days: z.number().int(),
  track_record: TrackRecordSchema,
});

export const SuggestionSchema = z
  .object({
    suggestion_id: z.string().nullable(),
    asset_id: z.string(),
    symbol: z.string(),
    kind: z.string(),
    action: z.string(),
    confidence: nn,
    probability_up: nn,
    rationale: z.array(z.string()),
    price: nn,
    models: z.array(ModelReading),
    trend: z.object({ method: z.string(), trend: z.string(), volatility: z.string() }).nullable(),
    as_of: z.string(),
    method: z.string(),
    disclaimer: z.string(),
    reason: z.string().optional(),
    weight: z.number().nullable().optional(),
  })
  .openapi('AISuggestion');

export const RecommendationSchema = z
  .object({
    recommendation_id: z.string(),
    asset_id: z.string().nullable(),
    symbol: z.string().nullable(),
    action: z.string(),
    status: z.enum(['open', 'implemented', 'dismissed']),
    confidence: nn,
    reason: z.string().nullable(),
    rationale: z.array(z.string()),
    models: z.array(z.unknown()),
    as_of: z.string(),
    implemented_at: z.string().nullable(),
    disclaimer: z.string(),
  })
  .openapi('Recommendation');

export const TradeStatsSchema = z.object({
  trades: z.number().int(),
  wins: z.number().int(),
  win_rate: nn,
  average_return: nn,
  profit_factor: nn,
  total_return: z.number(),
  max_drawdown: z.number(),
});

export const TrendRuleSchema = z.record(z.string(), z.unknown());
