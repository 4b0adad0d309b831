import { z } from '@hono/zod-openapi';
import { ApiError } from '../../../core/errors';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeQuery, TimeRangeSchema } from '../schemas';
import { indexUsage, tableExists } from '../services/database';
import { resolveRange } from '../services/sink';

export const databaseIndexesUsageRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: database'),
    method: 'get',
    path: '/api/database/indexes/usage',
    summary: 'How a table’s indexes are used by the recorded statements (EXPLAIN QUERY PLAN) (002)',
    request: {
      query: TimeRangeQuery.extend({
        table_name: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      }),
    },
    responses: {
      200: {
        description: 'Each index with the executions that read through it.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                table_name: z.string(),
                indexes: z.array(
                  z.object({
                    index_name: z.string(),
                    columns: z.array(z.string()),
                    unique: z.boolean(),
                    scans: z.number().int(),
                    tuples_read: z.number().int(),
                    tuples_fetched: z.number().int(),
                    size_bytes: z.number().nullable(),
                    queries: z.array(
                      z.object({ query: z.string(), count: z.number().int(), plan: z.array(z.string()) }),
                    ),
                  }),
                ),
                shapes_analyzed: z.number().int(),
                time_range: TimeRangeSchema,
                method: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    if (!(await tableExists(c.env, q.table_name)))
      throw new ApiError('NOT_FOUND', `No table named ${q.table_name}`);
    const range = resolveRange({ start: q.start_time, end: q.end_time });
    return c.json(plain(c, await indexUsage(c.env, q.table_name, range)), 200);
  },
);
