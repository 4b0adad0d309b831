import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { LOT_METHODS, type LotMethod } from '../lots';
import { PortfolioId } from '../schemas';
import { getReadablePortfolio } from '../services/portfolios';
import { realizedGains, realizedGainsCsv } from '../services/tax-lots';

/**
 * 000's realized-gains report (issue 23): a new path, because no seed path carries a per-year
 * tax-lot report. Read as 000's realized P&L is: the owner or an admin, anyone for a public portfolio.
 */
export const gainsRoutes = createRouter();

const Money = z.number();
export const Realization = z.object({
  sale_trade_id: z.string(),
  lot_trade_id: z.string(),
  position_id: z.string(),
  symbol: z.string(),
  date_acquired: z.string(),
  date_sold: z.string(),
  quantity: z.string(),
  proceeds: Money,
  cost_basis: Money,
  gain: Money,
  holding_days: z.number().int(),
  term: z.enum(['short', 'long']),
  short_position: z.boolean(),
});
export const Totals = z.object({
  count: z.number().int(),
  proceeds: Money,
  cost_basis: Money,
  short_term_gain: Money,
  long_term_gain: Money,
  gain: Money,
});
const GainsSchema = z
  .object({
    portfolio_id: z.string(),
    base_currency: z.string(),
    method: z.enum(LOT_METHODS),
    long_term_days: z.number().int(),
    year: z.number().int().nullable(),
    totals: Totals,
    years: z.array(Totals.extend({ year: z.number().int() })),
    realizations: z.array(Realization),
    open_lots: z.array(
      z.object({
        lot_trade_id: z.string(),
        position_id: z.string(),
        symbol: z.string(),
        date_acquired: z.string(),
        quantity: z.string(),
        cost_basis: Money,
        unit_cost: z.number().nullable(),
      }),
    ),
    warnings: z.array(z.object({ trade_id: z.string(), message: z.string() })),
    methodology: z.object({
      lots: z.string(),
      fees: z.string(),
      holding_period: z.string(),
      specific_identification: z.string(),
      transfers: z.string(),
    }),
  })
  .openapi('RealizedGainsReport');

gainsRoutes.openapi(
  defineRoute({
    tags: ['Portfolios'],
    // Read like 000's realized P&L: the owner (or an admin), and anyone for a public portfolio.
    security: [{ bearerAuth: [] }, {}] as Record<string, string[]>[],
    method: 'get',
    path: '/api/v1/portfolios/{portfolio_id}/realized-gains',
    summary: 'Realized gains by tax lot per year, FIFO/LIFO/HIFO/average/specific, as JSON or CSV (issue 23)',
    description:
      "Recomputed from the ledger under the method asked (the ledger never changes). A sale names its lots for specific identification with `lots: <trade id>=<quantity>, ...` in its notes (POST trades' `lots` field writes it).",
    request: {
      params: PortfolioId,
      query: z.object({
        method: z.enum(LOT_METHODS).optional().openapi({
          description: "Default: the portfolio's cost method (wac → average, fifo → fifo)",
        }),
        year: z.coerce
          .number()
          .int()
          .min(1970)
          .max(2100)
          .optional()
          .openapi({ description: 'Sales of that calendar year only' }),
        long_term_days: z.coerce.number().int().min(0).max(3650).optional().openapi({
          description: 'Held more than this many days is long term (default 365, the US rule)',
        }),
        symbol: z.string().max(64).optional(),
        format: z.enum(['json', 'csv']).optional(),
      }),
    },
    responses: {
      200: {
        description: 'The report (JSON in the envelope, or text/csv with one row per lot sold).',
        content: {
          'application/json': { schema: envelopeSchema(GainsSchema) },
          'text/csv': { schema: z.string() },
        },
      },
    },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const pf = await getReadablePortfolio(c.env, c.get('principal'), c.req.valid('param').portfolio_id);
    const method: LotMethod = query.method ?? (pf.costMethod === 'fifo' ? 'fifo' : 'average');
    const longTermDays = query.long_term_days ?? 365;
    const report = await realizedGains(c.env, pf, {
      method,
      longTermDays,
      year: query.year,
      symbol: query.symbol,
    });
    if (query.format === 'csv') {
      return c.body(realizedGainsCsv(report), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="realized-gains-${pf.id}${query.year ? `-${query.year}` : ''}-${method}.csv"`,
      });
    }
    return c.json(
      envelope(c, {
        ...report,
        methodology: {
          lots: `${method}: ${
            {
              fifo: 'the oldest lots are sold first',
              lifo: 'the newest lots are sold first',
              hifo: 'the lots with the highest unit cost are sold first',
              average:
                'every lot carries the pool’s average cost; units leave first in, first out for the holding period',
              specific: 'the lots each sale names, the rest first in, first out',
            }[method]
          }`,
          fees: 'A trade’s fees are part of the lot it opens (cost) or reduce the proceeds of the sale, spread over its lots by quantity',
          holding_period: `Long term when held more than ${longTermDays} days (acquisition day to sale day)`,
          specific_identification:
            'A sale’s notes `lots: <trade id>=<quantity>, ...` name its lots; a warning says when they could not be used',
          transfers:
            'Units moved out (remove) close lots without a gain; units moved in (add) open a lot at their stated value',
        },
      }),
      200,
    );
  },
);
