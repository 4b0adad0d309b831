import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { IncidentSchema, opsRoute } from '../schemas';
import { getIncident } from '../services/incidents';

export const alertingIncidentRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'get',
    path: '/api/alerting/incidents/{incident_id}',
    summary: 'An incident with its alerts and timeline (002)',
    request: { params: z.object({ incident_id: z.string().min(1).max(64) }) },
    responses: {
      200: {
        description: 'The incident.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              IncidentSchema.extend({
                alerts: z.array(
                  z.object({
                    id: z.string(),
                    rule_name: z.string(),
                    status: z.string(),
                    severity: z.string(),
                  }),
                ),
                timeline: z.array(
                  z.object({
                    timestamp: z.string(),
                    event: z.string(),
                    user: z.string(),
                    detail: z.string().nullable(),
                  }),
                ),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await getIncident(c.env, c.req.valid('param').incident_id)), 200),
);
