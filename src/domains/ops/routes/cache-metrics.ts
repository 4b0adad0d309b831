import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { cacheAnalytics } from '../services/cache';
import { windowRange } from '../services/sink';

export const cacheMetricsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'get',
    path: '/api/cache/metrics',
    summary: 'Cache counters over the last 24 hours (002)',
    responses: {
      200: {
        description: 'Counters.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                hits: z.number().int(),
                misses: z.number().int(),
                memory_hits: z.number().int(),
                redis_hits: z.number().int(),
                evictions: z.number().int(),
                total_size_bytes: z.number().int(),
                hit_rate: z.number(),
                note: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const a = await cacheAnalytics(c.env, windowRange(24 * 60));
    return c.json(
      plain(c, {
        hits: a.redis_hits + a.memory_hits,
        misses: a.misses,
        memory_hits: a.memory_hits,
        redis_hits: a.redis_hits,
        evictions: a.evictions,
        total_size_bytes: a.total_size_bytes,
        hit_rate: a.hit_rate,
        note: a.note,
      }),
      200,
    );
  },
);
