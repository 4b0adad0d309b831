import { z } from '@hono/zod-openapi';
import { DateOrDateTime, ordered, timeOf } from '../../../core/dates';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { adminHealthHistory, HEALTH_PARTS } from '../services/admin-analytics';

export const adminSystemHealthHistoryRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/system/health/history',
    summary: 'System health snapshots (one a minute, 7 days), newest first (000)',
    request: {
      query: ordered(
        z.object({
          start_date: DateOrDateTime.optional().openapi({ description: 'Default: 24 hours ago.' }),
          end_date: DateOrDateTime.optional(),
          metrics: z
            .string()
            .max(100)
            .regex(
              /^(services|providers|jobs|traffic)(,(services|providers|jobs|traffic))*$/,
              'a comma list of services, providers, jobs, traffic',
            )
            .optional()
            .openapi({ description: 'Which parts of each snapshot to return (default: all).' }),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        'start_date',
        'end_date',
      ),
    },
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              z.object({
                snapshots: z.array(
                  z
                    .object({ created_at: z.string(), status: z.string() })
                    .catchall(z.unknown())
                    .openapi({ description: 'The status and the parts asked for.' }),
                ),
                summary: z.object({
                  snapshots: z.number().int(),
                  healthy: z.number().int(),
                  degraded: z.number().int(),
                  unhealthy: z.number().int(),
                  availability_percent: z.number().nullable(),
                }),
                interval: z.string(),
                retention_days: z.number().int(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const now = Date.now();
    const range = {
      start: q.start_date ? timeOf(q.start_date) : now - 86_400_000,
      end: q.end_date ? timeOf(q.end_date, true) : now,
    };
    const parts = q.metrics ? q.metrics.split(',') : HEALTH_PARTS;
    return c.json(envelope(c, await adminHealthHistory(c.env, range, parts, q.limit)), 200);
  },
);
