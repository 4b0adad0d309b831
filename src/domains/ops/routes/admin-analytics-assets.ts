import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { opsRoute } from '../schemas';
import { adminAssetAnalytics } from '../services/admin-analytics';

export const adminAnalyticsAssetsRoute = createRouter().openapi(
  defineRoute({
    ...opsRoute('Admin: system'),
    method: 'get',
    path: '/api/v1/admin/analytics/assets',
    summary: 'Most requested assets and the catalog by type (000)',
    request: { query: z.object({ days: z.coerce.number().int().min(1).max(7).default(7) }) },
    responses: {
      200: {
        description: 'Computed now from the telemetry sink and D1.',
        content: {
          'application/json': {
            schema: envelopeSchema(
              z.object({
                period_days: z.number().int(),
                most_accessed: z.array(
                  z.object({ asset: z.string(), requests: z.number().int(), endpoints: z.array(z.string()) }),
                ),
                catalog: z.record(
                  z.string(),
                  z.object({ total: z.number().int(), active: z.number().int() }),
                ),
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
    return c.json(envelope(c, await adminAssetAnalytics(c.env, q.days)), 200);
  },
);
