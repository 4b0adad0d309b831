import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { batchJobsSummary } from '../services/batch';

const TypeStats = z.object({
  total: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  success_rate: z.number(),
  avg_duration: z.number().nullable(),
});

export const batchJobsSummaryRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: batch'),
    method: 'get',
    path: '/api/v1/admin/batch/jobs/summary',
    summary: 'Batch job statistics: success rate, durations, daily counts, error patterns (004)',
    request: { query: z.object({ days_back: z.coerce.number().int().min(1).max(90).default(7) }) },
    responses: {
      200: {
        description: 'Summary over days_back, compared with the period before.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                period: z.object({
                  start_date: z.string(),
                  end_date: z.string(),
                  days_covered: z.number().int(),
                }),
                job_statistics: z.object({
                  total_jobs: z.number().int(),
                  completed_jobs: z.number().int(),
                  running_jobs: z.number().int(),
                  failed_jobs: z.number().int(),
                  pending_jobs: z.number().int(),
                  cancelled_jobs: z.number().int(),
                  success_rate: z.number(),
                  avg_duration_seconds: z.number().nullable(),
                }),
                by_job_type: z.record(z.string(), TypeStats),
                performance_trends: z.object({
                  daily_job_counts: z.array(
                    z.object({
                      date: z.string(),
                      total: z.number().int(),
                      completed: z.number().int(),
                      failed: z.number().int(),
                    }),
                  ),
                  avg_duration_trend: z.object({
                    current_period: z.number().nullable(),
                    previous_period: z.number().nullable(),
                    improvement_percent: z.number().nullable(),
                  }),
                }),
                error_analysis: z.object({
                  top_error_types: z.array(
                    z.object({ error_pattern: z.string(), count: z.number().int(), percentage: z.number() }),
                  ),
                  most_failed_job_type: z.string().nullable(),
                }),
                recommendations: z.array(z.string()),
                last_updated: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await batchJobsSummary(c.env, c.req.valid('query').days_back)), 200),
);
