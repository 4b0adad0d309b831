import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { resolveIncident } from '../services/incidents';

export const alertingIncidentsResolveRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'post',
    path: '/api/alerting/incidents/{incident_id}/resolve',
    summary: 'Resolve an incident, with an optional resolution note (002)',
    request: {
      params: z.object({ incident_id: z.string().min(1).max(64) }),
      query: z.object({ resolution: z.string().max(2000).optional() }),
    },
    responses: {
      200: {
        description: 'Resolved (idempotent; audited).',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({ success: z.boolean(), message: z.string(), resolved_at: z.string() }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { incident_id } = c.req.valid('param');
    const { resolution } = c.req.valid('query');
    const result = await resolveIncident(c.env, incident_id, resolution, {
      userId: principalOf(c).userId,
      requestId: c.get('requestId'),
    });
    return c.json(plain(c, result), 200);
  },
);
