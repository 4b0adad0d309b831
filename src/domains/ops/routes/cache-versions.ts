import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { versions } from '../services/cache';
import { windowRange } from '../services/sink';

export const cacheVersionsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: cache'),
    method: 'get',
    path: '/api/cache/versions',
    summary: 'Each cache prefix’s version and the data version (002)',
    responses: {
      200: {
        description: 'Versions.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                versions: z.record(z.string(), z.number().int()),
                data_version: z.string(),
                note: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await versions(c.env, windowRange(24 * 60))), 200),
);
