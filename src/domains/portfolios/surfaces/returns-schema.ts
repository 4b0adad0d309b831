import { z } from '@hono/zod-openapi';
import { RETURN_PERIODS } from '../services/returns';

/** The `returns` block added to 000's performance: methods side by side, reconciliation, contribution. */
const Pct = z.number().nullable();

const Contributor = z
  .object({
    key: z.string(),
    position_id: z.string().nullable().openapi({ description: 'null for the cash sleeve' }),
    symbol: z.string(),
    asset_class: z.string(),
    start_value: z.number(),
    end_value: z.number(),
    net_cash: z.number(),
    pnl: z.number(),
    average_capital: z.number(),
    weight_pct: Pct.openapi({
      description: 'Mean daily weight: capital at work ÷ the portfolio’s, each day',
    }),
    return_pct: Pct.openapi({ description: 'The sleeve’s own time-weighted return over the window' }),
    contribution_pct: Pct.openapi({
      description:
        'Daily weight × return, Carino-linked: positions plus the cash sleeve sum to the window’s time-weighted return',
    }),
    modified_dietz_contribution_pct: Pct.openapi({
      description: 'P&L ÷ the portfolio’s Modified Dietz capital: these sum to the Modified Dietz return',
    }),
  })
  .openapi('ReturnContributor');

const Window = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  data_points: z.number().int(),
  methods: z.object({
    time_weighted: z.object({ return_pct: Pct, annualized_pct: Pct, method: z.string() }),
    money_weighted: z.object({ return_pct: Pct, annualized_pct: Pct, method: z.string() }),
    modified_dietz: z.object({ return_pct: Pct, method: z.string() }),
    simple_on_invested: z.object({ return_pct: Pct, invested_capital: z.number(), method: z.string() }),
    net_profit: z.object({ amount: z.number(), method: z.string() }),
  }),
  reconciliation: z
    .object({
      start_value: z.number(),
      deposits: z.number(),
      withdrawals: z.number(),
      net_flows: z.number(),
      pnl: z.number(),
      end_value: z.number(),
      difference: z.number(),
      reconciles: z.boolean(),
      pnl_from_positions: z.number(),
      pnl_from_cash: z.number(),
      line: z.string(),
    })
    .openapi({
      description: 'start value + net flows + P&L = end value, to the cent; P&L rebuilt from the trades',
    }),
  contribution: z.object({
    method: z.string(),
    total_pct: Pct.openapi({
      description: 'The window’s time-weighted return, which the contributions sum to',
    }),
    modified_dietz_total_pct: Pct,
    by_position: z.array(Contributor),
    by_asset_class: z.array(
      z.object({
        asset_class: z.string(),
        pnl: z.number(),
        average_capital: z.number(),
        weight_pct: Pct,
        return_pct: Pct,
        contribution_pct: Pct,
        modified_dietz_contribution_pct: Pct,
      }),
    ),
    best: z.array(Contributor),
    worst: z.array(Contributor),
  }),
});

export const ReturnsBlockSchema = z
  .object({
    inception: z.string().nullable(),
    window: Window.nullable().openapi({
      description: 'The requested from..to (null before the first trade)',
    }),
    periods: z.array(
      z.object({
        period: z.enum(RETURN_PERIODS),
        from: z.string().nullable(),
        to: z.string(),
        partial: z.boolean(),
        time_weighted_pct: Pct,
        time_weighted_annualized_pct: Pct,
        money_weighted_annualized_pct: Pct,
        net_profit: z.number().nullable(),
      }),
    ),
    method_notes: z.record(z.string(), z.string()),
  })
  .openapi('PortfolioReturns', {
    description:
      'Returns side by side for the window and the standard periods (MTD, QTD, YTD, 1Y, 3Y, 5Y annualized, since inception), each naming its method',
  });
