import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import {
  MAX_LIMIT,
  PaginationQuery,
  pageOf,
  paginationMeta,
  setPaginationHeaders,
} from '../../../core/pagination';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import { AdminUserSchema, AdminUserUpdate, UserIdParam, UserListQuery } from '../schemas';
import { listUsers, updateUser } from '../service';

const common = { tags: ['Admin: users'], security: [{ bearerAuth: [] }], middleware: requireAdmin };

export const adminUsers003Routes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/admin/users',
      summary: 'All users (003): `{ users }`; totals in X-Total-Count',
      request: { query: PaginationQuery.extend(UserListQuery.shape) },
      responses: {
        200: {
          description: 'Users.',
          content: {
            'application/json': { schema: plainOrV2Schema(z.object({ users: z.array(AdminUserSchema) })) },
          },
        },
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, ...filters } = c.req.valid('query');
      const page = pageOf({ limit: limit ?? MAX_LIMIT, offset, page: pageNo });
      const { total, users } = await listUsers(c.env, filters, page);
      const meta = paginationMeta(page, total);
      setPaginationHeaders(c, meta);
      return c.json(plain(c, { users }, { pagination: meta }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'put',
      path: '/api/admin/users/{user_id}',
      summary: 'Update a user (003): `{ user }`',
      request: {
        params: UserIdParam,
        body: { content: { 'application/json': { schema: AdminUserUpdate } }, required: true },
      },
      responses: {
        200: {
          description: 'The user.',
          content: { 'application/json': { schema: plainOrV2Schema(z.object({ user: AdminUserSchema })) } },
        },
      },
    }),
    async (c) => {
      const user = await updateUser(
        c.env,
        principalOf(c),
        c.req.valid('param').user_id,
        c.req.valid('json'),
        {
          ...requestFacts(c),
          requestId: c.get('requestId'),
        },
      );
      return c.json(plain(c, { user }), 200);
    },
  );
