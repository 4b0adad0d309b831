import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { dayOf, dayString } from '../../../core/dates';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import type { AppEnv } from '../../../env';
import { listPortfolios } from '../../portfolios/services/portfolios';
import { portfolioPerformance, portfolioValue } from '../../portfolios/services/summary';
import { defaultWatchlist, listWatchlists } from '../../watchlists/service';
import { HeadlineSchema } from '../schemas';
import { type MacroSnapshot, macroSnapshot, sectorsSnapshot } from '../service';

const tags = ['Dashboard'];
const num = z.number().nullable();
/** Portfolios a dashboard values at most (the rest are a click away). */
const MAX_DASHBOARD_PORTFOLIOS = 10;

const AssetPerf = z.object({
  symbol: z.string(),
  name: z.string(),
  price: num,
  change_24h_pct: num,
  change_30d_pct: num,
  volatility_30d_pct: num,
});

const SectorMove = z.object({ id: z.string(), performance_24h_pct: num, performance_7d_pct: num });

const OverviewSchema = z
  .object({
    context: z.enum(['guest', 'logged', 'admin']),
    macro: z.object({ snapshot_time: z.string(), as_of: z.string(), headline: HeadlineSchema }),
    sectors: z.object({ leaders: z.array(SectorMove), laggards: z.array(SectorMove) }),
    watchlist: z.object({
      id: z.string().nullable(),
      name: z.string(),
      source: z.string(),
      assets: z.array(AssetPerf),
    }),
    watchlists: z
      .array(z.object({ id: z.string(), name: z.string(), asset_count: z.number().int() }))
      .nullable()
      .openapi({ description: 'Signed-in users: their own watchlists.' }),
    portfolios: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          total_value: z.number(),
          market_value: z.number(),
          cash: z.number(),
          as_of: z.string(),
        }),
      )
      .nullable()
      .openapi({
        description: 'Signed-in users: their portfolios valued at the market clock (personal insights).',
      }),
    system: z
      .object({
        users: z.number().int(),
        portfolios: z.number().int(),
        jobs_by_status: z.record(z.string(), z.number().int()),
        snapshot_age_minutes: z.number(),
      })
      .nullable()
      .openapi({ description: 'Admins: system overview.' }),
  })
  .openapi('DashboardOverview');

const PerformanceSchema = z
  .object({
    context: z.enum(['guest', 'logged', 'admin']),
    as_of: z.string(),
    watchlist: z.object({
      source: z.string(),
      assets: z.array(AssetPerf),
      average_24h_pct: num,
      average_30d_pct: num,
    }),
    portfolios: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          return_1d: num,
          return_7d: num,
          return_30d: num,
          return_90d: num,
          return_ytd: num,
          points: z.number().int(),
        }),
      )
      .nullable(),
    system: z
      .object({
        jobs_last_24h: z.record(z.string(), z.number().int()),
        trades_total: z.number().int(),
        macro_snapshots_stored: z.number().int(),
      })
      .nullable(),
    method: z.string(),
  })
  .openapi('DashboardPerformance');

function contextOf(c: Context<AppEnv>): 'guest' | 'logged' | 'admin' {
  const p = c.get('principal');
  return !p ? 'guest' : p.role === 'admin' ? 'admin' : 'logged';
}

/** The guest watchlist: the admin-set default list, else the largest tracked crypto assets. */
async function guestWatchlist(env: Env, snap: MacroSnapshot) {
  const bySymbol = new Map(snap.screener.map((r) => [r.symbol, r]));
  const perf = (symbol: string, name: string) => {
    const r = bySymbol.get(symbol);
    return {
      symbol,
      name,
      price: r?.price ?? null,
      change_24h_pct: r?.change_24h_pct ?? null,
      change_30d_pct: r?.change_30d_pct ?? null,
      volatility_30d_pct: r?.volatility_30d_pct ?? null,
    };
  };
  try {
    const w = await defaultWatchlist(env);
    return {
      id: w.id as string | null,
      name: w.name,
      source: 'default watchlist (admin-curated)',
      assets: w.assets.map((a) => perf(a.symbol, a.name)),
    };
  } catch {
    const top = snap.screener
      .filter((r) => r.asset_type === 'crypto' && r.market_cap != null)
      .sort((a, b) => (b.market_cap ?? 0) - (a.market_cap ?? 0))
      .slice(0, 15);
    return {
      id: null,
      name: 'Top crypto by market cap',
      source: 'no default watchlist set: the 15 largest tracked crypto assets',
      assets: top.map((r) => perf(r.symbol, r.name)),
    };
  }
}

export const dashboardRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/dashboard/overview',
      tags,
      summary:
        'Context-aware dashboard: guests get the default watchlist and macro overview; users add their watchlists and portfolios; admins a system overview (001)',
      responses: {
        200: {
          description: 'The dashboard.',
          content: { 'application/json': { schema: envelopeSchema(OverviewSchema) } },
        },
      },
    }),
    async (c) => {
      const context = contextOf(c);
      const principal = c.get('principal');
      const [m, s] = await Promise.all([macroSnapshot(c.env), sectorsSnapshot(c.env)]);
      const moves = s.payload.sectors
        .filter((x) => x.performance['24h'] != null)
        .map((x) => ({
          id: x.id,
          performance_24h_pct: x.performance['24h'],
          performance_7d_pct: x.performance['7d'],
        }))
        .sort((a, b) => (b.performance_24h_pct ?? 0) - (a.performance_24h_pct ?? 0));
      let watchlists = null;
      let portfolios = null;
      if (principal) {
        watchlists = (await listWatchlists(c.env, principal)).map((w) => ({
          id: w.id,
          name: w.name,
          asset_count: w.asset_count,
        }));
        const { rows } = await listPortfolios(c.env, principal.userId);
        portfolios = await Promise.all(
          rows.slice(0, MAX_DASHBOARD_PORTFOLIOS).map(async (p) => {
            const v = await portfolioValue(c.env, p);
            return {
              id: p.id,
              name: p.name,
              total_value: v.totalValue,
              market_value: v.marketValue,
              cash: v.cash,
              as_of: v.asOf,
            };
          }),
        );
      }
      let system = null;
      if (context === 'admin') {
        const [users, pfs, jobs] = await c.env.DB.batch([
          c.env.DB.prepare('SELECT count(*) AS n FROM users'),
          c.env.DB.prepare('SELECT count(*) AS n FROM portfolios WHERE deleted_at IS NULL'),
          c.env.DB.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status'),
        ]);
        const n = (r: typeof users) => ((r?.results ?? [])[0] as { n: number } | undefined)?.n ?? 0;
        system = {
          users: n(users),
          portfolios: n(pfs),
          jobs_by_status: Object.fromEntries(
            ((jobs?.results ?? []) as { status: string; n: number }[]).map((r) => [r.status, r.n]),
          ),
          snapshot_age_minutes: Math.max(
            0,
            Math.round(((await marketNow(c.env)) - m.snapshot_time) / 60_000),
          ),
        };
      }
      return c.json(
        envelope(c, {
          context,
          macro: {
            snapshot_time: new Date(m.snapshot_time).toISOString(),
            as_of: m.payload.as_of,
            headline: m.payload.headline,
          },
          sectors: { leaders: moves.slice(0, 3), laggards: moves.slice(-3).reverse() },
          watchlist: await guestWatchlist(c.env, m.payload),
          watchlists,
          portfolios,
          system,
        }),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/dashboard/performance',
      tags,
      summary:
        'Performance analytics: default watchlist (guests), personal portfolios (users), system-wide metrics (admins) (001)',
      description: 'Guests: 20 requests/hour.',
      responses: {
        200: {
          description: 'Performance.',
          content: { 'application/json': { schema: envelopeSchema(PerformanceSchema) } },
        },
      },
    }),
    async (c) => {
      const context = contextOf(c);
      const principal = c.get('principal');
      const m = await macroSnapshot(c.env);
      const w = await guestWatchlist(c.env, m.payload);
      const avg = (k: 'change_24h_pct' | 'change_30d_pct') => {
        const v = w.assets.map((a) => a[k]).filter((x): x is number => x != null);
        return v.length ? Number((v.reduce((a, b) => a + b, 0) / v.length).toFixed(6)) : null;
      };
      let portfolios = null;
      if (principal) {
        const today = dayString(dayOf(await marketNow(c.env)));
        const { rows } = await listPortfolios(c.env, principal.userId);
        portfolios = await Promise.all(
          rows.slice(0, MAX_DASHBOARD_PORTFOLIOS).map(async (p) => {
            const r = await portfolioPerformance(c.env, p, { to: today });
            return {
              id: p.id,
              name: p.name,
              return_1d: r.trailing.d1,
              return_7d: r.trailing.d7,
              return_30d: r.trailing.d30,
              return_90d: r.trailing.d90,
              return_ytd: r.trailing.ytd,
              points: r.points.length,
            };
          }),
        );
      }
      let system = null;
      if (context === 'admin') {
        const since = new Date(Date.now() - 86_400_000).toISOString();
        const [jobs, trades, snaps] = await c.env.DB.batch([
          c.env.DB.prepare(
            'SELECT status, count(*) AS n FROM jobs WHERE created_at >= ? GROUP BY status',
          ).bind(since),
          c.env.DB.prepare('SELECT count(*) AS n FROM trades'),
          c.env.DB.prepare("SELECT count(*) AS n FROM metrics_snapshot WHERE kind = 'macro'"),
        ]);
        const n = (r: typeof trades) => ((r?.results ?? [])[0] as { n: number } | undefined)?.n ?? 0;
        system = {
          jobs_last_24h: Object.fromEntries(
            ((jobs?.results ?? []) as { status: string; n: number }[]).map((r) => [r.status, r.n]),
          ),
          trades_total: n(trades),
          macro_snapshots_stored: n(snaps),
        };
      }
      return c.json(
        envelope(c, {
          context,
          as_of: m.payload.as_of,
          watchlist: {
            source: w.source,
            assets: w.assets,
            average_24h_pct: avg('change_24h_pct'),
            average_30d_pct: avg('change_30d_pct'),
          },
          portfolios,
          system,
          method:
            'Watchlist: simple price changes over 1 and 30 days from the daily closes at the market clock, equal-weight averages; portfolios: time-weighted trailing returns of the ledger valued at daily closes (portfolios domain)',
        }),
        200,
      );
    },
  );
