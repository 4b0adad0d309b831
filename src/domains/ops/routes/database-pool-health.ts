import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { poolHealth } from '../services/database';
import { resolveRange } from '../services/sink';

export const databasePoolHealthRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Ops: database'),
    method: 'get',
    path: '/api/database/pool/health',
    summary: 'D1 health over the last hour: failed statements, round trip, busy share (002)',
    responses: {
      200: {
        description: 'Status with warnings and recommendations.',
        content: {
          'application/json': {
            schema: plainOrV2Schema(
              z.object({
                status: z.enum(['healthy', 'degraded', 'unhealthy']),
                warnings: z.array(z.string()),
                recommendations: z.array(z.string()),
                metrics: z.object({
                  utilization_percent: z.number(),
                  wait_time_avg_ms: z.number(),
                  statements: z.number().int(),
                  connection_errors: z.number().int(),
                }),
                d1_equivalent: z.string(),
              }),
            ),
          },
        },
      },
    },
  }),
  async (c) => c.json(plain(c, await poolHealth(c.env, resolveRange({}, 1))), 200),
);
