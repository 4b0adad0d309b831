import { z } from '@hono/zod-openapi';
import { ALERT_TYPES } from '../../db/schema/watchlists';

const threshold = z
  .number()
  .min(-1e15)
  .max(1e15)
  .openapi({ description: 'The price (or indicator level).', example: 100000 });
const price = z.object({ threshold: threshold.positive() }).strict();
const indicatorTimeframe = z
  .enum(['1h', '1d'])
  .default('1d')
  .openapi({ description: 'Candles the indicator is computed on (completed ones plus the current price).' });
const rsiParams = z
  .object({
    threshold: z.number().min(0).max(100),
    period: z.number().int().min(2).max(200).default(14),
    timeframe: indicatorTimeframe,
  })
  .strict();

/** Each alert type's `params`, validated when an alert is created or changed. */
export const ALERT_PARAMS = {
  price_above: price,
  price_below: price,
  price_crosses: price,
  percent_change: z
    .object({
      percent: z
        .number()
        .finite()
        .refine((v) => v !== 0 && Math.abs(v) <= 1000, 'must be non-zero, at most 1000 either way')
        .openapi({
          description: 'Fires when the change reaches it: a rise if positive, a fall if negative.',
        }),
      window_minutes: z
        .number()
        .int()
        .min(5)
        .max(60 * 24 * 30)
        .default(1440),
    })
    .strict(),
  rsi_above: rsiParams,
  rsi_below: rsiParams,
  macd_cross: z
    .object({
      direction: z.enum(['bullish', 'bearish']).default('bullish'),
      timeframe: indicatorTimeframe,
    })
    .strict(),
  ma_cross: z
    .object({
      period: z.number().int().min(2).max(200).default(50),
      ma: z.enum(['sma', 'ema']).default('sma'),
      direction: z.enum(['above', 'below']).default('above'),
      timeframe: indicatorTimeframe,
    })
    .strict(),
} as const satisfies Record<(typeof ALERT_TYPES)[number], z.ZodType>;

const common = {
  asset_id: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .openapi({ description: 'Asset id (ast_...) or symbol.', example: 'BTC' }),
  name: z.string().trim().max(100).optional(),
  message: z.string().trim().max(500).optional(),
  repeat: z.boolean().default(false).openapi({ description: 'False: one-shot, deactivated after it fires.' }),
  cooldown_seconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(0),
  is_active: z.boolean().default(true),
};

const variant = <T extends (typeof ALERT_TYPES)[number]>(type: T) =>
  z.object({ ...common, alert_type: z.literal(type), params: ALERT_PARAMS[type] }).strict();

/** 000's create body: the alert type picks the shape of `params`. */
export const CreateAlertInput = z
  .discriminatedUnion('alert_type', [
    variant('price_above'),
    variant('price_below'),
    variant('price_crosses'),
    variant('percent_change'),
    variant('rsi_above'),
    variant('rsi_below'),
    variant('macd_cross'),
    variant('ma_cross'),
  ])
  .openapi('CreateAlert');
export type CreateAlertInput = z.infer<typeof CreateAlertInput>;

export const UpdateAlertInput = z
  .object({
    alert_type: z.enum(ALERT_TYPES).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    name: z.string().trim().max(100).nullable().optional(),
    message: z.string().trim().max(500).nullable().optional(),
    repeat: z.boolean().optional(),
    cooldown_seconds: common.cooldown_seconds.optional(),
    is_active: z.boolean().optional(),
    threshold: z
      .number()
      .min(-1e15)
      .max(1e15)
      .optional()
      .openapi({ description: "Shorthand for params.threshold (001's body)." }),
  })
  .strict()
  .openapi('UpdateAlert');
export type UpdateAlertInput = z.infer<typeof UpdateAlertInput>;

/** 001's body: `{asset_id, alert_type, threshold, notification_method}`, `params` for the rest. */
export const SignalAlertInput = z
  .object({
    asset_id: common.asset_id,
    alert_type: z.enum(ALERT_TYPES),
    threshold: z.number().min(-1e15).max(1e15).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    notification_method: z.enum(['in_app', 'push', 'email']).optional(),
    name: common.name,
    message: common.message,
    repeat: common.repeat,
    cooldown_seconds: common.cooldown_seconds,
    is_active: common.is_active,
  })
  .strict()
  .openapi('CreateSignalAlert');
export type SignalAlertInput = z.infer<typeof SignalAlertInput>;

export const AlertSchema = z
  .object({
    id: z.string(),
    alert_id: z.string(),
    user_id: z.string(),
    asset_id: z.string(),
    symbol: z.string(),
    alert_type: z.enum(ALERT_TYPES),
    params: z.record(z.string(), z.unknown()),
    threshold: z.number().nullable(),
    condition: z
      .string()
      .openapi({ description: 'The condition in words.', example: 'BTC price above 100000' }),
    name: z.string().nullable(),
    message: z.string().nullable(),
    is_active: z.boolean(),
    repeat: z.boolean(),
    cooldown_seconds: z.number().int(),
    current_state: z.string().nullable(),
    current_price: z.number().nullable(),
    is_triggered: z.boolean(),
    trigger_count: z.number().int(),
    last_triggered_at: z.string().nullable(),
    source: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Alert');

export const AlertTriggerSchema = z
  .object({
    id: z.string(),
    alert_id: z.string(),
    asset_id: z.string(),
    triggered_at: z.string(),
    price: z.number(),
    value: z.number().nullable(),
  })
  .openapi('AlertTrigger');

export const TriggeredAlertSchema = AlertTriggerSchema.extend({
  symbol: z.string(),
  alert_type: z.enum(ALERT_TYPES),
  name: z.string().nullable(),
  current_price: z.number().nullable(),
  change_since_trigger: z.number().nullable(),
  change_since_trigger_pct: z.number().nullable(),
}).openapi('TriggeredAlert');

export const AlertIdParam = z.object({ alert_id: z.string().min(1).max(64) });
