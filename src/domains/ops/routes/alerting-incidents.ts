import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { IncidentSchema, opsRoute, SeverityQuery } from '../schemas';
import { listIncidents } from '../services/incidents';

export const alertingIncidentsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'get',
    path: '/api/alerting/incidents',
    summary: 'Open incidents (or all with status=all), newest first (002)',
    request: { query: SeverityQuery.extend({ status: z.enum(['open', 'resolved', 'all']).default('open') }) },
    responses: {
      200: {
        description: 'Incidents.',
        content: { 'application/json': { schema: plainOrV2Schema(z.array(IncidentSchema)) } },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(plain(c, await listIncidents(c.env, { severity: q.severity, status: q.status })), 200);
  },
);
