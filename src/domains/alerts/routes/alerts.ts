import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { ALERT_TYPES } from '../../../db/schema/watchlists';
import { principalOf, requireUser } from '../../../middleware/auth';
import {
  AlertIdParam,
  AlertSchema,
  AlertTriggerSchema,
  CreateAlertInput,
  TriggeredAlertSchema,
} from '../schemas';
import { alertHistory, createAlert, draftFrom, getAlert, listAlerts, triggeredAlerts } from '../service';

const common = { tags: ['Alerts'], security: [{ bearerAuth: [] }], middleware: requireUser };
const one = (description: string) => ({
  description,
  content: { 'application/json': { schema: envelopeSchema(AlertSchema) } },
});

export const alertRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/alerts',
      summary: 'Your alerts with their conditions and status (000)',
      request: {
        query: PaginationQuery.extend({
          is_active: z
            .enum(['true', 'false'])
            .transform((v) => v === 'true')
            .optional(),
          asset: z.string().trim().min(1).max(64).optional().openapi({ description: 'Asset id or symbol.' }),
          type: z.enum(ALERT_TYPES).optional(),
        }),
      },
      responses: {
        200: {
          description: 'Newest first.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ alerts: z.array(AlertSchema) })) },
          },
        },
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, ...filters } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      const { total, ...data } = await listAlerts(c.env, principalOf(c), filters, page);
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/alerts',
      summary: 'Create a price or indicator alert (000)',
      description:
        "Name the type with `alert_type` or 000's `condition` (above / below / crosses for a price alert on `trigger_value`). Types and their `params`: price_above / price_below / price_crosses `{threshold}` (or `trigger_value`/`threshold` at the top level); percent_change `{percent, window_minutes}`; rsi_above / rsi_below `{threshold, period, timeframe}`; macd_cross `{direction, timeframe}`; ma_cross `{period, ma, direction, timeframe}`. An above/below alert fires when its condition holds, once per entry into it: created while it already holds, it fires at the next evaluation. Crossing types wait for a crossing.",
      request: { body: { content: { 'application/json': { schema: CreateAlertInput } }, required: true } },
      responses: { 201: one('Created.') },
    }),
    async (c) =>
      c.json(
        envelope(c, await createAlert(c.env, principalOf(c), draftFrom(c.req.valid('json')), 'alerts')),
        201,
      ),
  )
  // Fixed paths before /alerts/{alert_id}.
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/alerts/triggered',
      summary: "Your recent triggers with the asset's move since (000)",
      request: { query: PaginationQuery },
      responses: {
        200: {
          description: 'Newest first; the move compares the current quote with the trigger price.',
          content: {
            'application/json': {
              schema: envelopeSchema(z.object({ triggered: z.array(TriggeredAlertSchema) })),
            },
          },
        },
      },
    }),
    async (c) => {
      const page = pageOf(c.req.valid('query'));
      const { total, ...data } = await triggeredAlerts(c.env, principalOf(c), page);
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/alerts/{alert_id}',
      summary: 'One alert with the current price (000)',
      request: { params: AlertIdParam },
      responses: { 200: one('The alert.') },
    }),
    async (c) =>
      c.json(envelope(c, await getAlert(c.env, principalOf(c), c.req.valid('param').alert_id)), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/alerts/{alert_id}/history',
      summary: "An alert's triggers (000)",
      request: { params: AlertIdParam, query: PaginationQuery },
      responses: {
        200: {
          description: 'The alert and its triggers, newest first.',
          content: {
            'application/json': {
              schema: envelopeSchema(z.object({ alert: AlertSchema, triggers: z.array(AlertTriggerSchema) })),
            },
          },
        },
      },
    }),
    async (c) => {
      const page = pageOf(c.req.valid('query'));
      const { total, ...data } = await alertHistory(
        c.env,
        principalOf(c),
        c.req.valid('param').alert_id,
        page,
      );
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  );
