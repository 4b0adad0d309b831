import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeSchema, WindowMinutesQuery } from '../schemas';
import { preloaderStats } from '../services/cache';
import { windowRange } from '../services/sink';

export const cachePreloaderStatsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'get',
    path: '/api/cache/preloader/stats',
    summary: 'Cache key access counts and the preloader job’s success rate (002)',
    request: { query: z.object({ time_window_minutes: WindowMinutesQuery }) },
    responses: {
      200: {
        description: 'Stats; preload_success_rate is null before the first run.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                total_accesses: z.number().int(),
                unique_keys: z.number().int(),
                frequently_accessed: z.array(
                  z.object({ key: z.string(), access_count: z.number().int(), last_accessed: z.string() }),
                ),
                preload_success_rate: z.number().nullable(),
                preload_runs: z.number().int(),
                time_range: TimeRangeSchema,
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { time_window_minutes } = c.req.valid('query');
    return c.json(plain(c, await preloaderStats(c.env, windowRange(time_window_minutes))), 200);
  },
);
