import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DAY_MS, marketDayRange, rangeError, rangeNote } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { ASSET_TYPES, TIMEFRAMES } from '../../../db/schema/market';
import { type AppEnv, config } from '../../../env';
import { BACKFILL_SOURCES } from '../../../jobs/handlers/market-data';
import { enqueueJob } from '../../../jobs/service';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import { resolveAsset } from '../../assets/service';
import { JobSchema } from '../../jobs/schemas';
import { getOwnedJob, jobView } from '../../jobs/service';
import { listDataSources } from '../data-sources';
import { importCandles, readImportBody } from '../import';
import { qualityReport } from '../quality';
import { isoDate, parseTime } from '../schemas';

const admin = { security: [{ bearerAuth: [] }], middleware: requireAdmin, tags: ['Admin: market data'] };

const QualitySchema = z
  .object({
    asset_id: z.string(),
    symbol: z.string(),
    asset_type: z.string(),
    timeframe: z.string(),
    candles: z.number().int(),
    first: z.string().nullable(),
    last: z.string().nullable(),
    gaps: z.number().int(),
    largest_gap_days: z.number(),
    misaligned: z.number().int(),
    ohlc_inconsistent: z.number().int(),
    staleness_days: z.number().nullable(),
    stale: z.boolean(),
    score: z.number(),
  })
  .openapi('SeriesQuality');

async function enqueued(c: Context<AppEnv>, type: string, payload: unknown) {
  const principal = principalOf(c);
  const id = await enqueueJob(c.env, { type, payload, userId: principal.userId });
  return jobView(await getOwnedJob(c.env, principal, id));
}

const jobAccepted = {
  202: {
    description: 'Queued; follow it at /api/v1/jobs/{job_id}.',
    content: { 'application/json': { schema: envelopeSchema(JobSchema) } },
  },
};

/** The longest span one backfill job covers (about ten years; longer histories take several jobs). */
const BACKFILL_MAX_DAYS = 3660;

/**
 * A backfill's window in epoch ms: ordered, clamped to the market clock (there is nothing to
 * fetch after it, and the database holds nothing later), at most BACKFILL_MAX_DAYS long.
 */
async function backfillWindow(env: Env, q: { start_date: string; end_date: string }, path: string) {
  const range = await marketDayRange(
    env,
    { from: q.start_date.slice(0, 10), to: q.end_date.slice(0, 10) },
    { maxDays: BACKFILL_MAX_DAYS, fields: ['start_date', 'end_date'], path },
  );
  const start = Math.max(parseTime(q.start_date) ?? 0, range.from * DAY_MS);
  const end = Math.min(parseTime(q.end_date, true) ?? 0, (range.to + 1) * DAY_MS - 1);
  if (start > end) throw rangeError('start_date is after end_date', 'start_date', path);
  return { start, end };
}

export const priceAdminRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/price-data/quality-report',
      tags: ['Prices'],
      summary:
        'Data quality of price series: gaps, misaligned candles, OHLC inconsistencies, staleness, score (000)',
      request: {
        query: z.object({
          asset_id: z.string().max(64).optional(),
          timeframe: z.enum(TIMEFRAMES).default('1d'),
        }),
      },
      responses: {
        200: {
          description: 'Worst first.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  reference_time: z.string(),
                  average_score: z.number().nullable(),
                  series: z.array(QualitySchema),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const assetId = q.asset_id ? (await resolveAsset(c.env, q.asset_id)).id : undefined;
      const reference = await marketNow(c.env);
      const series = await qualityReport(c.env, {
        timeframe: q.timeframe,
        assetId,
        referenceTime: reference,
      });
      const avg = series.length
        ? Math.round((series.reduce((s, r) => s + r.score, 0) / series.length) * 10) / 10
        : null;
      return c.json(
        envelope(c, { reference_time: new Date(reference).toISOString(), average_score: avg, series }),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'get',
      path: '/api/v1/admin/data-quality/price-data',
      summary: 'Price-data quality for one asset or all, by timeframe (000)',
      request: {
        query: z.object({
          asset_id: z.string().max(64).optional(),
          timeframe: z.enum(TIMEFRAMES).default('1d'),
        }),
      },
      responses: {
        200: {
          description: 'Series quality.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ series: z.array(QualitySchema) })) },
          },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const assetId = q.asset_id ? (await resolveAsset(c.env, q.asset_id)).id : undefined;
      return c.json(
        envelope(c, {
          series: await qualityReport(c.env, {
            timeframe: q.timeframe,
            assetId,
            referenceTime: await marketNow(c.env),
          }),
        }),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'get',
      path: '/api/v1/admin/data-quality/assets',
      summary: 'Per-asset quality: daily-series score, missing prices and quotes (000)',
      request: { query: z.object({ asset_type: z.enum(ASSET_TYPES).optional() }) },
      responses: {
        200: {
          description: 'Assets worst first.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  assets: z.array(
                    z.object({
                      asset_id: z.string(),
                      symbol: z.string(),
                      asset_type: z.string(),
                      score: z.number(),
                      issues: z.array(z.string()),
                    }),
                  ),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const type = c.req.valid('query').asset_type;
      const [series, rows] = await Promise.all([
        qualityReport(c.env, { timeframe: '1d', referenceTime: await marketNow(c.env) }),
        c.env.DB.prepare(
          `SELECT a.id, a.symbol, a.asset_type, q.asset_id IS NOT NULL AS has_quote FROM assets a LEFT JOIN quotes q ON q.asset_id = a.id ${type ? 'WHERE a.asset_type = ?' : ''}`,
        )
          .bind(...(type ? [type] : []))
          .all<{ id: string; symbol: string; asset_type: string; has_quote: number }>(),
      ]);
      const bySeries = new Map(series.map((s) => [s.asset_id, s]));
      const out = rows.results.map((a) => {
        const s = bySeries.get(a.id);
        const issues: string[] = [];
        if (!s) issues.push('no daily candles');
        if (!a.has_quote) issues.push('no quote');
        if (s?.gaps) issues.push(`${s.gaps} gaps (largest ${s.largest_gap_days} days)`);
        if (s?.ohlc_inconsistent) issues.push(`${s.ohlc_inconsistent} inconsistent candles`);
        if (s?.stale) issues.push(`stale by ${s.staleness_days} days`);
        return { asset_id: a.id, symbol: a.symbol, asset_type: a.asset_type, score: s ? s.score : 0, issues };
      });
      out.sort((x, y) => x.score - y.score || x.symbol.localeCompare(y.symbol));
      return c.json(envelope(c, { assets: out }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'post',
      path: '/api/v1/admin/data-quality/validate',
      summary: 'Validate every series of the main timeframes as a background job (000)',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ timeframes: z.array(z.enum(TIMEFRAMES)).min(1).optional() }).strict(),
            },
          },
          required: false,
        },
      },
      responses: jobAccepted,
    }),
    async (c) => c.json(envelope(c, await enqueued(c, 'data-quality.validate', {})), 202),
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'get',
      path: '/api/v1/admin/macro/data-sources',
      summary:
        'Market-data sources with health: last success and error, error rate, calls today, circuit state (000)',
      responses: {
        200: {
          description: 'Sources.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({ mode: z.string(), sources: z.array(z.record(z.string(), z.unknown())) }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const mode = config(c.env).MARKET_DATA_MODE;
      return c.json(envelope(c, { mode, sources: await listDataSources(c.env, mode) }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'post',
      path: '/api/v1/admin/price-data/fetch',
      summary: 'Backfill candles for assets over a date range, as a background job (000)',
      description:
        '`replay` derives hourly and 4-hour candles from the daily history and works offline; `binance` pages klines for crypto at any timeframe; `stooq` fetches daily candles for ETFs, indices, FX and commodities. Idempotent.',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  assets: z.array(z.string().min(1).max(64)).min(1).max(100),
                  start_date: isoDate,
                  end_date: isoDate.openapi({ description: rangeNote(BACKFILL_MAX_DAYS) }),
                  source: z.enum(BACKFILL_SOURCES).default('replay'),
                  timeframe: z
                    .enum(TIMEFRAMES)
                    .default('1h')
                    .openapi({ description: 'For provider sources; replay makes 1h and 4h.' }),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: jobAccepted,
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { start, end } = await backfillWindow(c.env, body, c.req.path);
      for (const a of body.assets) await resolveAsset(c.env, a);
      return c.json(
        envelope(
          c,
          await enqueued(c, 'prices.backfill', {
            assets: body.assets,
            start,
            end,
            source: body.source,
            timeframe: body.timeframe,
          }),
        ),
        202,
      );
    },
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'post',
      path: '/api/v1/admin/macro/backfill',
      summary:
        'Backfill market history and its daily metrics snapshots for a date range, as background jobs (000)',
      request: {
        query: z.object({
          start_date: isoDate,
          end_date: isoDate.openapi({ description: rangeNote(BACKFILL_MAX_DAYS) }),
          data_sources: z
            .string()
            .max(200)
            .optional()
            .openapi({ description: 'Comma-separated; replay is the offline source.' }),
        }),
      },
      responses: jobAccepted,
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { start, end } = await backfillWindow(c.env, q, c.req.path);
      const sources = (q.data_sources ?? 'replay').split(',').map((s) => s.trim());
      const unknown = sources.filter((s) => s !== 'replay');
      if (unknown.length)
        throw new ApiError(
          'VALIDATION_ERROR',
          `Unsupported data sources for backfill: ${unknown.join(', ')}`,
        );
      const all = await c.env.DB.prepare(
        "SELECT symbol FROM assets WHERE is_active = 1 AND asset_type IN ('crypto', 'stablecoin') ORDER BY symbol",
      ).all<{
        symbol: string;
      }>();
      const assets = all.results.map((r) => r.symbol);
      // The daily metrics_snapshot rows of the range follow in their own job (macro domain).
      await enqueueJob(c.env, {
        type: 'macro.backfill',
        payload: { start, end },
        userId: principalOf(c).userId,
      });
      return c.json(
        envelope(c, await enqueued(c, 'prices.backfill', { assets, start, end, source: 'replay' })),
        202,
      );
    },
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'post',
      path: '/api/v1/admin/price-data/cleanup',
      summary: 'Archive old intraday candles to R2 and remove them from D1, as a background job (000)',
      responses: jobAccepted,
    }),
    async (c) => c.json(envelope(c, await enqueued(c, 'prices.archive', {})), 202),
  )
  .openapi(
    defineRoute({
      ...admin,
      method: 'post',
      path: '/api/v1/admin/price-data/import',
      summary:
        'Bulk import candles from CSV or JSON: validated, upserted, rows accepted and rejected reported',
      description:
        'CSV (`Content-Type: text/csv`) with a header `timestamp,open,high,low,close,volume` (timestamp as ISO date/time or epoch), or JSON `{ candles: [...] }`. `dry_run=true` validates without writing.',
      request: {
        query: z.object({
          asset: z.string().min(1).max(64),
          timeframe: z.enum(TIMEFRAMES).default('1d'),
          dry_run: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        }),
      },
      responses: {
        200: {
          description: 'What was accepted and rejected.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  received: z.number().int(),
                  accepted: z.number().int(),
                  rejected: z.array(z.object({ row: z.number().int(), reason: z.string() })),
                  written: z.number().int(),
                  dry_run: z.boolean(),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const asset = await resolveAsset(c.env, q.asset);
      const body = await readImportBody(c);
      const report = await importCandles(c.env, {
        assetId: asset.id,
        timeframe: q.timeframe,
        body,
        dryRun: q.dry_run,
        source: `import:${principalOf(c).userId}`,
      });
      return c.json(envelope(c, report), 200);
    },
  );
