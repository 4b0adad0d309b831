import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { STRATEGIES } from '../../bots/schemas';
import { BacktestListItem, BacktestSchema, backtestView } from '../schemas';
import { getOwnedBacktest, listBacktests } from '../service';

const common = { tags: ['Backtesting (002)'], security: [{ bearerAuth: [] }], middleware: requireUser };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});

export const resultRoutes = createRouter();

resultRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/backtesting/results',
    summary: 'Your saved backtests, newest first (002)',
    description:
      'Summaries only; GET /api/backtesting/results/{id} gives trades and the equity curve. X-Total-Count gives the total.',
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(1000).default(50),
        offset: z.coerce.number().int().min(0).default(0),
        strategy: z.enum(STRATEGIES).optional(),
      }),
    },
    responses: { 200: json(z.array(BacktestListItem), 'Backtests.') },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const { rows, total } = await listBacktests(c.env, principalOf(c).userId, q);
    c.header('X-Total-Count', String(total));
    return c.json(
      plain(
        c,
        rows.map((r) => {
          const { trades: _t, performance: _p, ...rest } = backtestView(r);
          return rest;
        }),
      ),
      200,
    );
  },
);

resultRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/backtesting/results/{id}',
    summary: 'One backtest with its trades, equity curve, summary and conventions',
    request: { params: z.object({ id: z.string().max(64) }) },
    responses: { 200: json(BacktestSchema, 'The backtest (queued, running, completed or failed).') },
  }),
  async (c) => {
    const row = await getOwnedBacktest(c.env, principalOf(c).userId, c.req.valid('param').id);
    return c.json(plain(c, backtestView(row)), 200);
  },
);
