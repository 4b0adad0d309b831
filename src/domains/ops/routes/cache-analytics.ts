import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeSchema, WindowMinutesQuery } from '../schemas';
import { cacheAnalytics } from '../services/cache';
import { windowRange } from '../services/sink';

export const cacheAnalyticsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'get',
    path: '/api/cache/analytics',
    summary: 'Edge cache hits, misses, bytes and lookup time, overall and per prefix (002)',
    request: { query: z.object({ time_window_minutes: WindowMinutesQuery }) },
    responses: {
      200: {
        description: 'From the cache outcomes the requests recorded.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                hit_rate: z.number(),
                miss_rate: z.number(),
                total_operations: z.number().int(),
                avg_response_time_ms: z.number(),
                memory_hits: z.number().int(),
                redis_hits: z.number().int(),
                misses: z.number().int(),
                bypasses: z.number().int(),
                evictions: z.number().int(),
                total_size_bytes: z.number().int(),
                by_prefix: z.record(
                  z.string(),
                  z.object({
                    hits: z.number().int(),
                    misses: z.number().int(),
                    hit_rate: z.number(),
                    bytes: z.number().int(),
                    keys: z.number().int(),
                  }),
                ),
                time_range: TimeRangeSchema,
                note: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { time_window_minutes } = c.req.valid('query');
    return c.json(plain(c, await cacheAnalytics(c.env, windowRange(time_window_minutes))), 200);
  },
);
