import { and, eq } from 'drizzle-orm';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { db } from '../../../db/client';
import { portfolios, type ReportFormat, riskReports } from '../../../db/schema';
import { enqueueJob } from '../../../jobs/service';
import { recentPerformance } from '../../portfolios/services/insight';
import type { PortfolioRow } from '../../portfolios/services/portfolios';
import { today } from '../../portfolios/services/positions';
import { portfolioValue } from '../../portfolios/services/summary';
import { storedExposures } from './factors';
import { type ReportData, reportCsv, reportJson, reportMarkdown, reportPdf } from './render';
import { riskReport } from './summary';

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
};

/** Download links stay valid this long. */
export const LINK_TTL_SECONDS = 900;

export type ReportRow = typeof riskReports.$inferSelect;

/** Creates the report row and queues its job; the caller polls the row's status. */
export async function requestReport(env: Env, userId: string, portfolio: PortfolioRow, format: ReportFormat) {
  const id = `rpt_${crypto.randomUUID().replaceAll('-', '')}`;
  const now = new Date(await marketNow(env)).toISOString();
  await db(env).insert(riskReports).values({
    id,
    userId,
    portfolioId: portfolio.id,
    format,
    status: 'queued',
    createdAt: now,
    asOf: now,
  });
  const jobId = await enqueueJob(env, { type: 'risk.report', userId, payload: { report_id: id } });
  return { id, jobId, createdAt: now };
}

export async function getOwnedReport(env: Env, userId: string, id: string): Promise<ReportRow> {
  const row = await db(env)
    .select()
    .from(riskReports)
    .where(and(eq(riskReports.id, id), eq(riskReports.userId, userId)))
    .get();
  if (!row) throw new ApiError('NOT_FOUND', `Report ${id} not found`);
  return row;
}

/** Gathers the data and renders one format. */
export async function renderReport(env: Env, portfolio: PortfolioRow, format: ReportFormat) {
  const value = await portfolioValue(env, portfolio);
  const [risk, exposures, perf] = await Promise.all([
    riskReport(env, value),
    storedExposures(env, value, 'etf7'),
    recentPerformance(env, portfolio, await today(env)),
  ]);
  const data: ReportData = {
    generatedAt: value.asOf,
    value,
    risk,
    exposures,
    performance: perf.metrics,
  };
  const body: string | Uint8Array =
    format === 'pdf'
      ? await reportPdf(data)
      : format === 'csv'
        ? reportCsv(data)
        : format === 'md'
          ? reportMarkdown(data)
          : JSON.stringify(reportJson(data));
  return { body, asOf: value.asOf };
}

/** The report job: render, store in R2, mark completed. Safe to run again (same key, same row). */
export async function runReportJob(env: Env, reportId: string) {
  const d = db(env);
  const row = await d.select().from(riskReports).where(eq(riskReports.id, reportId)).get();
  if (!row) throw new Error(`report ${reportId} not found`);
  if (row.status === 'completed') return { report_id: reportId, status: 'completed' };
  const portfolio = await d.select().from(portfolios).where(eq(portfolios.id, row.portfolioId)).get();
  if (!portfolio) {
    await d
      .update(riskReports)
      .set({ status: 'failed', error: 'Portfolio no longer exists' })
      .where(eq(riskReports.id, reportId));
    return { report_id: reportId, status: 'failed' };
  }
  await d.update(riskReports).set({ status: 'running' }).where(eq(riskReports.id, reportId));
  let rendered: Awaited<ReturnType<typeof renderReport>>;
  try {
    rendered = await renderReport(env, portfolio, row.format);
  } catch (err) {
    // The status says so; the job system retries, and a retry sets it running again.
    await d
      .update(riskReports)
      .set({ status: 'failed', error: err instanceof Error ? err.message : String(err) })
      .where(eq(riskReports.id, reportId));
    throw err;
  }
  const { body, asOf } = rendered;
  const key = `reports/${row.userId}/${row.id}.${row.format}`;
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  await env.ARCHIVE.put(key, bytes, { httpMetadata: { contentType: CONTENT_TYPES[row.format] } });
  await d
    .update(riskReports)
    .set({
      status: 'completed',
      objectKey: key,
      bytes: bytes.byteLength,
      asOf,
      completedAt: new Date(await marketNow(env)).toISOString(),
    })
    .where(eq(riskReports.id, reportId));
  return { report_id: reportId, status: 'completed', bytes: bytes.byteLength };
}

const encoder = new TextEncoder();

async function linkKey(env: Env): Promise<CryptoKey> {
  const secret = env.DATA_ENCRYPTION_KEY;
  if (!secret) throw new Error('DATA_ENCRYPTION_KEY is not set');
  // A key for this purpose only, derived from the data key.
  const raw = await crypto.subtle.digest('SHA-256', encoder.encode(`report-links:${secret}`));
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** A signed download path for a report, valid until `expires` (epoch seconds). */
export async function signedLink(env: Env, reportId: string, now = Date.now()) {
  const expires = Math.floor(now / 1000) + LINK_TTL_SECONDS;
  const sig = await crypto.subtle.sign('HMAC', await linkKey(env), encoder.encode(`${reportId}.${expires}`));
  return {
    url: `/api/v1/export/reports/${reportId}/download?expires=${expires}&signature=${hex(sig)}`,
    expires,
  };
}

/** Checks a download link's signature and expiry; answers 403 otherwise. */
export async function verifyLink(env: Env, reportId: string, expires: number, signature: string) {
  if (expires * 1000 < Date.now())
    throw new ApiError('AUTHORIZATION_ERROR', 'This download link has expired');
  const bytes = signature.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? [];
  const ok =
    signature.length === 64 &&
    (await crypto.subtle.verify(
      'HMAC',
      await linkKey(env),
      new Uint8Array(bytes),
      encoder.encode(`${reportId}.${expires}`),
    ));
  if (!ok) throw new ApiError('AUTHORIZATION_ERROR', 'Invalid download link signature');
}
