import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { CsvImportRequest, PortfolioId } from '../schemas';
import { getOwnedPortfolio, getReadablePortfolio } from '../services/portfolios';
import { exportTrades, importTrades } from '../services/transfer';
import { ImportReportSchema } from './tracker';

const common = { tags: ['Portfolios'], security: [{ bearerAuth: [] }], middleware: requireUser };

/** CSV import and export of any of your portfolios' trades (000's paths; 003's default portfolio has its own). */
export const transferRoutes = createRouter();

transferRoutes.openapi(
  defineRoute({
    tags: ['Portfolios'],
    security: [{ bearerAuth: [] }, {}] as Record<string, string[]>[],
    method: 'get',
    path: '/api/v1/portfolios/{portfolio_id}/trades/export',
    summary: "A portfolio's trades as CSV, in the import columns",
    request: { params: PortfolioId },
    responses: {
      200: { description: 'text/csv, oldest first', content: { 'text/csv': { schema: z.string() } } },
    },
  }),
  async (c) => {
    const portfolio = await getReadablePortfolio(
      c.env,
      c.get('principal'),
      c.req.valid('param').portfolio_id,
    );
    return c.body(await exportTrades(c.env, portfolio), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="trades-${portfolio.id}.csv"`,
    });
  },
);

transferRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/v1/portfolios/{portfolio_id}/trades/import',
    summary: 'Import trades from CSV into a portfolio, or dry-run the import',
    description:
      'Body: CSV (`Content-Type: text/csv`) with the columns in the README. `dry_run=true` reports what would be imported and which rows are rejected and why, writing nothing; otherwise the accepted rows are recorded in one ledger change.',
    request: {
      params: PortfolioId,
      ...CsvImportRequest,
    },
    responses: {
      200: {
        description: 'The import report.',
        content: { 'application/json': { schema: envelopeSchema(ImportReportSchema) } },
      },
    },
  }),
  async (c) => {
    const userId = principalOf(c).userId;
    const portfolio = await getOwnedPortfolio(c.env, userId, c.req.valid('param').portfolio_id);
    const report = await importTrades(c.env, portfolio, userId, await c.req.text(), {
      dryRun: c.req.valid('query').dry_run,
    });
    return c.json(envelope(c, report), 200);
  },
);
