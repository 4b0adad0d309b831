import { env } from 'cloudflare:workers';
import { z } from '@hono/zod-openapi';
import { createApp } from '../../src/app';
import { defineRoute } from '../../src/core/openapi';
import { envelope, envelopeSchema, plain, plainOrV2Schema } from '../../src/core/responses';

const Body = z.object({ name: z.string().min(1), amount: z.number().positive() });
const Query = z.object({ limit: z.coerce.number().int().max(10).optional() });
const Echo = z.object({ name: z.string(), amount: z.number(), counter: z.number() });

/**
 * The real app plus one validating POST per surface style, so cross-cutting behaviour
 * (validation errors, idempotency) is tested through the same middleware the product uses.
 * Each POST increments a counter in D1, so replays can be told from re-runs.
 */
export function probeApp() {
  const app = createApp();
  const paths = { envelope: '/api/v1/probe', fastapi: '/api/v1/data/probe', plain: '/api/probe' } as const;
  for (const [style, path] of Object.entries(paths)) {
    const schema = style === 'envelope' ? envelopeSchema(Echo) : plainOrV2Schema(Echo);
    const route = defineRoute({
      method: 'post',
      path,
      request: {
        query: Query,
        body: { content: { 'application/json': { schema: Body } }, required: true },
      },
      responses: { 201: { description: 'ok', content: { 'application/json': { schema } } } },
    });
    app.openapi(route, async (c) => {
      const input = c.req.valid('json');
      const row = await c.env.DB.prepare(
        `INSERT INTO seed_runs (name, checksum, rows, applied_at) VALUES ('probe-counter', '', 1, '')
         ON CONFLICT (name) DO UPDATE SET rows = rows + 1 RETURNING rows`,
      ).first<{ rows: number }>();
      const data = { ...input, counter: row?.rows ?? 0 };
      return c.json(style === 'envelope' ? envelope(c, data) : plain(c, data), 201);
    });
  }
  const explode = () => {
    throw new Error('secret internal detail at db.ts:42');
  };
  app.get('/api/probe/explode', explode);
  app.post('/api/probe/explode', explode);
  // Holds its request until the test opens the gate, to test concurrent retries.
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  app.post('/api/probe/slow', async (c) => {
    await gate;
    return c.json({ done: true }, 201);
  });
  return {
    paths,
    openGate: () => {
      open();
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    request: (path: string, init: RequestInit = {}) => app.request(`https://meridian.test${path}`, init, env),
  };
}
