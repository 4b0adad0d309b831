import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { TIERS } from '../../../core/tiers';
import { NOTIFICATION_PRIORITIES } from '../../../db/schema/notifications';
import { enqueueJob } from '../../../jobs/service';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import { JobSchema } from '../../jobs/schemas';
import { getOwnedJob, jobView } from '../../jobs/service';
import { notificationStats } from '../service';

const common = { tags: ['Admin: notifications'], security: [{ bearerAuth: [] }], middleware: requireAdmin };

export const notificationAdminRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/admin/notifications/broadcast',
      summary: 'Notify all active users, or those matching a filter, as a background job with progress (000)',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  title: z.string().trim().min(1).max(200),
                  message: z.string().trim().min(1).max(2000),
                  type: z.string().max(50).default('broadcast'),
                  priority: z.enum(NOTIFICATION_PRIORITIES).default('normal'),
                  filter: z
                    .object({
                      role: z.enum(['user', 'admin']).optional(),
                      tiers: z.array(z.enum(TIERS.map((t) => t.code) as [string, ...string[]])).optional(),
                    })
                    .strict()
                    .default({}),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        202: {
          description: 'Queued; follow /api/v1/jobs/{job_id}.',
          content: { 'application/json': { schema: envelopeSchema(JobSchema) } },
        },
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      const id = await enqueueJob(c.env, {
        type: 'notifications.broadcast',
        payload: { ...body, job_key: crypto.randomUUID() },
        userId: principal.userId,
      });
      return c.json(envelope(c, jobView(await getOwnedJob(c.env, principal, id))), 202);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/admin/notifications/stats',
      summary: 'Notifications by type and status, and Web Push reach (000)',
      responses: {
        200: {
          description: 'Stats.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  total: z.number().int(),
                  by_type: z.record(z.string(), z.number().int()),
                  by_status: z.record(z.string(), z.number().int()),
                  push_subscriptions: z.number().int(),
                  users_with_push: z.number().int(),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, await notificationStats(c.env)), 200),
  );
