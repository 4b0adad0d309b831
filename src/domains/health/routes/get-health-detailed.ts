import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { config } from '../../../env';
import { DetailedHealthSchema } from '../schemas';
import { detailedHealth } from '../service';

const route = defineRoute({
  method: 'get',
  path: '/api/health/detailed',
  tags: ['Health'],
  summary: 'Detailed health check (002): D1 round trip, every binding, version, uptime',
  description:
    'Answers 200 when D1 answers (status `healthy`, or `degraded` when another binding fails) and 503 when D1 does not.',
  responses: {
    200: {
      description: 'Healthy or degraded.',
      content: { 'application/json': { schema: plainOrV2Schema(DetailedHealthSchema) } },
    },
    503: {
      description: 'Unhealthy: the database does not answer.',
      content: { 'application/json': { schema: plainOrV2Schema(DetailedHealthSchema) } },
    },
  },
});

export const getHealthDetailed = createRouter().openapi(route, async (c) => {
  const colo = typeof c.req.raw.cf?.colo === 'string' ? c.req.raw.cf.colo : null;
  const health = await detailedHealth(c.env, colo, config(c.env).ENVIRONMENT);
  c.header('Cache-Control', 'no-store');
  if (health.status === 'unhealthy') return c.json(plain(c, health), 503);
  return c.json(plain(c, health), 200);
});
