import { Hono } from 'hono';

/**
 * The platform's own floor for the HTTP bench: a bare Hono Worker answering `/health` on the
 * same wrangler/workerd as Meridian, started beside it in every run (bench/lib/bare.ts).
 * Every scenario reports its ratio to this, not only to Meridian's own `/health`.
 */
const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));

export default app;
