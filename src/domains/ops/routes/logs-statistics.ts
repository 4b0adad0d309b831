import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { LogFileQuery, opsRoute, TimeRangeQuery, TimeRangeSchema } from '../schemas';
import { logStatistics } from '../services/logs';
import { resolveRange } from '../services/sink';

export const logsStatisticsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: logs'),
    method: 'get',
    path: '/api/logs/statistics',
    summary: 'Log line counts by level and the error rate over a time range (002)',
    request: { query: TimeRangeQuery.extend({ log_file: LogFileQuery }) },
    responses: {
      200: {
        description: 'Counts; error_rate = (ERROR + CRITICAL) / total.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                total_logs: z.number().int(),
                by_level: z.record(z.string(), z.number().int()),
                error_rate: z.number(),
                time_range: TimeRangeSchema,
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const range = resolveRange({ start: q.start_time, end: q.end_time }, 1);
    return c.json(plain(c, await logStatistics(c.env, q.log_file, range)), 200);
  },
);
