import { Hono } from 'hono';
import { median } from './lib/stats';

/**
 * `npm run bench -- --suite middleware`: what each cross-cutting middleware costs a request,
 * in this process (Node's V8, the engine workerd runs): `GET /health` through the whole app,
 * through the app without one middleware at a time, and through a bare Hono app, each as
 * median CPU microseconds per request over interleaved rounds. A middleware's cost is the
 * whole app's time less the time without it. The telemetry sink is a stub here (its
 * ingest, in its own object, is `--suite telemetry`'s), so telemetry's row is the Worker's share.
 */
const REQUESTS = 20_000;

// The node project (tsconfig.node.json) has no Workers types, which src/ needs: the app is
// loaded by a computed path so that typecheck does not follow it (tsc -p tsconfig.json checks it).
const APP = '../src/app';
type Env = Record<string, unknown>;
type ExecutionContext = Record<string, unknown>;
type Fetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
interface AppModule {
  createApp(options?: { without?: readonly string[] }): { fetch: Fetch };
  MIDDLEWARE: readonly (readonly [string, unknown])[];
}
const ROUNDS = 5;

const env = {
  // Enough for /health: config() fills every other var with its default.
  ENVIRONMENT: 'development',
  DB: {},
  TELEMETRY: { getByName: () => ({ ingest: async (records: unknown[]) => records.length }) },
};
const ctx = {
  waitUntil: (p: Promise<unknown>) => void p.catch(() => {}),
  passThroughOnException: () => {},
  props: {},
};

async function microsPerRequest(fetch: Fetch): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) {
    const res = await fetch(new Request('http://bench.local/health'), env, ctx);
    if (res.status !== 200) throw new Error(`GET /health answered ${res.status}`);
    await res.arrayBuffer();
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / REQUESTS;
}

export async function runMiddlewareBench() {
  const { createApp, MIDDLEWARE } = (await import(APP)) as AppModule;
  const bare = new Hono();
  bare.get('/health', (c) => c.json({ status: 'ok' }));
  const variants: [string, Fetch][] = [
    ['bare Hono app', (r, e, c) => bare.fetch(r, e as never, c as never)],
    ['whole app', createApp().fetch],
    ...MIDDLEWARE.map(([name]): [string, Fetch] => [`without ${name}`, createApp({ without: [name] }).fetch]),
  ];
  for (const [, fetch] of variants) await microsPerRequest(fetch); // warm-up
  const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, fetch] of variants) samples.get(name)?.push(await microsPerRequest(fetch));
  const whole = median(samples.get('whole app') ?? []);
  const bareUs = median(samples.get('bare Hono app') ?? []);
  return variants.map(([name]) => {
    const us = median(samples.get(name) ?? []);
    return {
      variant: name,
      'us per request': us.toFixed(1),
      'x bare Hono': (us / bareUs).toFixed(2),
      'the middleware costs (us)': name.startsWith('without ') ? (whole - us).toFixed(1) : '',
    };
  });
}
