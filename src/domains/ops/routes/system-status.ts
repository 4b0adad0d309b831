import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, SystemStatusSchema } from '../schemas';
import { systemStatus } from '../services/system-health';

export const systemStatusRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('System'),
    method: 'get',
    path: '/api/v1/system/status',
    summary:
      'System health: database, Durable Objects, R2, queue, providers, jobs, alerts, traffic (004, planned; admin)',
    responses: {
      200: {
        description: 'Probed now.',
        content: { 'application/json': { schema: plainOrV2Schema(SystemStatusSchema) } },
      },
    },
  }),
  async (c) => c.json(plain(c, await systemStatus(c.env)), 200),
);
