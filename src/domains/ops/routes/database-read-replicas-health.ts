import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { readReplicaHealth } from '../services/database';

export const databaseReadReplicasHealthRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: database'),
    method: 'get',
    path: '/api/database/read-replicas/health',
    summary: 'Read replication state (002; D1’s replication through the Sessions API)',
    responses: {
      200: {
        description: 'Replicas and their lag.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                read_replicas_enabled: z.boolean(),
                read_replica_count: z.number().int(),
                health: z.record(z.string(), z.object({ status: z.string(), lag_seconds: z.number() })),
                d1_equivalent: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, readReplicaHealth()), 200),
);
