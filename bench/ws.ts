import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startBareServer, startServer } from './lib/server';
import type { FromClients, PublishSeen, ToClients } from './ws-clients';

// The WebSocket suite of `npm run bench -- --suite ws` (and `all`): a seeded `wrangler dev`
// on loopback, N clients (Node 22's global WebSocket) on /ws/market-data subscribed to "*",
// and real publishes: each fires the minute cron through /__scheduled, whose replay tick
// writes prices and publishes prices.updated, which the live subscriber sends to the
// market-data hub. The clients run in child processes (bench/ws-clients.ts), never in this
// one, which only fires the cron and tallies.
//
// Two latencies per message, both on the machine's one wall clock:
// - hub → client: receipt minus the message's `timestamp`. The hub stamps it with
//   `Date.now()` while handling the publish; workerd's clock does not move during a
//   synchronous run, so the stamp is the moment the publish reached the hub (its RPC
//   event began), never later: the fan-out loop's own time is inside this figure.
// - cron → client: receipt minus the moment this process asked for the cron
//   (`/__scheduled`): the replay tick's reads and writes before it publishes, plus the above.
// Per publish, the breakdown: cron → hub stamp, hub stamp → first receipt on any socket,
// hub stamp → last receipt (the fan-out's spread over sockets).
// Each mode's baseline is one client in the same run, so the 1,000-client figures read as
// ratios to it. WS_SHARD_CAPACITY (5,000) is above the client count, so every socket is on
// the topic's one root hub.

export interface WsBenchRow {
  case: string;
  /** The extensions the handshake agreed (the clients offer permessage-deflate, as browsers do). */
  compression: string;
  'load avg': string;
  published: number;
  delivered: string;
  'out of order': number;
  'p50 ms': string;
  'p99 ms': string;
  'max ms': string;
  'p50 x 1 client': string;
  'p99 x 1 client': string;
  /** Meridian's p50 / p99 over the bare hub's in the same case (clients, mode) of the same run. */
  'p50 / p99 x bare hub': string;
  'cron→client p50 / p99': string;
  'cron→hub p50': string;
  'hub→first p50': string;
  'hub→last p50 / max': string;
  /** CPU time per tick of the dev server's processes (workerd, wrangler) and of the client processes. */
  'CPU ms/tick workerd / clients': string;
}

const wallNow = () => performance.timeOrigin + performance.now();

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');

class ClientProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<
    string,
    { resolve: (m: FromClients) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;

  constructor() {
    // Its own Node process and event loop; `advanced` IPC passes typed arrays as they are.
    this.child = fork(new URL('./ws-clients.ts', import.meta.url), {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: FromClients) => {
      const key = m.type === 'count' ? `count:${m.id}` : m.type === 'failed' ? 'ready' : m.type;
      const waiter = this.waiting.get(key);
      this.waiting.delete(key);
      waiter?.resolve(m);
    });
    this.child.once('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`bench clients exited (${code})`));
      this.waiting.clear();
    });
  }

  private ask(message: ToClients, key: string): Promise<FromClients> {
    return new Promise((resolve, reject) => {
      this.waiting.set(key, { resolve, reject });
      this.child.send(message);
    });
  }

  /** Opens the sockets; resolves once they are subscribed with the process's CPU time (ms) and the agreed extensions. */
  async open(
    origin: string,
    query: string,
    clients: number,
    batch: boolean,
  ): Promise<{ cpuMs: number; extensions: string }> {
    const m = await this.ask({ type: 'open', origin, query, clients, batch }, 'ready');
    if (m.type !== 'ready') throw new Error(`bench clients: ${m.type === 'failed' ? m.error : m.type}`);
    return { cpuMs: m.cpuMs, extensions: m.extensions };
  }

  async count(): Promise<number> {
    const id = this.nextId++;
    const m = await this.ask({ type: 'count', id }, `count:${id}`);
    return m.type === 'count' ? m.delivered : 0;
  }

  async report(fires: number[]): Promise<Extract<FromClients, { type: 'report' }>> {
    const m = await this.ask({ type: 'report', fires }, 'report');
    if (m.type !== 'report') throw new Error('bench clients: no report');
    return m;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

interface CaseResult {
  row: Omit<WsBenchRow, 'p50 x 1 client' | 'p99 x 1 client' | 'p50 / p99 x bare hub'>;
  p50: number;
  p99: number;
  batch: boolean;
  clients: number;
  target: string;
}

/**
 * CPU time (user + system, ms) so far of every process in the dev server's process group
 * (wrangler leads it; workerd, which runs the Worker, the objects and local D1, is in it).
 */
function serverCpuMs(group: number | undefined): number {
  if (!group) return Number.NaN;
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may hold spaces): state is field 3, pgrp 5, utime 14, stime 15.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== group) continue;
      total += ((Number(f[11]) + Number(f[12])) / tick) * 1000;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** What the clients connect to and how a publish is set off. */
interface Target {
  name: string;
  origin: string;
  /** Appended to the socket URL (the bare hub's `?deflate=1`). */
  query?: string;
  /** The dev server's process group (for its CPU time). */
  group: number | undefined;
  /** Sets off one publish; resolves when the server has taken the request. */
  fire(): Promise<void>;
}

async function runCase(
  target: Target,
  clients: number,
  ticks: number,
  batch: boolean,
  procs: number,
): Promise<CaseResult> {
  const n = Math.max(1, Math.min(procs, clients));
  const children = Array.from({ length: n }, () => new ClientProcess());
  const loadBefore = loadavg()[0] ?? 0;
  try {
    const opened = await Promise.all(
      children.map((c, i) =>
        c.open(target.origin, target.query ?? '', Math.floor(clients / n) + (i < clients % n ? 1 : 0), batch),
      ),
    );
    const clientCpuBefore = opened.reduce((a, o) => a + o.cpuMs, 0);
    const extensions = opened[0]?.extensions || 'none';
    const serverCpuBefore = serverCpuMs(target.group);
    const delivered = async () =>
      (await Promise.all(children.map((c) => c.count()))).reduce((a, b) => a + b, 0);
    const fires: number[] = [];
    let quietTicks = 0;
    for (let t = 0; t < ticks; t++) {
      const before = await delivered();
      fires.push(wallNow());
      await target.fire();
      // The cron runs after /__scheduled answers: wait for its first message, then for the
      // fan-out to go quiet, so each tick's burst stands alone and none is cut off at the end.
      const deadline = Date.now() + 20_000;
      let now = before;
      while (now === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        now = await delivered();
      }
      if (now === before) quietTicks++;
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        const next = await delivered();
        if (next === now) break;
        now = next;
      }
    }
    if (quietTicks) process.stderr.write(`bench: ${quietTicks} tick(s) published nothing within 20 s\n`);
    const loadAfter = loadavg()[0] ?? 0;
    const serverCpu = serverCpuMs(target.group) - serverCpuBefore;
    const reports = await Promise.all(children.map((c) => c.report(fires)));
    const clientCpu = reports.reduce((s, r) => s + r.cpuMs, 0) - clientCpuBefore;

    const all = new Float64Array(reports.reduce((s, r) => s + r.latencies.length, 0));
    let offset = 0;
    for (const r of reports) {
      all.set(r.latencies, offset);
      offset += r.latencies.length;
    }
    const publishes = new Map<number, PublishSeen>();
    for (const r of reports) {
      for (const p of r.publishes) {
        const seen = publishes.get(p.stamp);
        if (!seen) publishes.set(p.stamp, { ...p });
        else {
          seen.firstSeq = Math.min(seen.firstSeq, p.firstSeq);
          seen.lastSeq = Math.max(seen.lastSeq, p.lastSeq);
          seen.firstAt = Math.min(seen.firstAt, p.firstAt);
          seen.lastAt = Math.max(seen.lastAt, p.lastAt);
          seen.count += p.count;
        }
      }
    }
    // cron → hub: each publish against the last cron fired before its stamp.
    const cronToHub: number[] = [];
    const toFirst: number[] = [];
    const toLast: number[] = [];
    for (const p of publishes.values()) {
      const fire = fires.findLast((f) => f <= p.stamp + 1) ?? fires[0] ?? p.stamp;
      cronToHub.push(p.stamp - fire);
      toFirst.push(p.firstAt - p.stamp);
      toLast.push(p.lastAt - p.stamp);
    }
    const sorted = all.slice().sort();
    const med = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 50);
    const published = [...publishes.values()].reduce((s, p) => s + (p.lastSeq - p.firstSeq + 1), 0);
    const got = reports.reduce((s, r) => s + r.delivered, 0);
    const disordered = reports.reduce((s, r) => s + r.disordered, 0);
    const closes = reports.flatMap((r) => r.closes);
    if (closes.length)
      process.stderr.write(`bench: server closed sockets during the run: ${JSON.stringify(closes)}\n`);
    const cron = new Float64Array(all.length);
    offset = 0;
    for (const r of reports) {
      cron.set(r.fromCron, offset);
      offset += r.fromCron.length;
    }
    cron.sort();
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    return {
      row: {
        case: `${target.name}: ${clients === 1 ? '1 client' : `${clients.toLocaleString('en')} clients, one hub`}, ${batch ? 'batched' : 'per-symbol'}`,
        compression: extensions,
        'load avg': `${loadBefore.toFixed(1)}-${loadAfter.toFixed(1)}`,
        published,
        delivered: `${got} of ${published * clients}`,
        'out of order': disordered,
        'p50 ms': ms(p50),
        'p99 ms': ms(p99),
        'max ms': ms(sorted[sorted.length - 1] ?? Number.NaN),
        'cron→client p50 / p99': `${ms(percentile(cron, 50))} / ${ms(percentile(cron, 99))}`,
        'cron→hub p50': ms(med(cronToHub)),
        'hub→first p50': ms(med(toFirst)),
        'hub→last p50 / max': `${ms(med(toLast))} / ${ms(Math.max(...toLast))}`,
        'CPU ms/tick workerd / clients': `${ms(serverCpu / ticks)} / ${ms(clientCpu / ticks)}`,
      },
      p50,
      p99,
      batch,
      clients,
      target: target.name,
    };
  } finally {
    for (const c of children) c.stop();
  }
}

/** Fires the minute cron on a `--test-scheduled` dev server (the replay tick, then its publishes). */
async function fireCron(origin: string): Promise<void> {
  const res = await fetch(`${origin}/__scheduled?cron=${encodeURIComponent('* * * * *')}`);
  await res.arrayBuffer();
}

/**
 * Starts its own seeded server (with /__scheduled) and the bare hub (bench/bare-hub/, the
 * platform's floor: sends only), then on each, per mode (per-symbol, the default; batched,
 * opt-in), one client and `clients` clients, in client processes of their own. The bare hub
 * publishes as many messages per tick as Meridian's replay tick did.
 */
export async function runWsBench(
  options: { clients?: number; ticks?: number; procs?: number; port?: number } = {},
): Promise<WsBenchRow[]> {
  const clients = options.clients ?? 1000;
  const ticks = options.ticks ?? 8;
  const procs = options.procs ?? 2;
  const server = await startServer({
    persistTo: '.wrangler/bench-ws',
    testScheduled: true,
    port: options.port,
  });
  const bare = await startBareServer(undefined, 'bare-hub');
  try {
    const results: CaseResult[] = [];
    const ours: Target = {
      name: 'Meridian',
      origin: server.origin,
      group: server.pid,
      fire: () => fireCron(server.origin),
    };
    // As many messages per bare publish as the replay tick sent (known after the first case).
    let perTick = 48;
    const floor: Target = {
      name: 'bare hub',
      origin: bare.origin,
      group: bare.pid,
      fire: async () => {
        const res = await fetch(`${bare.origin}/publish?count=${perTick}`, { method: 'POST' });
        await res.arrayBuffer();
      },
    };
    // The same bare hub with permessage-deflate agreed: what per-socket compression costs.
    const deflate: Target = { ...floor, name: 'bare hub, deflate agreed', query: '?deflate=1' };
    // Interleaved, so the machine's load (shared with other work) weighs on all alike.
    for (const batch of [false, true]) {
      for (const n of [1, clients]) {
        for (const target of [ours, floor, deflate]) {
          process.stderr.write(
            `bench: ws ${target.name}, ${n} client(s), ${batch ? 'batched' : 'per-symbol'}...\n`,
          );
          const result = await runCase(target, n, ticks, batch, procs);
          results.push(result);
          if (results.length === 1) perTick = Math.max(1, Math.round(result.row.published / ticks));
        }
      }
    }
    return results.map(({ row, p50, p99, batch, target, clients: n }) => {
      const base = results.find((r) => r.target === target && r.batch === batch && r.clients === 1);
      const floorCase = results.find((r) => r.target === floor.name && r.batch === batch && r.clients === n);
      const ratio = (a: number, b: number | undefined) => (b && b > 0 ? (a / b).toFixed(2) : 'n/a');
      return {
        ...row,
        'p50 x 1 client': ratio(p50, base?.p50),
        'p99 x 1 client': ratio(p99, base?.p99),
        'p50 / p99 x bare hub': `${ratio(p50, floorCase?.p50)} / ${ratio(p99, floorCase?.p99)}`,
      };
    });
  } finally {
    await Promise.all([server.stop(), bare.stop()]);
  }
}
