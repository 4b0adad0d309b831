import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireAdmin, requireUser } from '../../../middleware/auth';
import { listFeedback, respondToFeedback, submitFeedback } from '../service';

const STATUSES = ['open', 'responded', 'closed'] as const;
const FeedbackSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    category: z.string(),
    subject: z.string(),
    message: z.string(),
    rating: z.number().int().nullable(),
    status: z.enum(STATUSES),
    admin_response: z.string().nullable(),
    responded_by: z.string().nullable(),
    responded_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Feedback');
const list = {
  200: {
    description: 'Newest first.',
    content: {
      'application/json': { schema: envelopeSchema(z.object({ feedback: z.array(FeedbackSchema) })) },
    },
  },
};

export const feedbackRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/v1/feedback',
      tags: ['Feedback'],
      summary: 'Send feedback (000)',
      security: [{ bearerAuth: [] }],
      middleware: requireUser,
      request: {
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  category: z.enum(['bug', 'feature', 'data', 'account', 'other']).default('other'),
                  subject: z.string().trim().min(1).max(200),
                  message: z.string().trim().min(1).max(5000),
                  rating: z.number().int().min(1).max(5).optional(),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        201: {
          description: 'Received.',
          content: { 'application/json': { schema: envelopeSchema(FeedbackSchema) } },
        },
      },
    }),
    async (c) => c.json(envelope(c, await submitFeedback(c.env, principalOf(c), c.req.valid('json'))), 201),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/feedback',
      tags: ['Feedback'],
      summary: 'Your feedback and its replies (000)',
      security: [{ bearerAuth: [] }],
      middleware: requireUser,
      request: { query: PaginationQuery },
      responses: list,
    }),
    async (c) => {
      const page = pageOf(c.req.valid('query'));
      const { total, ...data } = await listFeedback(c.env, { userId: principalOf(c).userId }, page);
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/feedback',
      tags: ['Admin: feedback'],
      summary: 'All feedback, filtered by status, category or user (000)',
      security: [{ bearerAuth: [] }],
      middleware: requireAdmin,
      request: {
        query: PaginationQuery.extend({
          status: z.enum(STATUSES).optional(),
          category: z.string().max(50).optional(),
          feedback_type: z.string().max(50).optional().openapi({ description: "000's name for `category`." }),
          user_id: z.string().max(64).optional(),
        }),
      },
      responses: list,
    }),
    async (c) => {
      const {
        limit,
        offset,
        page: pageNo,
        user_id,
        feedback_type,
        category,
        ...filters
      } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      const { total, ...data } = await listFeedback(
        c.env,
        { ...filters, category: category ?? feedback_type, userId: user_id },
        page,
      );
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'put',
      path: '/api/v1/admin/feedback/{feedback_id}',
      tags: ['Admin: feedback'],
      summary: 'Reply to or close feedback; a reply notifies the user (000)',
      security: [{ bearerAuth: [] }],
      middleware: requireAdmin,
      request: {
        params: z.object({ feedback_id: z.string().min(1).max(64) }),
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  response: z.string().trim().min(1).max(5000).optional(),
                  response_message: z
                    .string()
                    .trim()
                    .min(1)
                    .max(5000)
                    .optional()
                    .openapi({ description: "000's name for `response`." }),
                  status: z.enum(STATUSES).optional(),
                })
                .strict()
                .refine(
                  (b) =>
                    b.response !== undefined || b.response_message !== undefined || b.status !== undefined,
                  'Send a response or a status',
                ),
            },
          },
          required: true,
        },
      },
      responses: {
        200: {
          description: 'Updated.',
          content: { 'application/json': { schema: envelopeSchema(FeedbackSchema) } },
        },
      },
    }),
    async (c) => {
      const { response_message, response, status } = c.req.valid('json');
      const reply = { response: response ?? response_message, status };
      const id = c.req.valid('param').feedback_id;
      return c.json(envelope(c, await respondToFeedback(c.env, principalOf(c), id, reply)), 200);
    },
  );
