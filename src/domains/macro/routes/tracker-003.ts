import { z } from '@hono/zod-openapi';
import { notModifiedResponse } from '../../../core/cache';
import { CalendarDate, marketDayRange } from '../../../core/dates';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { sectionHandlers } from '../../../core/sections';
import { type MacroSnapshot, macroSnapshot } from '../service';

const tags = ['Markets (003)'];
const num = z.number().nullable();

/** 003's bodies are plain (002's v2 envelope when asked), from the macro snapshot through the edge cache. */
const { serve, section } = sectionHandlers({
  ttl: 300,
  shape: 'plain',
  load: async (c): Promise<{ snapshot_time: string; payload: MacroSnapshot }> => {
    const s = await macroSnapshot(c.env);
    return { snapshot_time: new Date(s.snapshot_time).toISOString(), payload: s.payload };
  },
});

const RiskMetricsSchema = z
  .object({
    symbol: z.enum(['BTC', 'ETH']),
    metrics: z
      .object({
        price: z.number(),
        fair_value: z.number(),
        risk: z
          .number()
          .openapi({ description: '0 = cheapest relative to the regression in its history, 1 = dearest.' }),
        deviation_pct: z.number(),
        slope: z.number(),
        intercept: z.number(),
        r_squared: z.number(),
        observations: z.number().int(),
        first_date: z.string(),
        as_of: z.string(),
      })
      .nullable()
      .openapi({ description: 'Null when the market clock has fewer than 30 daily closes to fit.' }),
    bands: z.array(z.object({ risk: z.number(), price: z.number() })),
    method: z.string(),
    snapshot_time: z.string(),
  })
  .openapi('RiskMetrics');

const CyclesSchema = z
  .object({
    cycles: z.array(
      z.object({
        cycle: z.number().int(),
        peak_date: z.string(),
        peak_price: z.number(),
        trough_date: z.string(),
        trough_price: z.number(),
        drawdown_pct: z.number(),
        decline_days: z.number().int(),
        recovery_date: z.string().nullable(),
        recovery_days: z.number().int().nullable(),
        ongoing: z.boolean(),
      }),
    ),
    method: z.string(),
    threshold_pct: z.number(),
    data_points: z.number().int(),
    first_date: z.string().nullable(),
    as_of: z.string().nullable(),
    snapshot_time: z.string(),
  })
  .openapi('MarketCycles');

const ScreenerSchema = z
  .object({
    data: z.array(
      z.object({
        symbol: z.string(),
        name: z.string(),
        asset_type: z.string(),
        price: num,
        market_cap: num,
        change_24h_pct: num,
        change_30d_pct: num,
        volatility_30d_pct: num,
        high_52w: num,
        low_52w: num,
        pe_ratio: z.null().openapi({
          description:
            'Absent: no earnings data is shipped (crypto has none; configure a fundamentals provider for equities).',
        }),
        dividend_yield: num.openapi({
          description:
            "Trailing-12-month dividend yield, percent: cash dividends with ex-date in the 365 days up to the row's `as_of` close, over that unadjusted close. Null where no dividend data exist (`dividend_yield_reason`).",
        }),
        dividend_yield_basis: z
          .object({
            method: z.enum(['adj_close_step', 'reported']).openapi({
              description:
                "`adj_close_step`: each dividend = previous close x (1 - f_prev / f), where f = adjusted close / close steps at the ex-date; `reported`: the file's Dividends column.",
            }),
            window_start: z
              .string()
              .openapi({ description: 'First ex-date day of the window (YYYY-MM-DD).' }),
            as_of: z.string().openapi({
              description: 'The close the yield is at (YYYY-MM-DD), never after the market clock.',
            }),
            dividends_ttm: z.number().openapi({ description: 'Cash dividends per share in the window.' }),
            data_points: z.number().int().openapi({ description: 'Dividends (ex-dates) in the window.' }),
            close: z.number().openapi({ description: 'The unadjusted close divided by.' }),
            source: z.string().openapi({ description: 'The shipped file the dividends come from.' }),
          })
          .nullable(),
        dividend_yield_reason: z.string().nullable().openapi({
          description:
            'Why `dividend_yield` is null (crypto pays none, no dividend data shipped, window not covered).',
        }),
        mvrv: num,
        as_of: z.string().nullable(),
      }),
    ),
    absent: z.object({ pe_ratio: z.string(), dividend_yield: z.string() }),
    method: z.string(),
    snapshot_time: z.string(),
  })
  .openapi('ScreenerMetrics');

const LipiRow = z
  .object({
    date: z.string(),
    sector: z.string(),
    client_type: z.string(),
    buy_value: z.number(),
    sell_value: z.number(),
    net_value: z.number(),
  })
  .openapi('LipiFlow');

export const tracker003Routes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/risk-metrics',
      tags,
      summary: 'ETH (or BTC) risk model: log-regression fair value, risk 0..1 and its bands (003)',
      request: { query: z.object({ symbol: z.enum(['ETH', 'BTC']).default('ETH') }) },
      responses: {
        200: {
          description: 'The model.',
          content: { 'application/json': { schema: plainOrV2Schema(RiskMetricsSchema) } },
        },
        ...notModifiedResponse,
      },
    }),
    async (c) => {
      const { symbol } = c.req.valid('query');
      return serve(c, RiskMetricsSchema, ({ snapshot_time, payload }) => {
        const m = payload.risk_models[symbol];
        if (!m)
          return {
            symbol,
            metrics: null,
            bands: [],
            method: 'Not enough price history at the market clock to fit the model (30 daily closes needed).',
            snapshot_time,
          };
        return { ...m, snapshot_time };
      });
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/market-cycles',
      tags,
      summary:
        'Historic BTC market cycles by a documented peak/trough rule: dates, drawdowns, durations (003)',
      responses: {
        200: {
          description: 'Cycles.',
          content: { 'application/json': { schema: plainOrV2Schema(CyclesSchema) } },
        },
        ...notModifiedResponse,
      },
    }),
    section(CyclesSchema, ({ snapshot_time, payload }) => ({ ...payload.market_cycles, snapshot_time })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/screener/metrics',
      tags,
      summary:
        'Screener metrics per tracked asset: price, market cap, changes, volatility, 52-week range, trailing dividend yield; P/E absent (003)',
      responses: {
        200: {
          description: 'Rows.',
          content: { 'application/json': { schema: plainOrV2Schema(ScreenerSchema) } },
        },
        ...notModifiedResponse,
      },
    }),
    section(ScreenerSchema, ({ snapshot_time, payload }) => ({
      data: payload.screener.map((r) => ({
        ...r,
        pe_ratio: null,
        // Snapshots stored before dividends were served lack the fields.
        dividend_yield: r.dividend_yield ?? null,
        dividend_yield_basis: r.dividend_yield_basis ?? null,
        dividend_yield_reason:
          r.dividend_yield_reason ?? (r.dividend_yield == null ? 'Not computed in this snapshot.' : null),
      })),
      absent: {
        pe_ratio:
          'No earnings data is shipped: crypto assets have none, and equity fundamentals need a provider (e.g. Financial Modeling Prep or Alpha Vantage OVERVIEW).',
        dividend_yield:
          "Null on rows without dividend data (each row's dividend_yield_reason says why): crypto pays none; for ETFs and stocks whose shipped history is unadjusted closes only (Alpha Vantage) or adjusted only (yfinance auto_adjust), dividends cannot be derived.",
      },
      method:
        "From daily closes at or before the market clock: changes over 1 and 30 days; volatility = sample sd of 30 daily log returns annualized by sqrt(365) for crypto, sqrt(252) otherwise; 52-week range over 365 calendar days; market cap = close x CMC circulating supply or CoinGecko daily cap; MVRV from Coin Metrics (BTC). Dividend yield (ETFs, US stocks) = sum of cash dividends with ex-date in the 365 calendar days up to the row's as_of close, over that unadjusted close, x 100; dividends derived from the shipped files with both Close and Adj Close (each = previous close x (1 - f_prev/f), f = Adj Close / Close stepping at the ex-date; steps under 2e-5, vendor jitter, ignored) or read from a reported Dividends column (AGG, BND); no ex-date after the market clock is used, and a yield is served only where the source covers the whole window (dividend_yield_basis names method, window, data points, as-of and source).",
      snapshot_time,
    })),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/market-flows/lipi',
      tags,
      summary:
        'LIPI/FIPI liquidity map by sector and client type (003): absent in this deployment, an empty list with the reason',
      description:
        'NCCPL publishes the Pakistan Stock Exchange LIPI/FIPI flows; none are shipped, so the list is empty and `X-Data-Absent` says why. A deployment configures the NCCPL daily FIPI/LIPI report as a source. Dates are validated (startDate <= endDate, clamped to the market clock).',
      request: { query: z.object({ startDate: CalendarDate.optional(), endDate: CalendarDate.optional() }) },
      responses: {
        200: {
          description: 'Flows (empty: series absent).',
          headers: z.object({ 'X-Data-Absent': z.string().optional() }),
          content: { 'application/json': { schema: plainOrV2Schema(z.array(LipiRow)) } },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      await marketDayRange(
        c.env,
        { from: q.startDate, to: q.endDate },
        { maxDays: 3660, defaultDays: 30, fields: ['startDate', 'endDate'], path: c.req.path },
      );
      c.header(
        'X-Data-Absent',
        'LIPI/FIPI flows (NCCPL, Pakistan Stock Exchange) are not shipped with this deployment; configure the NCCPL FIPI/LIPI daily report as a data source.',
      );
      return c.json(plain(c, [] as z.infer<typeof LipiRow>[]), 200);
    },
  );
