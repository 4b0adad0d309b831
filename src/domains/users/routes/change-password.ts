import { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { ChangePasswordBody } from '../schemas';
import { changePassword } from '../service';

export const changePasswordRoute = createRouter().openapi(
  defineRoute({
    method: 'post',
    path: '/api/v1/users/change-password',
    tags: ['Users'],
    summary: 'Change your password (000)',
    description:
      'Needs the current password. Every other session is ended; this one stays. Wrong current passwords count towards the sign-in lockout (5 in a row lock the account); while locked this answers 403 ACCOUNT_LOCKED with Retry-After without checking.',
    security: [{ bearerAuth: [] }],
    middleware: requireUser,
    request: { body: { content: { 'application/json': { schema: ChangePasswordBody } }, required: true } },
    responses: {
      200: {
        description: 'Changed.',
        content: {
          'application/json': {
            schema: envelopeSchema(z.object({ message: z.string(), sessions_ended: z.number().int() })),
          },
        },
      },
    },
  }),
  async (c) => {
    const result = await changePassword(c.env, principalOf(c), c.req.valid('json'), requestFacts(c));
    return c.json(envelope(c, { message: 'Password changed', ...result }), 200);
  },
);
