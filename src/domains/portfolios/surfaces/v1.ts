/**
 * Seed 000's portfolio surface (`/api/v1/portfolios...`) in 001's envelope: portfolios, their
 * assets (positions), allocation analytics, performance, and the trades ledger that 000's
 * clients manage through the same API. Reads answer the owner, an admin, or anyone signed in
 * for a public portfolio; every change answers the owner only (others get 404).
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requestFacts } from '../../../core/client';
import { marketDayRange, ordered, rangeNote } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import type { AppEnv } from '../../../env';
import { principalOf, requireUser } from '../../../middleware/auth';
import type { AssetRow } from '../../assets/service';
import {
  CostMethod,
  DecimalInput,
  IsoDay,
  PortfolioId,
  PositionTypeSchema,
  PositiveDecimal,
  RealizedRowSchema,
  round,
  TradeAssetTypeSchema,
  TradeDate,
  TradeSymbol,
  TradeTypeSchema,
  tradeFields,
} from '../schemas';
import { allocationOf } from '../services/allocation';
import { benchmarkPreferences } from '../services/benchmarks';
import { convertFee } from '../services/fees';
import {
  addPortfolioAsset,
  assetsOf,
  changePortfolioAsset,
  estimateValues,
  inferAssetType,
  positionInPortfolio,
  removePortfolioAsset,
  type ValueEstimate,
} from '../services/holdings';
import { loadLedger, recordTrades, replayLedger } from '../services/ledger';
import { PERIODS_PER_YEAR, VALUATION_MAX_DAYS } from '../services/performance';
import {
  createPortfolio,
  deletePortfolio,
  getOwnedPortfolio,
  getReadablePortfolio,
  listPortfoliosWithHoldings,
  type PortfolioRow,
  type TradeRow,
  updatePortfolio,
} from '../services/portfolios';
import { today } from '../services/positions';
import { portfolioReturns, returnPeriodStart } from '../services/returns';
import {
  breakdown,
  concentrationOf,
  portfolioPerformance,
  portfolioValue,
  weightOf,
} from '../services/summary';
import { deleteTrade, listTrades, realizedRows, updateTrade } from '../services/trades';
import type { PortfolioValue, PositionValue } from '../services/valuation';
import { BenchmarkBlockSchema, benchmarkBlock } from './benchmark-block';
import { ReturnsBlockSchema } from './returns-schema';

const common = { tags: ['Portfolios'], security: [{ bearerAuth: [] }], middleware: requireUser };
/** Reads of a portfolio: signed in (yours, or any for admins) or not (public ones only). */
const publicRead = { tags: ['Portfolios'], security: [{ bearerAuth: [] }, {}] as Record<string, string[]>[] };
const AssetRef = PortfolioId.extend({
  asset_id: z.string().min(1).max(64).openapi({
    description: 'Asset id or symbol of an active position in the portfolio, or a position id (pos_...)',
  }),
});
const TradeRef = PortfolioId.extend({ trade_id: z.string().min(1).max(64) });
const BoolQuery = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
const money = (n: number) => round(n, 2);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const pctOrNull = (x: number | null) => (x === null ? null : round(x * 100, 4));
const facts = (c: Context<AppEnv>) => ({ ...requestFacts(c), requestId: c.get('requestId') });
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});
const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: envelopeSchema(schema) } },
});

// ---------- schemas ----------

const FiguresSchema = z.object({
  cash: z.number(),
  market_value: z.number().openapi({ description: 'Open positions at current prices (shorts negative)' }),
  total_value: z.number().openapi({ description: 'market_value + cash' }),
  cost_basis: z.number(),
  unrealized_pnl: z.number(),
  value_as_of: z.string().nullable().openapi({ description: 'Time of the newest price used' }),
});

const PortfolioSchema = z
  .object({
    id: z.string(),
    portfolio_id: z.string(),
    user_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    portfolio_type: z.string(),
    base_currency: z.string(),
    mode: z.enum(['paper', 'live']),
    cost_method: z.enum(['wac', 'fifo']),
    is_public: z.boolean(),
    is_active: z.boolean(),
    is_default: z.boolean(),
    is_owner: z.boolean(),
    assets_count: z.number().int().openapi({ description: 'Open active positions' }),
    ...FiguresSchema.shape,
    valuation: z.literal('estimate').openapi({
      description:
        'Ledger quantities and cost at current prices; options and unpriced instruments at cost. The detail values options with Black-Scholes.',
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Portfolio');

const OptionSchema = z
  .object({
    underlying_asset_id: z.string().nullable(),
    strike: z.number().nullable(),
    expiry: z.string().nullable(),
    multiplier: z.number(),
    implied_volatility: z.number().nullable(),
    underlying_price: z.number().nullable(),
  })
  .nullable();

const PortfolioAssetSchema = z
  .object({
    id: z.string().openapi({ description: 'The position id' }),
    position_id: z.string(),
    portfolio_id: z.string(),
    asset_id: z.string().nullable(),
    symbol: z.string(),
    name: z.string().nullable(),
    asset_type: z.string(),
    position_type: PositionTypeSchema,
    sector: z.string(),
    quantity: z.number(),
    entry_price: z
      .number()
      .openapi({ description: 'Average entry price per unit (cost basis / quantity, fees included)' }),
    entry_date: z.string().nullable().openapi({ description: 'When the current holding opened' }),
    cost_basis: z.number(),
    current_price: z.number(),
    previous_close: z.number().nullable(),
    price_source: z.enum(['quote', 'daily_close', 'black_scholes', 'intrinsic', 'cost']),
    price_updated_at: z.string().nullable(),
    price_stale: z.boolean().openapi({
      description:
        'True when the price is older than its cadence allows at the market clock (src/domains/prices/freshness.ts)',
    }),
    price_stale_reason: z.string().nullable(),
    market_value: z.number(),
    unrealized_pnl: z.number(),
    unrealized_pnl_pct: z.number().nullable(),
    realized_pnl: z.number(),
    income: z.number(),
    total_pnl: z.number().openapi({ description: 'unrealized + realized + income' }),
    day_change: z.number(),
    day_change_pct: z.number().nullable(),
    weight_pct: z
      .number()
      .openapi({ description: 'Market value over total value, percent (shorts negative)' }),
    allocation_target: z.number().nullable().openapi({ description: 'Target weight, percent' }),
    drift_pct: z.number().nullable().openapi({ description: '|weight| − target, percentage points' }),
    notes: z.string().nullable(),
    tags: z.record(z.string(), z.string()),
    option: OptionSchema,
    is_active: z.boolean(),
    is_open: z.boolean(),
    closed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('PortfolioAsset');

const BucketSchema = z.object({ count: z.number().int(), value: z.number(), percentage: z.number() });
const Buckets = z.record(z.string(), BucketSchema);

const PortfolioDetailSchema = PortfolioSchema.omit({ valuation: true })
  .extend({
    valuation: z.literal('full'),
    pnl: z.object({
      unrealized_pnl: z.number(),
      unrealized_pnl_pct: z.number().nullable(),
      realized_pnl: z.number(),
      income: z.number(),
      fees: z.number(),
      total_pnl: z.number().openapi({ description: 'total_value − net external flows' }),
      net_flows: z.number(),
      day_change: z.number(),
      day_change_pct: z.number().nullable(),
      cost_method: z.enum(['wac', 'fifo']),
    }),
    allocation: z.object({
      by_asset: Buckets,
      by_sector: Buckets,
      by_asset_type: Buckets,
      by_position_type: Buckets,
      cash_pct: z.number(),
    }),
    concentration: z
      .object({
        top_5_positions_weight_pct: z.number(),
        herfindahl_index: z.number(),
        effective_positions: z.number(),
        largest_position_weight_pct: z.number(),
      })
      .nullable(),
    assets: z.array(PortfolioAssetSchema),
    as_of: z.string(),
  })
  .openapi('PortfolioDetail');

const TradeSchema = z
  .object({
    id: z.string(),
    trade_id: z.string(),
    portfolio_id: z.string(),
    position_id: z.string().nullable(),
    trade_type: TradeTypeSchema,
    asset_type: TradeAssetTypeSchema,
    symbol: z.string(),
    quantity: z.number(),
    price: z.number(),
    fees: z.number(),
    total_amount: z.number(),
    trade_date: z.string(),
    seq: z.number().int(),
    notes: z.string().nullable(),
    source: z.string(),
    bot_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('PortfolioTrade');

const LedgerEffectSchema = z.object({
  trade: TradeSchema,
  realized_pnl: z.number().nullable().openapi({
    description: "This trade's realized P&L by the portfolio's cost method, when it closed units",
  }),
  position: z
    .object({
      position_id: z.string(),
      symbol: z.string(),
      quantity: z.number(),
      avg_cost: z.number(),
      cost_basis: z.number(),
      realized_pnl: z.number(),
    })
    .nullable(),
  cash: z.number(),
  ledger_version: z.number().int(),
});

// ---------- inputs ----------

const PortfolioInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).nullable().optional(),
    portfolio_type: z.string().trim().min(1).max(50).optional(),
    base_currency: z.string().trim().toUpperCase().length(3).optional(),
    is_public: z.boolean().optional(),
    cost_method: CostMethod.optional(),
    mode: z.enum(['paper', 'live']).optional(),
  })
  .strict();
const PortfolioPatch = PortfolioInput.partial().extend({ is_active: z.boolean().optional() }).strict();

const Target = z
  .number()
  .min(0)
  .max(100)
  .nullable()
  .optional()
  .openapi({ description: 'Target weight, percent' });
const AssetInput = z
  .object({
    asset_id: TradeSymbol.openapi({ description: 'Asset id or symbol' }),
    quantity: PositiveDecimal,
    entry_price: DecimalInput.optional().openapi({ description: 'Per unit; defaults to the current price' }),
    entry_date: IsoDay.optional().openapi({ description: 'Defaults to today (the market day)' }),
    fees: DecimalInput.optional(),
    notes: z.string().max(2000).nullable().optional(),
    allocation_target: Target,
    position_type: PositionTypeSchema.optional(),
    asset_type: TradeAssetTypeSchema.optional(),
    underlying: TradeSymbol.optional(),
    strike: PositiveDecimal.optional(),
    expiry: IsoDay.optional(),
    multiplier: PositiveDecimal.optional(),
    implied_volatility: z.number().positive().max(10).nullable().optional(),
    tags: z.record(z.string().max(50), z.string().max(100)).optional(),
  })
  .strict();
const AssetPatch = z
  .object({
    quantity: DecimalInput.optional().openapi({
      description: 'New quantity; the difference is recorded as a trade at entry_price or the current price',
    }),
    entry_price: DecimalInput.optional(),
    entry_date: IsoDay.optional(),
    notes: z.string().max(2000).nullable().optional(),
    allocation_target: Target,
    implied_volatility: z.number().positive().max(10).nullable().optional(),
    tags: z.record(z.string().max(50), z.string().max(100)).optional(),
    is_active: z.literal(true).optional().openapi({
      description: 'Reactivate a removed asset: its trades count again (remove with DELETE)',
    }),
  })
  .strict();

const TradeInput = z
  .object({
    trade_type: TradeTypeSchema,
    asset_type: TradeAssetTypeSchema.optional().openapi({
      description:
        "Defaults to the catalog's type of the symbol, or cash for a deposit/withdrawal without one",
    }),
    symbol: TradeSymbol.optional(),
    position_id: z.string().max(64).optional(),
    quantity: PositiveDecimal,
    price: DecimalInput.optional(),
    fees: DecimalInput.optional(),
    fee_currency: TradeSymbol.optional().openapi({
      description:
        "Currency of `fees` when not the portfolio's (EUR, or an asset such as BNB): converted at the daily close on or before trade_date, the rate noted on the trade",
    }),
    trade_date: TradeDate,
    notes: z.string().max(2000).nullable().optional(),
    lots: z
      .array(
        z.object({
          trade_id: z
            .string()
            .min(1)
            .max(64)
            .regex(/^[A-Za-z0-9_-]+$/),
          quantity: PositiveDecimal,
        }),
      )
      .min(1)
      .max(50)
      .optional()
      .openapi({
        description:
          'Specific identification: the lots (opening trade ids) a sale takes, written to its notes as `lots: <id>=<qty>, ...` and used by realized-gains?method=specific',
      }),
    position_type: PositionTypeSchema.optional(),
    underlying: TradeSymbol.optional(),
    strike: PositiveDecimal.optional(),
    expiry: IsoDay.optional(),
    multiplier: PositiveDecimal.optional(),
  })
  .strict();
const TradePatch = z
  .object({
    trade_type: TradeTypeSchema.optional(),
    quantity: PositiveDecimal.optional(),
    price: DecimalInput.optional(),
    fees: DecimalInput.optional(),
    trade_date: TradeDate.optional(),
    notes: z.string().max(2000).nullable().optional(),
  })
  .strict();

const PERIODS = ['1D', '1W', '1M', '3M', '6M', '1Y', 'YTD', 'ALL', 'MTD', 'QTD', '3Y', '5Y', 'ITD'] as const;
type Period = (typeof PERIODS)[number];

// ---------- shaping ----------

function portfolioView(p: PortfolioRow, userId: string, e: ValueEstimate) {
  return {
    id: p.id,
    portfolio_id: p.id,
    user_id: p.userId,
    name: p.name,
    description: p.description,
    portfolio_type: p.portfolioType,
    base_currency: p.baseCurrency,
    mode: p.mode,
    cost_method: p.costMethod,
    is_public: p.isPublic,
    is_active: p.isActive,
    is_default: p.isDefault,
    is_owner: p.userId === userId,
    assets_count: e.assetsCount,
    cash: money(e.cash),
    market_value: money(e.marketValue),
    total_value: money(e.totalValue),
    cost_basis: money(e.costBasis),
    unrealized_pnl: money(e.unrealizedPnl),
    value_as_of: iso(e.pricedAt),
    valuation: 'estimate' as const,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

function assetView(v: PositionValue, value: PortfolioValue, assets: Map<string, AssetRow>) {
  const p = v.position;
  const isOption = p.positionType === 'CALL' || p.positionType === 'PUT';
  const weight = weightOf(v, value) * 100;
  const open = v.isOpen && p.isActive;
  return {
    id: p.id,
    position_id: p.id,
    portfolio_id: p.portfolioId,
    asset_id: p.assetId,
    symbol: p.symbol,
    name: p.assetId && !isOption ? (assets.get(p.assetId.toUpperCase())?.name ?? null) : null,
    asset_type: p.assetType,
    position_type: p.positionType,
    sector: v.sector,
    quantity: v.quantity,
    entry_price: round(v.avgCost),
    entry_date: p.openedAt,
    cost_basis: money(v.costBasis),
    current_price: round(v.price),
    previous_close: v.previous === null ? null : round(v.previous),
    price_source: v.priceSource,
    price_updated_at: iso(v.priceAt),
    price_stale: v.freshness?.stale ?? false,
    price_stale_reason: v.freshness?.stale_reason ?? null,
    market_value: money(v.marketValue),
    unrealized_pnl: money(v.unrealizedPnl),
    unrealized_pnl_pct: v.unrealizedPnlPct === null ? null : round(v.unrealizedPnlPct, 4),
    realized_pnl: money(v.realizedPnl),
    income: money(v.income),
    total_pnl: money(v.unrealizedPnl + v.realizedPnl + v.income),
    day_change: money(v.dayChange),
    day_change_pct: v.dayChangePct === null ? null : round(v.dayChangePct, 4),
    weight_pct: open ? round(weight, 4) : 0,
    allocation_target: p.allocationTarget,
    drift_pct: open && p.allocationTarget !== null ? round(Math.abs(weight) - p.allocationTarget, 4) : null,
    notes: p.notes,
    tags: p.tags,
    option: isOption
      ? {
          underlying_asset_id: p.underlyingAssetId,
          strike: p.strike === null ? null : Number(p.strike),
          expiry: p.expiry,
          multiplier: v.multiplier,
          implied_volatility: p.impliedVolatility,
          underlying_price: v.underlyingPrice,
        }
      : null,
    is_active: p.isActive,
    is_open: open,
    closed_at: p.closedAt,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

const bucketsView = (b: ReturnType<typeof breakdown>) =>
  Object.fromEntries(
    Object.entries(b).map(([k, v]) => [
      k,
      { count: v.count, value: money(v.value), percentage: round(v.percentage, 4) },
    ]),
  );

function detailView(
  value: PortfolioValue,
  userId: string,
  assetsCount: number,
  assets: Map<string, AssetRow>,
) {
  const p = value.portfolio;
  const conc = concentrationOf(value);
  const previousTotal = value.totalValue - value.dayChange;
  return {
    ...portfolioView(p, userId, {
      assetsCount,
      cash: value.cash,
      marketValue: value.marketValue,
      totalValue: value.totalValue,
      costBasis: value.costBasis,
      unrealizedPnl: value.unrealizedPnl,
      pricedAt: value.lastPriceAt,
    }),
    valuation: 'full' as const,
    pnl: {
      unrealized_pnl: money(value.unrealizedPnl),
      unrealized_pnl_pct:
        value.costBasis !== 0 ? round((value.unrealizedPnl / Math.abs(value.costBasis)) * 100, 4) : null,
      realized_pnl: money(value.realizedPnl),
      income: money(value.income),
      fees: money(value.fees),
      total_pnl: money(value.totalPnl),
      net_flows: money(value.netFlows),
      day_change: money(value.dayChange),
      day_change_pct: previousTotal !== 0 ? round((value.dayChange / previousTotal) * 100, 4) : null,
      cost_method: value.method,
    },
    allocation: {
      by_asset: bucketsView(breakdown(value, (v) => v.position.symbol)),
      by_sector: bucketsView(breakdown(value, (v) => v.sector)),
      by_asset_type: bucketsView(breakdown(value, (v) => v.position.assetType)),
      by_position_type: bucketsView(breakdown(value, (v) => v.position.positionType)),
      cash_pct: value.totalValue !== 0 ? round((value.cash / value.totalValue) * 100, 4) : 0,
    },
    concentration: conc
      ? {
          top_5_positions_weight_pct: round(conc.top_5_positions_weight * 100, 4),
          herfindahl_index: round(conc.herfindahl_index, 6),
          effective_positions: round(conc.effective_positions, 4),
          largest_position_weight_pct: round(conc.largest_position_weight * 100, 4),
        }
      : null,
    assets: sortByExposure(value.positions.filter((v) => v.isOpen)).map((v) => assetView(v, value, assets)),
    as_of: value.asOf,
  };
}

const sortByExposure = (rows: PositionValue[]) =>
  [...rows].sort(
    (a, b) => Number(b.isOpen) - Number(a.isOpen) || Math.abs(b.marketValue) - Math.abs(a.marketValue),
  );

function tradeView(t: TradeRow) {
  return {
    id: t.id,
    trade_id: t.id,
    portfolio_id: t.portfolioId,
    position_id: t.positionId,
    ...tradeFields(t),
    seq: t.seq,
    bot_id: t.botId,
  };
}

function ledgerEffect(
  trade: TradeRow,
  result: Awaited<ReturnType<typeof recordTrades>>['result'],
  method: 'wac' | 'fifo',
) {
  const position = trade.positionId ? result.state.positions.get(trade.positionId) : undefined;
  const row = trade.positionId ? result.ledger.positions.find((p) => p.id === trade.positionId) : undefined;
  const realization = result.state.realizations.find((r) => r.entryId === trade.id);
  const m = position ? (method === 'fifo' ? position.fifo : position.wac) : undefined;
  return {
    trade: tradeView(trade),
    realized_pnl: realization
      ? money((method === 'fifo' ? realization.fifo : realization.wac).pnl.toNumber())
      : null,
    position:
      position && m && row
        ? {
            position_id: row.id,
            symbol: row.symbol,
            quantity: position.quantity.toNumber(),
            avg_cost: round(m.avgCost.toNumber()),
            cost_basis: money(m.costBasis.toNumber()),
            realized_pnl: money(m.realizedPnl.toNumber()),
          }
        : null,
    cash: money(result.state.cash.toNumber()),
    ledger_version: result.version,
  };
}

/** The first day of a period ending at `to` (the close before it, so a period's first return is inside it). */
function periodStart(period: Period, to: string): string | undefined {
  const d = new Date(`${to}T00:00:00Z`);
  switch (period) {
    case '1D':
      d.setUTCDate(d.getUTCDate() - 1);
      break;
    case '1W':
      d.setUTCDate(d.getUTCDate() - 7);
      break;
    case '1M':
      d.setUTCMonth(d.getUTCMonth() - 1);
      break;
    case '3M':
      d.setUTCMonth(d.getUTCMonth() - 3);
      break;
    case '6M':
      d.setUTCMonth(d.getUTCMonth() - 6);
      break;
    case '1Y':
      d.setUTCFullYear(d.getUTCFullYear() - 1);
      break;
    case 'YTD':
    case 'MTD':
    case 'QTD':
    case '3Y':
    case '5Y':
      return returnPeriodStart(period, to) ?? undefined;
    case 'ALL':
    case 'ITD':
      return undefined;
  }
  return d.toISOString().slice(0, 10);
}

function pageMeta(total: number, query: z.infer<typeof PaginationQuery>) {
  const page = pageOf(query);
  return { page, meta: paginationMeta(page, total) };
}

// ---------- routes ----------

export const v1Routes = createRouter();

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/portfolios',
    summary: 'Your portfolios with asset counts and value estimates (000)',
    request: {
      query: PaginationQuery.extend({
        include_inactive: BoolQuery.openapi({ description: 'Include portfolios set inactive' }),
        mode: z.enum(['paper', 'live']).optional(),
      }),
    },
    responses: { 200: ok(z.object({ portfolios: z.array(PortfolioSchema) }), 'Yours, newest first.') },
  }),
  async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid('query');
    const page = pageOf(query);
    const { rows, total, holdings } = await listPortfoliosWithHoldings(
      c.env,
      principal.userId,
      { includeInactive: query.include_inactive, mode: query.mode, page },
      c.get('portfoliosToken'),
    );
    const estimates = await estimateValues(c.env, rows, holdings);
    const portfolios = rows.map((p) =>
      portfolioView(p, principal.userId, estimates.get(p.id) as ValueEstimate),
    );
    return c.json(envelope(c, { portfolios }, { pagination: paginationMeta(page, total) }), 200);
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/v1/portfolios',
    summary: 'Create a portfolio (000)',
    request: body(PortfolioInput),
    responses: { 201: ok(PortfolioSchema, 'Created.') },
  }),
  async (c) => {
    const principal = principalOf(c);
    const row = await createPortfolio(c.env, principal.userId, c.req.valid('json'), facts(c));
    const e = (await estimateValues(c.env, [row])).get(row.id) as ValueEstimate;
    return c.json(envelope(c, portfolioView(row, principal.userId, e)), 201);
  },
);

v1Routes.openapi(
  defineRoute({
    ...publicRead,
    method: 'get',
    path: '/api/v1/portfolios/{portfolio_id}',
    summary: 'A portfolio: P&L, allocation breakdown and asset performance (000)',
    request: { params: PortfolioId, query: z.object({ method: CostMethod.optional() }) },
    responses: { 200: ok(PortfolioDetailSchema, 'Yours, public, or any for admins.') },
  }),
  async (c) => {
    const principal = c.get('principal');
    const pf = await getReadablePortfolio(c.env, principal, c.req.valid('param').portfolio_id);
    const value = await portfolioValue(c.env, pf, { method: c.req.valid('query').method });
    const open = value.positions.filter((v) => v.isOpen);
    const assets = await assetsOf(
      c.env,
      open.map((v) => v.position),
    );
    return c.json(envelope(c, detailView(value, principal?.userId ?? '', open.length, assets)), 200);
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'put',
    path: '/api/v1/portfolios/{portfolio_id}',
    summary: 'Change a portfolio: name, description, type, public/active flags, cost method (000)',
    request: { params: PortfolioId, ...body(PortfolioPatch) },
    responses: { 200: ok(PortfolioSchema, 'Updated.') },
  }),
  async (c) => {
    const principal = principalOf(c);
    const row = await updatePortfolio(
      c.env,
      principal.userId,
      c.req.valid('param').portfolio_id,
      c.req.valid('json'),
      facts(c),
    );
    const e = (await estimateValues(c.env, [row])).get(row.id) as ValueEstimate;
    return c.json(envelope(c, portfolioView(row, principal.userId, e)), 200);
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'delete',
    path: '/api/v1/portfolios/{portfolio_id}',
    summary: 'Delete a portfolio (soft: it leaves every surface; rows stay for audit) (000)',
    request: { params: PortfolioId },
    responses: {
      200: ok(z.object({ id: z.string(), deleted: z.literal(true), deleted_at: z.string() }), 'Deleted.'),
    },
  }),
  async (c) => {
    const r = await deletePortfolio(
      c.env,
      principalOf(c).userId,
      c.req.valid('param').portfolio_id,
      facts(c),
    );
    return c.json(envelope(c, { id: r.id, deleted: true as const, deleted_at: r.deleted_at }), 200);
  },
);

v1Routes.openapi(
  defineRoute({
    ...publicRead,
    method: 'get',
    path: '/api/v1/portfolios/{portfolio_id}/assets',
    summary: "A portfolio's assets with current prices, P&L and weights (000)",
    request: {
      params: PortfolioId,
      query: PaginationQuery.extend({
        include_inactive: BoolQuery.openapi({
          description: 'Also list removed (inactive) and closed positions',
        }),
        method: CostMethod.optional(),
      }),
    },
    responses: {
      200: ok(
        z.object({ portfolio_id: z.string(), assets: z.array(PortfolioAssetSchema), as_of: z.string() }),
        'Largest exposure first.',
      ),
    },
  }),
  async (c) => {
    const principal = c.get('principal');
    const query = c.req.valid('query');
    const pf = await getReadablePortfolio(c.env, principal, c.req.valid('param').portfolio_id);
    const value = await portfolioValue(c.env, pf, {
      includeInactive: query.include_inactive,
      method: query.method,
    });
    const rows = sortByExposure(
      query.include_inactive ? value.positions : value.positions.filter((v) => v.isOpen),
    );
    const { page, meta } = pageMeta(rows.length, query);
    const slice = rows.slice(page.offset, page.offset + page.limit);
    const assets = await assetsOf(
      c.env,
      slice.map((v) => v.position),
    );
    return c.json(
      envelope(
        c,
        { portfolio_id: pf.id, assets: slice.map((v) => assetView(v, value, assets)), as_of: value.asOf },
        { pagination: meta },
      ),
      200,
    );
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/v1/portfolios/{portfolio_id}/assets',
    summary: 'Add an asset: opens a position with its opening trade in the ledger (000)',
    description: '409 INTEGRITY_ERROR when the asset is already held as an active position of the same type.',
    request: { params: PortfolioId, ...body(AssetInput) },
    responses: { 201: ok(PortfolioAssetSchema, 'Added.') },
  }),
  async (c) => {
    const principal = principalOf(c);
    const pf = await getOwnedPortfolio(c.env, principal.userId, c.req.valid('param').portfolio_id);
    const { asset_id, ...input } = c.req.valid('json');
    const opened = await addPortfolioAsset(
      c.env,
      pf,
      principal.userId,
      { ...input, symbol: asset_id },
      facts(c),
    );
    return c.json(envelope(c, await assetOf(c.env, principal.userId, pf.id, opened.position.id)), 201);
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'put',
    path: '/api/v1/portfolios/{portfolio_id}/assets/{asset_id}',
    summary:
      'Change a portfolio asset: quantity (recorded as a trade), entry price/date, notes, target (000)',
    request: { params: AssetRef, ...body(AssetPatch) },
    responses: { 200: ok(PortfolioAssetSchema, 'Updated.') },
  }),
  async (c) => {
    const principal = principalOf(c);
    const { portfolio_id, asset_id } = c.req.valid('param');
    const pf = await getOwnedPortfolio(c.env, principal.userId, portfolio_id);
    const patch = c.req.valid('json');
    const position = await positionInPortfolio(c.env, principal.userId, pf, asset_id, {
      includeInactive: patch.is_active === true,
    });
    await changePortfolioAsset(c.env, principal.userId, position, patch, facts(c));
    return c.json(envelope(c, await assetOf(c.env, principal.userId, pf.id, position.id)), 200);
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'delete',
    path: '/api/v1/portfolios/{portfolio_id}/assets/{asset_id}',
    summary: 'Remove an asset (is_active = false: the position and its trades leave the figures) (000)',
    request: { params: AssetRef },
    responses: {
      200: ok(
        z.object({ id: z.string(), position_id: z.string(), symbol: z.string(), deleted: z.literal(true) }),
        'Removed.',
      ),
    },
  }),
  async (c) => {
    const principal = principalOf(c);
    const { portfolio_id, asset_id } = c.req.valid('param');
    const pf = await getOwnedPortfolio(c.env, principal.userId, portfolio_id);
    const position = await positionInPortfolio(c.env, principal.userId, pf, asset_id);
    await removePortfolioAsset(c.env, principal.userId, position, facts(c));
    return c.json(
      envelope(c, {
        id: position.id,
        position_id: position.id,
        symbol: position.symbol,
        deleted: true as const,
      }),
      200,
    );
  },
);

v1Routes.openapi(
  defineRoute({
    ...publicRead,
    method: 'get',
    path: '/api/v1/portfolios/{portfolio_id}/analytics',
    summary: 'Allocation against targets, rebalancing trades, diversification and risk (000)',
    description:
      "000 sources this from an 'AI portfolio analysis'; Meridian computes it statistically from the holdings and price history, and says how.",
    request: { params: PortfolioId },
    responses: { 200: ok(AnalyticsSchema(), 'The analysis, with its method.') },
  }),
  async (c) => {
    const principal = c.get('principal');
    const pf = await getReadablePortfolio(c.env, principal, c.req.valid('param').portfolio_id);
    const value = await portfolioValue(c.env, pf);
    const to = await today(c.env);
    const from = periodStart('3M', to);
    const [analysis, perf] = await Promise.all([
      allocationOf(c.env, value),
      portfolioPerformance(c.env, pf, { from, to }),
    ]);
    const m = perf.metrics;
    return c.json(
      envelope(c, {
        portfolio_id: pf.id,
        analysis_type: 'statistical' as const,
        total_value: money(value.totalValue),
        cash: money(value.cash),
        allocation: {
          positions: analysis.rows.map((r) => ({
            position_id: r.value.position.id,
            symbol: r.value.position.symbol,
            position_type: r.value.position.positionType,
            sector: r.value.sector,
            market_value: money(r.value.marketValue),
            price: round(r.value.price),
            exposure_pct: round(r.weight, 4),
            target_pct: r.target,
            drift_pct: r.drift === null ? null : round(r.drift, 4),
            target_value: r.targetValue === null ? null : money(r.targetValue),
            status:
              r.drift === null
                ? ('no_target' as const)
                : Math.abs(r.drift) <= 1
                  ? ('on_target' as const)
                  : r.drift > 0
                    ? ('overweight' as const)
                    : ('underweight' as const),
            rebalance: r.rebalance
              ? {
                  action: r.rebalance.action,
                  quantity: round(r.rebalance.quantity),
                  value: money(r.rebalance.value),
                  price: round(r.rebalance.price),
                }
              : null,
          })),
          targets_set: analysis.targetsSet,
          target_total_pct: round(analysis.targetTotal, 4),
          unassigned_pct: round(analysis.unassignedWeight, 4),
          cash_pct: round(analysis.cashWeight, 4),
          on_target: analysis.onTarget,
          turnover_to_rebalance_pct: round(analysis.turnoverToRebalance, 4),
          drift_tolerance_pct: 1,
          by_sector: bucketsView(analysis.bySector),
          by_asset_type: bucketsView(analysis.byAssetType),
          by_position_type: bucketsView(analysis.byPositionType),
        },
        diversification: {
          ...analysis.diversification,
          score: round(analysis.diversification.score, 2),
        },
        risk: {
          lookback_from: m.start_date,
          lookback_to: m.end_date,
          volatility_annualized_pct: pctOrNull(m.volatility_annualized),
          sharpe_ratio: m.sharpe_ratio === null ? null : round(m.sharpe_ratio, 4),
          max_drawdown_pct: pctOrNull(m.max_drawdown),
          time_weighted_return_pct: pctOrNull(m.time_weighted_return),
          data_points: m.data_points,
        },
        methodology: {
          weights: 'Exposure |market value| over total value (cash included), at current prices',
          rebalance:
            'Units to trade at the current price to move each targeted position to target_pct of total value; sales never exceed the quantity held',
          diversification: analysis.diversification.method,
          risk: `Daily valuations over 3 months; sample standard deviation of daily time-weighted returns × √${PERIODS_PER_YEAR}; Sharpe with a 0 risk-free rate`,
          as_of: value.asOf,
        },
      }),
      200,
    );
  },
);

v1Routes.openapi(
  defineRoute({
    ...publicRead,
    method: 'get',
    path: '/api/v1/portfolios/{portfolio_id}/performance',
    summary:
      'Value history, returns (TWR, MWR), volatility, Sharpe, drawdown and per-asset contribution (000)',
    request: {
      params: PortfolioId,
      query: z.object({
        period: z.enum(PERIODS).optional().openapi({
          description:
            'Default 1M; ignored when from is given. MTD/QTD/YTD start at the close before the month/quarter/year; 3Y and 5Y are annualized in `returns`; ITD (= ALL) is since inception',
        }),
        from: IsoDay.optional(),
        to: IsoDay.optional().openapi({ description: rangeNote(VALUATION_MAX_DAYS) }),
        benchmark: z.string().trim().min(1).max(200).optional().openapi({
          description:
            'Compare with a catalog asset (SPY, BTC...), TOTAL_CRYPTO (cap-weighted index), a mix `SPY:60,AGG:40`, or `@name` (a mix saved in preferences `benchmarks`). Default: the preference `default_benchmark`, else none',
        }),
        standard_periods: z.enum(['true', 'false']).optional().openapi({
          description:
            '`returns.periods`: MTD, QTD, YTD, 1Y, 3Y and 5Y (annualized) and since inception, ending at to',
        }),
        rebalance: z.enum(['daily', 'monthly', 'quarterly', 'yearly', 'none']).optional().openapi({
          description: 'Rebalancing of a benchmark mix (default monthly)',
        }),
      }),
    },
    responses: { 200: ok(PerformanceSchema(), 'Performance over the period.') },
  }),
  async (c) => {
    const principal = c.get('principal');
    const query = c.req.valid('query');
    const pf = await getReadablePortfolio(c.env, principal, c.req.valid('param').portfolio_id);
    const range = await marketDayRange(c.env, query, { maxDays: VALUATION_MAX_DAYS, path: c.req.path });
    const to = range.toDay;
    const period: Period | 'CUSTOM' = query.from ? 'CUSTOM' : (query.period ?? '1M');
    const from = query.from ? range.fromDay : periodStart(period as Period, to);
    const [perf, prefs] = await Promise.all([
      portfolioPerformance(c.env, pf, { from, to, positionsDaily: true }),
      benchmarkPreferences(c.env, principal?.userId ?? null),
    ]);
    const returns = await portfolioReturns(c.env, pf, {
      to,
      window: perf.points,
      periods: query.standard_periods === 'true',
    });
    const comparison = await benchmarkBlock(c.env, perf, query.benchmark, query.rebalance, prefs);
    const m = perf.metrics;
    const last = perf.points[perf.points.length - 1];
    // Per position: value at the end − at the start + the cash its trades moved (the window's
    // reconciliation already rebuilt them from the ledger and the same daily valuations).
    const contributions = (returns.window?.contribution.by_position ?? [])
      .filter((x) => x.position_id !== null)
      .sort((a, b) => b.pnl - a.pnl);
    const gainTotal = contributions.reduce((s, x) => s + x.pnl, 0);
    const filled = perf.points.reduce((s, p) => s + (p.filled > 0 ? 1 : 0), 0);
    let wealth = 1;
    const points = perf.points.map((p, i) => {
      const r = i === 0 ? null : (perf.dailyReturns[i - 1] ?? null);
      if (r !== null) wealth *= 1 + r;
      return {
        date: p.date,
        value: money(p.value),
        cash: money(p.cash),
        invested: money(p.invested),
        cost_basis: money(p.costBasis),
        net_flow: money(p.flow),
        daily_return_pct: r === null ? null : round(r * 100, 6),
        cumulative_return_pct: round((wealth - 1) * 100, 6),
      };
    });
    return c.json(
      envelope(c, {
        portfolio_id: pf.id,
        period,
        from: m.start_date,
        to: m.end_date,
        base_currency: pf.baseCurrency,
        summary: {
          start_value: money(m.start_value),
          end_value: money(m.end_value),
          net_flows: money(m.net_flows),
          gain: money(m.gain),
          time_weighted_return_pct: pctOrNull(m.time_weighted_return),
          time_weighted_return_annualized_pct: pctOrNull(m.time_weighted_return_annualized),
          money_weighted_return_pct: pctOrNull(m.money_weighted_return),
          volatility_annualized_pct: pctOrNull(m.volatility_annualized),
          sharpe_ratio: m.sharpe_ratio === null ? null : round(m.sharpe_ratio, 4),
          max_drawdown: {
            pct: pctOrNull(m.max_drawdown),
            peak_date: m.max_drawdown_peak,
            trough_date: m.max_drawdown_trough,
          },
          best_day: m.best_day
            ? { date: m.best_day.date, return_pct: round(m.best_day.return * 100, 6) }
            : null,
          worst_day: m.worst_day
            ? { date: m.worst_day.date, return_pct: round(m.worst_day.return * 100, 6) }
            : null,
        },
        trailing_returns_pct: {
          d1: pctOrNull(perf.trailing.d1),
          d7: pctOrNull(perf.trailing.d7),
          d30: pctOrNull(perf.trailing.d30),
          d90: pctOrNull(perf.trailing.d90),
          ytd: pctOrNull(perf.trailing.ytd),
          y1: pctOrNull(perf.trailing.y1),
        },
        points,
        returns,
        benchmark: comparison,
        contributions: contributions.map((x) => ({
          position_id: x.position_id as string,
          symbol: x.symbol,
          start_value: x.start_value,
          end_value: x.end_value,
          net_cash: x.net_cash,
          pnl: x.pnl,
          share_of_gain_pct: gainTotal !== 0 ? round((x.pnl / gainTotal) * 100, 4) : null,
        })),
        methodology: {
          valuation:
            "Each day's ledger state at that day's closes (carried forward over days without a close); options by Black-Scholes with their implied volatility, unpriced instruments at cost",
          time_weighted_return:
            'Product of daily returns; deposits count from the start of their day, withdrawals from its end; annualized only over more than 30 points',
          money_weighted_return:
            'XIRR (actual/365) of the start value, external flows and the end value; annual rate',
          volatility: `Sample standard deviation (n−1) of daily time-weighted returns × √${PERIODS_PER_YEAR}`,
          sharpe_ratio: `Mean over standard deviation of daily returns × √${PERIODS_PER_YEAR}, risk-free rate 0`,
          max_drawdown: 'Of the time-weighted wealth index, so flows are not drawdowns',
          contribution:
            "Each position's value at the end − at the start + the cash its trades moved in between (price, realized P&L and income)",
          periods_per_year: PERIODS_PER_YEAR,
          data_points: m.data_points,
          filled_points: filled,
          // The last day's close, or the market clock's now while that day is still open.
          as_of: last
            ? new Date(
                Math.min(Date.parse(`${last.date}T23:59:59.999Z`), await marketNow(c.env)),
              ).toISOString()
            : null,
        },
      }),
      200,
    );
  },
);

v1Routes.openapi(
  defineRoute({
    ...publicRead,
    method: 'get',
    path: '/api/v1/portfolios/{portfolio_id}/trades',
    summary: "A portfolio's trades ledger, newest first (000 clients)",
    request: {
      params: PortfolioId,
      query: ordered(
        PaginationQuery.extend({
          symbol: z.string().max(64).optional(),
          trade_type: TradeTypeSchema.optional(),
          asset_type: TradeAssetTypeSchema.optional(),
          from: IsoDay.optional(),
          to: IsoDay.optional(),
        }),
      ),
    },
    responses: { 200: ok(z.object({ portfolio_id: z.string(), trades: z.array(TradeSchema) }), 'A page.') },
  }),
  async (c) => {
    const principal = c.get('principal');
    const { limit, offset, page: p, ...filters } = c.req.valid('query');
    const pf = await getReadablePortfolio(c.env, principal, c.req.valid('param').portfolio_id);
    const page = pageOf({ limit, offset, page: p });
    const { rows, total } = await listTrades(c.env, [pf.id], filters, page);
    return c.json(
      envelope(
        c,
        { portfolio_id: pf.id, trades: rows.map(tradeView) },
        { pagination: paginationMeta(page, total) },
      ),
      200,
    );
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/v1/portfolios/{portfolio_id}/trades',
    summary:
      'Record a trade: buy, sell, deposit (add), withdrawal (remove), dividend, fee or split (000 clients)',
    description:
      'A sale beyond what is held at its date answers 400 INSUFFICIENT_BALANCE and records nothing. A trade on an instrument not yet held opens a position.',
    request: { params: PortfolioId, ...body(TradeInput) },
    responses: { 201: ok(LedgerEffectSchema, 'Recorded, with its effect on the position and cash.') },
  }),
  async (c) => {
    const principal = principalOf(c);
    const pf = await getOwnedPortfolio(c.env, principal.userId, c.req.valid('param').portfolio_id);
    const { fee_currency: feeCurrency, lots, ...input } = c.req.valid('json');
    const assetType = input.asset_type ?? (await inferAssetType(c.env, principal.userId, input));
    const fee =
      feeCurrency && input.fees
        ? await convertFee(c.env, {
            amount: input.fees,
            currency: feeCurrency,
            base: pf.baseCurrency,
            day: input.trade_date.slice(0, 10),
            userId: principal.userId,
          })
        : null;
    const { trades, result } = await recordTrades(c.env, pf, principal.userId, [
      {
        ...input,
        asset_type: assetType,
        ...(fee ? { fees: fee.fees } : {}),
        ...(fee || lots
          ? {
              notes: [
                input.notes,
                fee?.note,
                lots ? `lots: ${lots.map((l) => `${l.trade_id}=${l.quantity}`).join(', ')}` : null,
              ]
                .filter(Boolean)
                .join('; ')
                .slice(0, 2000),
            }
          : {}),
      },
    ]);
    const [trade] = trades;
    if (!trade) throw new ApiError('INTERNAL_ERROR', 'The trade was not recorded');
    return c.json(envelope(c, ledgerEffect(trade, result, pf.costMethod)), 201);
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'put',
    path: '/api/v1/portfolios/{portfolio_id}/trades/{trade_id}',
    summary: 'Edit a past trade; everything after it is recomputed (000 clients)',
    description:
      'An edit that makes any later sale exceed the holding answers 400 INSUFFICIENT_BALANCE and changes nothing.',
    request: { params: TradeRef, ...body(TradePatch) },
    responses: { 200: ok(LedgerEffectSchema, 'Updated.') },
  }),
  async (c) => {
    const principal = principalOf(c);
    const { portfolio_id, trade_id } = c.req.valid('param');
    const pf = await getOwnedPortfolio(c.env, principal.userId, portfolio_id);
    const { trade, result } = await updateTrade(c.env, pf, principal.userId, trade_id, c.req.valid('json'));
    return c.json(envelope(c, ledgerEffect(trade, result, pf.costMethod)), 200);
  },
);

v1Routes.openapi(
  defineRoute({
    ...common,
    method: 'delete',
    path: '/api/v1/portfolios/{portfolio_id}/trades/{trade_id}',
    summary: 'Delete a trade; everything after it is recomputed (000 clients)',
    request: { params: TradeRef },
    responses: {
      200: ok(
        z.object({
          id: z.string(),
          deleted: z.literal(true),
          cash: z.number(),
          ledger_version: z.number().int(),
        }),
        'Deleted.',
      ),
    },
  }),
  async (c) => {
    const principal = principalOf(c);
    const { portfolio_id, trade_id } = c.req.valid('param');
    const pf = await getOwnedPortfolio(c.env, principal.userId, portfolio_id);
    const { id, result } = await deleteTrade(c.env, pf, principal.userId, trade_id);
    return c.json(
      envelope(c, {
        id,
        deleted: true as const,
        cash: money(result.state.cash.toNumber()),
        ledger_version: result.version,
      }),
      200,
    );
  },
);

v1Routes.openapi(
  defineRoute({
    ...publicRead,
    method: 'get',
    path: '/api/v1/portfolios/{portfolio_id}/realized-pnl',
    summary: 'Realized P&L per sale, by weighted average cost or FIFO lots (000 clients)',
    request: {
      params: PortfolioId,
      query: PaginationQuery.extend({
        method: CostMethod.optional().openapi({ description: "Default: the portfolio's cost method" }),
        symbol: z.string().max(64).optional(),
      }),
    },
    responses: { 200: ok(RealizedSchema(), 'Newest sale first.') },
  }),
  async (c) => {
    const principal = c.get('principal');
    const query = c.req.valid('query');
    const pf = await getReadablePortfolio(c.env, principal, c.req.valid('param').portfolio_id);
    const method = query.method ?? pf.costMethod;
    const ledger = await loadLedger(c.env, pf);
    const state = replayLedger(ledger.positions, ledger.trades);
    const symbol = query.symbol?.trim().toUpperCase();
    const rows = realizedRows(state.realizations, ledger.positions, method).filter(
      (r) => !symbol || r.symbol === symbol,
    );
    const bySymbol: Record<
      string,
      { count: number; quantity: number; proceeds: number; cost_basis: number; realized_pnl: number }
    > = {};
    for (const r of rows) {
      const s = bySymbol[r.symbol] ?? {
        count: 0,
        quantity: 0,
        proceeds: 0,
        cost_basis: 0,
        realized_pnl: 0,
      };
      s.count++;
      s.quantity += r.quantity;
      s.proceeds += r.proceeds;
      s.cost_basis += r.cost_basis;
      s.realized_pnl += r.realized_pnl;
      bySymbol[r.symbol] = s;
    }
    const page = pageOf(query);
    const slice = rows.slice(page.offset, page.offset + page.limit);
    const total = rows.reduce((s, r) => s + r.realized_pnl, 0);
    return c.json(
      envelope(
        c,
        {
          portfolio_id: pf.id,
          method,
          total_realized_pnl: money(total),
          total_proceeds: money(rows.reduce((s, r) => s + r.proceeds, 0)),
          total_cost_basis: money(rows.reduce((s, r) => s + r.cost_basis, 0)),
          count: rows.length,
          by_symbol: Object.fromEntries(
            Object.entries(bySymbol).map(([k, s]) => [
              k,
              {
                count: s.count,
                quantity: s.quantity,
                proceeds: money(s.proceeds),
                cost_basis: money(s.cost_basis),
                realized_pnl: money(s.realized_pnl),
              },
            ]),
          ),
          realizations: slice.map((r) => ({
            ...r,
            proceeds: money(r.proceeds),
            cost_basis: money(r.cost_basis),
            realized_pnl: money(r.realized_pnl),
            realized_pnl_percent: r.realized_pnl_percent === null ? null : round(r.realized_pnl_percent, 4),
          })),
        },
        { pagination: paginationMeta(page, rows.length) },
      ),
      200,
    );
  },
);

/** One position of a portfolio as 000's asset, valued now (after a change, from fresh rows). */
async function assetOf(env: Env, userId: string, portfolioId: string, positionId: string) {
  const pf = await getOwnedPortfolio(env, userId, portfolioId);
  const value = await portfolioValue(env, pf, { includeInactive: true });
  const v = value.positions.find((x) => x.position.id === positionId);
  if (!v) {
    throw new ApiError('NOT_FOUND', `Position ${positionId} not found`);
  }
  return assetView(v, value, await assetsOf(env, [v.position]));
}

function AnalyticsSchema() {
  const Row = z.object({
    position_id: z.string(),
    symbol: z.string(),
    position_type: PositionTypeSchema,
    sector: z.string(),
    market_value: z.number(),
    price: z.number(),
    exposure_pct: z.number(),
    target_pct: z.number().nullable(),
    drift_pct: z.number().nullable(),
    target_value: z.number().nullable(),
    status: z.enum(['no_target', 'on_target', 'overweight', 'underweight']),
    rebalance: z
      .object({
        action: z.enum(['buy', 'sell', 'hold']),
        quantity: z.number(),
        value: z.number(),
        price: z.number(),
      })
      .nullable(),
  });
  return z
    .object({
      portfolio_id: z.string(),
      analysis_type: z.literal('statistical'),
      total_value: z.number(),
      cash: z.number(),
      allocation: z.object({
        positions: z.array(Row),
        targets_set: z.number().int(),
        target_total_pct: z.number(),
        unassigned_pct: z.number(),
        cash_pct: z.number(),
        on_target: z.number().int(),
        turnover_to_rebalance_pct: z.number(),
        drift_tolerance_pct: z.number(),
        by_sector: Buckets,
        by_asset_type: Buckets,
        by_position_type: Buckets,
      }),
      diversification: z.object({
        score: z.number(),
        method: z.string(),
        positions: z.number().int(),
        herfindahl_index: z.number().nullable(),
        effective_positions: z.number().nullable(),
        largest_position_weight: z.number().nullable(),
        top_5_positions_weight: z.number().nullable(),
        sectors: z.number().int(),
        sector_herfindahl_index: z.number().nullable(),
        effective_sectors: z.number().nullable(),
        average_pairwise_correlation: z.number().nullable(),
        correlation_pairs: z.number().int(),
        correlation_lookback_days: z.number().int(),
        components: z.object({
          position_spread: z.number().nullable(),
          sector_spread: z.number().nullable(),
          correlation: z.number().nullable(),
        }),
      }),
      risk: z.object({
        lookback_from: z.string().nullable(),
        lookback_to: z.string().nullable(),
        volatility_annualized_pct: z.number().nullable(),
        sharpe_ratio: z.number().nullable(),
        max_drawdown_pct: z.number().nullable(),
        time_weighted_return_pct: z.number().nullable(),
        data_points: z.number().int(),
      }),
      methodology: z.record(z.string(), z.string()),
    })
    .openapi('PortfolioAnalytics');
}

function PerformanceSchema() {
  const Pct = z.number().nullable();
  return z
    .object({
      portfolio_id: z.string(),
      period: z.enum([...PERIODS, 'CUSTOM']),
      from: z.string().nullable(),
      to: z.string().nullable(),
      base_currency: z.string(),
      summary: z.object({
        start_value: z.number(),
        end_value: z.number(),
        net_flows: z.number(),
        gain: z.number().openapi({ description: 'end − start − net flows' }),
        time_weighted_return_pct: Pct,
        time_weighted_return_annualized_pct: Pct,
        money_weighted_return_pct: Pct.openapi({ description: 'Annual rate (XIRR)' }),
        volatility_annualized_pct: Pct,
        sharpe_ratio: Pct,
        max_drawdown: z.object({
          pct: Pct,
          peak_date: z.string().nullable(),
          trough_date: z.string().nullable(),
        }),
        best_day: z.object({ date: z.string(), return_pct: z.number() }).nullable(),
        worst_day: z.object({ date: z.string(), return_pct: z.number() }).nullable(),
      }),
      trailing_returns_pct: z.object({ d1: Pct, d7: Pct, d30: Pct, d90: Pct, ytd: Pct, y1: Pct }),
      returns: ReturnsBlockSchema,
      benchmark: BenchmarkBlockSchema.nullable(),
      points: z.array(
        z.object({
          date: z.string(),
          value: z.number(),
          cash: z.number(),
          invested: z.number(),
          cost_basis: z.number(),
          net_flow: z.number(),
          daily_return_pct: Pct,
          cumulative_return_pct: z.number(),
        }),
      ),
      contributions: z.array(
        z.object({
          position_id: z.string(),
          symbol: z.string(),
          start_value: z.number(),
          end_value: z.number(),
          net_cash: z.number(),
          pnl: z.number(),
          share_of_gain_pct: Pct,
        }),
      ),
      methodology: z.object({
        valuation: z.string(),
        time_weighted_return: z.string(),
        money_weighted_return: z.string(),
        volatility: z.string(),
        sharpe_ratio: z.string(),
        max_drawdown: z.string(),
        contribution: z.string(),
        periods_per_year: z.number().int(),
        data_points: z.number().int(),
        filled_points: z.number().int(),
        as_of: z.string().nullable(),
      }),
    })
    .openapi('PortfolioPerformance');
}

function RealizedSchema() {
  return z
    .object({
      portfolio_id: z.string(),
      method: z.enum(['wac', 'fifo']),
      total_realized_pnl: z.number(),
      total_proceeds: z.number(),
      total_cost_basis: z.number(),
      count: z.number().int(),
      by_symbol: z.record(
        z.string(),
        z.object({
          count: z.number().int(),
          quantity: z.number(),
          proceeds: z.number(),
          cost_basis: z.number(),
          realized_pnl: z.number(),
        }),
      ),
      realizations: z.array(RealizedRowSchema),
    })
    .openapi('PortfolioRealizedPnl');
}
