import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { HealthSnapshotSchema, opsRoute, Percentile } from '../schemas';
import { adminSystem } from '../services/admin-analytics';

export const adminSystemRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/system',
    summary: 'System overview: health, alerts, jobs, 24-hour traffic (001)',
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              z.object({
                status: z.enum(['healthy', 'degraded', 'unhealthy']),
                services: HealthSnapshotSchema.shape.services,
                providers: HealthSnapshotSchema.shape.providers,
                alerts: z.object({ firing: z.number().int(), open_incidents: z.number().int() }),
                jobs: z.object({
                  active_workers: z.number().int(),
                  pending_tasks: z.number().int(),
                  completed_tasks_24h: z.number().int(),
                  failed_tasks_24h: z.number().int(),
                  dead_letters: z.number().int(),
                }),
                traffic_24h: z.object({
                  requests: z.number().int(),
                  error_rate: z.number(),
                  p50_ms: Percentile,
                  p95_ms: Percentile,
                  p99_ms: Percentile,
                  d1_statements: z.number().int(),
                }),
                generated_at: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(envelope(c, await adminSystem(c.env)), 200),
);
