import { DurableObject } from 'cloudflare:workers';
import { Hono } from 'hono';

/**
 * The platform's own floor for the HTTP bench: a bare Hono Worker on the same wrangler/workerd
 * as Meridian, started beside it in every run (bench/lib/server.ts). Every scenario reports its
 * ratio to `/health` here. The other routes are the floor of what a route cannot avoid doing:
 * one Durable Object call that counts in SQLite (a rate limit, a session check), one D1 read,
 * sending a large body, and sending the response headers every Meridian answer carries, each
 * with nothing else around it.
 */
interface BareEnv {
  COUNTER: DurableObjectNamespace<Counter>;
  DB: D1Database;
}

/** One counter per key in the object's SQLite: what a rate-limit bucket costs at least. */
export class Counter extends DurableObject<BareEnv> {
  constructor(ctx: DurableObjectState, env: BareEnv) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL)');
  }

  hit(key: string): number {
    return this.ctx.storage.sql
      .exec<{ n: number }>(
        'INSERT INTO counts (key, n) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET n = n + 1 RETURNING n',
        key,
      )
      .one().n;
  }
}

// The size, shape and entropy of BTC's five-year daily history (~270 KB of JSON): a seeded
// random walk in single precision, printed as doubles the way stored prices print. Entropy
// matters: the runtime gzips JSON for clients that accept it, and a body of counting numbers
// compresses five times faster than real prices.
const LARGE = (() => {
  let seed = 20_181_231;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  let close = 3_742.7;
  const candles = Array.from({ length: 1730 }, (_, i) => {
    const open = close;
    close = Math.max(1, open * (1 + (random() - 0.5) * 0.08));
    const high = Math.max(open, close) * (1 + random() * 0.02);
    const low = Math.min(open, close) * (1 - random() * 0.02);
    return {
      timestamp: new Date(1_546_214_400_000 + i * 86_400_000).toISOString(),
      open: Math.fround(open),
      high: Math.fround(high),
      low: Math.fround(low),
      close: Math.fround(close),
      volume: Math.round(4_661_840_806 * (0.5 + random())),
    };
  });
  return JSON.stringify({ candles });
})();

// The headers every Meridian answer carries (security headers, `Vary`, API version, request id,
// Server-Timing), as `GET /health` sends them to a client without an Origin: 16 besides
// Content-Type and Content-Length. Each crosses the runtime and wrangler's local proxy.
const MERIDIAN_HEADERS: [string, string][] = [
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['Vary', 'Origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Timing-Allow-Origin', '*'],
  ['X-API-Version', '1.0'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

const app = new Hono<{ Bindings: BareEnv }>();
app.get('/health', (c) => c.json({ status: 'ok' }));
app.get('/headers', (c) => {
  for (const [name, value] of MERIDIAN_HEADERS) c.header(name, value);
  c.header('X-Request-Id', crypto.randomUUID());
  c.header('Server-Timing', 'total;dur=1.0;desc="Total Response Time"');
  return c.json({ status: 'healthy', timestamp: new Date().toISOString(), uptime: 1, version: '0.1.0' });
});
app.get('/do', async (c) => {
  const key = c.req.header('CF-Connecting-IP') ?? 'local';
  // 64 shards by the key, as Meridian's guest limiter has.
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  const n = await c.env.COUNTER.getByName(`shard:${h % 64}`).hit(key);
  return c.json({ status: 'ok', n });
});
app.get('/d1', async (c) => {
  const row = await c.env.DB.prepare('SELECT ? AS ok').bind(1).first<{ ok: number }>();
  return c.json({ status: 'ok', row });
});
app.get('/large', (c) => c.body(LARGE, 200, { 'Content-Type': 'application/json' }));

export default app;
