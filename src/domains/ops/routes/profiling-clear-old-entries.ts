import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { clearOldEntries } from '../services/profiling';

export const profilingClearOldEntriesRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: performance profiling'),
    method: 'post',
    path: '/api/performance-profiling/clear-old-entries',
    summary: 'Delete recorded requests, statements and log lines older than max_age_hours (002)',
    request: {
      query: z.object({
        max_age_hours: z.coerce
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(24),
      }),
    },
    responses: {
      200: {
        description: 'What was deleted.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                cleared: z.number().int(),
                deleted: z.object({
                  requests: z.number().int(),
                  statements: z.number().int(),
                  logs: z.number().int(),
                }),
                max_age_hours: z.number().int(),
                cutoff: z.string(),
                cleared_by: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { max_age_hours } = c.req.valid('query');
    const result = await clearOldEntries(c.env, max_age_hours);
    return c.json(plain(c, { ...result, cleared_by: principalOf(c).userId }), 200);
  },
);
