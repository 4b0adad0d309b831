import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { AlertIdParam, AlertSchema, UpdateAlertInput } from '../schemas';
import { deleteAlert, updateAlert } from '../service';

const common = { tags: ['Alerts'], security: [{ bearerAuth: [] }], middleware: requireUser };

/** Change and delete, at 000's `/api/v1/alerts/{id}` and 001's `/api/v1/signals/alerts/{id}`: one service. */
export const changeAlertRoutes = createRouter();
for (const [base, seed] of [
  ['/api/v1/alerts', '000'],
  ['/api/v1/signals/alerts', '001'],
] as const) {
  changeAlertRoutes
    .openapi(
      defineRoute({
        ...common,
        method: 'put',
        path: `${base}/{alert_id}`,
        summary: `Change an alert (${seed})`,
        description: 'A changed condition restarts from the side the current price is on.',
        request: {
          params: AlertIdParam,
          body: { content: { 'application/json': { schema: UpdateAlertInput } }, required: true },
        },
        responses: {
          200: {
            description: 'Updated.',
            content: { 'application/json': { schema: envelopeSchema(AlertSchema) } },
          },
        },
      }),
      async (c) =>
        c.json(
          envelope(
            c,
            await updateAlert(c.env, principalOf(c), c.req.valid('param').alert_id, c.req.valid('json')),
          ),
          200,
        ),
    )
    .openapi(
      defineRoute({
        ...common,
        method: 'delete',
        path: `${base}/{alert_id}`,
        summary: `Delete an alert (${seed})`,
        request: { params: AlertIdParam },
        responses: {
          200: {
            description: 'Deleted.',
            content: {
              'application/json': {
                schema: envelopeSchema(
                  z.object({ alert_id: z.string(), deleted: z.boolean(), deleted_at: z.string() }),
                ),
              },
            },
          },
        },
      }),
      async (c) =>
        c.json(envelope(c, await deleteAlert(c.env, principalOf(c), c.req.valid('param').alert_id)), 200),
    );
}
