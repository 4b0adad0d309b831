import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { preloadFrequent } from '../services/cache';
import { windowRange } from '../services/sink';

export const cachePreloadFrequentRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'post',
    path: '/api/cache/preloader/preload-frequent',
    summary: 'Enqueue the preloader job over the most-accessed cache keys (002)',
    request: {
      query: z.object({
        min_access_count: z.coerce.number().int().min(1).max(1_000_000).default(10),
        time_window_minutes: z.coerce
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(60),
      }),
    },
    responses: {
      200: {
        description: 'The job (see /api/v1/jobs/{job_id}) and the keys it warms.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                success: z.boolean(),
                message: z.string(),
                job_id: z.string().nullable(),
                stats: z.object({ keys_preloaded: z.number().int(), total_accesses: z.number().int() }),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const result = await preloadFrequent(
      c.env,
      windowRange(q.time_window_minutes),
      q.min_access_count,
      principalOf(c).userId,
    );
    return c.json(plain(c, result), 200);
  },
);
