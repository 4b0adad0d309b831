import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { resetAnalytics } from '../services/cache';

export const cacheAnalyticsResetRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'post',
    path: '/api/cache/analytics/reset',
    summary: 'Forget the recorded cache outcomes (the counters start again) (002)',
    responses: {
      200: {
        description: 'Done.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({ success: z.boolean(), message: z.string(), events_deleted: z.number().int() }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await resetAnalytics(c.env)), 200),
);
