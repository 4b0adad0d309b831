import { z } from '@hono/zod-openapi';
import { DateOrDateTime, dayNumber, dayString, ordered } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { manualBotOrder } from '../../bots/manual';
import { getOwnedBot } from '../../bots/service';
import { assertPaperOrderWithinLimits } from '../../risk-limits/enforce';
import { DecimalInput, PositiveDecimal, round, TradeSymbol } from '../schemas';
import { ledgerState, loadLedger, normalizeSymbol, recordTrades, resolveHeldAsset } from '../services/ledger';
import { defaultPortfolio, listPortfolios, type TradeRow } from '../services/portfolios';
import { today, tradeAssetType } from '../services/positions';
import { portfolioPerformance, portfolioValue } from '../services/summary';
import { listTrades } from '../services/trades';
import { pricesIn, toUsd } from '../services/valuation';

const common = { tags: ['Trading (002)'], security: [{ bearerAuth: [] }], middleware: requireUser };
const Mode = z.enum(['paper', 'live']);
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});

/** 002 names crypto by pair: BTC/USD. */
const pairOf = (symbol: string, assetType: string) => (assetType === 'crypto' ? `${symbol}/USD` : symbol);

const TradeSchema = z
  .object({
    id: z.string(),
    botId: z.string().nullable(),
    portfolioId: z.string(),
    symbol: z.string(),
    side: z.enum(['buy', 'sell']),
    amount: z.number(),
    price: z.number(),
    fees: z.number(),
    timestamp: z.string(),
    mode: Mode,
    pnl: z.number().openapi({ description: 'Realized P&L of a sale (weighted average cost); 0 for buys' }),
  })
  .openapi('TradingTrade');

function tradeView(t: TradeRow, mode: 'paper' | 'live', pnl: Map<string, number>) {
  return {
    id: t.id,
    botId: t.botId,
    portfolioId: t.portfolioId,
    symbol: pairOf(t.symbol, t.assetType),
    side: t.tradeType as 'buy' | 'sell',
    amount: Number(t.quantity),
    price: Number(t.price),
    fees: Number(t.fees),
    timestamp:
      t.tradeDate.length === 10 ? `${t.tradeDate}T00:00:00.000Z` : new Date(t.tradeDate).toISOString(),
    mode,
    pnl: round(pnl.get(t.id) ?? 0, 8),
  };
}

export const tradingRoutes = createRouter();

tradingRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/portfolio/{mode}',
    summary: 'Portfolio of a trading mode: value, available balance, positions and performance (002)',
    description:
      'Every active portfolio of the mode, valued together at current prices. `availableBalance` is the ledger cash; `performance` gives time-weighted returns in percent over 1, 7 and 30 days, weighted by each portfolio’s value.',
    request: { params: z.object({ mode: Mode }) },
    responses: {
      200: json(
        z.object({
          totalValue: z
            .number()
            .openapi({ description: 'USD: portfolios in other currencies convert at the current rate' }),
          availableBalance: z.number(),
          positions: z.array(
            z.object({
              symbol: z.string(),
              amount: z.number(),
              avgPrice: z.number(),
              currentPrice: z.number(),
              pnl: z.number(),
              pnlPercent: z.number().nullable(),
              side: z.enum(['long', 'short']),
              portfolioId: z.string(),
              currency: z
                .string()
                .openapi({ description: "The position's portfolio currency (its prices and P&L)" }),
            }),
          ),
          performance: z.object({
            daily: z.number().nullable(),
            weekly: z.number().nullable(),
            monthly: z.number().nullable(),
          }),
        }),
        'The mode’s portfolios together.',
      ),
    },
  }),
  async (c) => {
    const mode = c.req.valid('param').mode;
    const userId = principalOf(c).userId;
    const { rows } = await listPortfolios(c.env, userId, { mode });
    const to = await today(c.env);
    const from = dayString(dayNumber(to) - 31);
    const reports = await Promise.all(
      rows.map(async (p) => {
        // Totals across portfolios are in USD: each converts at its currency's current rate.
        const { fx } = await pricesIn(c.env, p.baseCurrency, []);
        const usd = (x: number) => {
          if (x === 0 || p.baseCurrency === 'USD') return x;
          if (!fx) throw new ApiError('SERVICE_UNAVAILABLE', `No stored ${p.baseCurrency} exchange rate`);
          return toUsd(p.baseCurrency, x, fx.price);
        };
        return {
          value: await portfolioValue(c.env, p),
          perf: await portfolioPerformance(c.env, p, { from, to }),
          usd,
        };
      }),
    );
    const total = reports.reduce((s, r) => s + r.usd(r.value.totalValue), 0);
    const weighted = (pick: (t: (typeof reports)[number]['perf']['trailing']) => number | null) => {
      let sum = 0;
      let weight = 0;
      for (const r of reports) {
        const v = pick(r.perf.trailing);
        if (v === null) continue;
        sum += v * r.usd(r.value.totalValue);
        weight += r.usd(r.value.totalValue);
      }
      return weight > 0 ? round((sum / weight) * 100, 4) : null;
    };
    return c.json(
      plain(c, {
        totalValue: round(total, 2),
        availableBalance: round(
          reports.reduce((s, r) => s + r.usd(r.value.cash), 0),
          2,
        ),
        positions: reports.flatMap((r) =>
          r.value.positions
            .filter((v) => v.isOpen)
            .map((v) => ({
              symbol: pairOf(v.position.symbol, v.position.assetType),
              amount: v.quantity,
              avgPrice: round(v.avgCost),
              currentPrice: round(v.price),
              pnl: round(v.unrealizedPnl, 2),
              pnlPercent: v.unrealizedPnlPct === null ? null : round(v.unrealizedPnlPct, 4),
              side: v.sign === 1 ? ('long' as const) : ('short' as const),
              portfolioId: r.value.portfolio.id,
              currency: r.value.portfolio.baseCurrency,
            })),
        ),
        performance: {
          daily: weighted((t) => t.d1),
          weekly: weighted((t) => t.d7),
          monthly: weighted((t) => t.d30),
        },
      }),
      200,
    );
  },
);

tradingRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/trades',
    summary: 'Trading history of your portfolios, filtered by bot, mode and time (002)',
    request: {
      query: ordered(
        z.object({
          botId: z.string().max(64).optional(),
          mode: Mode.optional(),
          startDate: DateOrDateTime.optional(),
          endDate: DateOrDateTime.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        'startDate',
        'endDate',
      ),
    },
    responses: {
      200: json(z.array(TradeSchema), 'Buys and sells, newest first; X-Total-Count gives the total.'),
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const userId = principalOf(c).userId;
    // Another user's bot (or none) is not found, rather than an empty history.
    if (q.botId) await getOwnedBot(c.env, userId, q.botId);
    const { rows: portfolios } = await listPortfolios(c.env, userId, { mode: q.mode });
    const modes = new Map(portfolios.map((p) => [p.id, p.mode]));
    const { rows, total } = await listTrades(
      c.env,
      portfolios.map((p) => p.id),
      { bot_id: q.botId, from: q.startDate, to: q.endDate },
      { limit: q.limit, offset: q.offset, page: 1 },
    );
    // Realized P&L of the sales on this page, from a replay of each portfolio they belong to.
    const pnl = new Map<string, number>();
    for (const id of new Set(rows.filter((t) => t.tradeType === 'sell').map((t) => t.portfolioId))) {
      const portfolio = portfolios.find((p) => p.id === id);
      if (!portfolio) continue;
      const ledger = await loadLedger(c.env, portfolio);
      for (const r of ledgerState(ledger).realizations) pnl.set(r.entryId, r.wac.pnl.toNumber());
    }
    c.header('X-Total-Count', String(total));
    const trades = rows
      .filter((t) => t.tradeType === 'buy' || t.tradeType === 'sell')
      .map((t) => tradeView(t, modes.get(t.portfolioId) ?? 'live', pnl));
    return c.json(plain(c, trades), 200);
  },
);

tradingRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/trades',
    summary: 'Record a manual trade in your portfolio of that mode (002)',
    description:
      'A manual override recorded in the ledger of your default portfolio for the mode (made on first use). Trades on behalf of a bot are recorded by the bot itself; `botId` must name one of your bots. A paper order passes your risk limits first (422 naming the limit: maxPositionSize, maxLeverage, maxDailyLoss, maxDrawdown); a live trade is a record of an order placed elsewhere.',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z
              .object({
                botId: z.string().max(64).nullable().optional(),
                symbol: TradeSymbol,
                side: z.enum(['buy', 'sell']),
                amount: PositiveDecimal,
                price: DecimalInput,
                fees: DecimalInput.optional(),
                mode: Mode.default('paper'),
                timestamp: z.iso.datetime({ offset: true }).optional(),
              })
              .strict(),
          },
        },
        required: true,
      },
    },
    responses: { 201: json(TradeSchema, 'The recorded trade.') },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const userId = principalOf(c).userId;
    const asset = await resolveHeldAsset(c.env, normalizeSymbol(input.symbol), userId).catch(() => {
      throw new ApiError('INVALID_SYMBOL', `Unknown symbol ${input.symbol}`, {
        suggestion: 'Use a listed market such as BTC/USD (GET /api/markets).',
      });
    });
    // On behalf of a bot: the caller's bot only (404 otherwise), into its paper ledger, within the risk limits.
    const portfolio = input.botId
      ? await manualBotOrder(c.env, userId, input.botId, {
          assetId: asset.id,
          side: input.side,
          amount: Number(input.amount),
          price: Number(input.price),
          mode: input.mode,
        })
      : await defaultPortfolio(c.env, userId, input.mode);
    // A paper order is placed here, so it passes the user's risk limits first (422 naming the
    // limit); a bot's order was checked above with the bot's own peak and day start. A live
    // trade is a record of an order placed elsewhere (no exchange is connected): nothing to refuse.
    if (!input.botId && input.mode === 'paper') {
      await assertPaperOrderWithinLimits(c.env, {
        userId,
        portfolio,
        assetId: asset.id,
        side: input.side,
        amount: Number(input.amount),
        price: Number(input.price),
        now: await marketNow(c.env),
      });
    }
    const { trades, result } = await recordTrades(c.env, portfolio, userId, [
      {
        trade_type: input.side,
        asset_type: tradeAssetType(asset.assetType),
        symbol: asset.symbol,
        quantity: input.amount,
        price: input.price,
        fees: input.fees,
        trade_date: input.timestamp ? new Date(input.timestamp).toISOString() : await today(c.env),
        bot_id: input.botId ?? undefined,
      },
    ]);
    const [trade] = trades;
    if (!trade) throw new ApiError('INTERNAL_ERROR', 'Trade not recorded');
    const pnl = new Map(result.state.realizations.map((r) => [r.entryId, r.wac.pnl.toNumber()]));
    return c.json(plain(c, tradeView(trade, input.mode, pnl)), 201);
  },
);
