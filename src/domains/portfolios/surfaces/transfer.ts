import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { IMPORT_FORMATS } from '../importers/index';
import { CsvImportRequest, PortfolioId } from '../schemas';
import { importFile } from '../services/broker-import';
import { getOwnedPortfolio, getReadablePortfolio } from '../services/portfolios';
import { exportTrades } from '../services/transfer';
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
    summary: 'Import trades from CSV or a broker export into a portfolio, or dry-run the import',
    description:
      "Body: the file (`Content-Type: text/csv`; a Ghostfolio JSON export too). `format` (default auto: detected from the header) reads Meridian's own columns (README) or a broker's export: Coinbase, Binance, Kraken, Ghostfolio, IBKR Flex, Schwab, DEGIRO, Trading 212, CoinTracking; `format=generic&mapping=<name>` reads any CSV through a column mapping saved in your preferences (`import_mappings`). Broker rows are priced in the portfolio currency at the stored close of their day. `dry_run=true` reports what would be imported and which rows are rejected and why, writing nothing; otherwise the accepted rows are recorded in one ledger change; the same file twice imports once.",
    request: {
      params: PortfolioId,
      ...CsvImportRequest,
      query: CsvImportRequest.query.extend({
        format: z.enum(IMPORT_FORMATS).default('auto'),
        mapping: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .openapi({ description: 'Name of a saved column mapping (format=generic)' }),
      }),
    },
    responses: {
      200: {
        description: 'The import report, with the format read.',
        content: {
          'application/json': {
            schema: envelopeSchema(ImportReportSchema.extend({ format: z.enum(IMPORT_FORMATS) })),
          },
        },
      },
    },
  }),
  async (c) => {
    const userId = principalOf(c).userId;
    const portfolio = await getOwnedPortfolio(c.env, userId, c.req.valid('param').portfolio_id);
    const query = c.req.valid('query');
    const report = await importFile(c.env, portfolio, userId, await c.req.text(), {
      dryRun: query.dry_run,
      format: query.format,
      mapping: query.mapping,
    });
    return c.json(envelope(c, report), 200);
  },
);
