import { type Server, startServer } from './lib/server';

// The bots suite's real path (`npm run bench -- --suite bots`): 100 paper bots on a seeded
// `wrangler dev`, each started at once (and 20 more one at a time). A start is the bot's Durable Object deciding on its last
// closed bar, exactly as its alarm does (`BotObject.tick`): the bot row, candles and the paper
// account from D1, the strategy, the risk limits, and a fill committed to the ledger in one D1
// batch, then the bot-status and performance messages. Baseline in the same run: 100 concurrent
// reads of the same bots (`GET /api/bots/{id}`: auth, one D1 read), so the ratio says what a
// tick costs over the Worker's floor on this machine.

export interface BotsLiveRow {
  case: string;
  requests: number;
  'p50 ms': string;
  'p99 ms': string;
  'wall ms': string;
  throughput: string;
  'p99 x base': string;
}

const STRATEGIES = [
  { strategy: 'dca', parameters: { amount: 500, intervalBars: 1 } },
  { strategy: 'momentum' },
  { strategy: 'mean_reversion' },
  { strategy: 'sma_crossover', parameters: { fast: 10, slow: 30 } },
  { strategy: 'grid', parameters: { lower: 20_000, upper: 60_000 } },
] as const;
/** The API allows 50 bots per user: 4 users of 25 tick at once, a 5th user's 20 one at a time. */
const USERS = 5;
const PER_USER = 25;
const SERIAL = 20;

const pick = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

async function register(origin: string, i: number): Promise<string> {
  const res = await fetch(`${origin}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: `bots-${Date.now()}-${i}@example.com`, password: 'bench-password-1' }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function timed(
  calls: (() => Promise<Response>)[],
  ok: (status: number) => boolean,
): Promise<{ lat: number[]; wall: number; bodies: unknown[] }> {
  const t0 = performance.now();
  const results = await Promise.all(
    calls.map(async (call) => {
      const s = performance.now();
      const res = await call();
      const body = await res.json();
      const ms = performance.now() - s;
      if (!ok(res.status)) throw new Error(`bench: ${res.status} ${JSON.stringify(body)}`);
      return { ms, body };
    }),
  );
  return {
    lat: results.map((r) => r.ms).sort((a, b) => a - b),
    wall: performance.now() - t0,
    bodies: results.map((r) => r.body),
  };
}

async function serial(calls: (() => Promise<Response>)[]): Promise<{ lat: number[]; wall: number }> {
  const lat: number[] = [];
  const t0 = performance.now();
  for (const call of calls) {
    const s = performance.now();
    const res = await call();
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`bench: ${res.status}`);
    lat.push(performance.now() - s);
  }
  return { lat: lat.sort((a, b) => a - b), wall: performance.now() - t0 };
}

export async function runBotsLiveBench(port?: number): Promise<BotsLiveRow[]> {
  let server: Server | undefined;
  try {
    server = await startServer(port ? { port } : {});
    const origin = server.origin;
    const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => register(origin, i)));
    const auth = (t: string) => ({ Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' });
    // Create the bots (a few at a time: creation is not what is measured).
    const bots: { id: string; token: string }[] = [];
    for (const token of tokens) {
      for (let i = 0; i < PER_USER; i += 5) {
        const made = await Promise.all(
          Array.from({ length: 5 }, async (_, k) => {
            const spec = STRATEGIES[(i + k) % STRATEGIES.length] ?? STRATEGIES[0];
            const res = await fetch(`${origin}/api/bots`, {
              method: 'POST',
              headers: auth(token),
              body: JSON.stringify({
                name: `bench ${i + k}`,
                tradingPair: 'BTC/USD',
                timeframe: '1d',
                ...spec,
              }),
            });
            if (res.status !== 201) throw new Error(`create bot: ${res.status} ${await res.text()}`);
            return { id: ((await res.json()) as { id: string }).id, token };
          }),
        );
        bots.push(...made);
      }
    }
    // Warm the isolate and the objects' code path once (not measured).
    await fetch(`${origin}/api/bots/${bots[0]?.id}`, { headers: auth(bots[0]?.token ?? '') });

    const serialBots = bots.slice(100, 100 + SERIAL);
    const concurrent = bots.slice(0, 100);
    const read = (b: { id: string; token: string }) => () =>
      fetch(`${origin}/api/bots/${b.id}`, { headers: auth(b.token) });
    const start = (b: { id: string; token: string }) => () =>
      fetch(`${origin}/api/bots/${b.id}/start`, { method: 'POST', headers: auth(b.token) });
    // One at a time first (one tick's latency on an otherwise idle server), then 100 at once.
    const serialBase = await serial(serialBots.map(read));
    const serialTicks = await serial(serialBots.map(start));
    const base = await timed(concurrent.map(read), (s) => s === 200);
    const ticks = await timed(concurrent.map(start), (s) => s === 200);
    // What the ticks did, from each bot's object (its decision on the bar).
    const statuses = await Promise.all(
      concurrent.map(async (b) => {
        const res = await fetch(`${origin}/api/bots/${b.id}/status`, { headers: auth(b.token) });
        return (await res.json()) as { decisions?: { action: string; barTime?: string }[] };
      }),
    );
    const actions = new Map<string, number>();
    for (const s of statuses) {
      const a = s.decisions?.[0]?.action ?? 'none';
      actions.set(a, (actions.get(a) ?? 0) + 1);
    }
    const mix = [...actions].map(([a, n]) => `${n} ${a}`).join(', ');
    const baseP99 = pick(base.lat, 0.99);
    const row = (name: string, r: { lat: number[]; wall: number }, unit: string): BotsLiveRow => ({
      case: name,
      requests: r.lat.length,
      'p50 ms': pick(r.lat, 0.5).toFixed(1),
      'p99 ms': pick(r.lat, 0.99).toFixed(1),
      'wall ms': r.wall.toFixed(0),
      throughput: `${((r.lat.length * 1000) / r.wall).toFixed(1)} ${unit}/s`,
      'p99 x base': (pick(r.lat, 0.99) / baseP99).toFixed(2),
    });
    const serialRow = (name: string, r: { lat: number[]; wall: number }, unit: string) => ({
      ...row(name, r, unit),
      'p99 x base': (pick(r.lat, 0.99) / pick(serialBase.lat, 0.99)).toFixed(2),
    });
    return [
      serialRow(`baseline: ${SERIAL} bot reads one at a time`, serialBase, 'reads'),
      serialRow(`${SERIAL} bots tick one at a time through DO + D1 + ledger`, serialTicks, 'decisions'),
      row('baseline: 100 concurrent bot reads (GET /api/bots/{id})', base, 'reads'),
      row(`100 bots tick at once through DO + D1 + ledger (${mix})`, ticks, 'decisions'),
    ];
  } finally {
    await server?.stop();
  }
}
