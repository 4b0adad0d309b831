import { createRouter, defineRoute } from '../../../core/openapi';
import { plain, plainOrV2Schema } from '../../../core/responses';
import { HealthSchema } from '../schemas';
import { basicHealth } from '../service';

const responses = {
  200: {
    description: 'The service is up.',
    content: { 'application/json': { schema: plainOrV2Schema(HealthSchema) } },
  },
};

export const getHealth = createRouter()
  .openapi(
    defineRoute({
      method: 'get',
      path: '/health',
      tags: ['Health'],
      summary: 'Liveness probe (exempt from rate limits)',
      responses,
    }),
    (c) => c.json(plain(c, basicHealth()), 200),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/health',
      tags: ['Health'],
      summary: 'Basic health check (002)',
      responses,
    }),
    (c) => c.json(plain(c, basicHealth()), 200),
  );
