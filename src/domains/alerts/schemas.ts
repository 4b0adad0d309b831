import { z } from '@hono/zod-openapi';
import { freeformObject } from '../../core/json';
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

/**
 * 000's `condition`: `above`, `below` or `crosses` for a price alert (with `trigger_value`),
 * or any alert type by name. Responses carry the same word, so a read can be sent back.
 */
export const ALERT_CONDITIONS = ['above', 'below', 'crosses', ...ALERT_TYPES] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

const condition = z.enum(ALERT_CONDITIONS).openapi({
  description:
    "000's name for the alert type: above / below / crosses (a price alert on `trigger_value`), or an alert type.",
  example: 'above',
});
const triggerValue = z
  .number()
  .min(-1e15)
  .max(1e15)
  .openapi({ description: "000's name for `params.threshold`.", example: 100000 });
const notificationMethod = z.enum(['in_app', 'push', 'email']).openapi({
  description:
    "001's field, accepted; delivery follows your notification preferences (POST /api/v1/notifications/preferences).",
});

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

/**
 * One create body for 000's `/alerts` and 001's `/signals/alerts`, with each seed's names:
 * the type as `alert_type` or `condition`, the level as `params.threshold`, `threshold`
 * (001) or `trigger_value` (000). `params` is checked against the type's schema.
 */
export const CreateAlertInput = z
  .object({
    asset_id: common.asset_id,
    alert_type: z.enum(ALERT_TYPES).optional(),
    condition: condition.optional(),
    params: freeformObject("Checked against the alert type's schema.").optional(),
    threshold: triggerValue.optional().openapi({ description: "001's name for `params.threshold`." }),
    trigger_value: triggerValue.optional(),
    notification_method: notificationMethod.optional(),
    name: common.name,
    message: common.message,
    repeat: common.repeat,
    cooldown_seconds: common.cooldown_seconds,
    is_active: common.is_active,
  })
  .strict()
  .refine((b) => b.alert_type !== undefined || b.condition !== undefined, {
    message: 'Send alert_type or condition',
    path: ['alert_type'],
  })
  .openapi('CreateAlert');
export type CreateAlertInput = z.infer<typeof CreateAlertInput>;

export const UpdateAlertInput = z
  .object({
    alert_type: z.enum(ALERT_TYPES).optional(),
    condition: condition.optional(),
    params: freeformObject("Checked against the alert type's schema.").optional(),
    threshold: triggerValue.optional().openapi({ description: "001's name for `params.threshold`." }),
    trigger_value: triggerValue.optional(),
    notification_method: notificationMethod.optional(),
    name: z.string().trim().max(100).nullable().optional(),
    message: z.string().trim().max(500).nullable().optional(),
    repeat: z.boolean().optional(),
    cooldown_seconds: common.cooldown_seconds.optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdateAlert');
export type UpdateAlertInput = z.infer<typeof UpdateAlertInput>;

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
    trigger_value: z.number().nullable().openapi({ description: "`threshold` under 000's name." }),
    condition,
    description: z
      .string()
      .openapi({ description: 'The condition in words.', example: 'BTC price above 100000' }),
    name: z.string().nullable(),
    message: z.string().nullable(),
    is_active: z.boolean(),
    repeat: z.boolean(),
    cooldown_seconds: z.number().int(),
    current_state: z.string().nullable().openapi({
      description:
        'The side of its condition at the last evaluation; `armed` for an above/below alert created (or changed) while its condition holds: it fires at the next evaluation.',
    }),
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

/** 001's public timing alert: an asset of the default watchlist whose technical signal points one way. */
export const TimingAlertSchema = z
  .object({
    symbol: z.string(),
    signal: z.enum(['bullish', 'bearish']),
    score: z.number().int().openapi({ description: 'The vote: +1 per bullish reason, -1 per bearish one.' }),
    reasons: z.array(z.string()),
    indicators: z.record(z.string(), z.number().nullable()).nullable(),
    as_of: z.string().nullable().openapi({ description: 'The daily candle the signal was computed at.' }),
  })
  .openapi('TimingAlert');
