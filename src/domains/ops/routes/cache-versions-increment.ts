import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf } from '../../../middleware/auth';
import { opsRoute } from '../schemas';
import { incrementVersion } from '../services/cache';

export const cacheVersionsIncrementRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'post',
    path: '/api/cache/versions/{prefix}/increment',
    summary: 'Bump a prefix’s cache version: every cached entry under it misses from now on (002)',
    request: {
      params: z.object({
        prefix: z
          .string()
          .min(1)
          .max(64)
          .regex(
            /^[a-z0-9][a-z0-9_-]*$/,
            'a prefix: the first path segment after /api or /api/v1, e.g. assets',
          ),
      }),
      query: z.object({ reason: z.string().max(500).optional() }),
    },
    responses: {
      200: {
        description: 'The new version (audited).',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                success: z.boolean(),
                prefix: z.string(),
                new_version: z.number().int(),
                message: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const { prefix } = c.req.valid('param');
    const { reason } = c.req.valid('query');
    const result = await incrementVersion(c.env, prefix, {
      userId: principalOf(c).userId,
      requestId: c.get('requestId'),
      reason,
    });
    return c.json(plain(c, result), 200);
  },
);
