import { z } from '@hono/zod-openapi';
import { CalendarDate } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { REPORT_FORMATS } from '../../../db/schema/risk';
import { principalOf, requireUser } from '../../../middleware/auth';
import { HISTORY_COLUMNS, historicalRows } from '../../risk/services/history-export';
import {
  CONTENT_TYPES,
  getOwnedReport,
  LINK_TTL_SECONDS,
  requestReport,
  signedLink,
  verifyLink,
} from '../../risk/services/reports';
import { PortfolioId } from '../schemas';
import { getReadablePortfolio } from '../services/portfolios';

/** 004's export surfaces (issue 16): portfolio reports (async, R2, signed links) and historical data. */
export const riskExportRoutes = createRouter();

const common = { security: [{ bearerAuth: [] }], middleware: requireUser, tags: ['Export (004)'] };

const ReportStatusSchema = z.object({
  report_id: z.string(),
  portfolio_id: z.string(),
  format: z.enum(REPORT_FORMATS),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  job_id: z.string().nullable(),
  status_url: z.string(),
  download_url: z.string().nullable(),
  download_expires_at: z.string().nullable(),
  bytes: z.number().int().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
  as_of: z.string(),
});

type ReportStatus = z.infer<typeof ReportStatusSchema>;

riskExportRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/v1/export/reports/portfolio/{portfolio_id}',
    summary: 'Generate a portfolio report (MD, JSON, CSV, PDF), asynchronously (004 E1)',
    description:
      'Queues a report job: portfolio, positions, performance, risk summary (VaR/ES grid, component VaR, metrics), factor exposures and the 15 scenarios, rendered to the format (PDF via pdf-lib with charts from the data; CSV is one row per position in re-importable columns). Answers 202 with the report id; poll status_url; once completed it carries a signed download link valid 15 minutes.',
    request: {
      params: PortfolioId,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z
              .object({ format: z.enum(REPORT_FORMATS).openapi({ description: 'md, json, csv or pdf' }) })
              .strict(),
          },
        },
      },
    },
    responses: {
      202: {
        description: 'Queued.',
        content: { 'application/json': { schema: plainOrV2Schema(ReportStatusSchema) } },
      },
    },
  }),
  async (c) => {
    const principal = principalOf(c);
    const portfolio = await getReadablePortfolio(c.env, principal, c.req.valid('param').portfolio_id);
    const { format } = c.req.valid('json');
    const r = await requestReport(c.env, principal.userId, portfolio, format);
    const body: ReportStatus = {
      report_id: r.id,
      portfolio_id: portfolio.id,
      format,
      status: 'queued',
      job_id: r.jobId,
      status_url: `/api/v1/export/reports/${r.id}`,
      download_url: null,
      download_expires_at: null,
      bytes: null,
      error: null,
      created_at: r.createdAt,
      completed_at: null,
      as_of: r.createdAt,
    };
    return c.json(plain(c, body), 202);
  },
);

const ReportId = z.object({ report_id: z.string().min(1).max(64) });

riskExportRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/export/reports/{report_id}',
    summary: 'Status of a report job, with a signed download link once completed',
    request: { params: ReportId },
    responses: {
      200: {
        description: 'The report’s status.',
        content: { 'application/json': { schema: plainOrV2Schema(ReportStatusSchema) } },
      },
    },
  }),
  async (c) => {
    const row = await getOwnedReport(c.env, principalOf(c).userId, c.req.valid('param').report_id);
    const link = row.status === 'completed' ? await signedLink(c.env, row.id) : null;
    const status =
      (['queued', 'running', 'completed', 'failed'] as const).find((s) => s === row.status) ?? 'queued';
    const body: ReportStatus = {
      report_id: row.id,
      portfolio_id: row.portfolioId,
      format: row.format,
      status,
      job_id: null,
      status_url: `/api/v1/export/reports/${row.id}`,
      download_url: link?.url ?? null,
      download_expires_at: link ? new Date(link.expires * 1000).toISOString() : null,
      bytes: row.bytes,
      error: row.error,
      created_at: row.createdAt,
      completed_at: row.completedAt,
      as_of: row.asOf,
    };
    return c.json(plain(c, body), 200);
  },
);

riskExportRoutes.openapi(
  defineRoute({
    method: 'get',
    tags: ['Export (004)'],
    path: '/api/v1/export/reports/{report_id}/download',
    summary: 'Download a rendered report through its signed, expiring link',
    description: `No bearer token: the link's HMAC signature and expiry (${LINK_TTL_SECONDS} s after it was issued) authorize it. A wrong or expired signature answers 403.`,
    request: {
      params: ReportId,
      query: z.object({
        expires: z.coerce.number().int().positive(),
        signature: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    },
    responses: {
      200: {
        description: 'The report file (Content-Type by format).',
        content: {
          'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
          'text/markdown': { schema: z.string() },
          'text/csv': { schema: z.string() },
          'application/json': { schema: z.string() },
        },
      },
    },
  }),
  async (c) => {
    const { report_id } = c.req.valid('param');
    const q = c.req.valid('query');
    await verifyLink(c.env, report_id, q.expires, q.signature);
    const row = await c.env.DB.prepare(
      'SELECT format, object_key FROM risk_reports WHERE id = ? AND status = ?',
    )
      .bind(report_id, 'completed')
      .first<{ format: keyof typeof CONTENT_TYPES; object_key: string }>();
    const object = row ? await c.env.ARCHIVE.get(row.object_key) : null;
    if (!row || !object) throw new ApiError('NOT_FOUND', `Report ${report_id} has no file`);
    return c.body(object.body, 200, {
      'Content-Type': CONTENT_TYPES[row.format],
      'Content-Disposition': `attachment; filename="${report_id}.${row.format}"`,
      'Cache-Control': 'private, no-store',
    });
  },
);

riskExportRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/v1/export/data/historical',
    summary: 'Stream a portfolio’s daily history as CSV or JSON (004 E2)',
    description:
      'Daily valuations (closes of each day, cash, invested value, cost basis, external flows) from the ledger replay, streamed. include_calculated adds the daily time-weighted return ((V − F)/V₋₁ − 1), cumulative return and drawdown. end_date may not pass the market clock’s last closed day.',
    request: {
      query: z.object({
        portfolio_id: z.string().min(1).max(64),
        start_date: CalendarDate,
        end_date: CalendarDate,
        format: z.enum(['csv', 'json']).default('csv'),
        include_calculated: z
          .enum(['true', 'false', '1', '0'])
          .optional()
          .transform((v) => v === 'true' || v === '1')
          .openapi({ type: 'boolean' }),
      }),
    },
    responses: {
      200: {
        description: 'Rows oldest first.',
        content: {
          'text/csv': { schema: z.string() },
          'application/json': { schema: z.string().openapi({ description: 'A JSON array of row objects' }) },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const portfolio = await getReadablePortfolio(c.env, principalOf(c), q.portfolio_id);
    if (q.start_date > q.end_date) throw new ApiError('UNPROCESSABLE_ENTITY', 'start_date is after end_date');
    const lastClosed = new Date((await marketNow(c.env)) - 86_400_000).toISOString().slice(0, 10);
    if (q.end_date > lastClosed)
      throw new ApiError(
        'UNPROCESSABLE_ENTITY',
        `end_date ${q.end_date} is after the last closed day ${lastClosed} (market clock)`,
      );
    const rows = await historicalRows(c.env, portfolio, q.start_date, q.end_date, q.include_calculated);
    const columns = HISTORY_COLUMNS.filter(
      (k) => q.include_calculated || !['daily_return', 'cumulative_return', 'drawdown'].includes(k),
    );
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        if (q.format === 'csv') controller.enqueue(encoder.encode(`${columns.join(',')}\n`));
        else controller.enqueue(encoder.encode('['));
        rows.forEach((r, i) => {
          const line =
            q.format === 'csv'
              ? `${columns.map((k) => r[k] ?? '').join(',')}\n`
              : `${i ? ',' : ''}${JSON.stringify(Object.fromEntries(columns.map((k) => [k, r[k] ?? null])))}`;
          controller.enqueue(encoder.encode(line));
        });
        if (q.format === 'json') controller.enqueue(encoder.encode(']'));
        controller.close();
      },
    });
    return c.body(stream, 200, {
      'Content-Type': q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
      'Content-Disposition': `attachment; filename="${portfolio.id}-${q.start_date}-${q.end_date}.${q.format}"`,
    });
  },
);
