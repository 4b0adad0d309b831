import { z } from '@hono/zod-openapi';
import { CalendarDate } from '../../../core/dates';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireAdmin, requireUser } from '../../../middleware/auth';
import { TrackRecordSchema } from '../../models/schemas';
import { adminSignalPerformance, backtestModel, validateActiveSignals } from '../backtest';
import { opportunities, riskManagement } from '../opportunities';
import { SignalSchema, TradeStatsSchema } from '../schemas';
import { currentSignals } from '../timing';
import { requirePremium } from './signals';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const user = { security: [{ bearerAuth: [] }], middleware: requireUser };
const admin = { security: [{ bearerAuth: [] }], middleware: requireAdmin };
const Loose = z.record(z.string(), z.unknown());

export const insightRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals/current',
      tags: ['Signals'],
      summary: 'Timing of the default watchlist now (001, public)',
      request: {},
      responses: {
        200: {
          description: 'One row per default-watchlist asset.',
          ...json(
            envelopeSchema(
              z.object({
                watchlist_id: z.string(),
                signals: z.array(
                  z.object({
                    asset_id: z.string(),
                    symbol: z.string(),
                    timing: z.enum(['bullish', 'bearish', 'neutral', 'no_reading']),
                    probability_up: z.number().nullable(),
                    price: z.number().nullable(),
                    rsi_14: z.number().nullable(),
                    macd_histogram: z.number().nullable(),
                    active_signals: z.array(SignalSchema),
                    models: z.array(Loose),
                    as_of: z.string(),
                  }),
                ),
                as_of: z.string(),
                method: z.string(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) => c.json(envelope(c, await currentSignals(c.env)), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals/opportunities',
      tags: ['Signals'],
      summary: 'High-quality recent signals ranked by edge, with sector grouping (000)',
      ...user,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }) },
      responses: {
        200: {
          description: 'Opportunities.',
          ...json(
            envelopeSchema(
              z.object({
                opportunities: z.array(SignalSchema),
                by_sector: z.array(Loose),
                method: z.string(),
                as_of: z.string(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) =>
      c.json(envelope(c, await opportunities(c.env, principalOf(c), c.req.valid('query').limit ?? 20)), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals/risk-management',
      tags: ['Signals'],
      summary: 'Position sizes, stops and risk of your open executions and the active signals (000)',
      ...user,
      request: {
        query: z.object({
          account_size: z.coerce.number().positive().max(1e12).optional(),
          risk_per_trade_pct: z.coerce.number().positive().max(10).optional(),
        }),
      },
      responses: { 200: { description: 'Risk management.', ...json(envelopeSchema(Loose)) } },
    }),
    async (c) => c.json(envelope(c, await riskManagement(c.env, principalOf(c), c.req.valid('query'))), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals/backtest/{model_id}',
      tags: ['Signals'],
      summary: "Walk-forward backtest of a model's signals over a date range (premium) (000)",
      ...user,
      request: {
        params: z.object({ model_id: z.string().min(1).max(64) }),
        query: z.object({
          start_date: CalendarDate.optional(),
          end_date: CalendarDate.optional(),
          asset_ids: z
            .union([z.string().max(700), z.array(z.string().max(64)).max(10)])
            .optional()
            .openapi({ description: 'Comma-separated or repeated; default: the model’s training assets.' }),
          fee_rate: z.coerce.number().min(0).max(0.05).optional(),
        }),
      },
      responses: {
        200: {
          description: 'The backtest.',
          ...json(
            envelopeSchema(
              z.object({
                model_id: z.string(),
                model_version: z.number().int(),
                architecture: z.string(),
                start_date: z.string(),
                end_date: z.string(),
                fee_rate: z.number(),
                method: z.string(),
                out_of_sample_predictions: z.number().int(),
                out_of_sample_accuracy: z.number().nullable(),
                overall: TradeStatsSchema,
                per_asset: z.array(Loose),
                track_record: TrackRecordSchema,
              }),
            ),
          ),
        },
      },
    }),
    async (c) => {
      requirePremium(principalOf(c), 'Backtesting');
      const q = c.req.valid('query');
      const ids =
        q.asset_ids === undefined
          ? undefined
          : (Array.isArray(q.asset_ids) ? q.asset_ids : q.asset_ids.split(','))
              .map((s) => s.trim())
              .filter(Boolean);
      return c.json(
        envelope(c, await backtestModel(c.env, c.req.valid('param').model_id, { ...q, asset_ids: ids })),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/signals/performance',
      tags: ['Signals'],
      summary: 'Signal quality and status distribution, each model’s record (admin, 000)',
      ...admin,
      request: {},
      responses: {
        200: {
          description: 'Admin signal performance.',
          ...json(
            envelopeSchema(
              z.object({
                as_of: z.string(),
                quality_distribution: z.array(Loose),
                status_distribution: z.array(Loose),
                models: z.array(Loose),
              }),
            ),
          ),
        },
      },
    }),
    async (c) => c.json(envelope(c, await adminSignalPerformance(c.env)), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/signals/model-performance',
      tags: ['Signals'],
      summary: 'Models compared by their signals and out-of-sample records (admin, 000)',
      ...admin,
      request: {},
      responses: {
        200: {
          description: 'Model comparison.',
          ...json(envelopeSchema(z.object({ as_of: z.string(), models: z.array(Loose) }))),
        },
      },
    }),
    async (c) => {
      const r = await adminSignalPerformance(c.env);
      return c.json(envelope(c, { as_of: r.as_of, models: r.models }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/signals/validate',
      tags: ['Signals'],
      summary:
        'Check active signals against the closes since: stop/target hit → closed, past expiry → expired (admin, 000)',
      ...admin,
      request: {},
      responses: {
        200: {
          description: 'Validation outcome.',
          ...json(
            envelopeSchema(
              z.object({
                checked: z.number().int(),
                still_active: z.number().int(),
                expired: z.number().int(),
                stopped: z.number().int(),
                target_reached: z.number().int(),
                as_of: z.string(),
                method: z.string(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) => {
      const r = await validateActiveSignals(c.env);
      return c.json(envelope(c, r), 200);
    },
  );
