import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeQuery, TimeRangeSchema } from '../schemas';
import { unusedIndexes } from '../services/database';
import { resolveRange } from '../services/sink';

export const databaseIndexesUnusedRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: database'),
    method: 'get',
    path: '/api/database/indexes/unused',
    summary: 'Indexes no recorded statement (or fewer than min_scans executions) reads through (002)',
    request: {
      query: TimeRangeQuery.extend({ min_scans: z.coerce.number().int().min(0).max(1_000_000).default(10) }),
    },
    responses: {
      200: {
        description: 'Candidates with the evidence.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.array(
                z.object({
                  index_name: z.string(),
                  table_name: z.string(),
                  columns: z.array(z.string()),
                  scans: z.number().int(),
                  size_bytes: z.number().nullable(),
                  recommendation: z.string(),
                  evidence: z.object({ shapes_analyzed: z.number().int(), time_range: TimeRangeSchema }),
                }),
              ),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const range = resolveRange({ start: q.start_time, end: q.end_time });
    return c.json(plain(c, await unusedIndexes(c.env, q.min_scans, range)), 200);
  },
);
