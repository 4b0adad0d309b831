import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { principalOf, requireUser } from '../../../middleware/auth';
import { integrationStates, startIntegration } from '../integrations';

const common = { tags: ['Integrations (002)'], security: [{ bearerAuth: [] }], middleware: requireUser };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: plainOrV2Schema(schema) } },
});

const Integration = z
  .object({
    name: z.string(),
    kind: z.enum(['strategy', 'exchange', 'market_data']),
    status: z.enum(['active', 'inactive', 'unavailable']),
    description: z.string(),
    reason: z.string().nullable().openapi({ description: 'Why it is unavailable' }),
    startedAt: z.string().nullable(),
    bots: z.number().int().openapi({ description: 'Your bots using it' }),
    runningBots: z.number().int(),
    lastActivity: z
      .string()
      .nullable()
      .openapi({ description: 'Market time of the last bot order through it' }),
    clock: z.object({ mode: z.enum(['replay', 'live']), now: z.string() }).optional(),
  })
  .openapi('Integration');
const Name = z.object({ name: z.string().max(64) });

export const integrationRoutes = createRouter();

integrationRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/integrations',
    summary: 'The strategy, exchange and market-data integrations your bots can use, with their state (002)',
    responses: { 200: json(z.array(Integration), 'Integrations.') },
  }),
  async (c) => c.json(plain(c, await integrationStates(c.env, principalOf(c).userId)), 200),
);

integrationRoutes.openapi(
  defineRoute({
    ...common,
    method: 'post',
    path: '/api/integrations/{name}/start',
    summary: 'Start an integration (002): idempotent; an unavailable one answers 422 with the reason',
    request: { params: Name },
    responses: { 200: json(Integration, 'Active.') },
  }),
  async (c) =>
    c.json(plain(c, await startIntegration(c.env, principalOf(c).userId, c.req.valid('param').name)), 200),
);

integrationRoutes.openapi(
  defineRoute({
    ...common,
    method: 'get',
    path: '/api/integrations/{name}/status',
    summary: 'State of one integration (002)',
    request: { params: Name },
    responses: { 200: json(Integration, 'State.') },
  }),
  async (c) => {
    const [state] = await integrationStates(c.env, principalOf(c).userId, c.req.valid('param').name);
    return c.json(plain(c, state as z.infer<typeof Integration>), 200);
  },
);
