import { z } from '@hono/zod-openapi';
import { ordered } from '../../../core/dates';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta, setPaginationHeaders } from '../../../core/pagination';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { LOT_METHODS } from '../lots';
import {
  CostMethod,
  CsvImportRequest,
  DecimalInput,
  IsoDay,
  PositiveDecimal,
  RealizedRowSchema,
  round,
  TradeAssetTypeSchema,
  TradeDate,
  TradeSymbol,
  tradeFields,
} from '../schemas';
import { ledgerState, loadLedger, recordTrades } from '../services/ledger';
import { defaultPortfolio, type TradeRow } from '../services/portfolios';
import { today } from '../services/positions';
import { portfolioValue } from '../services/summary';
import { realizedGains } from '../services/tax-lots';
import { deleteTrade, listTrades, realizedRows, updateTrade } from '../services/trades';
import { exportTrades, importTrades } from '../services/transfer';
import { dateOf } from '../services/valuation';
import { Realization, Totals } from './gains';
import { ReturnsFields, ReturnsQuery, returnsFor } from './returns-query';

const common = { tags: ['Portfolio tracker (003)'], security: [{ bearerAuth: [] }], middleware: requireUser };

/** 003 spells deposits and withdrawals both ways. */
const TradeKind = z
  .enum(['buy', 'sell', 'add', 'remove', 'deposit', 'withdraw', 'dividend', 'fee', 'split'])
  .transform((v) => (v === 'deposit' ? 'add' : v === 'withdraw' ? 'remove' : v));

export const TrackerTradeSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    portfolio_id: z.string(),
    holding_id: z
      .string()
      .nullable()
      .openapi({ description: 'The position the trade moves (null for cash entries)' }),
    trade_type: z.string(),
    asset_type: z.string(),
    symbol: z.string(),
    quantity: z.number(),
    price: z.number(),
    fees: z.number(),
    total_amount: z.number(),
    trade_date: z.string(),
    notes: z.string().nullable(),
    source: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('TrackerTrade');

export function trackerTrade(t: TradeRow) {
  return {
    id: t.id,
    user_id: t.userId,
    portfolio_id: t.portfolioId,
    holding_id: t.positionId,
    ...tradeFields(t),
  };
}

const TradeBody = z
  .object({
    assetType: TradeAssetTypeSchema,
    symbol: TradeSymbol.optional(),
    tradeType: TradeKind,
    quantity: PositiveDecimal,
    price: DecimalInput.optional().openapi({ description: 'Per unit; cash defaults to 1' }),
    fees: DecimalInput.optional(),
    tradeDate: TradeDate.optional().openapi({
      description: "Defaults to today (the replay's day when replaying)",
    }),
    notes: z.string().max(1000).nullable().optional(),
  })
  .strict();
const TradePatchBody = z
  .object({
    tradeType: TradeKind.optional(),
    quantity: PositiveDecimal.optional(),
    price: DecimalInput.optional(),
    fees: DecimalInput.optional(),
    tradeDate: TradeDate.optional(),
    notes: z.string().max(1000).nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Give at least one field to change');
const TradeId = z.object({ trade_id: z.string().min(1).max(64) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});
const TradeResult = z.object({ success: z.literal(true), trade: TrackerTradeSchema });

const HoldingSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    asset_type: z.string(),
    symbol: z.string(),
    quantity: z.number(),
    avg_purchase_price: z.number().openapi({ description: 'Weighted-average cost per unit (fees included)' }),
    total_invested: z.number(),
    current_price: z.number(),
    current_value: z.number(),
    unrealized_pnl: z.number(),
    unrealized_pnl_percent: z.number().nullable(),
    realized_pnl: z.number(),
    price_date: z.string().nullable(),
    price_source: z.string(),
    weight: z.number(),
  })
  .openapi('Holding');

/** The import report's schema (shared by the 003 and 000 import routes). */
export const ImportReportSchema = z
  .object({
    dry_run: z.boolean(),
    total_rows: z.number().int(),
    accepted: z.number().int(),
    rejected: z.array(z.object({ line: z.number().int(), raw: z.string(), reasons: z.array(z.string()) })),
    warnings: z.array(z.string()),
    new_positions: z.array(z.string()),
    trade_ids: z.array(z.string()),
    preview: z.array(
      z.object({
        line: z.number().int(),
        trade_date: z.string(),
        trade_type: z.string(),
        asset_type: z.string(),
        symbol: z.string(),
        quantity: z.string(),
        price: z.string(),
        fees: z.string(),
      }),
    ),
  })
  .openapi('TradesImportReport');

const RANGE_DAYS = { '1M': 30, '3M': 91, '6M': 182, '1Y': 365 } as const;

export const trackerRoutes = createRouter();

trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/user/trades',
    summary: 'Your trades ledger, newest first (003)',
    request: {
      query: ordered(
        PaginationQuery.extend({
          symbol: z.string().max(32).optional(),
          trade_type: TradeKind.optional(),
          asset_type: TradeAssetTypeSchema.optional(),
          from: IsoDay.optional(),
          to: IsoDay.optional(),
        }),
      ),
    },
    responses: {
      200: json(
        z.object({
          success: z.literal(true),
          trades: z.array(TrackerTradeSchema),
          total: z.number().int(),
        }),
        'A page of trades; X-Total-Count and Link give the rest.',
      ),
    },
  }),
  async (c) => {
    const { limit, offset, page: p, ...filters } = c.req.valid('query');
    const page = pageOf({ limit, offset, page: p });
    const portfolio = await defaultPortfolio(c.env, principalOf(c).userId);
    const { rows, total } = await listTrades(c.env, [portfolio.id], filters, page);
    const meta = paginationMeta(page, total);
    setPaginationHeaders(c, meta);
    return c.json(
      plain(c, { success: true as const, trades: rows.map(trackerTrade), total }, { pagination: meta }),
      200,
    );
  },
);

trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/user/trades',
    summary: 'Record a trade: buy, sell, deposit (add), withdraw (remove), dividend, fee or split (003)',
    description:
      'Holdings and cash follow from the ledger. A sale beyond what is held at its date is refused (400 INSUFFICIENT_BALANCE) and records nothing.',
    request: body(TradeBody),
    responses: { 201: json(TradeResult, 'The recorded trade.') },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const userId = principalOf(c).userId;
    const portfolio = await defaultPortfolio(c.env, userId);
    const { trades } = await recordTrades(c.env, portfolio, userId, [
      {
        trade_type: input.tradeType,
        asset_type: input.assetType,
        symbol: input.symbol,
        quantity: input.quantity,
        price: input.price,
        fees: input.fees,
        trade_date: input.tradeDate ?? (await today(c.env)),
        notes: input.notes,
      },
    ]);
    const [trade] = trades;
    if (!trade) throw new Error('trade not recorded');
    return c.json(plain(c, { success: true as const, trade: trackerTrade(trade) }), 201);
  },
);

// Before /api/user/trades/{trade_id}.
trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/user/trades/export',
    summary: 'Your trades as CSV, in the import columns (003)',
    responses: {
      200: { description: 'text/csv, oldest first', content: { 'text/csv': { schema: z.string() } } },
    },
  }),
  async (c) => {
    const portfolio = await defaultPortfolio(c.env, principalOf(c).userId);
    const csv = await exportTrades(c.env, portfolio);
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="trades-${portfolio.id}.csv"`,
    });
  },
);

trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/user/trades/import',
    summary: 'Import trades from CSV, or dry-run the import (003)',
    description:
      'Body: CSV (`Content-Type: text/csv`) with the columns in the README (date, type, asset_type, symbol, quantity, price, fees, position_type, underlying, strike, expiry, multiplier, notes). `dry_run=true` reports what would be imported and which rows are rejected and why, writing nothing. Otherwise the accepted rows are recorded in one ledger change.',
    request: {
      ...CsvImportRequest,
    },
    responses: {
      200: json(ImportReportSchema, 'The import report (dry run or done).'),
    },
  }),
  async (c) => {
    const userId = principalOf(c).userId;
    const portfolio = await defaultPortfolio(c.env, userId);
    const report = await importTrades(c.env, portfolio, userId, await c.req.text(), {
      dryRun: c.req.valid('query').dry_run,
    });
    return c.json(plain(c, report), 200);
  },
);

trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'put',
    path: '/api/user/trades/{trade_id}',
    summary: 'Edit a past trade; everything after it is recomputed (003)',
    request: { params: TradeId, ...body(TradePatchBody) },
    responses: { 200: json(TradeResult, 'The edited trade.') },
  }),
  async (c) => {
    const userId = principalOf(c).userId;
    const patch = c.req.valid('json');
    const portfolio = await defaultPortfolio(c.env, userId);
    const { trade } = await updateTrade(c.env, portfolio, userId, c.req.valid('param').trade_id, {
      trade_type: patch.tradeType,
      quantity: patch.quantity,
      price: patch.price,
      fees: patch.fees,
      trade_date: patch.tradeDate,
      notes: patch.notes,
    });
    return c.json(plain(c, { success: true as const, trade: trackerTrade(trade) }), 200);
  },
);

trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'delete',
    path: '/api/user/trades/{trade_id}',
    summary: 'Delete a trade; everything after it is recomputed (003)',
    request: { params: TradeId },
    responses: { 200: json(z.object({ success: z.literal(true), id: z.string() }), 'Deleted.') },
  }),
  async (c) => {
    const userId = principalOf(c).userId;
    const portfolio = await defaultPortfolio(c.env, userId);
    const { id } = await deleteTrade(c.env, portfolio, userId, c.req.valid('param').trade_id);
    return c.json(plain(c, { success: true as const, id }), 200);
  },
);

trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/user/holdings',
    summary: 'Current holdings derived from the ledger, at current prices (003)',
    request: { query: z.object({ method: CostMethod.optional() }) },
    responses: {
      200: json(
        z.object({
          holdings: z.array(HoldingSchema),
          cash: z.number(),
          total_value: z.number(),
          total_invested: z.number(),
          unrealized_pnl: z.number(),
          realized_pnl: z.number(),
          method: CostMethod,
          as_of: z.string(),
        }),
        'Open holdings, largest first.',
      ),
    },
  }),
  async (c) => {
    const userId = principalOf(c).userId;
    const portfolio = await defaultPortfolio(c.env, userId);
    const value = await portfolioValue(c.env, portfolio, { method: c.req.valid('query').method });
    const holdings = value.positions
      .filter((v) => v.isOpen)
      .sort((a, b) => Math.abs(b.marketValue) - Math.abs(a.marketValue))
      .map((v) => ({
        id: v.position.id,
        user_id: userId,
        asset_type: v.position.assetType,
        symbol: v.position.symbol,
        quantity: v.quantity,
        avg_purchase_price: round(v.avgCost),
        total_invested: round(v.costBasis, 2),
        current_price: round(v.price),
        current_value: round(v.marketValue, 2),
        unrealized_pnl: round(v.unrealizedPnl, 2),
        unrealized_pnl_percent: v.unrealizedPnlPct === null ? null : round(v.unrealizedPnlPct, 4),
        realized_pnl: round(v.realizedPnl, 2),
        price_date: v.priceAt === null ? null : new Date(v.priceAt).toISOString(),
        price_source: v.priceSource,
        weight: value.totalValue ? round(v.marketValue / value.totalValue, 6) : 0,
      }));
    return c.json(
      plain(c, {
        holdings,
        cash: round(value.cash, 2),
        total_value: round(value.totalValue, 2),
        total_invested: round(value.costBasis, 2),
        unrealized_pnl: round(value.unrealizedPnl, 2),
        realized_pnl: round(value.realizedPnl, 2),
        method: value.method,
        as_of: value.asOf,
      }),
      200,
    );
  },
);

trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/user/portfolio/history',
    summary: 'Daily portfolio value from the ledger and real closes (003)',
    description:
      'From `from` (else `range` before `to`) to `to`. `returns` has the time-weighted, money-weighted, Modified Dietz and simple returns side by side with the reconciliation and linked contributions; `benchmark_comparison` is filled with `benchmark` (or the default_benchmark preference).',
    request: {
      query: ordered(
        z.object({ range: z.enum(['1M', '3M', '6M', '1Y', 'ALL']).default('1M'), ...ReturnsQuery }),
      ),
    },
    responses: {
      200: json(
        z.object({
          history: z.array(
            z.object({
              date: z.string(),
              totalValue: z.number(),
              cash: z.number(),
              investedValue: z.number(),
              costBasis: z.number(),
              netFlow: z.number(),
              pnl: z
                .number()
                .openapi({ description: 'Value minus cumulative net flows since the range start' }),
            }),
          ),
          range: z.string(),
          performance: z.object({
            time_weighted_return: z.number().nullable(),
            money_weighted_return: z.number().nullable(),
            max_drawdown: z.number().nullable(),
            volatility_annualized: z.number().nullable(),
          }),
          ...ReturnsFields,
          methodology: z.object({
            valuation: z.string(),
            periods_per_year: z.number(),
            data_points: z.number().int(),
          }),
        }),
        'One point per calendar day.',
      ),
    },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const range = query.range;
    const userId = principalOf(c).userId;
    const portfolio = await defaultPortfolio(c.env, userId);
    const {
      perf: report,
      returns,
      benchmark,
    } = await returnsFor(c.env, portfolio, userId, query, {
      path: c.req.path,
      defaultFrom: (to) =>
        range === 'ALL' ? undefined : dateOf(Date.parse(`${to}T00:00:00Z`) - RANGE_DAYS[range] * 86_400_000),
    });
    let flows = 0;
    const start = report.points[0]?.value ?? 0;
    const history = report.points.map((p, i) => {
      if (i > 0) flows += p.flow;
      return {
        date: p.date,
        totalValue: round(p.value, 2),
        cash: round(p.cash, 2),
        investedValue: round(p.invested, 2),
        costBasis: round(p.costBasis, 2),
        netFlow: round(p.flow, 2),
        pnl: round(p.value - start - flows, 2),
      };
    });
    return c.json(
      plain(c, {
        history,
        range,
        performance: {
          time_weighted_return: report.metrics.time_weighted_return,
          money_weighted_return: report.metrics.money_weighted_return,
          max_drawdown: report.metrics.max_drawdown,
          volatility_annualized: report.metrics.volatility_annualized,
        },
        returns,
        benchmark_comparison: benchmark,
        methodology: {
          valuation: 'ledger holdings at each day’s close (carried over days without one); cash included',
          periods_per_year: 365,
          data_points: history.length,
        },
      }),
      200,
    );
  },
);

trackerRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/user/realized-pnl',
    summary: 'Realized P&L per sale, weighted average (003) or FIFO (003)',
    request: {
      query: ordered(
        z.object({
          method: CostMethod.default('wac'),
          from: IsoDay.optional(),
          to: IsoDay.optional(),
          lot_method: z.enum(LOT_METHODS).optional().openapi({
            description:
              '`tax_lots`: realized gains by lot under fifo, lifo, hifo, average or specific identification, per year, short and long term (recomputed from the ledger, which never changes)',
          }),
          long_term_days: z.coerce.number().int().min(0).max(3650).optional().openapi({
            description: 'With lot_method: held more than this many days is long term (default 365)',
          }),
          year: z.coerce.number().int().min(1970).max(2100).optional().openapi({
            description: 'With lot_method: sales of that calendar year only',
          }),
        }),
      ),
    },
    responses: {
      200: json(
        z.object({
          realizedPnl: z.array(RealizedRowSchema),
          total_realized_pnl: z.number(),
          by_symbol: z.record(z.string(), z.number()),
          income: z.number(),
          method: CostMethod,
          tax_lots: z
            .object({
              method: z.enum(LOT_METHODS),
              long_term_days: z.number().int(),
              year: z.number().int().nullable(),
              totals: Totals,
              years: z.array(Totals.extend({ year: z.number().int() })),
              realizations: z.array(Realization),
              warnings: z.array(z.object({ trade_id: z.string(), message: z.string() })),
            })
            .optional()
            .openapi({
              description:
                'With lot_method: the realized-gains report by lot (as 000’s /portfolios/{id}/realized-gains): every sale, or those of `year` (from/to filter only realizedPnl)',
            }),
        }),
        'One row per sale or short cover, newest first.',
      ),
    },
  }),
  async (c) => {
    const {
      method,
      from,
      to,
      lot_method: lotMethod,
      long_term_days: longTermDays,
      year,
    } = c.req.valid('query');
    const portfolio = await defaultPortfolio(c.env, principalOf(c).userId);
    const lots = lotMethod
      ? await realizedGains(c.env, portfolio, { method: lotMethod, longTermDays: longTermDays ?? 365, year })
      : null;
    const ledger = await loadLedger(c.env, portfolio);
    const state = ledgerState(ledger);
    const rows = realizedRows(state.realizations, ledger.positions, method).filter(
      (r) => (!from || r.date.slice(0, 10) >= from) && (!to || r.date.slice(0, 10) <= to),
    );
    const bySymbol: Record<string, number> = {};
    for (const r of rows) bySymbol[r.symbol] = round((bySymbol[r.symbol] ?? 0) + r.realized_pnl, 8);
    return c.json(
      plain(c, {
        realizedPnl: rows,
        total_realized_pnl: round(
          rows.reduce((s, r) => s + r.realized_pnl, 0),
          8,
        ),
        by_symbol: bySymbol,
        income: state.income.toNumber(),
        method,
        ...(lots
          ? {
              tax_lots: {
                method: lots.method,
                long_term_days: lots.long_term_days,
                year: lots.year,
                totals: lots.totals,
                years: lots.years,
                realizations: lots.realizations,
                warnings: lots.warnings,
              },
            }
          : {}),
      }),
      200,
    );
  },
);
