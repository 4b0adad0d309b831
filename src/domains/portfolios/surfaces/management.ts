import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requestFacts } from '../../../core/client';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import type { AppEnv } from '../../../env';
import { principalOf, requireUser } from '../../../middleware/auth';
import {
  CostMethod,
  DecimalInput,
  IsoDay,
  PortfolioId,
  PositionId,
  PositionTypeSchema,
  PositiveDecimal,
  RealizedRowSchema,
  round,
  TradeAssetTypeSchema,
  TradeDate,
  TradeSymbol,
  TransactionSchema,
} from '../schemas';
import { transactionView } from '../services/insight';
import {
  createPortfolio,
  deletePortfolio,
  getOwnedPortfolio,
  type PortfolioRow,
  updatePortfolio,
} from '../services/portfolios';
import { closePosition, openPosition, updatePosition } from '../services/positions';
import { portfolioValue } from '../services/summary';
import { PositionBlockSchema, positionBlock } from './data';

const common = { security: [{ bearerAuth: [] }], middleware: requireUser, tags: ['Management (004)'] };
const facts = (c: Context<AppEnv>) => ({ ...requestFacts(c), requestId: c.get('requestId') });
const body = <T extends z.ZodType>(schema: T, required = true) => ({
  body: { content: { 'application/json': { schema } }, required },
});
const reply = <T extends z.ZodType>(status: 200 | 201, schema: T, description: string) => ({
  [status]: { description, content: { 'application/json': { schema: plainOrV2Schema(schema) } } },
});
const money = (n: number) => round(n, 2);

const PortfolioInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).nullable().optional(),
    type: z.string().trim().min(1).max(50).optional().openapi({ example: 'HNW' }),
    currency: z.string().length(3).toUpperCase().optional().openapi({ example: 'USD' }),
    is_public: z.boolean().optional(),
    cost_method: CostMethod.optional(),
  })
  .strict();

const PortfolioSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    type: z.string(),
    currency: z.string(),
    is_public: z.boolean(),
    cost_method: CostMethod,
    positions_count: z.number().int(),
    total_value: z.number(),
    cash_balance: z.number(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('ManagedPortfolio');

async function portfolioBody(env: Env, row: PortfolioRow): Promise<z.infer<typeof PortfolioSchema>> {
  const value = await portfolioValue(env, row);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.portfolioType,
    currency: row.baseCurrency,
    is_public: row.isPublic,
    cost_method: row.costMethod,
    positions_count: value.positions.filter((v) => v.isOpen).length,
    total_value: money(value.totalValue),
    cash_balance: money(value.cash),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

const PositionInput = z
  .object({
    symbol: TradeSymbol.openapi({ description: 'Symbol or asset id; for options the option’s own symbol' }),
    quantity: PositiveDecimal,
    entry_price: DecimalInput.optional().openapi({
      description: 'Per unit; default the current price (options must give it)',
    }),
    entry_date: TradeDate.optional().openapi({ description: 'Default: today (the market clock)' }),
    fees: DecimalInput.optional(),
    position_type: PositionTypeSchema.optional(),
    asset_type: TradeAssetTypeSchema.optional().openapi({
      description: 'Needed only for an instrument the catalog does not price (valued at cost)',
    }),
    underlying: TradeSymbol.optional(),
    strike: PositiveDecimal.optional(),
    expiry: IsoDay.optional(),
    multiplier: PositiveDecimal.optional(),
    implied_volatility: z
      .number()
      .positive()
      .max(10)
      .nullable()
      .optional()
      .openapi({ description: 'Annual, 0.25 = 25%' }),
    notes: z.string().max(2000).nullable().optional(),
    tags: z.record(z.string().max(50), z.string().max(100)).optional(),
    allocation_target: z
      .number()
      .min(0)
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: 'Percent of the portfolio' }),
  })
  .strict();

const PositionPatch = z
  .object({
    quantity: DecimalInput.optional().openapi({
      description: 'A new quantity is recorded as a trade of the difference',
    }),
    entry_price: DecimalInput.optional(),
    entry_date: TradeDate.optional(),
    notes: z.string().max(2000).nullable().optional(),
    implied_volatility: z.number().positive().max(10).nullable().optional(),
    tags: z.record(z.string().max(50), z.string().max(100)).optional(),
    allocation_target: z.number().min(0).max(100).nullable().optional(),
  })
  .strict();

const CloseInput = z
  .object({
    price: DecimalInput.optional().openapi({ description: 'Per unit; default the current price' }),
    date: TradeDate.optional(),
    fees: DecimalInput.optional(),
    notes: z.string().max(2000).optional(),
  })
  .strict();

/** The position as 2.13 shows it, valued now within its portfolio. */
async function positionOf(env: Env, portfolio: PortfolioRow, positionId: string) {
  const value = await portfolioValue(env, portfolio, { includeInactive: true });
  const v = value.positions.find((x) => x.position.id === positionId);
  if (!v) throw new ApiError('NOT_FOUND', `Position ${positionId} not found`);
  return positionBlock(v, value);
}

export const managementRoutes = createRouter();

managementRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/v1/management/portfolios',
    summary: 'Create a portfolio (004 M1)',
    request: body(PortfolioInput),
    responses: reply(201, PortfolioSchema, 'Created.'),
  }),
  async (c) => {
    const input = c.req.valid('json');
    const row = await createPortfolio(
      c.env,
      principalOf(c).userId,
      {
        name: input.name,
        description: input.description,
        portfolio_type: input.type,
        base_currency: input.currency,
        is_public: input.is_public,
        cost_method: input.cost_method,
      },
      facts(c),
    );
    return c.json(plain(c, await portfolioBody(c.env, row)), 201);
  },
);

managementRoutes.openapi(
  defineRoute({
    ...common,
    method: 'put',
    path: '/api/v1/management/portfolios/{portfolio_id}',
    summary: 'Update a portfolio (004 M2)',
    request: { params: PortfolioId, ...body(PortfolioInput.partial()) },
    responses: reply(200, PortfolioSchema, 'Updated.'),
  }),
  async (c) => {
    const input = c.req.valid('json');
    const row = await updatePortfolio(
      c.env,
      principalOf(c).userId,
      c.req.valid('param').portfolio_id,
      {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.type !== undefined ? { portfolio_type: input.type } : {}),
        ...(input.currency !== undefined ? { base_currency: input.currency } : {}),
        ...(input.is_public !== undefined ? { is_public: input.is_public } : {}),
        ...(input.cost_method !== undefined ? { cost_method: input.cost_method } : {}),
      },
      facts(c),
    );
    return c.json(plain(c, await portfolioBody(c.env, row)), 200);
  },
);

managementRoutes.openapi(
  defineRoute({
    ...common,
    method: 'delete',
    path: '/api/v1/management/portfolios/{portfolio_id}',
    summary: 'Delete a portfolio (soft) (004 M3)',
    description: 'The portfolio leaves every surface; its rows and ledger stay for audit.',
    request: { params: PortfolioId },
    responses: reply(
      200,
      z.object({ id: z.string(), deleted: z.literal(true), deleted_at: z.string() }),
      'Deleted.',
    ),
  }),
  async (c) => {
    const out = await deletePortfolio(
      c.env,
      principalOf(c).userId,
      c.req.valid('param').portfolio_id,
      facts(c),
    );
    return c.json(plain(c, { id: out.id, deleted: true as const, deleted_at: out.deleted_at }), 200);
  },
);

managementRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/v1/management/portfolios/{portfolio_id}/positions',
    summary: 'Add a position (004 M4)',
    description:
      'A position row and its opening trade in the ledger (a buy; a sell for SHORT). Options (CALL/PUT) need underlying, strike, expiry and entry_price; with implied_volatility they are priced by Black-Scholes. 409 when the instrument is already an active position of that type.',
    request: { params: PortfolioId, ...body(PositionInput) },
    responses: reply(
      201,
      z.object({ position: PositionBlockSchema, transaction: TransactionSchema }),
      'The position and its opening trade.',
    ),
  }),
  async (c) => {
    const me = principalOf(c);
    const portfolio = await getOwnedPortfolio(c.env, me.userId, c.req.valid('param').portfolio_id);
    const { position, trade } = await openPosition(c.env, portfolio, me.userId, c.req.valid('json'));
    return c.json(
      plain(c, {
        position: await positionOf(c.env, portfolio, position.id),
        transaction: transactionView(trade, position.multiplier),
      }),
      201,
    );
  },
);

managementRoutes.openapi(
  defineRoute({
    ...common,
    method: 'put',
    path: '/api/v1/management/positions/{position_id}',
    summary: 'Update a position (004 M5)',
    description:
      'Notes, tags, target and implied volatility are edited; a new quantity is recorded as a trade of the difference (at entry_price or the current price); entry price/date edit the opening trade while it is the only one.',
    request: { params: PositionId, ...body(PositionPatch) },
    responses: reply(200, z.object({ position: PositionBlockSchema }), 'The position.'),
  }),
  async (c) => {
    const { position } = await updatePosition(
      c.env,
      principalOf(c).userId,
      c.req.valid('param').position_id,
      c.req.valid('json'),
    );
    const portfolio = await getOwnedPortfolio(c.env, principalOf(c).userId, position.portfolioId);
    return c.json(plain(c, { position: await positionOf(c.env, portfolio, position.id) }), 200);
  },
);

managementRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/v1/management/positions/{position_id}/close',
    summary: 'Close a position (004 M6)',
    description:
      'One trade of the whole open quantity (a sell; a buy to cover a SHORT) at `price` (default the current price) on `date` (default today), and the P&L it realized by the portfolio’s cost method.',
    request: { params: PositionId, ...body(CloseInput, false) },
    responses: reply(
      200,
      z.object({
        position: PositionBlockSchema,
        realized_pnl: z.number(),
        realization: RealizedRowSchema.pick({
          quantity: true,
          proceeds: true,
          cost_basis: true,
          realized_pnl: true,
          realized_pnl_percent: true,
          method: true,
        }),
        transaction: TransactionSchema,
      }),
      'The closed position and the realized P&L.',
    ),
  }),
  async (c) => {
    const me = principalOf(c);
    const input = c.req.valid('json') ?? {};
    const { position_id } = c.req.valid('param');
    const { position, trade, realization, result } = await closePosition(
      c.env,
      me.userId,
      position_id,
      input,
    );
    if (!position || !realization) throw new ApiError('INTERNAL_ERROR', 'Position was not closed');
    const method = result.ledger.portfolio.costMethod;
    const m = method === 'fifo' ? realization.fifo : realization.wac;
    const portfolio = await getOwnedPortfolio(c.env, me.userId, position.portfolioId);
    const pnl = m.pnl.toNumber();
    const basis = m.costBasis.toNumber();
    return c.json(
      plain(c, {
        position: await positionOf(c.env, portfolio, position.id),
        realized_pnl: money(pnl),
        realization: {
          quantity: realization.quantity.toNumber(),
          proceeds: money(realization.proceeds.toNumber()),
          cost_basis: money(basis),
          realized_pnl: money(pnl),
          realized_pnl_percent: basis !== 0 ? round((pnl / Math.abs(basis)) * 100, 4) : null,
          method,
        },
        transaction: transactionView(trade, position.multiplier),
      }),
      200,
    );
  },
);
