import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { getUser } from '../../auth/service';
import { PreferencesSchema } from '../schemas';
import { effectivePreferences, updatePreferences } from '../service';

const common = {
  tags: ['Users'],
  path: '/api/preferences',
  security: [{ bearerAuth: [] }],
  middleware: requireUser,
};
const ok = {
  200: {
    description: 'Your preferences.',
    content: { 'application/json': { schema: plainOrV2Schema(PreferencesSchema) } },
  },
};

export const preferencesRoutes = createRouter()
  .openapi(
    defineRoute({ ...common, method: 'get', summary: 'Your preferences (002)', responses: ok }),
    async (c) => c.json(plain(c, effectivePreferences(await getUser(c.env, principalOf(c).userId))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'put',
      summary: 'Update your preferences (002): merged deeply; null removes a key',
      request: { body: { content: { 'application/json': { schema: PreferencesSchema } }, required: true } },
      responses: ok,
    }),
    async (c) =>
      c.json(
        plain(c, await updatePreferences(c.env, principalOf(c), c.req.valid('json'), requestFacts(c))),
        200,
      ),
  );
