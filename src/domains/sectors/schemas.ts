import { z } from '@hono/zod-openapi';
import { AbsentSchema, MetaSchema } from '../macro/schemas';

const num = z.number().nullable();

export const PerformanceSchema = z.object({ '24h': num, '7d': num, '30d': num, '90d': num });

export const SectorSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    is_active: z.boolean(),
    tracked_assets: z.number().int(),
    source_constituents: z.array(z.string()),
    market_cap: num,
    share_of_total_pct: num,
    share_change_30d_pp: num,
    index_level: num,
    performance: PerformanceSchema,
    relative_strength_30d: num,
    volatility_30d_pct: num,
    volume_24h: num,
    rotation_score: num,
    flow: z.enum(['inflow', 'outflow', 'neutral']).nullable(),
    absent_reason: z.string().nullable(),
  })
  .openapi('SectorSummary');

export const SectorMemberSchema = z
  .object({
    asset_id: z.string(),
    symbol: z.string(),
    name: z.string(),
    price: num,
    market_cap: num,
    market_cap_method: z.string().nullable(),
    weight_pct: num,
    change_24h_pct: num,
    change_7d_pct: num,
    change_30d_pct: num,
    volume_24h: num,
  })
  .openapi('SectorAsset');

export const SectorPointSchema = z.object({
  date: z.string(),
  index: z.number(),
  market_cap: z.number(),
  share_pct: num,
});

export const SnapshotFields = {
  snapshot_time: z.string(),
  as_of: z.string(),
  meta: MetaSchema,
};

export const CorrelationBlock = z.object({
  sectors: z.array(z.string()),
  matrix: z.array(z.array(num)),
  vs_majors: z.record(
    z.string(),
    z.object({
      btc: z.object({ value: num, data_points: z.number().int() }),
      eth: z.object({ value: num, data_points: z.number().int() }),
    }),
  ),
});

export const NarrativeSchema = z.object({
  rank: z.number().int(),
  sector: z.string(),
  narrative: z.string(),
  momentum_score: num,
  trend: z.enum(['strengthening', 'weakening']),
  evidence: z.object({
    performance_7d_pct: num,
    performance_30d_pct: num,
    relative_strength_30d: num,
    share_change_30d_pp: num,
    leaders: z.array(z.object({ symbol: z.string(), change_30d_pct: num })),
  }),
});

export const TvlSchema = z.object({
  total_defi_tvl_usd: num,
  change_7d_pct: num,
  change_30d_pct: num,
  tvl_to_total_market_cap_pct: num,
  as_of: z.string().nullable(),
  history: z.array(z.object({ date: z.string(), value: z.number() })),
});

export { AbsentSchema };
