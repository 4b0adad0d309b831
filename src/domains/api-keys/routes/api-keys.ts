import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { API_KEY_SCOPES } from '../../../core/permissions';
import { carriesCredentials, envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { createApiKey, listApiKeys, revokeApiKey } from '../service';

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart.' }),
    scopes: z.array(z.string()),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

const CreateBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).default(['read']),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict()
  .openapi('ApiKeyCreate');

const common = { tags: ['API keys'], security: [{ bearerAuth: [] }], middleware: requireUser };

export const apiKeyRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/api-keys',
      summary: 'Create an API key (shown once)',
      description:
        'Send it as `Authorization: Bearer <key>` or `X-API-Key`. Scopes: `read` (GET), `write` (other methods), `admin` (admin routes; admins only). Only a hash is stored.',
      request: { body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
      responses: {
        201: {
          description: 'The key, in full, this once.',
          content: {
            'application/json': { schema: envelopeSchema(ApiKeySchema.extend({ key: z.string() })) },
          },
        },
      },
    }),
    async (c) => {
      carriesCredentials(c);
      return c.json(envelope(c, await createApiKey(c.env, principalOf(c), c.req.valid('json'))), 201);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/api-keys',
      summary: 'Your API keys (without the keys themselves)',
      responses: {
        200: {
          description: 'Newest first.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ api_keys: z.array(ApiKeySchema) })) },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, { api_keys: await listApiKeys(c.env, principalOf(c)) }), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api/v1/api-keys/{key_id}',
      summary: 'Revoke an API key; it stops working at once',
      request: { params: z.object({ key_id: z.string().min(1).max(64) }) },
      responses: {
        200: {
          description: 'Revoked.',
          content: { 'application/json': { schema: envelopeSchema(ApiKeySchema) } },
        },
      },
    }),
    async (c) =>
      c.json(envelope(c, await revokeApiKey(c.env, principalOf(c), c.req.valid('param').key_id)), 200),
  );
