import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { invalidateAll } from '../services/cache';

export const cacheVersionsInvalidateAllRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'post',
    path: '/api/cache/versions/invalidate-all',
    summary: 'Bump the data version: every cached entry misses from now on (002)',
    request: { query: z.object({ reason: z.string().max(500).optional() }) },
    responses: {
      200: {
        description: 'Done (audited).',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({ success: z.boolean(), message: z.string(), data_version: z.string() }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { reason } = c.req.valid('query');
    return c.json(
      plain(
        c,
        await invalidateAll(c.env, { userId: principalOf(c).userId, requestId: c.get('requestId'), reason }),
      ),
      200,
    );
  },
);
