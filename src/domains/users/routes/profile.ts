import { requestFacts } from '../../../core/client';
import { createRouter, defineRoute } from '../../../core/openapi';
import { envelope, envelopeSchema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { getUser } from '../../auth/service';
import { ProfileSchema, ProfileUpdateBody } from '../schemas';
import { profileView, updateProfile } from '../service';

const common = { tags: ['Users'], security: [{ bearerAuth: [] }], middleware: requireUser };
const ok = {
  200: {
    description: 'The profile.',
    content: { 'application/json': { schema: envelopeSchema(ProfileSchema) } },
  },
};

export const profileRoutes = createRouter();
for (const [path, seed] of [
  ['/api/v1/users/me', '000'],
  ['/api/v1/users/profile', '001'],
] as const) {
  profileRoutes
    .openapi(
      defineRoute({
        ...common,
        method: 'get',
        path,
        summary: `Your profile, preferences and subscription (${seed})`,
        responses: ok,
      }),
      async (c) => c.json(envelope(c, profileView(await getUser(c.env, principalOf(c).userId))), 200),
    )
    .openapi(
      defineRoute({
        ...common,
        method: 'put',
        path,
        summary: `Update your profile (${seed})`,
        description:
          'Names, username, time zone, language and preferences (merged). Role, tier and status are not yours to set: sending them answers 400.',
        request: { body: { content: { 'application/json': { schema: ProfileUpdateBody } }, required: true } },
        responses: ok,
      }),
      async (c) =>
        c.json(
          envelope(c, await updateProfile(c.env, principalOf(c), c.req.valid('json'), requestFacts(c))),
          200,
        ),
    );
}
