import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { JOB_STATUSES } from '../../../db/schema/platform';
import { principalOf } from '../../../middleware/auth';
import { JobSchema } from '../../jobs/schemas';
import { getOwnedJob, jobView, listJobs } from '../../jobs/service';
import { opsRoute } from '../schemas';

export const systemJobsRoute = createRouter()
  .openapi(
    defineRoute({
      ...opsRoute('System'),
      method: 'get',
      path: '/api/v1/system/jobs',
      summary: 'Every background job, newest first (004, planned; admin)',
      request: {
        query: PaginationQuery.extend({
          status: z.enum(JOB_STATUSES).optional(),
          type: z.string().max(64).optional(),
        }),
      },
      responses: {
        200: {
          description: 'Jobs with the total.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z.object({
                  jobs: z.array(JobSchema),
                  total: z.number().int(),
                  limit: z.number().int(),
                  offset: z.number().int(),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, ...filters } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      const { total, jobs } = await listJobs(c.env, principalOf(c), { ...filters, all: true }, page);
      return c.json(
        plain(
          c,
          { jobs, total, limit: page.limit, offset: page.offset },
          { pagination: paginationMeta(page, total) },
        ),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      ...opsRoute('System'),
      method: 'get',
      path: '/api/v1/system/jobs/{job_id}',
      summary: 'One background job: status, progress, result (004, planned; admin)',
      request: { params: z.object({ job_id: z.string().min(1).max(64) }) },
      responses: {
        200: {
          description: 'The job.',
          content: { 'application/json': { schema: plainOrV2Schema(JobSchema) } },
        },
      },
    }),
    async (c) =>
      c.json(plain(c, jobView(await getOwnedJob(c.env, principalOf(c), c.req.valid('param').job_id))), 200),
  );
