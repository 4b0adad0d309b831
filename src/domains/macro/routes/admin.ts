import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { enqueueJob } from '../../../jobs/service';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import { JobSchema } from '../../jobs/schemas';
import { getOwnedJob, jobView } from '../../jobs/service';

export const macroAdminRoutes = createRouter().openapi(
  defineRoute({
    security: [{ bearerAuth: [] }],
    middleware: requireAdmin,
    tags: ['Admin: macro'],
    method: 'post',
    path: '/api/v1/admin/macro/refresh-snapshot',
    summary:
      'Recompute the metrics_snapshot of the current market hour (macro, sectors, daily), as a background job (000)',
    description:
      'Queues the macro.snapshot job: upserts the macro and sector snapshots of the market hour and fills missing daily rows. Idempotent: running it twice for the same hour and data changes nothing. Follow progress at /api/v1/jobs/{job_id}.',
    responses: {
      202: {
        description: 'Queued.',
        content: { 'application/json': { schema: envelopeSchema(JobSchema) } },
      },
    },
  }),
  async (c) => {
    const principal = principalOf(c);
    const id = await enqueueJob(c.env, { type: 'macro.snapshot', userId: principal.userId });
    return c.json(envelope(c, jobView(await getOwnedJob(c.env, principal, id))), 202);
  },
);
