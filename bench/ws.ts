import { startServer } from './lib/server';

// The WebSocket suite of `npm run bench -- --suite ws` (and `all`): a seeded `wrangler dev`
// on loopback, N clients (Node 22's global WebSocket) on /ws/market-data subscribed to "*",
// and real publishes: each fires the minute cron through /__scheduled, whose replay tick
// writes prices and publishes prices.updated, which the live subscriber sends to the
// market-data hub. Latency is receipt time minus the message's `timestamp` (the moment the
// hub stamped it), on one machine's clock. The baseline is the same run with one client,
// so the 1,000-client figures read as ratios to it. WS_SHARD_CAPACITY (5,000) is above
// the client count, so every socket is on the topic's one root hub.

export interface WsBenchRow {
  case: string;
  clients: number;
  ticks: number;
  'messages published': number;
  'messages delivered': number;
  'delivered %': string;
  'p50 ms': string;
  'p99 ms': string;
  'max ms': string;
  'delivered msg/s (burst)': string;
  'p50 x base': string;
}

interface Client {
  ws: WebSocket;
  received: number;
}

interface Sample {
  /** Closes the server initiated during the run, by code and reason. */
  closes: Map<string, number>;
  latencies: number[];
  seqs: Set<number>;
  delivered: number;
  /** Per publish (one seq's timestamp): first stamp and last receipt, for the burst rate. */
  bursts: Map<string, { start: number; end: number; count: number }>;
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/** One delivered `price_update` (alone, or inside a batched frame) received at `at`. */
function record(sample: Sample, client: Client, m: { seq?: number; timestamp?: string }, at: number): void {
  if (!m.timestamp || m.seq === undefined) return;
  const stamped = Date.parse(m.timestamp);
  sample.latencies.push(at - stamped);
  sample.seqs.add(m.seq);
  sample.delivered++;
  client.received++;
  // Messages of one publish share their timestamp: group bursts by it.
  const b = sample.bursts.get(m.timestamp);
  if (b) {
    b.end = Math.max(b.end, at);
    b.count++;
  } else sample.bursts.set(m.timestamp, { start: stamped, end: at, count: 1 });
}

async function open(wsOrigin: string, sample: Sample, batch: boolean): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsOrigin}/ws/market-data`);
    const client: Client = { ws, received: 0 };
    const timer = setTimeout(() => reject(new Error('no subscribed within 30 s')), 30_000);
    ws.addEventListener('error', () => reject(new Error('WebSocket error')));
    ws.addEventListener('close', (e) => {
      const key = `${e.code} ${e.reason}`;
      sample.closes.set(key, (sample.closes.get(key) ?? 0) + 1);
    });
    ws.addEventListener('message', (e) => {
      const at = Date.now();
      const m = JSON.parse(String(e.data)) as {
        type: string;
        seq?: number;
        timestamp?: string;
        updates?: { seq?: number; timestamp?: string }[];
      };
      if (m.type === 'welcome')
        ws.send(JSON.stringify({ type: 'subscribe', symbols: ['*'], ...(batch ? { batch: true } : {}) }));
      else if (m.type === 'subscribed') {
        clearTimeout(timer);
        resolve(client);
      } else if (m.type === 'price_update') record(sample, client, m, at);
      else if (m.type === 'price_updates') for (const u of m.updates ?? []) record(sample, client, u, at);
    });
  });
}

async function settle(sample: Sample, quietMs: number): Promise<void> {
  let last = sample.delivered;
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    if (sample.delivered === last) return;
    last = sample.delivered;
  }
}

async function runCase(
  origin: string,
  clients: number,
  ticks: number,
  batch = false,
): Promise<Omit<WsBenchRow, 'p50 x base'> & { p50: number }> {
  const wsOrigin = origin.replace(/^http/, 'ws');
  const sample: Sample = {
    closes: new Map(),
    latencies: [],
    seqs: new Set(),
    delivered: 0,
    bursts: new Map(),
  };
  const sockets: Client[] = [];
  for (let i = 0; i < clients; i += 50) {
    const size = Math.min(50, clients - i);
    sockets.push(...(await Promise.all(Array.from({ length: size }, () => open(wsOrigin, sample, batch)))));
  }
  let quietTicks = 0;
  for (let t = 0; t < ticks; t++) {
    const before = sample.seqs.size;
    const res = await fetch(`${origin}/__scheduled?cron=${encodeURIComponent('* * * * *')}`);
    await res.arrayBuffer();
    // The cron runs after /__scheduled answers: wait for its first message, then for the
    // fan-out to go quiet, so each tick's burst stands alone and none is cut off at the end.
    const deadline = Date.now() + 20_000;
    while (sample.seqs.size === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (sample.seqs.size === before) quietTicks++;
    await settle(sample, 500);
  }
  if (quietTicks) process.stderr.write(`bench: ${quietTicks} tick(s) published nothing within 20 s\n`);
  if (sample.closes.size) {
    process.stderr.write(
      `bench: server closed sockets during the run: ${JSON.stringify([...sample.closes])}\n`,
    );
  }
  for (const c of sockets) c.ws.close(1000, 'bench done');
  const sorted = Float64Array.from(sample.latencies).sort();
  let burstMs = 0;
  let burstCount = 0;
  for (const b of sample.bursts.values()) {
    burstMs += Math.max(1, b.end - b.start);
    burstCount += b.count;
  }
  const published = sample.seqs.size;
  const p50 = percentile(sorted, 50);
  return {
    case: `${clients === 1 ? 'baseline: 1 client' : `${clients} clients, one hub`}${batch ? ', batched (one frame per publish)' : ''}`,
    clients,
    ticks,
    'messages published': published,
    'messages delivered': sample.delivered,
    'delivered %': published ? ((sample.delivered / (published * clients)) * 100).toFixed(1) : '0',
    'p50 ms': p50.toFixed(1),
    'p99 ms': percentile(sorted, 99).toFixed(1),
    'max ms': (sorted[sorted.length - 1] ?? Number.NaN).toFixed(1),
    'delivered msg/s (burst)': burstMs ? ((burstCount / burstMs) * 1000).toFixed(0) : '0',
    p50,
  };
}

/** Starts its own seeded server (with /__scheduled), runs the baseline and the load, stops it. */
export async function runWsBench(options: { clients?: number; ticks?: number } = {}): Promise<WsBenchRow[]> {
  const clients = options.clients ?? 1000;
  const ticks = options.ticks ?? 8;
  const server = await startServer({ persistTo: '.wrangler/bench-ws', testScheduled: true });
  try {
    process.stderr.write('bench: ws baseline (1 client)...\n');
    const base = await runCase(server.origin, 1, ticks);
    process.stderr.write(`bench: ws ${clients} clients...\n`);
    const load = await runCase(server.origin, clients, ticks);
    process.stderr.write(`bench: ws ${clients} clients, batched...\n`);
    const batched = await runCase(server.origin, clients, ticks, true);
    return [base, load, batched].map(({ p50, ...row }) => ({
      ...row,
      'p50 x base': base.p50 > 0 ? (p50 / base.p50).toFixed(2) : 'n/a',
    }));
  } finally {
    await server.stop();
  }
}
