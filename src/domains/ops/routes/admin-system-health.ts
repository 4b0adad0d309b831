import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { HealthSnapshotSchema, opsRoute } from '../schemas';
import { adminSystemHealth } from '../services/admin-analytics';

export const adminSystemHealthRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/system/health',
    summary: 'System health probed now: D1, Durable Objects, R2, queue, providers, jobs, traffic (000/001)',
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(HealthSnapshotSchema.extend({ generated_at: z.string() })),
          },
        },
      },
    },
  }),
  async (c) => c.json(envelope(c, await adminSystemHealth(c.env)), 200),
);
