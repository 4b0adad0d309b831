import { z } from '@hono/zod-openapi';
import { CalendarDate, DAY_MS, resolveDayRange } from '../../../core/dates';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import {
  AbsentSchema,
  PerformanceSchema,
  SectorMemberSchema,
  SectorPointSchema,
  SectorSummarySchema,
  SnapshotFields,
} from '../schemas';
import { getSectorRow } from '../service';
import { ok, type SectorView, serve, summary } from './read';

const tags = ['Sectors (Layer 2)'];
const params = z.object({
  sector_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'sector_id', in: 'path' }, example: 'smart-contract-platforms' }),
});

/** 404 for unknown sectors (and inactive ones, except for admins), before anything is served. */
async function check(c: Parameters<typeof serve>[0], id: string) {
  await getSectorRow(c.env, id, c.get('principal')?.role === 'admin');
}

/** The sector's stored row and its analysis in the snapshot. */
function find(data: SectorView, id: string) {
  const row = data.rows.find((r) => r.id === id);
  const a = data.payload.sectors.find((s) => s.id === id);
  if (!row || !a) throw new Error(`sector ${id} missing from the snapshot`);
  return { row, a };
}

const SectorAnalysisResponse = z
  .object({ sector: SectorSummarySchema, members: z.array(SectorMemberSchema), ...SnapshotFields })
  .openapi('SectorAnalysisResponse');
const SectorDetailPerformanceResponse = z
  .object({
    sector_id: z.string(),
    name: z.string(),
    performance: PerformanceSchema,
    relative_strength_30d: z.number().nullable(),
    share_of_total_pct: z.number().nullable(),
    share_change_30d_pp: z.number().nullable(),
    rotation_score: z.number().nullable(),
    flow: z.enum(['inflow', 'outflow', 'neutral']).nullable(),
    volatility_30d_pct: z.number().nullable(),
    members: z.array(SectorMemberSchema),
    ...SnapshotFields,
  })
  .openapi('SectorDetailPerformanceResponse');
const SectorAssetListResponse = z
  .object({
    sector: SectorSummarySchema,
    assets: z.array(SectorMemberSchema),
    total: z.number().int(),
    sort_by: z.string(),
    ...SnapshotFields,
  })
  .openapi('SectorAssetListResponse');
const SectorFundamentalResponse = z
  .object({
    sector_id: z.string(),
    market_cap: z.number().nullable(),
    volume_24h: z.number().nullable(),
    volume_to_market_cap_pct: z.number().nullable(),
    tracked_assets: z.number().int(),
    tvl: z.union([
      z.object({
        total_defi_tvl_usd: z.number().nullable(),
        as_of: z.string().nullable(),
        note: z.string(),
      }),
      AbsentSchema,
    ]),
    active_users: AbsentSchema,
    active_protocols: AbsentSchema,
    institutional_flows: AbsentSchema,
    ...SnapshotFields,
  })
  .openapi('SectorFundamentalResponse');
const SectorHistoryResponse = z
  .object({
    sector_id: z.string(),
    timeframe: z.string(),
    start_date: z.string(),
    end_date: z.string(),
    points: z.array(SectorPointSchema),
    ...SnapshotFields,
  })
  .openapi('SectorHistoryResponse');

const absent = (reason: string, configure: string) => ({ available: false as const, reason, configure });

export const sectorRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/sectors/{sector_id}/analysis',
      tags,
      summary:
        'One sector: performance, capital flows (share of market cap), relative strength, members (000)',
      request: { params },
      responses: ok(SectorAnalysisResponse, 'Analysis.'),
    }),
    async (c) => {
      const id = c.req.valid('param').sector_id;
      await check(c, id);
      return serve(c, SectorAnalysisResponse, (data) => {
        const { row, a } = find(data, id);
        return {
          sector: summary(a, row),
          members: a.members,
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
      path: '/api/v1/sectors/{sector_id}/performance',
      tags,
      summary: 'One sector’s performance and rotation analysis (001)',
      request: { params },
      responses: ok(SectorDetailPerformanceResponse, 'Performance.'),
    }),
    async (c) => {
      const id = c.req.valid('param').sector_id;
      await check(c, id);
      return serve(c, SectorDetailPerformanceResponse, (data) => {
        const { row, a } = find(data, id);
        return {
          sector_id: a.id,
          name: row.name,
          performance: a.performance,
          relative_strength_30d: a.relative_strength_30d,
          share_of_total_pct: a.share_of_total_pct,
          share_change_30d_pp: a.share_change_30d_pp,
          rotation_score: a.rotation_score,
          flow: a.flow,
          volatility_30d_pct: a.volatility_30d_pct,
          members: a.members,
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
      path: '/api/v1/sectors/{sector_id}/assets',
      tags,
      summary: 'Assets in a sector with performance and sector context (000/001)',
      request: {
        params,
        query: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(50),
          sort_by: z.enum(['market_cap', 'performance', 'volume']).default('market_cap'),
        }),
      },
      responses: ok(SectorAssetListResponse, 'Assets.'),
    }),
    async (c) => {
      const { limit, sort_by } = c.req.valid('query');
      const id = c.req.valid('param').sector_id;
      await check(c, id);
      return serve(c, SectorAssetListResponse, (data) => {
        const { row, a } = find(data, id);
        const key = (m: (typeof a.members)[number]) =>
          (sort_by === 'performance'
            ? m.change_24h_pct
            : sort_by === 'volume'
              ? m.volume_24h
              : m.market_cap) ?? Number.NEGATIVE_INFINITY;
        const assets = a.members.slice().sort((x, y) => key(y) - key(x));
        return {
          sector: summary(a, row),
          assets: assets.slice(0, limit),
          total: assets.length,
          sort_by,
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
      path: '/api/v1/sectors/{sector_id}/fundamentals',
      tags,
      summary:
        'Sector fundamentals: market cap, volume, members; TVL, active users, protocols and institutional flows where they exist (000)',
      request: { params },
      responses: ok(SectorFundamentalResponse, 'Fundamentals.'),
    }),
    async (c) => {
      const id = c.req.valid('param').sector_id;
      await check(c, id);
      return serve(c, SectorFundamentalResponse, (data) => {
        const { a } = find(data, id);
        const tvl = data.payload.tvl;
        return {
          sector_id: a.id,
          market_cap: a.market_cap,
          volume_24h: a.volume_24h,
          volume_to_market_cap_pct:
            a.market_cap && a.volume_24h != null
              ? Number(((a.volume_24h / a.market_cap) * 100).toFixed(6))
              : null,
          tracked_assets: a.tracked_assets,
          tvl:
            a.id === 'defi'
              ? {
                  total_defi_tvl_usd: tvl.total_defi_tvl_usd,
                  as_of: tvl.as_of,
                  note: 'DefiLlama total DeFi TVL: the whole DeFi sector, not only tracked members.',
                }
              : absent(
                  'Per-sector TVL history is not shipped (only the DeFi total is).',
                  'DefiLlama /v2/historicalChainTvl and /protocols as data sources.',
                ),
          active_users: absent(
            'No per-sector user counts are shipped.',
            'Token Terminal or Artemis API key.',
          ),
          active_protocols: absent(
            'No protocol registry history is shipped.',
            'DefiLlama /protocols as a data source.',
          ),
          institutional_flows: absent(
            'No fund-flow data (ETF/ETP flows) is shipped.',
            'CoinShares weekly fund flows or Farside ETF flows as a data source.',
          ),
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
      path: '/api/v1/sectors/{sector_id}/history',
      tags,
      summary: 'A sector’s daily index, market cap and share of total market cap (000)',
      description:
        'From the sector snapshot’s one-year daily history. timeframe 1d, 1w or 1M (last day of each period).',
      request: {
        params,
        query: z.object({
          timeframe: z.enum(['1d', '1w', '1M']).default('1d'),
          start_date: CalendarDate.optional(),
          end_date: CalendarDate.optional(),
        }),
      },
      responses: ok(SectorHistoryResponse, 'History.'),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const range = resolveDayRange({ from: q.start_date, to: q.end_date }, await marketNow(c.env), {
        maxDays: 3660,
        defaultDays: 365,
        fields: ['start_date', 'end_date'],
        path: c.req.path,
      });
      const id = c.req.valid('param').sector_id;
      await check(c, id);
      return serve(c, SectorHistoryResponse, (data) => {
        const { a } = find(data, id);
        const inRange = a.history.filter((p) => {
          const day = Date.parse(p.date) / DAY_MS;
          return day >= range.from && day <= range.to;
        });
        const keyOf = (p: (typeof inRange)[number]) =>
          q.timeframe === '1M'
            ? p.date.slice(0, 7)
            : q.timeframe === '1w'
              ? String(Math.floor((Date.parse(p.date) / DAY_MS + 3) / 7))
              : p.date;
        const last = new Map<string, (typeof inRange)[number]>();
        for (const p of inRange) last.set(keyOf(p), p);
        return {
          sector_id: a.id,
          timeframe: q.timeframe,
          start_date: range.fromDay,
          end_date: range.toDay,
          points: [...last.values()],
          snapshot_time: data.snapshot_time,
          as_of: data.payload.as_of,
          meta: data.payload.meta,
        };
      });
    },
  );
