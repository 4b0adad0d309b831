import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { fatigueStats } from '../services/alerting';

export const alertingFatigueStatsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: alerting'),
    method: 'get',
    path: '/api/alerting/fatigue-stats',
    summary: 'Alert fatigue over 24 hours: volume, noisy and flapping rules, time to acknowledge (002)',
    responses: {
      200: {
        description: 'Statistics with their method.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                total_alerts_24h: z.number().int(),
                alerts_by_severity: z.record(z.string(), z.number().int()),
                fatigue_score: z.number(),
                most_frequent_rules: z.array(z.object({ rule_name: z.string(), count: z.number().int() })),
                flapping_rules: z.array(z.object({ rule_name: z.string(), flaps: z.number().int() })),
                mean_time_to_acknowledge_seconds: z.number().nullable(),
                acknowledged: z.number().int(),
                suppressed_by_cooldown: z.record(z.string(), z.number().int()),
                method: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await fatigueStats(c.env)), 200),
);
