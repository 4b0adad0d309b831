import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { ActivitySchema } from '../schemas';
import { activityHistory } from '../service';

export const activityRoute = createRouter().openapi(
  defineRoute({
    method: 'get',
    path: '/api/v1/users/activity',
    tags: ['Users'],
    summary: 'Your activity history and engagement (001)',
    security: [{ bearerAuth: [] }],
    middleware: requireUser,
    request: { query: PaginationQuery },
    responses: {
      200: {
        description: 'Newest first.',
        content: { 'application/json': { schema: envelopeSchema(ActivitySchema) } },
      },
    },
  }),
  async (c) => {
    const page = pageOf(c.req.valid('query'));
    const { total, ...data } = await activityHistory(c.env, principalOf(c), page);
    return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
  },
);
