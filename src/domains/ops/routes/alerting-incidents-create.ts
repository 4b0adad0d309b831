import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute, SEVERITIES } from '../schemas';
import { createIncident } from '../services/incidents';

export const alertingIncidentsCreateRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'post',
    path: '/api/alerting/incidents',
    summary: 'Open an incident by hand, grouping existing alerts (002)',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z
              .object({
                title: z.string().min(1).max(200),
                severity: z.enum(SEVERITIES),
                description: z.string().max(5000).optional(),
                related_alerts: z.array(z.string().min(1).max(64)).max(90).default([]),
                assigned_to: z.string().max(200).optional(),
              })
              .strict(),
          },
        },
      },
    },
    responses: {
      201: {
        description: 'Opened (audited).',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                id: z.string(),
                title: z.string(),
                status: z.literal('open'),
                created_at: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const result = await createIncident(c.env, body, {
      userId: principalOf(c).userId,
      requestId: c.get('requestId'),
    });
    return c.json(plain(c, result), 201);
  },
);
