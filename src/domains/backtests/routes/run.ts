import type { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { enqueueJob } from '../../../jobs/service';
import { principalOf, requireUser } from '../../../middleware/auth';
import { BacktestRunBody, BacktestSchema, backtestView } from '../schemas';
import {
  createBacktest,
  discardBacktest,
  executeBacktest,
  getOwnedBacktest,
  SYNC_BAR_LIMIT,
  setBacktestJob,
} from '../service';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});

export const runRoutes = createRouter();

runRoutes.openapi(
  defineRoute({
    tags: ['Backtesting (002)'],
    security: [{ bearerAuth: [] }],
    middleware: requireUser,
    method: 'post',
    path: '/api/backtesting/run',
    summary: 'Run a backtest of a bot configuration over stored candles (002)',
    description: `Runs the bot's strategy with the one execution model (next-bar-open fills, fee and slippage per side, stop-loss before take-profit within a bar) over the closed candles between startDate and endDate, both on or before the market clock. Runs of up to ${SYNC_BAR_LIMIT} bars answer 200 with the result; longer ones (or \`async: true\`) answer 202 with the queued backtest and its job id: poll GET /api/backtesting/results/{id}. The same inputs give the same result bit for bit (see inputHash). Rate limit: 10 a minute.`,
    request: { body: { content: { 'application/json': { schema: BacktestRunBody } }, required: true } },
    responses: {
      200: json(BacktestSchema, 'The completed backtest with trades, equity curve and summary.'),
      202: json(BacktestSchema, 'Queued: the backtest runs as a job.'),
    },
  }),
  async (c) => {
    const userId = principalOf(c).userId;
    const { row, sync } = await createBacktest(c.env, userId, c.req.valid('json'));
    if (sync) {
      const done = await executeBacktest(c.env, row.id).catch(async (err: unknown) => {
        if (err instanceof ApiError && err.status < 500) await discardBacktest(c.env, row.id);
        throw err;
      });
      return c.json(plain(c, backtestView(done)), 200);
    }
    const jobId = await enqueueJob(c.env, {
      type: 'backtests.run',
      userId,
      payload: { backtest_id: row.id },
    });
    await setBacktestJob(c.env, row.id, jobId);
    return c.json(plain(c, backtestView(await getOwnedBacktest(c.env, userId, row.id))), 202);
  },
);
