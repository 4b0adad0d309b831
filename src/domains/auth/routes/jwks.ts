import { createRouter, defineRoute } from '../../../core/openapi';
import { keyRing } from '../../../core/tokens';
import { JwksSchema } from '../schemas';

export const jwksRoute = createRouter().openapi(
  defineRoute({
    method: 'get',
    path: '/.well-known/jwks.json',
    tags: ['Auth'],
    summary: 'Public keys that verify access tokens (JWKS)',
    description:
      'Every key still accepted, so tokens signed before a rotation keep verifying. Cached for 5 minutes.',
    responses: {
      200: { description: 'The key set.', content: { 'application/json': { schema: JwksSchema } } },
    },
  }),
  async (c) => {
    const ring = await keyRing(c.env);
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(
      ring.jwks as { keys: { kty: string; crv: string; x: string; kid: string; alg: string; use: string }[] },
      200,
    );
  },
);
