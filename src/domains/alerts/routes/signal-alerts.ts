import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { AlertSchema, CreateAlertInput, TimingAlertSchema } from '../schemas';
import { createAlert, draftFrom, listAlerts, timingAlerts } from '../service';

// 001's paths over the same alerts as 000's /alerts (created here with source '001').
const one = (description: string) => ({
  description,
  content: { 'application/json': { schema: envelopeSchema(AlertSchema) } },
});

export const signalAlertRoutes = createRouter()
  .openapi(
    defineRoute({
      tags: ['Alerts'],
      method: 'get',
      path: '/api/v1/signals/alerts',
      summary: 'Active timing alerts, and yours when signed in (001; auth optional)',
      description:
        "`timing_alerts`: the public timing alerts of the default watchlist, every asset whose technical signal (as GET /api/v1/watchlists/{id}/signals computes it) points one way. `alerts`: a signed-in caller's active alerts, newest first (paginated); empty for guests.",
      request: { query: PaginationQuery },
      responses: {
        200: {
          description: 'Public timing alerts for everyone; personal alerts for signed-in callers.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  alerts: z.array(AlertSchema),
                  timing_alerts: z.array(TimingAlertSchema),
                  watchlist_id: z
                    .string()
                    .nullable()
                    .openapi({ description: 'The default watchlist; null until an admin has set it.' }),
                  method: z.string(),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const page = pageOf(c.req.valid('query'));
      const principal = c.get('principal');
      const [mine, timing] = await Promise.all([
        principal ? listAlerts(c.env, principal, { is_active: true }, page) : { total: 0, alerts: [] },
        timingAlerts(c.env),
      ]);
      const data = { alerts: mine.alerts, timing_alerts: timing.alerts, ...timing.source };
      return c.json(envelope(c, data, { pagination: paginationMeta(page, mine.total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      tags: ['Alerts'],
      security: [{ bearerAuth: [] }],
      middleware: requireUser,
      method: 'post',
      path: '/api/v1/signals/alerts',
      summary: 'Create an alert (001): `{asset_id, alert_type, threshold, notification_method}`',
      description:
        '`threshold` is `params.threshold`; other types take `params` as in POST /api/v1/alerts, which takes the same body.',
      request: { body: { content: { 'application/json': { schema: CreateAlertInput } }, required: true } },
      responses: { 201: one('Created.') },
    }),
    async (c) =>
      c.json(
        envelope(c, await createAlert(c.env, principalOf(c), draftFrom(c.req.valid('json')), '001')),
        201,
      ),
  );
