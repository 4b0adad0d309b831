import { z } from '@hono/zod-openapi';
import { ordered } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { factorAggregation, positionRiskBlocks } from '../../risk/services/blocks';
import { IsoDay, PortfolioId, PositionId, PositionTypeSchema, round, TransactionSchema } from '../schemas';
import { aggregateGreeks, isOptionValue, positionInsight, recentPerformance } from '../services/insight';
import {
  getReadablePortfolio,
  getReadablePosition,
  listPortfolios,
  openPositionCounts,
  type PortfolioRow,
} from '../services/portfolios';
import { today } from '../services/positions';
import { assessQuality } from '../services/quality';
import { type Bucket, breakdown, concentrationOf, portfolioValue, weightOf } from '../services/summary';
import type { PortfolioValue, PositionValue } from '../services/valuation';
import { type ReturnsAsk, ReturnsFields, ReturnsQuery, returnsFor } from './returns-query';

const common = { security: [{ bearerAuth: [] }], middleware: requireUser, tags: ['Data (004)'] };
const money = (n: number) => round(n, 2);
const pct = (n: number | null) => (n === null ? null : round(n, 4));
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema: plainOrV2Schema(schema) } } },
});
/** 004 sends booleans as query strings. */
const QueryBool = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1')
  .openapi({ type: 'boolean' });

const IncludeReturns = QueryBool.openapi({
  type: 'boolean',
  description:
    '`returns` and `benchmark_comparison` (issue 23) over from..to (default: since the first trade); implied by from, to, benchmark or standard_periods',
});

/** The returns block when the client asked for it (include_returns, a window or a benchmark). */
async function returnsAsked(
  env: Env,
  who: { userId: string | null; path: string },
  portfolio: PortfolioRow,
  q: ReturnsAsk & { include_returns?: boolean },
) {
  if (!q.include_returns && !q.from && !q.to && !q.benchmark && q.standard_periods !== 'true') return {};
  const { returns, benchmark } = await returnsFor(env, portfolio, who.userId, q, { path: who.path });
  return { returns, benchmark_comparison: benchmark };
}

const BucketSchema = z.object({ count: z.number().int(), value: z.number(), percentage: z.number() });
const Buckets = z.record(z.string(), BucketSchema);
const roundBuckets = (b: Record<string, Bucket>) =>
  Object.fromEntries(
    Object.entries(b).map(([k, x]) => [
      k,
      { count: x.count, value: money(x.value), percentage: round(x.percentage, 2) },
    ]),
  );

/** Per unit, as 004 shows it (`cost_basis` 160 for 100 shares bought at 160). */
const avgCost = (v: PositionValue) => round(v.avgCost, 8);
const isOpenLong = (v: PositionValue) => v.isOpen && v.sign === 1 && !isOptionValue(v);

// ---------- 2.1 portfolios ----------
const PortfolioListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.string(),
      created_at: z.string(),
      positions_count: z.number().int(),
      total_value: z.number(),
    }),
  ),
});

// ---------- 2.2 complete ----------
const SECTIONS = ['portfolio', 'positions', 'summary', 'market_data'] as const;
type Section = (typeof SECTIONS)[number];
const CompletePositionSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  position_type: PositionTypeSchema,
  quantity: z.number(),
  current_price: z.number(),
  market_value: z.number(),
  unrealized_pnl: z.number(),
  cost_basis: z.number().openapi({ description: 'Average cost per unit (incl. capitalised fees)' }),
  price_source: z.string(),
});
const CompleteSchema = z.object({
  portfolio: z
    .object({
      id: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      currency: z.string(),
      created_at: z.string(),
      updated_at: z.string(),
    })
    .optional(),
  positions: z.array(CompletePositionSchema).optional(),
  summary: z
    .object({
      total_value: z.number(),
      cash_balance: z
        .number()
        .openapi({ description: "The ledger's real cash balance (not 5% of value as the seed's note says)" }),
      total_pnl: z
        .number()
        .openapi({ description: 'Total value − net external flows (deposits − withdrawals)' }),
      positions_count: z.number().int(),
    })
    .optional(),
  market_data: z
    .object({
      last_updated: z.string().nullable(),
      data_quality: z.number(),
    })
    .optional(),
  as_of_date: z.string().nullable(),
});

// ---------- 2.3 data quality ----------
const QualitySchema = z.object({
  portfolio_id: z.string(),
  overall_score: z.number(),
  metrics: z.object({
    price_coverage: z.object({
      score: z.number(),
      total_positions: z.number().int(),
      positions_with_prices: z.number().int(),
      missing_prices: z.number().int(),
      unpriced_symbols: z.array(z.string()),
    }),
    data_freshness: z.object({
      score: z.number(),
      last_updated: z.string().nullable(),
      hours_since_update: z.number().nullable(),
      oldest_update: z.string().nullable(),
      hours_since_oldest_update: z.number().nullable(),
      stale_symbols: z.array(z.string()),
      stale_prices: z.array(
        z.object({ symbol: z.string(), as_of: z.string(), cadence: z.string(), reason: z.string() }),
      ),
    }),
    greeks_coverage: z.object({
      score: z.number(),
      options_positions: z.number().int(),
      positions_with_greeks: z.number().int(),
      missing_greeks: z.number().int(),
      symbols_missing_greeks: z.array(z.string()),
    }),
  }),
  recommendations: z.array(z.string()),
  last_assessed: z.string(),
});

// ---------- 2.4 positions details ----------
/** The valuation price's freshness (src/domains/prices/freshness.ts): a 2021 GOLD price says so. */
const PriceFreshnessSchema = z.object({
  price_as_of: z
    .string()
    .nullable()
    .openapi({ description: 'When the valuation price was observed; null when valued at cost.' }),
  price_stale: z.boolean(),
  price_stale_reason: z.string().nullable(),
});
const priceFreshness = (v: PositionValue): z.infer<typeof PriceFreshnessSchema> => ({
  price_as_of: v.freshness?.as_of ?? null,
  price_stale: v.freshness?.stale ?? false,
  price_stale_reason: v.freshness?.stale_reason ?? null,
});

const DetailRowSchema = z
  .object({
    id: z.string(),
    portfolio_id: z.string(),
    symbol: z.string(),
    position_type: PositionTypeSchema,
    quantity: z.number(),
    cost_basis: z.number(),
    current_price: z.number(),
    market_value: z.number(),
    unrealized_pnl: z.number(),
    unrealized_pnl_percent: z.number().nullable(),
    day_change: z.number(),
    day_change_percent: z.number().nullable(),
    is_active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .extend(PriceFreshnessSchema.shape);
const detailRow = (v: PositionValue) => ({
  ...priceFreshness(v),
  id: v.position.id,
  portfolio_id: v.position.portfolioId,
  symbol: v.position.symbol,
  position_type: v.position.positionType,
  quantity: v.quantity,
  cost_basis: avgCost(v),
  current_price: v.price,
  market_value: money(v.marketValue),
  unrealized_pnl: money(v.unrealizedPnl),
  unrealized_pnl_percent: pct(v.unrealizedPnlPct),
  day_change: money(v.dayChange),
  day_change_percent: pct(v.dayChangePct),
  is_active: v.position.isActive,
  created_at: v.position.createdAt,
  updated_at: v.position.updatedAt,
});

// ---------- 2.13 position by id ----------
/** 2.13's "position" block; management responses use it too. */
export const PositionBlockSchema = z
  .object({
    id: z.string(),
    portfolio_id: z.string(),
    symbol: z.string(),
    position_type: PositionTypeSchema,
    quantity: z.number(),
    cost_basis: z.number(),
    current_price: z.number(),
    market_value: z.number(),
    weight_in_portfolio: z.number(),
    underlying_asset_id: z.string().nullable(),
    strike: z.number().nullable(),
    expiry: z.string().nullable(),
    multiplier: z.number(),
    implied_volatility: z.number().nullable(),
    notes: z.string().nullable(),
    tags: z.record(z.string(), z.string()),
    allocation_target: z.number().nullable(),
    realized_pnl: z.number(),
    opened_at: z.string().nullable(),
    closed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    is_active: z.boolean(),
  })
  .extend(PriceFreshnessSchema.shape)
  .openapi('DataPosition');

export function positionBlock(v: PositionValue, value: PortfolioValue): z.infer<typeof PositionBlockSchema> {
  const p = v.position;
  const isOption = isOptionValue(v);
  return {
    id: p.id,
    portfolio_id: p.portfolioId,
    symbol: p.symbol,
    position_type: p.positionType,
    quantity: v.quantity,
    cost_basis: avgCost(v),
    current_price: v.price,
    market_value: money(v.marketValue),
    weight_in_portfolio: round(weightOf(v, value), 6),
    underlying_asset_id: isOption ? p.underlyingAssetId : null,
    strike: p.strike !== null ? Number(p.strike) : null,
    expiry: p.expiry,
    multiplier: v.multiplier,
    implied_volatility: p.impliedVolatility,
    notes: p.notes,
    tags: p.tags,
    allocation_target: p.allocationTarget,
    realized_pnl: money(v.realizedPnl),
    opened_at: p.openedAt,
    closed_at: p.closedAt,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    is_active: p.isActive,
    ...priceFreshness(v),
  };
}

const GreeksSchema = z.object({
  delta: z.number(),
  gamma: z.number(),
  theta: z.number().openapi({ description: 'Per calendar day' }),
  vega: z.number().openapi({ description: 'Per 1.00 of volatility' }),
  rho: z.number(),
  delta_notional: z.number(),
  implied_volatility: z.number(),
  underlying_price: z.number(),
  time_to_expiry_years: z.number(),
  risk_free_rate: z.number(),
});
const PositionDetailSchema = z.object({
  position: PositionBlockSchema,
  pnl_analysis: z.object({
    unrealized_pnl: z.number(),
    unrealized_pnl_percent: z.number().nullable(),
    day_change: z.number(),
    day_change_percent: z.number().nullable(),
    total_cost: z.number(),
    total_proceeds: z.number(),
    realized_pnl: z.number(),
    income: z.number(),
  }),
  market_data: z
    .object({
      symbol: z.string(),
      current_price: z.number(),
      bid: z.null(),
      ask: z.null(),
      volume: z.number().nullable(),
      day_high: z.number().nullable(),
      day_low: z.number().nullable(),
      year_high: z.number().nullable(),
      year_low: z.number().nullable(),
      market_cap: z.number().nullable(),
      last_updated: z.string(),
    })
    .nullable()
    .openapi({
      description: "The priced asset's quote (an option's underlying). Bid/ask are not stored: null.",
    }),
  fundamentals: z.object({
    market_cap: z.number().nullable(),
    pe_ratio: z.null(),
    dividend_yield: z.null(),
    beta: z.null(),
    sector: z.string(),
    industry: z.null(),
  }),
  greeks: GreeksSchema.nullable(),
  factor_exposures: z
    .object({
      factor_set: z.string(),
      status: z.string(),
      exposures: z.record(z.string(), z.number()).nullable(),
      r_squared: z.number().nullable(),
      residual_volatility_annualized: z.number().nullable(),
      observations: z.number().int(),
      window_end: z.string().nullable(),
      last_updated: z.string(),
    })
    .nullable()
    .openapi({
      description:
        'Stored ETF 7-factor regression of an open position (risk batch); null for closed positions',
    }),
  risk_metrics: z.object({
    position_var_95: z.number().nullable(),
    position_var_99: z.number().nullable(),
    component_var: z
      .number()
      .nullable()
      .openapi({ description: 'Parametric 1-day 95% component VaR (stored risk batch), loss negative' }),
    marginal_var: z
      .number()
      .nullable()
      .openapi({ description: 'Marginal VaR per unit of weight, loss negative' }),
    beta_to_portfolio: z.number().nullable(),
    correlation_to_portfolio: z.number().nullable(),
    observations: z.number().int(),
    method: z.string(),
  }),
  historical_performance: z.object({
    returns: z.array(z.object({ date: z.string(), return: z.number() })).nullable(),
    volatility_30d: z.number().nullable(),
    sharpe_ratio_30d: z.number().nullable(),
    max_drawdown_30d: z.number().nullable(),
    annualization_periods: z.number().int(),
    data_points: z.number().int(),
  }),
  transactions: z.array(TransactionSchema),
  alerts: z.array(z.string()),
  last_updated: z.string(),
});

// ---------- 2.10 aggregations ----------
const AggregationsSchema = z.object({
  portfolio_id: z.string(),
  ...ReturnsFields,
  basic_aggregations: z.object({
    total_value: z.number(),
    cash_balance: z.number(),
    invested_value: z.number(),
    total_pnl: z.number(),
    total_pnl_percent: z.number().nullable(),
    day_change: z.number(),
    day_change_percent: z.number().nullable(),
  }),
  position_breakdown: z.object({ by_type: Buckets, by_sector: Buckets }),
  concentration_metrics: z
    .object({
      top_5_positions_weight: z.number(),
      herfindahl_index: z.number(),
      effective_positions: z.number(),
      largest_position_weight: z.number(),
    })
    .nullable(),
  greeks_aggregations: z
    .object({
      total_delta: z.number(),
      total_gamma: z.number(),
      total_theta: z.number(),
      total_vega: z.number(),
      net_delta_exposure: z.number(),
      options_notional: z.number(),
      options_positions: z.number().int(),
      options_with_greeks: z.number().int(),
    })
    .nullable(),
  factor_aggregations: z
    .object({
      portfolio_beta: z.number(),
      factor_loadings: z.record(z.string(), z.number()),
      r_squared: z.number().nullable(),
      factor_set: z.string(),
      positions_with_exposures: z.number().int(),
      last_updated: z.string(),
    })
    .nullable()
    .openapi({ description: 'With include_factors: the stored ETF 7-factor loadings (value-weighted)' }),
  performance_metrics: z.object({
    ytd_return: z.number().nullable(),
    trailing_30d_return: z.number().nullable(),
    trailing_90d_return: z.number().nullable(),
    sharpe_ratio_30d: z.number().nullable(),
    max_drawdown_30d: z.number().nullable(),
    annualization_periods: z.number().int(),
    as_of: z.string().nullable(),
  }),
  last_updated: z.string(),
});

// ---------- 2.12 positions summary ----------
const GROUPS = ['asset_type', 'sector', 'position_type'] as const;
const assetClass = (v: PositionValue) =>
  isOptionValue(v)
    ? 'options'
    : v.position.assetType === 'us-equity' || v.position.assetType === 'pk-equity'
      ? 'stocks'
      : v.position.assetType;
const SummaryRowSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  position_type: PositionTypeSchema,
  quantity: z.number(),
  market_value: z.number(),
  weight: z.number(),
  unrealized_pnl: z.number(),
  unrealized_pnl_percent: z.number().nullable(),
  day_change: z.number(),
  day_change_percent: z.number().nullable(),
  realized_pnl: z.number(),
  is_closed: z.boolean(),
});
const Performer = z.object({ symbol: z.string(), unrealized_pnl_percent: z.number() }).nullable();
const PositionsSummarySchema = z.object({
  portfolio_id: z.string(),
  summary_statistics: z.object({
    total_positions: z.number().int(),
    active_positions: z.number().int(),
    closed_positions: z.number().int(),
    total_market_value: z.number(),
    total_cost_basis: z.number(),
    total_unrealized_pnl: z.number(),
    total_unrealized_pnl_percent: z.number().nullable(),
  }),
  position_summary: z.array(SummaryRowSchema),
  groupings: z.record(z.string(), Buckets).openapi({
    description:
      'by_asset_type, by_sector, by_position_type; with group_by only that one (tag:<name> gives by_tag:<name>)',
  }),
  performance_metrics: z.object({
    winners: z.number().int(),
    losers: z.number().int(),
    best_performer: Performer,
    worst_performer: Performer,
  }),
  last_updated: z.string(),
});

// ---------- A1 overview ----------
const OverviewSchema = z.object({
  portfolio_id: z.string(),
  ...ReturnsFields,
  total_value: z.number(),
  cash_balance: z.number(),
  exposures: z.object({
    long_exposure: z.number(),
    short_exposure: z.number().openapi({ description: 'Magnitude of short market value (positive)' }),
    gross_exposure: z.number(),
    net_exposure: z.number(),
    long_percentage: z.number().nullable(),
    short_percentage: z.number().nullable(),
    gross_percentage: z.number().nullable(),
    net_percentage: z.number().nullable(),
  }),
  pnl: z.object({
    total_pnl: z.number(),
    unrealized_pnl: z.number(),
    realized_pnl: z.number(),
    income: z.number(),
    day_change: z.number(),
  }),
  position_count: z.object({
    total_positions: z.number().int(),
    long_count: z.number().int(),
    short_count: z.number().int(),
    option_count: z.number().int(),
  }),
  last_updated: z.string(),
});

const lastUpdated = (value: PortfolioValue) => iso(value.lastPriceAt) ?? value.asOf;

export const dataRoutes = createRouter();

dataRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/portfolios',
    summary: 'Your portfolios with open position counts and total value (004 2.1)',
    responses: json(PortfolioListSchema, 'Your portfolios, newest first.'),
  }),
  async (c) => {
    const me = principalOf(c);
    const { rows } = await listPortfolios(c.env, me.userId);
    const [counts, values] = await Promise.all([
      openPositionCounts(
        c.env,
        rows.map((r) => r.id),
      ),
      Promise.all(rows.map((r) => portfolioValue(c.env, r))),
    ]);
    const data = rows.map((r, i) => ({
      id: r.id,
      name: r.name,
      type: r.portfolioType,
      created_at: r.createdAt,
      positions_count: counts.get(r.id) ?? 0,
      total_value: money(values[i]?.totalValue ?? 0),
    }));
    return c.json(plain(c, { data }), 200);
  },
);

dataRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/portfolio/{portfolio_id}/complete',
    summary: 'Complete portfolio with optional sections, now or as of a date (004 2.2)',
    description:
      "`sections` picks any of portfolio, positions, summary, market_data (default all). `as_of_date` values the ledger as it stood at the end of that day at that day's closes; a day before the first trade gives no positions and zeros. summary.cash_balance is the ledger's real cash (the seed's note says 5% of value; Meridian derives cash from the trades ledger). total_pnl = total value − net external flows.",
    request: {
      params: PortfolioId,
      query: z.object({
        sections: z.string().max(200).optional().openapi({ example: 'portfolio,summary' }),
        as_of_date: IsoDay.optional(),
      }),
    },
    responses: json(CompleteSchema, 'The sections asked for.'),
  }),
  async (c) => {
    const { portfolio_id } = c.req.valid('param');
    const q = c.req.valid('query');
    const asked = q.sections
      ? q.sections
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [...SECTIONS];
    const unknown = asked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
    if (unknown.length) {
      throw new ApiError('VALIDATION_ERROR', `Unknown section ${unknown.join(', ')}`, {
        status: 422,
        details: [
          {
            loc: ['query', 'sections'],
            msg: `unknown section(s) ${unknown.join(', ')}; valid: ${SECTIONS.join(', ')}`,
            type: 'value_error',
          },
        ],
        suggestion: `Use a comma list of ${SECTIONS.join(', ')}.`,
      });
    }
    const sections = new Set(asked as Section[]);
    const portfolio = await getReadablePortfolio(c.env, c.get('principal'), portfolio_id);
    if (q.as_of_date && q.as_of_date > (await today(c.env))) {
      throw new ApiError('VALIDATION_ERROR', `as_of_date ${q.as_of_date} is in the future`, {
        status: 400,
        details: { as_of_date: q.as_of_date, today: await today(c.env) },
      });
    }
    const value = await portfolioValue(c.env, portfolio, { asOf: q.as_of_date });
    const open = value.positions.filter((v) => v.isOpen);
    const body: z.infer<typeof CompleteSchema> = { as_of_date: q.as_of_date ?? null };
    if (sections.has('portfolio')) {
      body.portfolio = {
        id: portfolio.id,
        name: portfolio.name,
        description: portfolio.description,
        currency: portfolio.baseCurrency,
        created_at: portfolio.createdAt,
        updated_at: portfolio.updatedAt,
      };
    }
    if (sections.has('positions')) {
      body.positions = open.map((v) => ({
        id: v.position.id,
        symbol: v.position.symbol,
        position_type: v.position.positionType,
        quantity: v.quantity,
        current_price: v.price,
        market_value: money(v.marketValue),
        unrealized_pnl: money(v.unrealizedPnl),
        cost_basis: avgCost(v),
        price_source: v.priceSource,
      }));
    }
    if (sections.has('summary')) {
      body.summary = {
        total_value: money(value.totalValue),
        cash_balance: money(value.cash),
        total_pnl: money(value.totalPnl),
        positions_count: open.length,
      };
    }
    if (sections.has('market_data')) {
      body.market_data = {
        last_updated: iso(value.lastPriceAt),
        data_quality: assessQuality(value, Date.parse(value.asOf)).overall_score,
      };
    }
    return c.json(plain(c, body), 200);
  },
);

dataRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/portfolio/{portfolio_id}/data-quality',
    summary: 'Data quality of a portfolio: price coverage, freshness, greeks coverage (004 2.3)',
    description:
      'Computed from the data: open positions valued from a real price vs at cost; hours since the newest and oldest price used against the market clock (score 100 up to a day old, halving every 72 hours, following the oldest); options with a known implied volatility. Overall = 50/30/20 with options, 60/40 without.',
    request: { params: PortfolioId },
    responses: json(QualitySchema, 'The assessment.'),
  }),
  async (c) => {
    const portfolio = await getReadablePortfolio(
      c.env,
      c.get('principal'),
      c.req.valid('param').portfolio_id,
    );
    const value = await portfolioValue(c.env, portfolio);
    return c.json(
      plain(c, { portfolio_id: portfolio.id, ...assessQuality(value, Date.parse(value.asOf)) }),
      200,
    );
  },
);

dataRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/positions/details',
    summary: 'Open positions of a portfolio with P&L (004 2.4)',
    description:
      '`include_inactive` adds positions removed through 000 (their trades no longer count: quantity 0).',
    request: {
      query: z.object({
        portfolio_id: z.string().min(1).max(64),
        position_type: PositionTypeSchema.optional(),
        include_inactive: QueryBool,
      }),
    },
    responses: json(
      z.object({
        data: z.array(DetailRowSchema),
        summary: z.object({
          total_positions: z.number().int(),
          total_market_value: z.number(),
          total_unrealized_pnl: z.number(),
          total_day_change: z.number(),
          long_positions: z.number().int(),
          short_positions: z.number().int(),
          options_positions: z.number().int(),
        }),
      }),
      'Positions and totals.',
    ),
  }),
  async (c) => {
    const q = c.req.valid('query');
    const portfolio = await getReadablePortfolio(c.env, c.get('principal'), q.portfolio_id);
    const value = await portfolioValue(c.env, portfolio, { includeInactive: q.include_inactive });
    const rows = value.positions.filter(
      (v) =>
        (v.isOpen || !v.position.isActive) &&
        (!q.position_type || v.position.positionType === q.position_type),
    );
    const open = rows.filter((v) => v.isOpen);
    return c.json(
      plain(c, {
        data: rows.map(detailRow),
        summary: {
          total_positions: rows.length,
          total_market_value: money(open.reduce((s, v) => s + v.marketValue, 0)),
          total_unrealized_pnl: money(open.reduce((s, v) => s + v.unrealizedPnl, 0)),
          total_day_change: money(open.reduce((s, v) => s + v.dayChange, 0)),
          long_positions: open.filter(isOpenLong).length,
          short_positions: open.filter((v) => v.sign === -1).length,
          options_positions: open.filter(isOptionValue).length,
        },
      }),
      200,
    );
  },
);

dataRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/positions/{position_id}/details',
    summary: 'Everything about one position (004 2.13)',
    description:
      'market_data is the priced asset’s quote (an option’s underlying), bid/ask null (not stored); fundamentals hold what the catalog has (others null); greeks by Black-Scholes when the implied volatility is known; factor_exposures from the stored ETF 7-factor regression (risk batch); component_var and marginal_var from the stored parametric 1-day 95% Euler allocation; position VaR is historical 1-day from the last 250 daily returns, losses negative; historical_performance.returns only with include_history.',
    request: { params: PositionId, query: z.object({ include_history: QueryBool }) },
    responses: json(PositionDetailSchema, 'The position.'),
  }),
  async (c) => {
    const { position, portfolio } = await getReadablePosition(
      c.env,
      c.get('principal'),
      c.req.valid('param').position_id,
    );
    const value = await portfolioValue(c.env, portfolio, { includeInactive: true });
    const v = value.positions.find((x) => x.position.id === position.id);
    if (!v) throw new ApiError('NOT_FOUND', `Position ${position.id} not found`);
    const insight = await positionInsight(c.env, value, v, {
      includeHistory: c.req.valid('query').include_history,
      today: await today(c.env),
    });
    const risk = v.isOpen
      ? await positionRiskBlocks(c.env, value, position.id)
      : { factors: null, component: null };
    return c.json(
      plain(c, {
        position: positionBlock(v, value),
        pnl_analysis: {
          unrealized_pnl: money(v.unrealizedPnl),
          unrealized_pnl_percent: pct(v.unrealizedPnlPct),
          day_change: money(v.dayChange),
          day_change_percent: pct(v.dayChangePct),
          total_cost: money(Number(v.position.totalCost)),
          total_proceeds: money(Number(v.position.totalProceeds)),
          realized_pnl: money(v.realizedPnl),
          income: money(v.income),
        },
        market_data: insight.marketData,
        fundamentals: insight.fundamentals,
        greeks: insight.greeks,
        factor_exposures: risk.factors,
        risk_metrics: { ...insight.risk, ...(risk.component ?? {}) },
        historical_performance: insight.history,
        transactions: insight.transactions,
        alerts: insight.alerts,
        last_updated: iso(v.priceAt) ?? v.position.updatedAt,
      }),
      200,
    );
  },
);

dataRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/portfolios/{portfolio_id}/aggregations',
    summary: 'Portfolio totals, breakdowns, concentration, greeks and performance (004 2.10)',
    description:
      'greeks_aggregations only with include_greeks: sums of option position greeks (options with implied volatility), net delta exposure in money (stocks at delta 1), options notional. factor_aggregations only with include_factors: the stored ETF 7-factor loadings (value-weighted; portfolio_beta is the market loading). Performance from daily valuations (calendar days, annualized by 365).',
    request: {
      params: PortfolioId,
      query: ordered(
        z.object({
          include_greeks: QueryBool,
          include_factors: QueryBool,
          include_returns: IncludeReturns,
          ...ReturnsQuery,
        }),
      ),
    },
    responses: json(AggregationsSchema, 'Aggregations.'),
  }),
  async (c) => {
    const portfolio = await getReadablePortfolio(
      c.env,
      c.get('principal'),
      c.req.valid('param').portfolio_id,
    );
    const q = c.req.valid('query');
    const value = await portfolioValue(c.env, portfolio);
    const [greeks, perf, factors, returns] = await Promise.all([
      q.include_greeks ? aggregateGreeks(c.env, value) : Promise.resolve(null),
      recentPerformance(c.env, portfolio, await today(c.env)),
      q.include_factors ? factorAggregation(c.env, value) : Promise.resolve(null),
      returnsAsked(c.env, { userId: c.get('principal')?.userId ?? null, path: c.req.path }, portfolio, q),
    ]);
    const concentration = concentrationOf(value);
    const start = value.totalValue - value.dayChange;
    return c.json(
      plain(c, {
        portfolio_id: portfolio.id,
        basic_aggregations: {
          total_value: money(value.totalValue),
          cash_balance: money(value.cash),
          invested_value: money(value.marketValue),
          total_pnl: money(value.totalPnl),
          total_pnl_percent: value.netFlows > 0 ? round((value.totalPnl / value.netFlows) * 100, 4) : null,
          day_change: money(value.dayChange),
          day_change_percent: start !== 0 ? round((value.dayChange / start) * 100, 4) : null,
        },
        position_breakdown: {
          by_type: roundBuckets(breakdown(value, (v) => v.position.positionType)),
          by_sector: roundBuckets(breakdown(value, (v) => v.sector)),
        },
        concentration_metrics: concentration
          ? {
              top_5_positions_weight: round(concentration.top_5_positions_weight, 6),
              herfindahl_index: round(concentration.herfindahl_index, 6),
              effective_positions: round(concentration.effective_positions, 4),
              largest_position_weight: round(concentration.largest_position_weight, 6),
            }
          : null,
        greeks_aggregations: greeks,
        factor_aggregations: factors,
        performance_metrics: perf.metrics,
        ...returns,
        last_updated: lastUpdated(value),
      }),
      200,
    );
  },
);

dataRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/data/portfolios/{portfolio_id}/positions/summary',
    summary: 'Position summary with groupings and winners/losers (004 2.12)',
    description:
      '`group_by` = asset_type | sector | position_type | tag:<name> returns only that grouping. `include_closed` lists closed positions too (quantity 0, realized P&L shown). Groupings cover open positions.',
    request: {
      params: PortfolioId,
      query: z.object({
        group_by: z.string().max(80).optional(),
        include_closed: QueryBool,
      }),
    },
    responses: json(PositionsSummarySchema, 'The summary.'),
  }),
  async (c) => {
    const q = c.req.valid('query');
    let tag: string | null = null;
    if (q.group_by) {
      if (q.group_by.startsWith('tag:') && q.group_by.length > 4) tag = q.group_by.slice(4);
      else if (!(GROUPS as readonly string[]).includes(q.group_by)) {
        throw new ApiError('VALIDATION_ERROR', `Unknown group_by ${q.group_by}`, {
          status: 400,
          details: { group_by: q.group_by, valid: [...GROUPS, 'tag:<name>'] },
        });
      }
    }
    const portfolio = await getReadablePortfolio(
      c.env,
      c.get('principal'),
      c.req.valid('param').portfolio_id,
    );
    const value = await portfolioValue(c.env, portfolio);
    const open = value.positions.filter((v) => v.isOpen);
    const closed = value.positions.filter((v) => !v.isOpen);
    const listed = q.include_closed ? [...open, ...closed] : open;
    const all: Record<string, (v: PositionValue) => string> = {
      by_asset_type: assetClass,
      by_sector: (v) => v.sector,
      by_position_type: (v) => v.position.positionType,
    };
    const groups: Record<string, (v: PositionValue) => string> = tag
      ? { [`by_tag:${tag}`]: (v) => v.position.tags[tag] ?? 'untagged' }
      : q.group_by
        ? { [`by_${q.group_by}`]: all[`by_${q.group_by}`] as (v: PositionValue) => string }
        : all;
    const ranked = open
      .filter((v) => v.unrealizedPnlPct !== null)
      .sort((a, b) => (b.unrealizedPnlPct ?? 0) - (a.unrealizedPnlPct ?? 0));
    const performer = (v: PositionValue | undefined) =>
      v ? { symbol: v.position.symbol, unrealized_pnl_percent: round(v.unrealizedPnlPct ?? 0, 4) } : null;
    return c.json(
      plain(c, {
        portfolio_id: portfolio.id,
        summary_statistics: {
          total_positions: listed.length,
          active_positions: open.length,
          closed_positions: closed.length,
          total_market_value: money(value.marketValue),
          total_cost_basis: money(value.costBasis),
          total_unrealized_pnl: money(value.unrealizedPnl),
          total_unrealized_pnl_percent:
            value.costBasis !== 0 ? round((value.unrealizedPnl / Math.abs(value.costBasis)) * 100, 4) : null,
        },
        position_summary: listed.map((v) => ({
          id: v.position.id,
          symbol: v.position.symbol,
          position_type: v.position.positionType,
          quantity: v.quantity,
          market_value: money(v.isOpen ? v.marketValue : 0),
          weight: round(v.isOpen ? weightOf(v, value) : 0, 6),
          unrealized_pnl: money(v.unrealizedPnl),
          unrealized_pnl_percent: pct(v.unrealizedPnlPct),
          day_change: money(v.isOpen ? v.dayChange : 0),
          day_change_percent: v.isOpen ? pct(v.dayChangePct) : null,
          realized_pnl: money(v.realizedPnl),
          is_closed: !v.isOpen,
        })),
        groupings: Object.fromEntries(
          Object.entries(groups).map(([k, key]) => [k, roundBuckets(breakdown(value, key))]),
        ),
        performance_metrics: {
          winners: open.filter((v) => v.unrealizedPnl > 0).length,
          losers: open.filter((v) => v.unrealizedPnl < 0).length,
          best_performer: performer(ranked[0]),
          worst_performer: performer(ranked.at(-1)),
        },
        last_updated: lastUpdated(value),
      }),
      200,
    );
  },
);

dataRoutes.openapi(
  defineRoute({
    ...common,
    tags: ['Analytics (004)'],
    method: 'get',
    path: '/api/v1/analytics/portfolio/{id}/overview',
    summary: 'Portfolio overview: exposures, P&L and counts for dashboard cards (004 A1)',
    description:
      'Exposures from current market values: long = Σ long positions and options, short = |Σ shorts|, gross = long + short, net = long − short; percentages of total value. P&L figures are always numbers.',
    request: {
      params: z.object({ id: z.string().min(1).max(64) }),
      query: ordered(z.object({ include_returns: IncludeReturns, ...ReturnsQuery })),
    },
    responses: json(OverviewSchema, 'The overview.'),
  }),
  async (c) => {
    const portfolio = await getReadablePortfolio(c.env, c.get('principal'), c.req.valid('param').id);
    const [value, returns] = await Promise.all([
      portfolioValue(c.env, portfolio),
      returnsAsked(
        c.env,
        { userId: c.get('principal')?.userId ?? null, path: c.req.path },
        portfolio,
        c.req.valid('query'),
      ),
    ]);
    const open = value.positions.filter((v) => v.isOpen);
    const long = open.filter((v) => v.sign === 1).reduce((s, v) => s + v.marketValue, 0);
    const short = -open.filter((v) => v.sign === -1).reduce((s, v) => s + v.marketValue, 0);
    const share = (x: number) => (value.totalValue !== 0 ? round((x / value.totalValue) * 100, 4) : null);
    return c.json(
      plain(c, {
        portfolio_id: portfolio.id,
        total_value: money(value.totalValue),
        cash_balance: money(value.cash),
        exposures: {
          long_exposure: money(long),
          short_exposure: money(short),
          gross_exposure: money(long + short),
          net_exposure: money(long - short),
          long_percentage: share(long),
          short_percentage: share(short),
          gross_percentage: share(long + short),
          net_percentage: share(long - short),
        },
        pnl: {
          total_pnl: money(value.totalPnl),
          unrealized_pnl: money(value.unrealizedPnl),
          realized_pnl: money(value.realizedPnl),
          income: money(value.income),
          day_change: money(value.dayChange),
        },
        position_count: {
          total_positions: open.length,
          long_count: open.filter(isOpenLong).length,
          short_count: open.filter((v) => v.sign === -1).length,
          option_count: open.filter(isOptionValue).length,
        },
        ...returns,
        last_updated: lastUpdated(value),
      }),
      200,
    );
  },
);
