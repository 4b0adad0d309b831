import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { JOB_STATUSES } from '../../../db/schema/platform';
import { principalOf, requireUser } from '../../../middleware/auth';
import { JobSchema } from '../schemas';
import { cancelJob, getOwnedJob, jobView, listJobs } from '../service';

const common = { tags: ['Jobs'], security: [{ bearerAuth: [] }], middleware: requireUser };
const JobIdParam = z.object({ job_id: z.string().min(1).max(64) });

export const jobRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/jobs',
      summary: 'Your background jobs, newest first (admins: `all=true` for everyone’s)',
      request: {
        query: PaginationQuery.extend({
          status: z.enum(JOB_STATUSES).optional(),
          type: z.string().max(64).optional(),
          all: z
            .enum(['true', 'false'])
            .transform((v) => v === 'true')
            .optional(),
        }),
      },
      responses: {
        200: {
          description: 'Jobs.',
          content: { 'application/json': { schema: envelopeSchema(z.object({ jobs: z.array(JobSchema) })) } },
        },
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, ...filters } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      const { total, jobs } = await listJobs(c.env, principalOf(c), filters, page);
      return c.json(envelope(c, { jobs }, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/jobs/{job_id}',
      summary: 'A job’s status, progress and result',
      request: { params: JobIdParam },
      responses: {
        200: {
          description: 'The job.',
          content: { 'application/json': { schema: envelopeSchema(JobSchema) } },
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(c, jobView(await getOwnedJob(c.env, principalOf(c), c.req.valid('param').job_id))),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/jobs/{job_id}/cancel',
      summary: 'Cancel a queued or running job',
      request: { params: JobIdParam },
      responses: {
        200: {
          description: 'Cancellation requested.',
          content: { 'application/json': { schema: envelopeSchema(JobSchema) } },
        },
      },
    }),
    async (c) =>
      c.json(envelope(c, await cancelJob(c.env, principalOf(c), c.req.valid('param').job_id)), 200),
  );
