import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute, TimeRangeQuery, TimeRangeSchema } from '../schemas';
import { readReplicaHealth } from '../services/database';
import { resolveRange } from '../services/sink';

export const databaseReadReplicasHealthRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: database'),
    method: 'get',
    path: '/api/database/read-replicas/health',
    summary: 'Read replication as requests saw it (002; D1’s replication through the Sessions API)',
    request: { query: TimeRangeQuery },
    responses: {
      200: {
        description:
          'Default window: the last hour. A replica is listed, by region, when it served a statement in the window; D1 reports no lag, so `lag_seconds` is null.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                read_replicas_enabled: z.boolean(),
                read_replica_count: z.number().int(),
                health: z.record(
                  z.string(),
                  z.object({
                    status: z.string(),
                    lag_seconds: z.number().nullable(),
                    statements: z.number().int(),
                    last_served_at: z.string(),
                  }),
                ),
                statements_by_primary: z.number().int(),
                statements_by_replicas: z.number().int(),
                time_range: TimeRangeSchema,
                lag_note: z.string(),
                d1_equivalent: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const range = resolveRange({ start: q.start_time, end: q.end_time }, 1);
    return c.json(plain(c, await readReplicaHealth(c.env, range)), 200);
  },
);
