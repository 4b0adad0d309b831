import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { cancelBatchJob } from '../services/batch';

export const batchJobsCancelRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: batch'),
    method: 'delete',
    path: '/api/v1/admin/batch/jobs/{job_id}/cancel',
    summary: 'Cancel a batch job: a waiting one never runs, a running one stops at its next checkpoint (004)',
    request: { params: z.object({ job_id: z.string().min(1).max(64) }) },
    responses: {
      200: {
        description: 'Cancelled or cancelling. A finished job answers 409.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                message: z.string(),
                job_details: z.object({
                  id: z.string(),
                  job_name: z.string(),
                  previous_status: z.string(),
                  new_status: z.string(),
                  cancelled_at: z.string(),
                  runtime_before_cancellation: z.number().int(),
                  progress: z.number(),
                  cancel_requested: z.boolean(),
                }),
                cleanup_actions: z.array(z.string()),
                impact_assessment: z.object({
                  affected_portfolios: z.number().int(),
                  data_consistency_status: z.string(),
                  rollback_required: z.boolean(),
                }),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) =>
    c.json(plain(c, await cancelBatchJob(c.env, principalOf(c), c.req.valid('param').job_id)), 200),
);
