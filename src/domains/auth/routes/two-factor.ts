import type { z } from '@hono/zod-openapi';
import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { carriesCredentials, envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { TotpCodeBody, TwoFactorEnrolmentSchema, TwoFactorStatusSchema } from '../schemas';
import { disableTotp, enrollTotp, totpStatus, verifyTotp } from '../service';

const common = { tags: ['Two-factor'], security: [{ bearerAuth: [] }], middleware: requireUser };
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema: envelopeSchema(schema) } });
const codeBody = { body: { content: { 'application/json': { schema: TotpCodeBody } }, required: true } };

export const twoFactorRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/auth/2fa',
      summary: 'Two-factor status',
      responses: { 200: { description: 'Whether TOTP is on.', content: json(TwoFactorStatusSchema) } },
    }),
    async (c) => c.json(envelope(c, await totpStatus(c.env, principalOf(c))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/auth/2fa/enroll',
      summary: 'Start TOTP enrolment: a secret and an otpauth:// URI for an authenticator app',
      responses: { 200: { description: 'The secret to scan.', content: json(TwoFactorEnrolmentSchema) } },
    }),
    async (c) => {
      carriesCredentials(c);
      return c.json(envelope(c, await enrollTotp(c.env, principalOf(c))), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/auth/2fa/verify',
      summary: 'Confirm enrolment with a first code; sign-in then requires codes',
      description: '400 MFA_NOT_ENABLED before enrolment; 400 INVALID_MFA_TOKEN for a wrong or reused code.',
      request: codeBody,
      responses: { 200: { description: 'Enabled.', content: json(TwoFactorStatusSchema) } },
    }),
    async (c) =>
      c.json(
        envelope(c, await verifyTotp(c.env, principalOf(c), c.req.valid('json').code, requestFacts(c))),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/auth/2fa/disable',
      summary: 'Turn two-factor off (needs a current code)',
      description:
        'Wrong codes count towards the sign-in lockout (5 in a row lock the account); while locked this answers 403 ACCOUNT_LOCKED with Retry-After without checking the code.',
      request: codeBody,
      responses: { 200: { description: 'Disabled.', content: json(TwoFactorStatusSchema) } },
    }),
    async (c) =>
      c.json(
        envelope(c, await disableTotp(c.env, principalOf(c), c.req.valid('json').code, requestFacts(c))),
        200,
      ),
  );
