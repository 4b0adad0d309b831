import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { requestQualityRefresh } from '../services/batch-quality';

const num = z.number().nullable();

export const batchDataQualityRefreshRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: batch'),
    method: 'post',
    path: '/api/v1/admin/batch/data-quality/refresh',
    summary: 'Refresh market data to improve data quality scores (004)',
    description:
      "Queues the `data-quality.refresh` job for one portfolio or all: it ingests prices up to the market clock, derives the held assets' recent intraday history and reassesses (its result holds the scores before and after). Idempotent: while a refresh of the same scope is waiting or running, the answer is that job (`refresh_initiated: false`). Cancel it with `DELETE /api/v1/admin/batch/jobs/{job_id}/cancel`.",
    request: { query: z.object({ portfolio_id: z.string().min(1).max(64).optional() }) },
    responses: {
      202: {
        description: 'The refresh job (new, or the one already under way for this scope).',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                refresh_initiated: z.boolean(),
                job_details: z.object({
                  job_id: z.string(),
                  job_name: z.string(),
                  status: z.string(),
                  initiated_at: z.string(),
                  estimated_duration_minutes: num.openapi({
                    description: 'Mean duration of past successful refreshes; null before the first.',
                  }),
                }),
                scope: z.object({
                  portfolio_id: z.string().nullable(),
                  portfolios_targeted: z.number().int(),
                  positions_to_refresh: z.number().int(),
                  data_types: z.array(z.string()),
                }),
                pre_refresh_quality: z.object({
                  overall_score: num,
                  portfolios_assessed: z.number().int(),
                  portfolios_below_threshold: z.number().int(),
                  critical_issues: z.array(z.string()),
                }),
                expected_improvements: z.object({
                  estimated_score_increase: z.number(),
                  target_quality_score: num,
                  issues_to_resolve: z.number().int(),
                  data_freshness_improvement: z.string(),
                }),
                monitoring: z.object({
                  progress_endpoint: z.string(),
                  completion_webhook: z.string().nullable(),
                  notification_channels: z.array(z.string()),
                }),
                backup_plan: z.object({
                  fallback_providers: z.array(z.string()),
                  rollback_available: z.boolean(),
                  previous_data_retained: z.boolean(),
                }),
                message: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) =>
    c.json(
      plain(c, await requestQualityRefresh(c.env, principalOf(c), c.req.valid('query').portfolio_id)),
      202,
    ),
);
