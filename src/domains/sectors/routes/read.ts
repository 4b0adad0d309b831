import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cachedData, notModifiedResponse } from '../../../core/cache';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelopeSchema } from '../../../core/responses';
import { sectionHandlers } from '../../../core/sections';
import type { AppEnv } from '../../../env';
import { sectorsSnapshot } from '../../macro/service';
import type { SectorAnalysis, SectorsSnapshot } from '../compute';
import {
  AbsentSchema,
  CorrelationBlock,
  NarrativeSchema,
  SectorSummarySchema,
  SnapshotFields,
  TvlSchema,
} from '../schemas';
import { listSectorRows, type SectorRow } from '../service';

const tags = ['Sectors (Layer 2)'];
const TTL = 600;

/** The sector snapshot and the stored sector rows. */
export interface SectorView {
  snapshot_time: string;
  payload: SectorsSnapshot;
  rows: SectorRow[];
}

async function loadSectors(c: Context<AppEnv>): Promise<SectorView> {
  const [s, rows] = await Promise.all([sectorsSnapshot(c.env), listSectorRows(c.env)]);
  return { snapshot_time: new Date(s.snapshot_time).toISOString(), payload: s.payload, rows };
}

/** The sector snapshot and the stored sector rows, through the edge cache (parsed). */
export async function sectorData(c: Context<AppEnv>) {
  return cachedData(c, TTL, () => loadSectors(c));
}

/** Sections of the sector snapshot, served as cached bytes (see core/sections.ts). */
export const { serve, section } = sectionHandlers({ ttl: TTL, load: loadSectors });
// Admins may list inactive sectors at the same URL: their own cache entry.
const byRole = sectionHandlers({
  ttl: TTL,
  load: loadSectors,
  variant: (c) => (c.get('principal')?.role === 'admin' ? 'admin' : undefined),
});

export function summary(a: SectorAnalysis, row: SectorRow) {
  const { members: _m, history: _h, ...rest } = a;
  return {
    ...rest,
    name: row.name,
    description: row.description,
    category: row.category,
    is_active: row.isActive,
  };
}

/** Active sectors (all for admins asking include_inactive) joined with their analysis. */
export function joined(
  data: { payload: { sectors: SectorAnalysis[] }; rows: SectorRow[] },
  includeInactive = false,
) {
  return data.rows
    .filter((r) => r.isActive || includeInactive)
    .flatMap((r) => {
      const a = data.payload.sectors.find((s) => s.id === r.id);
      return a ? [{ a, row: r }] : [];
    });
}

export function ok<T extends z.ZodType>(schema: T, description: string) {
  return {
    200: { description, content: { 'application/json': { schema: envelopeSchema(schema) } } },
    ...notModifiedResponse,
  };
}

const PERIODS = ['24h', '7d', '30d', '90d'] as const;

const SectorListResponse = z
  .object({ sectors: z.array(SectorSummarySchema), count: z.number().int(), ...SnapshotFields })
  .openapi('SectorListResponse');
const SectorPerformanceResponse = z
  .object({
    timeframe: z.enum(PERIODS),
    sort_by: z.string(),
    sectors: z.array(
      z.object({
        rank: z.number().int(),
        id: z.string(),
        name: z.string(),
        performance_pct: z.number().nullable(),
        market_cap: z.number().nullable(),
        share_of_total_pct: z.number().nullable(),
        relative_strength_30d: z.number().nullable(),
      }),
    ),
    market_return_30d_pct: z.number().nullable(),
    ...SnapshotFields,
  })
  .openapi('SectorPerformanceResponse');
const SectorRotationResponse = z
  .object({
    market_return_30d_pct: z.number().nullable(),
    sectors: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        relative_strength_30d: z.number().nullable(),
        share_of_total_pct: z.number().nullable(),
        share_change_30d_pp: z.number().nullable(),
        rotation_score: z.number().nullable(),
        flow: z.enum(['inflow', 'outflow', 'neutral']).nullable(),
      }),
    ),
    inflows: z.array(z.string()),
    outflows: z.array(z.string()),
    ...SnapshotFields,
  })
  .openapi('SectorRotationResponse');
const SectorCorrelationResponse = z
  .object({ period: z.string(), ...CorrelationBlock.shape, ...SnapshotFields })
  .openapi('SectorCorrelationResponse');
const SectorNarrativeResponse = z
  .object({ narratives: z.array(NarrativeSchema), ...SnapshotFields })
  .openapi('SectorNarrativeResponse');
const TVLAnalysisResponse = z
  .object({ defi: TvlSchema, by_sector: AbsentSchema, ...SnapshotFields })
  .openapi('TVLAnalysisResponse');
const CrossSectorAnalysisResponse = z
  .object({
    leaders: z.array(z.string()),
    laggards: z.array(z.string()),
    dispersion_30d_pct: z.number().nullable(),
    average_pairwise_correlation_30d: z.number().nullable(),
    strongest_pair: z.object({ a: z.string(), b: z.string(), correlation: z.number() }).nullable(),
    weakest_pair: z.object({ a: z.string(), b: z.string(), correlation: z.number() }).nullable(),
    pattern: z.string(),
    ...SnapshotFields,
  })
  .openapi('CrossSectorAnalysisResponse');
const SectorAllocationResponse = z
  .object({
    method: z.string(),
    window: z.string(),
    weights: z.array(
      z.object({
        sector: z.string(),
        weight_pct: z.number(),
        annualized_volatility_pct: z.number().nullable(),
      }),
    ),
    excluded: z.array(z.object({ sector: z.string(), reason: z.string() })),
    ...SnapshotFields,
  })
  .openapi('SectorAllocationResponse');
const SectorMappingResponse = z
  .object({
    sectors: z.array(
      z.object({
        sector_id: z.string(),
        name: z.string(),
        assets: z.array(
          z.object({
            asset_id: z.string(),
            symbol: z.string(),
            name: z.string(),
            weight_pct: z.number().nullable(),
          }),
        ),
        source_constituents: z.array(z.string()),
      }),
    ),
    total_assets: z.number().int(),
    ...SnapshotFields,
  })
  .openapi('SectorMappingResponse');

export const sectorReadRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors',
      tags,
      summary: 'The 11 curated crypto sectors with asset counts and performance (000/001)',
      request: {
        query: z.object({
          include_inactive: z
            .enum(['true', 'false'])
            .default('false')
            .openapi({ description: 'Admins only: list inactive sectors too.' }),
        }),
      },
      responses: ok(SectorListResponse, 'Sectors.'),
    }),
    async (c) => {
      const all = c.req.valid('query').include_inactive === 'true' && c.get('principal')?.role === 'admin';
      return byRole.serve(c, SectorListResponse, (data) => {
        const list = joined(data, all).map(({ a, row }) => summary(a, row));
        return {
          sectors: list,
          count: list.length,
          snapshot_time: data.snapshot_time,
          as_of: data.payload.as_of,
          meta: data.payload.meta,
        };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/performance',
      tags,
      summary: 'All sectors compared over 24h, 7d, 30d or 90d (000)',
      request: {
        query: z.object({
          timeframe: z.enum(PERIODS).default('24h'),
          sort_by: z.enum(['performance', 'market_cap', 'name']).default('performance'),
        }),
      },
      responses: ok(SectorPerformanceResponse, 'Performance.'),
    }),
    async (c) => {
      const { timeframe, sort_by } = c.req.valid('query');
      return serve(c, SectorPerformanceResponse, (data) => {
        const rows = joined(data).map(({ a, row }) => ({
          id: a.id,
          name: row.name,
          performance_pct: a.performance[timeframe],
          market_cap: a.market_cap,
          share_of_total_pct: a.share_of_total_pct,
          relative_strength_30d: a.relative_strength_30d,
        }));
        const key = (r: (typeof rows)[number]) =>
          (sort_by === 'market_cap' ? r.market_cap : r.performance_pct) ?? Number.NEGATIVE_INFINITY;
        rows.sort((x, y) => (sort_by === 'name' ? x.name.localeCompare(y.name) : key(y) - key(x)));
        return {
          timeframe,
          sort_by,
          sectors: rows.map((r, i) => ({ rank: i + 1, ...r })),
          market_return_30d_pct: data.payload.market_return_30d_pct,
          snapshot_time: data.snapshot_time,
          as_of: data.payload.as_of,
          meta: data.payload.meta,
        };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/rotation',
      tags,
      summary:
        'Sector rotation: relative strength, change in share of total market cap, inflow/outflow (000/001)',
      responses: ok(SectorRotationResponse, 'Rotation.'),
    }),
    async (c) => {
      return serve(c, SectorRotationResponse, (data) => {
        const rows = joined(data)
          .map(({ a, row }) => ({
            id: a.id,
            name: row.name,
            relative_strength_30d: a.relative_strength_30d,
            share_of_total_pct: a.share_of_total_pct,
            share_change_30d_pp: a.share_change_30d_pp,
            rotation_score: a.rotation_score,
            flow: a.flow,
          }))
          .sort((x, y) => (y.rotation_score ?? -1e9) - (x.rotation_score ?? -1e9));
        return {
          market_return_30d_pct: data.payload.market_return_30d_pct,
          sectors: rows,
          inflows: rows.filter((r) => r.flow === 'inflow').map((r) => r.id),
          outflows: rows.filter((r) => r.flow === 'outflow').map((r) => r.id),
          snapshot_time: data.snapshot_time,
          as_of: data.payload.as_of,
          meta: data.payload.meta,
        };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/correlations',
      tags,
      summary: 'Inter-sector correlations of daily index returns, and each sector against BTC and ETH (000)',
      request: { query: z.object({ period: z.enum(['7d', '30d', '90d']).default('30d') }) },
      responses: ok(SectorCorrelationResponse, 'Correlations.'),
    }),
    async (c) => {
      const { period } = c.req.valid('query');
      return serve(c, SectorCorrelationResponse, (data) => {
        const block = (data.payload.correlations as Record<string, z.infer<typeof CorrelationBlock>>)[
          period
        ] ?? {
          sectors: [],
          matrix: [],
          vs_majors: {},
        };
        return {
          period,
          ...block,
          snapshot_time: data.snapshot_time,
          as_of: data.payload.as_of,
          meta: data.payload.meta,
        };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/narratives',
      tags,
      summary: 'Dominant narratives: sectors ranked by momentum, with the evidence (000)',
      responses: ok(SectorNarrativeResponse, 'Narratives.'),
    }),
    async (c) => {
      return serve(c, SectorNarrativeResponse, (data) => {
        return {
          narratives: data.payload.narratives,
          snapshot_time: data.snapshot_time,
          as_of: data.payload.as_of,
          meta: data.payload.meta,
        };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/tvl-analysis',
      tags,
      summary: 'Total value locked: DeFi TVL trend; per-sector TVL absent with the reason (000)',
      responses: ok(TVLAnalysisResponse, 'TVL.'),
    }),
    async (c) => {
      return serve(c, TVLAnalysisResponse, (data) => {
        return {
          defi: data.payload.tvl,
          by_sector: {
            available: false as const,
            reason:
              'Only DefiLlama’s total DeFi TVL is shipped; per-chain and per-protocol TVL history is not.',
            configure: 'DefiLlama /v2/historicalChainTvl/{chain} and /protocol/{slug} as data sources.',
          },
          snapshot_time: data.snapshot_time,
          as_of: data.payload.as_of,
          meta: {
            ...data.payload.meta,
            method:
              'DefiLlama total TVL (USD); changes over 7 and 30 days; ratio to CoinGecko total crypto market cap',
            window: '90 days of history',
            data_points: data.payload.tvl.history.length,
            as_of: data.payload.tvl.as_of,
            source: 'DefiLlama api.llama.fi/charts',
          },
        };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/cross-sector-analysis',
      tags,
      summary:
        'Cross-sector relationships and rotation patterns: leaders, laggards, dispersion, average correlation (000)',
      responses: ok(CrossSectorAnalysisResponse, 'Analysis.'),
    }),
    async (c) => {
      return serve(c, CrossSectorAnalysisResponse, (data) => {
        const p = data.payload;
        const ranked = joined(data)
          .map(({ a }) => a)
          .filter((a) => a.performance['30d'] != null)
          .sort((x, y) => (y.performance['30d'] as number) - (x.performance['30d'] as number));
        const perf = ranked.map((a) => a.performance['30d'] as number);
        const mean = perf.reduce((x, y) => x + y, 0) / (perf.length || 1);
        const dispersion =
          perf.length > 1
            ? Math.sqrt(perf.reduce((s, v) => s + (v - mean) ** 2, 0) / (perf.length - 1))
            : null;
        const block = (p.correlations as Record<string, z.infer<typeof CorrelationBlock>>)['30d'];
        const pairs: { a: string; b: string; correlation: number }[] = [];
        if (block)
          for (const [i, a] of block.sectors.entries())
            for (const [j, b] of block.sectors.entries()) {
              const v = block.matrix[i]?.[j];
              if (j > i && v != null) pairs.push({ a, b, correlation: v });
            }
        pairs.sort((x, y) => y.correlation - x.correlation);
        const avg = pairs.length ? pairs.reduce((s, x) => s + x.correlation, 0) / pairs.length : null;
        return {
          leaders: ranked.slice(0, 3).map((a) => a.id),
          laggards: ranked
            .slice(-3)
            .reverse()
            .map((a) => a.id),
          dispersion_30d_pct: dispersion == null ? null : Number(dispersion.toFixed(6)),
          average_pairwise_correlation_30d: avg == null ? null : Number(avg.toFixed(6)),
          strongest_pair: pairs[0] ?? null,
          weakest_pair: pairs.at(-1) ?? null,
          pattern:
            avg == null
              ? 'insufficient data'
              : avg > 0.8
                ? 'high co-movement: sectors move with the market, little rotation'
                : dispersion != null && dispersion > 10
                  ? 'rotation: wide dispersion of 30-day sector returns'
                  : 'mixed: moderate correlation and dispersion',
          snapshot_time: data.snapshot_time,
          as_of: p.as_of,
          meta: {
            ...p.meta,
            method:
              'Leaders/laggards by 30-day index return; dispersion = sample sd of 30-day sector returns; pairwise Pearson correlations of daily index returns over 30 days; pattern: avg corr > 0.8 = co-movement, dispersion > 10 pp = rotation',
          },
        };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/allocation',
      tags,
      summary:
        'Sector allocation by a stated method: inverse 90-day volatility of sector indices (naive risk parity) (001)',
      description: 'Guests: 50 requests/hour. The weights are the same for every caller (not personalised).',
      responses: ok(SectorAllocationResponse, 'Allocation.'),
    }),
    async (c) => {
      return serve(c, SectorAllocationResponse, (data) => {
        const p = data.payload;
        const weighted = new Set(p.allocation.map((w) => w.sector));
        return {
          method:
            'Inverse-volatility weights w_i = (1/sigma_i) / sum_j(1/sigma_j) on each sector index’s daily returns (naive risk parity: equal risk contributions when correlations are equal). A risk budget, not a return forecast.',
          window: '90 calendar days of daily index returns; sigma annualized by sqrt(365)',
          weights: p.allocation,
          excluded: p.sectors
            .filter((s) => !weighted.has(s.id))
            .map((s) => ({ sector: s.id, reason: s.absent_reason ?? 'no index returns in the window' })),
          snapshot_time: data.snapshot_time,
          as_of: p.as_of,
          meta: p.meta,
        };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/assets',
      tags,
      summary:
        'The crypto sector mapping: which tracked asset belongs to which sector, with the evidence (001)',
      responses: ok(SectorMappingResponse, 'Mapping.'),
    }),
    async (c) => {
      return serve(c, SectorMappingResponse, (data) => {
        const list = joined(data).map(({ a, row }) => ({
          sector_id: a.id,
          name: row.name,
          assets: a.members.map((m) => ({
            asset_id: m.asset_id,
            symbol: m.symbol,
            name: m.name,
            weight_pct: m.weight_pct,
          })),
          source_constituents: a.source_constituents,
        }));
        return {
          sectors: list,
          total_assets: list.reduce((n, s) => n + s.assets.length, 0),
          snapshot_time: data.snapshot_time,
          as_of: data.payload.as_of,
          meta: {
            ...data.payload.meta,
            method:
              'Curated one-sector-per-asset classification (domains/assets/sectors.ts) from CoinGecko categories, CMC tags and custom_categories.csv, investor-portfolio and ecosystem tags filtered out; weights by market cap',
          },
        };
      });
    },
  );
