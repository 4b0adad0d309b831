import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { ApiError } from '../../../core/errors';
import { isIdOf } from '../../../core/ids';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import type { Principal } from '../../../env';
import { principalOf, requireUser } from '../../../middleware/auth';
import { generateForUser, PREMIUM_TIERS } from '../generate';
import { SignalSchema, TradeStatsSchema } from '../schemas';
import {
  cancelSignal,
  closeSignal,
  executeSignal,
  listSignals,
  signalAnalytics,
  signalDetail,
  signalPerformance,
  signalViews,
} from '../service';
import { assetTiming } from '../timing';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const user = { security: [{ bearerAuth: [] }], middleware: requireUser };
const SignalId = z.object({ signal_id: z.string().min(1).max(64) });

export function requirePremium(p: Principal, action: string): void {
  if (!(PREMIUM_TIERS as readonly string[]).includes(p.tier)) {
    throw new ApiError(
      'AUTHORIZATION_ERROR',
      `${action} is a premium feature (tiers: ${PREMIUM_TIERS.join(', ')}); your tier is ${p.tier}`,
      { details: { required_tiers: PREMIUM_TIERS, tier: p.tier } },
    );
  }
}

const ListQuery = PaginationQuery.extend({
  asset_id: z.string().min(1).max(64).optional(),
  signal_type: z.enum(['long_entry', 'short_entry']).optional(),
  direction: z.enum(['long', 'short']).optional(),
  quality: z.enum(['high', 'medium', 'low']).optional(),
  status: z.enum(['active', 'executed', 'closed', 'expired', 'cancelled']).optional(),
  timeframe: z.enum(['1d']).optional(),
  model_id: z.string().max(64).optional(),
});
const ActiveQuery = PaginationQuery.extend({
  risk_level: z.enum(['low', 'medium', 'high']).optional(),
  min_confidence: z.coerce.number().min(0).max(1).optional(),
  asset_type: z.string().max(20).optional(),
});

const ExecuteBody = z
  .object({
    actual_entry_price: z.number().positive().max(1e12).optional(),
    quantity: z.number().positive().max(1e15).optional(),
    notes: z.string().max(1000).optional(),
  })
  .strict();
const CloseBody = z
  .object({ exit_price: z.number().positive().max(1e12).optional(), notes: z.string().max(1000).optional() })
  .strict();
const GenerateBody = z
  .object({
    asset_ids: z.array(z.string().min(1).max(64)).min(1).max(15).optional(),
    model_id: z.string().min(1).max(64).optional(),
    min_confidence: z.number().min(0).max(1).optional(),
  })
  .strict();

const Outcome = z.object({
  outcome: z.string(),
  exit_price: z.number().nullable(),
  exit_time: z.string().nullable(),
  return: z.number(),
  mfe: z.number(),
  mae: z.number(),
  holding_period_days: z.number().int(),
});

export const signalRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals',
      tags: ['Signals'],
      summary: 'Signals you can see: public and your own, with filters (000/001)',
      ...user,
      request: { query: ListQuery },
      responses: {
        200: { description: 'Signals, newest first.', ...json(envelopeSchema(z.array(SignalSchema))) },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = pageOf(q);
      const r = await listSignals(c.env, principalOf(c), { ...q, limit: page.limit, offset: page.offset });
      return c.json(envelope(c, r.items, { pagination: paginationMeta(page, r.total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals/active',
      tags: ['Signals'],
      summary: 'Active, unexpired signals (000)',
      ...user,
      request: { query: ActiveQuery },
      responses: { 200: { description: 'Active signals.', ...json(envelopeSchema(z.array(SignalSchema))) } },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = pageOf(q);
      const r = await listSignals(c.env, principalOf(c), {
        ...q,
        active_only: true,
        limit: page.limit,
        offset: page.offset,
      });
      return c.json(envelope(c, r.items, { pagination: paginationMeta(page, r.total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals/analytics',
      tags: ['Signals'],
      summary: 'Win rate, profit factor, average return, drawdown by model, asset and timeframe (000)',
      ...user,
      request: {
        query: z.object({
          model_id: z.string().max(64).optional(),
          asset_id: z.string().max(64).optional(),
          days: z.coerce.number().int().min(1).max(3660).optional(),
        }),
      },
      responses: {
        200: {
          description: 'Signal analytics.',
          ...json(
            envelopeSchema(
              z.object({
                as_of: z.string(),
                window_days: z.number().int(),
                method: z.string(),
                signals: z.number().int(),
                open: z.number().int(),
                overall: TradeStatsSchema,
                by_model: z.record(z.string(), TradeStatsSchema),
                by_asset: z.record(z.string(), TradeStatsSchema),
                by_timeframe: z.record(z.string(), TradeStatsSchema),
                mean_mfe: z.number().nullable(),
                mean_mae: z.number().nullable(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) => c.json(envelope(c, await signalAnalytics(c.env, principalOf(c), c.req.valid('query'))), 200),
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/signals/generate',
      tags: ['Signals'],
      summary: 'Generate signals now from the active models (premium: pro, enterprise, mega) (000)',
      ...user,
      request: { body: { required: true, ...json(GenerateBody) } },
      responses: {
        201: {
          description: 'Signals made for you (your own), and the readings that gave none.',
          ...json(
            envelopeSchema(
              z.object({
                generated: z.array(SignalSchema),
                already_generated: z.array(SignalSchema),
                considered: z.array(
                  z.object({
                    asset_id: z.string(),
                    model_id: z.string(),
                    probability_up: z.number(),
                    signal: z.boolean(),
                  }),
                ),
                as_of: z.string(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) => {
      const p = principalOf(c);
      requirePremium(p, 'Signal generation');
      const r = await generateForUser(c.env, p, c.req.valid('json'));
      return c.json(
        envelope(c, {
          generated: await signalViews(c.env, p, r.created, r.now),
          already_generated: await signalViews(c.env, p, r.existing, r.now),
          considered: r.considered,
          as_of: new Date(r.now).toISOString(),
        }),
        201,
      );
    },
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/signals/execute',
      tags: ['Signals'],
      summary: 'Execute a signal (001): the same as PUT /api/v1/signals/{signal_id}/execute',
      ...user,
      request: {
        body: {
          required: true,
          ...json(ExecuteBody.extend({ signal_id: z.string().min(1).max(64) }).strict()),
        },
      },
      responses: {
        200: { description: 'The signal with your execution.', ...json(envelopeSchema(SignalSchema)) },
      },
    }),
    async (c) => {
      const { signal_id, ...body } = c.req.valid('json');
      return c.json(
        envelope(c, await executeSignal(c.env, principalOf(c), signal_id, body, requestFacts(c))),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals/{signal_id}',
      tags: ['Signals'],
      summary:
        'A signal by id (000, sign-in required), or the timing analysis of an asset by id or symbol (001, public)',
      description:
        'Dispatches on the id: `sig_...` is a signal (yours or public; another user’s answers 404); anything else is an asset.',
      request: { params: SignalId },
      responses: {
        200: {
          description: 'The signal, or the asset timing analysis.',
          ...json(envelopeSchema(z.union([SignalSchema, z.record(z.string(), z.unknown())]))),
        },
      },
    }),
    async (c) => {
      const id = c.req.valid('param').signal_id;
      if (isIdOf('signal', id))
        return c.json(envelope(c, await signalDetail(c.env, principalOf(c), id)), 200);
      return c.json(envelope(c, await assetTiming(c.env, id)), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/signals/{signal_id}/performance',
      tags: ['Signals'],
      summary: 'MFE/MAE, outcome against the plan, holding period, your execution (000)',
      ...user,
      request: { params: SignalId },
      responses: {
        200: {
          description: 'How the signal has done up to the market clock.',
          ...json(
            envelopeSchema(
              z.object({
                signal_id: z.string(),
                asset_id: z.string(),
                direction: z.enum(['long', 'short']),
                entry_price: z.number(),
                as_of: z.string(),
                bars_observed: z.number().int(),
                method: z.string(),
                target_1: Outcome,
                target_2: Outcome,
                predicted: z.object({
                  direction: z.string(),
                  confidence: z.number(),
                  horizon_days: z.number().int(),
                }),
                actual: z
                  .object({
                    close_after_horizon: z.number(),
                    return_in_direction: z.number(),
                    direction_correct: z.boolean(),
                  })
                  .nullable(),
                execution: z.unknown(),
                track_record: z.unknown(),
              }),
            ),
          ),
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(c, await signalPerformance(c.env, principalOf(c), c.req.valid('param').signal_id)),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'put',
      path: '/api/v1/signals/{signal_id}/execute',
      tags: ['Signals'],
      summary: 'Record your execution of an active signal at your actual entry (000)',
      ...user,
      request: { params: SignalId, body: { required: true, ...json(ExecuteBody) } },
      responses: {
        200: { description: 'The signal with your execution.', ...json(envelopeSchema(SignalSchema)) },
      },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await executeSignal(
            c.env,
            principalOf(c),
            c.req.valid('param').signal_id,
            c.req.valid('json'),
            requestFacts(c),
          ),
        ),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'put',
      path: '/api/v1/signals/{signal_id}/close',
      tags: ['Signals'],
      summary: 'Close your execution at an exit price (default: the last close) (000)',
      ...user,
      request: { params: SignalId, body: { required: true, ...json(CloseBody) } },
      responses: {
        200: { description: 'The signal with your closed execution.', ...json(envelopeSchema(SignalSchema)) },
      },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await closeSignal(
            c.env,
            principalOf(c),
            c.req.valid('param').signal_id,
            c.req.valid('json'),
            requestFacts(c),
          ),
        ),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'delete',
      path: '/api/v1/signals/{signal_id}',
      tags: ['Signals'],
      summary: 'Cancel your execution, or your own active signal (000)',
      ...user,
      request: { params: SignalId },
      responses: {
        200: {
          description: 'Cancelled.',
          ...json(
            envelopeSchema(
              z.object({ signal_id: z.string(), status: z.literal('cancelled'), message: z.string() }),
            ),
          ),
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await cancelSignal(c.env, principalOf(c), c.req.valid('param').signal_id, requestFacts(c)),
        ),
        200,
      ),
  );
