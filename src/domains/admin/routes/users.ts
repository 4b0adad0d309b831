import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import type { AppEnv } from '../../../env';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import {
  AdminSessionSchema,
  AdminUserSchema,
  AdminUserUpdate,
  UserIdParam,
  UserListQuery,
  UserStatisticsSchema,
} from '../schemas';
import { type AdminUserChange, listUsers, updateUser, userDetail } from '../service';

const common = { tags: ['Admin: users'], security: [{ bearerAuth: [] }], middleware: requireAdmin };
const userOk = {
  200: {
    description: 'The user.',
    content: { 'application/json': { schema: envelopeSchema(AdminUserSchema) } },
  },
};
const facts = (c: Context<AppEnv>) => ({ ...requestFacts(c), requestId: c.get('requestId') });
const change = (c: Context<AppEnv>, userId: string, body: AdminUserChange) =>
  updateUser(c.env, principalOf(c), userId, body, facts(c));

export const adminUserRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/admin/users',
      summary: 'Users with filters, paging and statistics (000/001)',
      request: { query: PaginationQuery.extend(UserListQuery.shape) },
      responses: {
        200: {
          description: 'A page of users.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({ users: z.array(AdminUserSchema), statistics: UserStatisticsSchema }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, ...filters } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      const { total, ...data } = await listUsers(c.env, filters, page);
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/admin/users/{user_id}',
      summary: 'One user with sessions, recent activity and audit trail (000)',
      request: { params: UserIdParam },
      responses: {
        200: {
          description: 'The user in detail.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  user: AdminUserSchema,
                  sessions: z.array(AdminSessionSchema),
                  recent_activity: z.array(z.record(z.string(), z.unknown())),
                  audit_trail: z.array(z.record(z.string(), z.unknown())),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, await userDetail(c.env, c.req.valid('param').user_id)), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'put',
      path: '/api/v1/admin/users/{user_id}',
      summary: 'Update role, status, tier, verification, notes; unlock (000)',
      description: 'Audited. Takes effect on the user’s next request; suspending ends their sessions.',
      request: {
        params: UserIdParam,
        body: { content: { 'application/json': { schema: AdminUserUpdate } }, required: true },
      },
      responses: userOk,
    }),
    async (c) => c.json(envelope(c, await change(c, c.req.valid('param').user_id, c.req.valid('json'))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'put',
      path: '/api/v1/admin/users/{user_id}/role',
      summary: "Set a user's role (001)",
      request: {
        params: UserIdParam,
        body: {
          content: { 'application/json': { schema: z.object({ role: z.enum(['user', 'admin']) }).strict() } },
          required: true,
        },
      },
      responses: userOk,
    }),
    async (c) => c.json(envelope(c, await change(c, c.req.valid('param').user_id, c.req.valid('json'))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'put',
      path: '/api/v1/admin/users/{user_id}/status',
      summary: "Set a user's active and verified flags (001)",
      request: {
        params: UserIdParam,
        body: {
          content: {
            'application/json': {
              schema: z
                .object({ is_active: z.boolean().optional(), is_verified: z.boolean().optional() })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: userOk,
    }),
    async (c) => c.json(envelope(c, await change(c, c.req.valid('param').user_id, c.req.valid('json'))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/admin/users/{user_id}/verify',
      summary: 'Mark a user verified (000)',
      request: { params: UserIdParam },
      responses: userOk,
    }),
    async (c) =>
      c.json(envelope(c, await change(c, c.req.valid('param').user_id, { is_verified: true })), 200),
  );
