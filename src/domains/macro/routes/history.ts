import { z } from '@hono/zod-openapi';
import { cachedData, notModifiedResponse } from '../../../core/cache';
import { CalendarDate, DAY_MS, marketDayRange } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { TIMEFRAMES } from '../schemas';
import { dailyHistory, HISTORY_METRICS, type HistoryMetric } from '../service';

const GUEST_MAX_DAYS = 365;
const USER_MAX_DAYS = 3660;

const HistoryResponse = z
  .object({
    timeframe: z.enum(TIMEFRAMES),
    start_date: z.string(),
    end_date: z.string(),
    metrics: z.array(z.string()),
    snapshots: z.array(
      z.object({
        snapshot_time: z.string(),
        metrics: z.record(z.string(), z.number().nullable()),
      }),
    ),
    method: z.string(),
  })
  .openapi('MacroHistoryResponse');

function parseMetrics(raw: string[]): HistoryMetric[] {
  const names = raw
    .flatMap((r) => r.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(HISTORY_METRICS as readonly string[]).includes(n));
  if (unknown.length)
    throw new ApiError('VALIDATION_ERROR', `Unknown metrics: ${unknown.join(', ')}`, {
      details: [
        { loc: ['query', 'metrics'], msg: `expected any of ${HISTORY_METRICS.join(', ')}`, type: 'enum' },
      ],
    });
  return (names.length ? names : [...HISTORY_METRICS]) as HistoryMetric[];
}

export const macroHistoryRoutes = createRouter().openapi(
  defineRoute({
    method: 'get',
    path: '/api/v1/macro/history',
    tags: ['Macro (Layer 1)'],
    summary: 'Historical daily metrics snapshots, paged (000/001)',
    description: `Pages the stored daily metrics_snapshot rows. timeframe 1d, 1w (last day of each ISO week) or 1M (last day of each month). Guests: at most ${GUEST_MAX_DAYS} days per request and 100 requests/hour; signed-in users ${USER_MAX_DAYS} days.`,
    request: {
      query: PaginationQuery.extend({
        timeframe: z.enum(TIMEFRAMES).default('1d'),
        start_date: CalendarDate.optional(),
        end_date: CalendarDate.optional(),
        metrics: z
          .string()
          .max(500)
          .optional()
          .openapi({ description: `Comma-separated subset of: ${HISTORY_METRICS.join(', ')}.` }),
        'metrics[]': z.union([z.string().max(50), z.array(z.string().max(50)).max(30)]).optional(),
      }),
    },
    responses: {
      200: {
        description: 'Snapshots.',
        content: { 'application/json': { schema: envelopeSchema(HistoryResponse) } },
      },
      ...notModifiedResponse,
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const metrics = parseMetrics([
      ...(q.metrics ? [q.metrics] : []),
      ...(q['metrics[]'] ? ([] as string[]).concat(q['metrics[]']) : []),
    ]);
    const maxDays = c.get('principal') ? USER_MAX_DAYS : GUEST_MAX_DAYS;
    const range = await marketDayRange(
      c.env,
      { from: q.start_date, to: q.end_date },
      { maxDays, defaultDays: 90, fields: ['start_date', 'end_date'], path: c.req.path },
    );
    const page = pageOf(q);
    const cached = await cachedData(c, 300, async () => {
      const { rows } = await dailyHistory(c.env, range.from, range.to, USER_MAX_DAYS + 1, 0);
      const keyOf = (t: number) => {
        const d = new Date(t);
        if (q.timeframe === '1M') return d.toISOString().slice(0, 7);
        if (q.timeframe === '1w') return String(Math.floor((t / DAY_MS + 3) / 7)); // weeks starting Monday
        return String(t);
      };
      const last = new Map<string, (typeof rows)[number]>();
      for (const r of rows) last.set(keyOf(r.time), r);
      return [...last.values()].map((r) => ({
        snapshot_time: new Date(r.time).toISOString(),
        metrics: Object.fromEntries(metrics.map((m) => [m, r.metrics[m] ?? null])),
      }));
    });
    if (cached.notModified) return c.body(null, 304);
    const all = cached.data;
    return c.json(
      envelope(
        c,
        {
          timeframe: q.timeframe,
          start_date: range.fromDay,
          end_date: range.toDay,
          metrics,
          snapshots: all.slice(page.offset, page.offset + page.limit),
          method:
            'Stored daily metrics snapshots (each computed from data at or before its day); 1w/1M keep the last stored day of each week/month',
        },
        { pagination: paginationMeta(page, all.length) },
      ),
      200,
    );
  },
);
