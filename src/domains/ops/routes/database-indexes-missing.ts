import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeQuery } from '../schemas';
import { missingIndexes } from '../services/database';
import { resolveRange } from '../services/sink';

export const databaseIndexesMissingRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: database'),
    method: 'get',
    path: '/api/database/indexes/missing',
    summary: 'Recorded statements whose plan scans a whole table, with the column to index (002)',
    request: { query: TimeRangeQuery },
    responses: {
      200: {
        description: 'Most rows read first; each with the statement and its plan.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.array(
                z.object({
                  table_name: z.string(),
                  column_name: z.string().nullable(),
                  query_count: z.number().int(),
                  avg_query_time_ms: z.number(),
                  rows_read: z.number().int(),
                  recommendation: z.string(),
                  evidence: z.object({ query: z.string(), plan: z.array(z.string()) }),
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
    return c.json(plain(c, await missingIndexes(c.env, range)), 200);
  },
);
