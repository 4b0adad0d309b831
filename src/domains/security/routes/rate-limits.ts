import { z } from '@hono/zod-openapi';
import { clientAddress, requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema, plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireAdmin } from '../../../middleware/auth';
import { callerLimits, resetLimit } from '../service';

const LimitSchema = z
  .object({
    rule: z.string(),
    scope: z.enum(['address', 'user']),
    limit: z.number().int(),
    window_seconds: z.number().int(),
    used: z.number().int(),
    remaining: z.number().int(),
    reset_at: z.string(),
    source: z.string(),
  })
  .openapi('RateLimitStatus');

const TaskLimitSchema = z
  .object({
    task_name: z.string(),
    rate_limited: z.boolean(),
    max_calls: z.number().int(),
    time_window_seconds: z.number().int(),
    current_calls: z.number().int(),
    remaining_calls: z.number().int(),
    reset_after_seconds: z.number().int(),
  })
  .openapi('TaskRateLimit');

export const rateLimitRoutes = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/v1/security/rate-limits',
      tags: ['Security'],
      summary: "Your rate limits: each bucket's limit, use and reset time (000)",
      description:
        'Guests see their address buckets; signed-in users their own and their tier multiplier. Reading does not count.',
      responses: {
        200: {
          description: 'Current state.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({ user_context: z.string(), unlimited: z.boolean(), limits: z.array(LimitSchema) }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { unlimited, limits } = await callerLimits(c.env, principal, clientAddress(c));
      return c.json(
        envelope(c, {
          user_context: principal ? (principal.role === 'admin' ? 'admin' : 'logged') : 'guest',
          unlimited,
          limits: limits.map((l) => ({
            rule: l.rule,
            scope: l.scope,
            limit: l.limit,
            window_seconds: l.windowSeconds,
            used: l.used,
            remaining: l.remaining,
            reset_at: new Date(l.resetAt * 1000).toISOString(),
            source: l.source,
          })),
        }),
        200,
      );
    },
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/background-jobs/rate-limits',
      tags: ['Security'],
      summary: "Your rate limits in 002's task form",
      request: { query: z.object({ task_name: z.string().optional() }) },
      responses: {
        200: {
          description: 'One entry per bucket.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(z.object({ rate_limits: z.array(TaskLimitSchema) })),
            },
          },
        },
      },
    }),
    async (c) => {
      const { task_name } = c.req.valid('query');
      const { limits } = await callerLimits(c.env, c.get('principal'), clientAddress(c));
      const now = Date.now() / 1000;
      const rateLimits = limits
        .filter((l) => !task_name || l.rule === task_name)
        .map((l) => ({
          task_name: l.rule,
          rate_limited: l.remaining <= 0,
          max_calls: l.limit,
          time_window_seconds: l.windowSeconds,
          current_calls: l.used,
          remaining_calls: l.remaining,
          reset_after_seconds: Math.max(0, Math.ceil(l.resetAt - now)),
        }));
      return c.json(plain(c, { rate_limits: rateLimits }), 200);
    },
  )
  .openapi(
    defineRoute({
      method: 'post',
      path: '/api/background-jobs/rate-limits/{task_name}/reset',
      tags: ['Security'],
      summary: "Reset a rate limit's history (002, admin)",
      description:
        'Per-user rules reset for `user_id` (default: you); per-address rules for `client_ip` (default: your address). Audited.',
      security: [{ bearerAuth: [] }],
      middleware: requireAdmin,
      request: {
        params: z.object({ task_name: z.string().min(1).max(64) }),
        query: z.object({ user_id: z.string().optional(), client_ip: z.string().max(64).optional() }),
      },
      responses: {
        200: {
          description: 'Reset.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z.object({
                  success: z.literal(true),
                  message: z.string(),
                  subject: z.string(),
                  had_history: z.boolean(),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const result = await resetLimit(
        c.env,
        principalOf(c),
        { rule: c.req.valid('param').task_name, userId: query.user_id, clientIp: query.client_ip },
        { ...requestFacts(c), requestId: c.get('requestId') },
      );
      return c.json(
        plain(c, {
          success: true as const,
          message: `Rate limit reset for ${result.rule}`,
          subject: result.subject,
          had_history: result.had_history,
        }),
        200,
      );
    },
  );
