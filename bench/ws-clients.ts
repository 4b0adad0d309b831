// The WebSocket bench's clients, in their own process (forked by bench/ws.ts), so the
// sockets' receive work runs on this process's event loop and not on the one that fires the
// cron and tallies results. On each frame the handler only notes the arrival time and keeps
// the text: parsing waits until the parent asks for the report, so a burst of frames is not
// slowed by the harness's own JSON work. Arrival times are wall clock
// (`performance.timeOrigin + performance.now()`), comparable with the parent's and with the
// hub's `timestamp` on the same machine.

/** Parent → child. */
export type ToClients =
  | { type: 'open'; origin: string; query: string; clients: number; batch: boolean }
  | { type: 'count'; id: number }
  /** `fires`: when the parent asked for each cron (epoch ms), for the cron → client times. */
  | { type: 'report'; fires: number[] };

/** One publish (the messages sharing one hub stamp) as this process's sockets got it. */
export interface PublishSeen {
  /** The hub's `timestamp` (epoch ms) of the messages of that publish. */
  stamp: number;
  firstSeq: number;
  lastSeq: number;
  /** First and last receipt of any of its messages on any socket (epoch ms). */
  firstAt: number;
  lastAt: number;
  /** Messages of it delivered, over all sockets. */
  count: number;
}

/** Child → parent. */
export type FromClients =
  /** `cpuMs`: this process's CPU time (user + system) so far. */
  | { type: 'ready'; clients: number; cpuMs: number; extensions: string }
  | { type: 'failed'; error: string }
  | { type: 'count'; id: number; delivered: number }
  | {
      type: 'report';
      /** Receipt time minus hub stamp, one per delivered `price_update` (ms). */
      latencies: Float64Array;
      /** Receipt time minus the last cron fired before the message's stamp, same order (ms). */
      fromCron: Float64Array;
      publishes: PublishSeen[];
      delivered: number;
      /** This process's CPU time so far (ms), taken before the report's own parsing. */
      cpuMs: number;
      /** Messages a socket got out of seq order or twice (must be 0). */
      disordered: number;
      /** Server-initiated closes during the run, by `code reason`. */
      closes: [string, number][];
    };

interface Client {
  ws: WebSocket;
  frames: string[];
  at: number[];
}

const wallNow = () => performance.timeOrigin + performance.now();

function reply(message: FromClients): void {
  process.send?.(message);
}

const clients: Client[] = [];
const closes = new Map<string, number>();
let delivered = 0;
let closing = false;

function open(wsOrigin: string, query: string, batch: boolean): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsOrigin}/ws/market-data${query}`);
    const client: Client = { ws, frames: [], at: [] };
    let subscribed = false;
    const timer = setTimeout(() => reject(new Error('no subscribed within 30 s')), 30_000);
    ws.addEventListener('error', () => reject(new Error('WebSocket error')));
    ws.addEventListener('close', (e) => {
      if (closing) return;
      const key = `${e.code} ${e.reason}`;
      closes.set(key, (closes.get(key) ?? 0) + 1);
    });
    ws.addEventListener('message', (e) => {
      const at = wallNow();
      const text = String(e.data);
      if (subscribed) {
        client.frames.push(text);
        client.at.push(at);
        // A batched frame counts as its messages: "count" is near the front of the frame.
        delivered += text.startsWith('{"type":"price_updates"')
          ? Number(/"count":(\d+)/.exec(text)?.[1] ?? 0)
          : 1;
        return;
      }
      const m = JSON.parse(text) as { type: string };
      if (m.type === 'welcome')
        ws.send(JSON.stringify({ type: 'subscribe', symbols: ['*'], ...(batch ? { batch: true } : {}) }));
      else if (m.type === 'subscribed') {
        subscribed = true;
        clearTimeout(timer);
        resolve(client);
      }
    });
  });
}

interface Msg {
  type: string;
  seq?: number;
  timestamp?: string;
  updates?: { seq?: number; timestamp?: string }[];
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function report(fires: number[]): FromClients {
  const cpu = cpuMs();
  const latencies: number[] = [];
  const fromCron: number[] = [];
  const publishes = new Map<number, PublishSeen>();
  let count = 0;
  let disordered = 0;
  for (const c of clients) {
    let last = -1;
    const take = (u: { seq?: number; timestamp?: string }, at: number) => {
      if (u.seq === undefined || !u.timestamp) return;
      const stamp = Date.parse(u.timestamp);
      if (u.seq <= last) disordered++;
      last = u.seq;
      latencies.push(at - stamp);
      fromCron.push(at - (fires.findLast((f) => f <= stamp + 1) ?? Number.NaN));
      count++;
      const p = publishes.get(stamp);
      if (p) {
        p.firstSeq = Math.min(p.firstSeq, u.seq);
        p.lastSeq = Math.max(p.lastSeq, u.seq);
        p.firstAt = Math.min(p.firstAt, at);
        p.lastAt = Math.max(p.lastAt, at);
        p.count++;
      } else
        publishes.set(stamp, { stamp, firstSeq: u.seq, lastSeq: u.seq, firstAt: at, lastAt: at, count: 1 });
    };
    for (const [i, text] of c.frames.entries()) {
      const m = JSON.parse(text) as Msg;
      const at = c.at[i] ?? Number.NaN;
      if (m.type === 'price_update') take(m, at);
      else if (m.type === 'price_updates') for (const u of m.updates ?? []) take(u, at);
    }
  }
  return {
    type: 'report',
    latencies: Float64Array.from(latencies),
    fromCron: Float64Array.from(fromCron),
    publishes: [...publishes.values()],
    delivered: count,
    cpuMs: cpu,
    disordered,
    closes: [...closes],
  };
}

process.on('message', async (raw: ToClients) => {
  if (raw.type === 'open') {
    const wsOrigin = raw.origin.replace(/^http/, 'ws');
    try {
      // 50 at a time: the Worker places each on the root hub, which serializes placement.
      for (let i = 0; i < raw.clients; i += 50) {
        const size = Math.min(50, raw.clients - i);
        clients.push(
          ...(await Promise.all(Array.from({ length: size }, () => open(wsOrigin, raw.query, raw.batch)))),
        );
      }
      // What the handshake agreed (permessage-deflate or nothing): the same for every socket.
      reply({
        type: 'ready',
        clients: clients.length,
        cpuMs: cpuMs(),
        extensions: clients[0]?.ws.extensions ?? '',
      });
    } catch (err) {
      reply({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
    }
  } else if (raw.type === 'count') {
    reply({ type: 'count', id: raw.id, delivered });
  } else if (raw.type === 'report') {
    closing = true;
    for (const c of clients) c.ws.close(1000, 'bench done');
    // The parent ends this process once it has the report.
    reply(report(raw.fires));
  }
});
