import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { SessionSchema } from '../schemas';
import { listSessions, terminateOtherSessions, terminateSession } from '../service';

const common = { tags: ['Sessions'], security: [{ bearerAuth: [] }], middleware: requireUser };

export const sessionRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/sessions',
      summary: 'Your active sessions, with device, address and last use (000)',
      responses: {
        200: {
          description: 'Active sessions; `is_current` marks this one.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ sessions: z.array(SessionSchema) })) },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, { sessions: await listSessions(c.env, principalOf(c)) }), 200),
  )
  // Before /sessions/{session_id}, which would otherwise match "terminate-all".
  .openapi(
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api/v1/sessions/terminate-all',
      summary: 'End every session but this one (000)',
      responses: {
        200: {
          description: 'How many ended.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({ terminated: z.number().int(), kept_session_id: z.string().nullable() }),
              ),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json(envelope(c, await terminateOtherSessions(c.env, principalOf(c), requestFacts(c))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api/v1/sessions/{session_id}',
      summary: 'End one of your sessions (000); its tokens stop working at once',
      request: { params: z.object({ session_id: z.string().min(1).max(64) }) },
      responses: {
        200: {
          description: 'Ended.',
          content: {
            'application/json': {
              schema: envelopeSchema(z.object({ session_id: z.string(), terminated: z.boolean() })),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json(
        envelope(
          c,
          await terminateSession(c.env, principalOf(c), c.req.valid('param').session_id, requestFacts(c)),
        ),
        200,
      ),
  );
