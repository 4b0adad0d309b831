import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { AlertSchema, SignalAlertInput } from '../schemas';
import { createAlert, draftFromSignal, listAlerts } from '../service';

// 001's paths over the same alerts as 000's /alerts (created here with source '001').
const common = { tags: ['Alerts'], security: [{ bearerAuth: [] }], middleware: requireUser };
const one = (description: string) => ({
  description,
  content: { 'application/json': { schema: envelopeSchema(AlertSchema) } },
});

export const signalAlertRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/signals/alerts',
      summary: 'Your active alerts (001)',
      request: { query: PaginationQuery },
      responses: {
        200: {
          description: 'Active alerts, newest first.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ alerts: z.array(AlertSchema) })) },
          },
        },
      },
    }),
    async (c) => {
      const page = pageOf(c.req.valid('query'));
      const { total, ...data } = await listAlerts(c.env, principalOf(c), { is_active: true }, page);
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/signals/alerts',
      summary: 'Create an alert (001): `{asset_id, alert_type, threshold}`',
      description: '`threshold` is `params.threshold`; other types take `params` as in POST /api/v1/alerts.',
      request: { body: { content: { 'application/json': { schema: SignalAlertInput } }, required: true } },
      responses: { 201: one('Created.') },
    }),
    async (c) =>
      c.json(
        envelope(c, await createAlert(c.env, principalOf(c), draftFromSignal(c.req.valid('json')), '001')),
        201,
      ),
  );
