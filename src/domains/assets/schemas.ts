import { z } from '@hono/zod-openapi';
import { ASSET_TYPES } from '../../db/schema/market';
import { QuoteFactsSchema } from '../prices/market-cap';

export const AssetSchema = z
  .object({
    id: z.string().openapi({ example: 'ast_btc' }),
    asset_id: z.string(),
    symbol: z.string().openapi({ example: 'BTC' }),
    name: z.string(),
    asset_type: z.enum(ASSET_TYPES),
    sector_id: z.string().nullable(),
    quote_currency: z.string(),
    current_price: z.number().nullable(),
    price_change_24h: z.number().nullable(),
    price_change_percentage_24h: z.number().nullable(),
    volume_24h: z.number().nullable(),
    price_updated_at: z.string().nullable(),
    is_active: z.boolean(),
    is_supported: z.boolean(),
  })
  .extend(QuoteFactsSchema.shape)
  .openapi('Asset');

export const AssetDetailSchema = AssetSchema.extend({
  description: z.string().nullable(),
  external_ids: z.record(z.string(), z.string()),
  links: z.record(z.string(), z.string()),
  metrics_details: z.object({
    access_count: z.number().int(),
    last_accessed_at: z.string().nullable(),
    history: z.array(
      z.object({ timeframe: z.string(), candles: z.number().int(), first: z.string(), last: z.string() }),
    ),
  }),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi('AssetDetail');

export const AssetIdParam = z.object({
  asset_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ description: 'Asset id (ast_...) or symbol', example: 'BTC' }),
});

export const AssetInputSchema = z
  .object({
    symbol: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9^][A-Za-z0-9.\-_^=]{0,19}$/,
        'letters, digits and . - _ ^ =, starting with a letter, digit or ^',
      )
      // Spreadsheets and JSON readers take these for numbers (1E308, INFINITY, NaN).
      .refine((v) => !/^(\d+(\.\d*)?e[+-]?\d+|inf(inity)?|nan)$/i.test(v), 'a symbol, not a number')
      .openapi({ example: 'BTC' }),
    name: z.string().trim().min(1).max(200),
    asset_type: z.enum(ASSET_TYPES),
    sector_id: z.string().max(64).nullable().optional(),
    quote_currency: z
      .string()
      .regex(/^[A-Z]{3,5}$/)
      .optional(),
    external_ids: z.record(z.string().max(32), z.string().max(100)).optional(),
    description: z.string().max(2000).nullable().optional(),
    is_active: z.boolean().optional(),
    is_supported: z.boolean().optional(),
  })
  .strict()
  .openapi('AssetInput');
