import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeSchema, WindowMinutesQuery } from '../schemas';
import { patternAnalytics } from '../services/cache';
import { windowRange } from '../services/sink';

export const cacheAnalyticsPatternRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'get',
    path: '/api/cache/analytics/pattern/{pattern}',
    summary: 'Cache analytics for a key pattern: `assets:*`, a prefix, or a path glob (002)',
    request: {
      params: z.object({ pattern: z.string().min(1).max(200) }),
      query: z.object({ time_window_minutes: WindowMinutesQuery }),
    },
    responses: {
      200: {
        description: 'Totals and the busiest keys.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                pattern: z.string(),
                hit_rate: z.number(),
                operations: z.number().int(),
                hits: z.number().int(),
                misses: z.number().int(),
                avg_response_time_ms: z.number(),
                size_bytes: z.number().int(),
                keys: z.array(
                  z.object({
                    key: z.string(),
                    hits: z.number().int(),
                    misses: z.number().int(),
                    bytes: z.number().int(),
                    last_accessed: z.string(),
                  }),
                ),
                time_range: TimeRangeSchema,
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { pattern } = c.req.valid('param');
    const { time_window_minutes } = c.req.valid('query');
    return c.json(plain(c, await patternAnalytics(c.env, pattern, windowRange(time_window_minutes))), 200);
  },
);
