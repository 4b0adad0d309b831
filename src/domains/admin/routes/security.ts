import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { DateOrDateTime, ordered } from '../../../core/dates';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import { AdminSessionSchema, AuditLogSchema } from '../schemas';
import { activeSessions, listAuditLogs, suspiciousActivity, terminateSessionAsAdmin } from '../service';

const common = { tags: ['Admin: security'], security: [{ bearerAuth: [] }], middleware: requireAdmin };

export const adminSecurityRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/admin/security/audit-logs',
      summary: 'Audit trail of admin actions (000)',
      request: {
        query: ordered(
          PaginationQuery.extend({
            user_id: z.string().max(64).optional().openapi({ description: 'Actor or target user.' }),
            action_type: z.string().max(64).optional(),
            start_date: DateOrDateTime.optional(),
            end_date: DateOrDateTime.optional(),
          }),
          'start_date',
          'end_date',
        ),
      },
      responses: {
        200: {
          description: 'Newest first.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ audit_logs: z.array(AuditLogSchema) })) },
          },
        },
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, ...filters } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      const { total, ...data } = await listAuditLogs(c.env, filters, page);
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/admin/security/suspicious-activity',
      summary: 'Failed-login bursts, many addresses per account, refresh-token reuse, locked accounts (000)',
      request: { query: z.object({ hours: z.coerce.number().int().min(1).max(720).default(24) }) },
      responses: {
        200: {
          description: 'Findings over the window.',
          content: { 'application/json': { schema: envelopeSchema(z.record(z.string(), z.unknown())) } },
        },
      },
    }),
    async (c) => c.json(envelope(c, await suspiciousActivity(c.env, c.req.valid('query').hours)), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/admin/security/active-sessions',
      summary: 'Active sessions of all users, with device, address and duration (000)',
      request: { query: PaginationQuery.extend({ user_id: z.string().optional() }) },
      responses: {
        200: {
          description: 'Most recently used first.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({
                  sessions: z.array(
                    AdminSessionSchema.extend({
                      email: z.string(),
                      role: z.string(),
                      duration_seconds: z.number().int(),
                    }),
                  ),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, user_id } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      const { total, ...data } = await activeSessions(c.env, page, user_id);
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/admin/security/terminate-session/{session_id}',
      summary: "End any user's session (000); audited",
      request: { params: z.object({ session_id: z.string().min(1).max(64) }) },
      responses: {
        200: {
          description: 'Ended.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({ session_id: z.string(), user_id: z.string(), terminated: z.boolean() }),
              ),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await terminateSessionAsAdmin(c.env, principalOf(c), c.req.valid('param').session_id, {
            ...requestFacts(c),
            requestId: c.get('requestId'),
          }),
        ),
        200,
      ),
  );
