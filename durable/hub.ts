import { describeError, log } from '../src/core/logger';
import { MeridianObject } from './lib/base';
import {
  acceptPair,
  batchFrame,
  close,
  leaseOf,
  limitsOf,
  newSocketState,
  PING,
  PONG,
  type ResumeLookup,
  readInit,
  receive,
  releaseLease,
  type SocketState,
  SocketStates,
  type StoredMessage,
  send,
  sendError,
  sendResume,
  TopicLog,
  welcome,
} from './lib/live';

/** The topic whose sockets choose symbols; every other public topic sends all it gets. */
export const MARKET_DATA = 'market-data';

/** Where the root put a new connection, and the topic's seq at that moment. */
export interface Placement {
  shard: number;
  seq: number;
}

export interface PublishResult {
  first: number;
  last: number;
  /** Sockets on the root that were sent at least one message. */
  delivered: number;
  /** Other shards the messages were forwarded to (without waiting for them). */
  forwarded: number;
}

/** A shard's name: the root is the topic itself, the others `topic#n`. */
export function shardName(topic: string, shard: number): string {
  return shard === 0 ? topic : `${topic}#${shard}`;
}

/** How long the symbol catalog read from D1 is trusted before it is read again. */
const CATALOG_TTL_MS = 300_000;
const QUOTE_SUFFIX = /^(.+?)[-/](USD|USDT|USDC)$/;

interface Catalog {
  at: number;
  bySymbol: Map<string, { id: string; symbol: string }>;
  byId: Map<string, { id: string; symbol: string }>;
}

/**
 * One shard of one public live topic (market data, macro, sectors, an asset, signals). The
 * root shard (named after the topic) owns the topic's seq, its resume buffer and the list
 * of shards with their connection counts: the Worker asks it where to place a connection,
 * and publishers give it every message, which it stamps, stores, sends to its own sockets
 * and forwards to the other shards without waiting on them or on any client. Sockets use
 * the hibernation API, so an idle topic costs nothing and pings never wake it.
 */
export class TopicHub extends MeridianObject {
  protected readonly kind = 'hub';
  private readonly log: TopicLog;
  private readonly states = new SocketStates();
  private catalog: Catalog | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.log = new TopicLog(sql);
    sql.exec(`CREATE TABLE IF NOT EXISTS hub_shards (idx INTEGER PRIMARY KEY, connections INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS hub_meta (id INTEGER PRIMARY KEY CHECK (id = 1),
      topic TEXT NOT NULL, shard INTEGER NOT NULL)`);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  private get sql() {
    return this.ctx.storage.sql;
  }

  private meta(): { topic: string; shard: number } | null {
    return (
      this.sql
        .exec<{ topic: string; shard: number }>('SELECT topic, shard FROM hub_meta WHERE id = 1')
        .toArray()[0] ?? null
    );
  }

  private root(topic: string) {
    return this.env.HUB.getByName(topic);
  }

  // ---- root-only RPC ----

  /**
   * Root: picks the first shard with room under `capacity` (opening a new one when all are
   * full) and reserves a slot there; the shard corrects the count once the socket is up.
   */
  async place(topic: string, capacity: number): Promise<Placement> {
    this.sql.exec(
      `INSERT INTO hub_shards (idx, connections) VALUES (0, ?)
       ON CONFLICT (idx) DO UPDATE SET connections = MAX(connections, excluded.connections)`,
      this.ctx.getWebSockets().length,
    );
    const free = this.sql
      .exec<{ idx: number }>(
        'SELECT idx FROM hub_shards WHERE connections < ? ORDER BY idx LIMIT 1',
        capacity,
      )
      .toArray()[0];
    const shard =
      free?.idx ??
      this.sql.exec<{ n: number }>('SELECT COALESCE(MAX(idx), 0) + 1 AS n FROM hub_shards').one().n;
    this.sql.exec(
      `INSERT INTO hub_shards (idx, connections) VALUES (?, 1)
       ON CONFLICT (idx) DO UPDATE SET connections = connections + 1`,
      shard,
    );
    return { shard, seq: this.log.latest(topic) };
  }

  /** Root: a shard's actual connection count, reported when sockets open or close. */
  async report(shard: number, connections: number): Promise<void> {
    this.sql.exec(
      `INSERT INTO hub_shards (idx, connections) VALUES (?1, ?2)
       ON CONFLICT (idx) DO UPDATE SET connections = ?2`,
      shard,
      connections,
    );
  }

  /** Root: the shards and their connection counts (operations, tests). */
  async shards(): Promise<{ shard: number; connections: number }[]> {
    return this.sql
      .exec<{ idx: number; connections: number }>('SELECT idx, connections FROM hub_shards ORDER BY idx')
      .toArray()
      .map((r) => ({ shard: r.idx, connections: r.connections }));
  }

  /**
   * Root: stamps the messages with the topic's next seqs and the publish time, keeps the
   * last `keep` for resume, sends them to this shard's sockets and forwards them to the
   * other shards. Returns once stored and handed to the sockets: `ws.send` only queues,
   * and the forwards run on their own (failures are logged), so no client can slow it.
   */
  async publish(topic: string, messages: Record<string, unknown>[], keep: number): Promise<PublishResult> {
    if (!messages.length) {
      const seq = this.log.latest(topic);
      return { first: seq + 1, last: seq, delivered: 0, forwarded: 0 };
    }
    // The symbol catalog first (cached; read once after a wake-up), so the append and the
    // sends below run without a pause and concurrent publishes cannot interleave.
    if (topic === MARKET_DATA) await this.symbols().catch(() => null);
    const stored = this.log.append(topic, messages, keep);
    const others = this.sql
      .exec<{ idx: number }>('SELECT idx FROM hub_shards WHERE idx > 0 AND connections > 0')
      .toArray();
    // Forward before the root's own sends, so the other shards work in parallel with it.
    for (const { idx } of others) {
      const forward = this.env.HUB.getByName(shardName(topic, idx))
        .deliver(topic, stored)
        .catch((err: unknown) =>
          log('error', 'live.forward_failed', { topic, shard: idx, ...describeError(err) }),
        );
      this.ctx.waitUntil(forward);
    }
    const delivered = this.fanOut(topic, stored);
    return {
      first: stored[0]?.seq ?? 0,
      last: stored.at(-1)?.seq ?? 0,
      delivered,
      forwarded: others.length,
    };
  }

  /** Root: what a resume from `lastSeq` replays (shards ask for their sockets). */
  async since(topic: string, lastSeq: number): Promise<ResumeLookup> {
    return this.log.since(topic, lastSeq);
  }

  // ---- every shard ----

  /** Shard: messages the root already stamped, for this shard's sockets. */
  async deliver(topic: string, messages: StoredMessage[]): Promise<number> {
    if (topic === MARKET_DATA) await this.symbols().catch(() => null);
    return this.fanOut(topic, messages);
  }

  /** Sockets on this shard (tests, operations). */
  async connections(): Promise<number> {
    return this.ctx.getWebSockets().length;
  }

  /** Accepts an upgrade the Worker forwarded, with `X-Live-Init` saying topic, shard and limits. */
  override async fetch(request: Request): Promise<Response> {
    const init = readInit(request);
    if (!init || request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Live hubs accept WebSocket upgrades forwarded by the Worker', { status: 426 });
    }
    const shard = init.shard ?? 0;
    if (!this.meta()) {
      this.sql.exec('INSERT OR REPLACE INTO hub_meta (id, topic, shard) VALUES (1, ?, ?)', init.topic, shard);
    }
    const state = newSocketState(init);
    // On market-data a resume waits for the first subscribe: without symbols there is
    // nothing of the missed messages to send.
    if (init.lastSeq !== undefined && init.topic === MARKET_DATA) state.r = init.lastSeq;
    const { server, response } = acceptPair(this.ctx, [], state, this.states, init.protocol === true);
    const seq = shard === 0 ? this.log.latest(init.topic) : (init.seq ?? 0);
    send(server, welcome(init.topic, seq, limitsOf(state)));
    if (init.lastSeq !== undefined && init.topic !== MARKET_DATA) {
      await this.resume(server, state, init.lastSeq);
    }
    await this.reportCount(init.topic, shard);
    return response;
  }

  private async reportCount(topic: string, shard: number, leaving?: WebSocket): Promise<void> {
    const count = this.ctx.getWebSockets().filter((w) => w !== leaving).length;
    if (shard === 0) await this.report(0, count);
    else await this.root(topic).report(shard, count);
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const received = receive(ws, this.states, raw);
    if (!received) return;
    const { state, msg } = received;
    switch (msg.type) {
      case 'ping':
        send(ws, PONG);
        return;
      case 'resume':
        await this.resume(ws, state, msg.last_seq);
        return;
      case 'subscribe':
      case 'unsubscribe':
        if (state.t !== MARKET_DATA) {
          sendError(ws, 'INVALID_MESSAGE', `${state.t} sends every message; only market-data takes symbols`);
          return;
        }
        if (msg.type === 'subscribe') {
          if (msg.batch === true) state.b = 1;
          else if (msg.batch === false) delete state.b;
          await this.subscribe(ws, state, msg.symbols);
        } else this.unsubscribe(ws, state, msg.symbols);
        return;
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Reciprocate, so the client sees a clean close (1005/1006 cannot be sent back).
    close(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
    await this.afterClose(ws);
  }

  override async webSocketError(ws: WebSocket, err: unknown): Promise<void> {
    log('warn', 'live.socket_error', describeError(err));
    close(ws, 1011, 'Socket error');
    await this.afterClose(ws);
  }

  private async afterClose(ws: WebSocket): Promise<void> {
    await releaseLease(this.env, leaseOf(this.states.get(ws))).catch((err: unknown) =>
      log('warn', 'live.release_failed', describeError(err)),
    );
    const meta = this.meta();
    if (!meta) return;
    try {
      await this.reportCount(meta.topic, meta.shard, ws);
    } catch (err) {
      log('warn', 'live.report_failed', { topic: meta.topic, shard: meta.shard, ...describeError(err) });
    }
  }

  // ---- socket protocol ----

  private async resume(ws: WebSocket, state: SocketState, lastSeq: number): Promise<void> {
    const meta = this.meta();
    const topic = state.t;
    const lookup =
      !meta || meta.shard === 0
        ? this.log.since(topic, lastSeq)
        : await this.root(topic).since(topic, lastSeq);
    const catalog = topic === MARKET_DATA ? await this.symbols() : null;
    sendResume(ws, lastSeq, lookup, (m) => {
      const body = this.bodyFor(state, m, catalog, new Map());
      if (body) send(ws, body);
      return body !== null;
    });
  }

  private async symbols(force = false): Promise<Catalog> {
    if (this.catalog && !force && Date.now() - this.catalog.at < CATALOG_TTL_MS) return this.catalog;
    const { results } = await this.env.DB.prepare(
      "SELECT id, symbol FROM assets WHERE owner_id = '' AND is_active = 1",
    ).all<{ id: string; symbol: string }>();
    const bySymbol = new Map<string, { id: string; symbol: string }>();
    const byId = new Map<string, { id: string; symbol: string }>();
    for (const a of results) {
      bySymbol.set(a.symbol.toUpperCase(), a);
      byId.set(a.id, a);
    }
    this.catalog = { at: Date.now(), bySymbol, byId };
    return this.catalog;
  }

  /** An asset for what a client wrote: `ast_...`, `BTC`, or a pair against USD (`BTC/USD`, `ETH-USDT`). */
  private lookup(catalog: Catalog, written: string): { id: string; symbol: string } | undefined {
    if (written.toLowerCase().startsWith('ast_')) return catalog.byId.get(written.toLowerCase());
    const upper = written.toUpperCase();
    const exact = catalog.bySymbol.get(upper);
    if (exact) return exact;
    const pair = QUOTE_SUFFIX.exec(upper);
    return pair?.[1] ? catalog.bySymbol.get(pair[1]) : undefined;
  }

  private async subscribe(ws: WebSocket, state: SocketState, symbols: string[]): Promise<void> {
    let catalog = await this.symbols();
    const wanted: [string, string][] = [];
    const unknown: string[] = [];
    for (const written of symbols) {
      if (written === '*') {
        wanted.push(['*', '*']);
        continue;
      }
      let asset = this.lookup(catalog, written);
      if (!asset && Date.now() - catalog.at > 10_000) {
        // A symbol listed since the catalog was read: read it once more.
        catalog = await this.symbols(true);
        asset = this.lookup(catalog, written);
      }
      if (asset) wanted.push([asset.id, written]);
      else unknown.push(written);
    }
    if (unknown.length) sendError(ws, 'UNKNOWN_SYMBOL', `Unknown symbol(s): ${unknown.join(', ')}`);
    if (!wanted.length) return;
    // One entry per asset: subscribing again with another spelling relabels it.
    const next = new Map(state.subs);
    for (const [id, written] of wanted) next.set(id, written);
    const [maxSubscriptions] = state.l;
    if (next.size > maxSubscriptions) {
      sendError(ws, 'TOO_MANY_SUBSCRIPTIONS', `At most ${maxSubscriptions} subscriptions per connection`);
      return;
    }
    state.subs = [...next];
    this.states.set(ws, state);
    send(ws, { type: 'subscribed', symbols: wanted.map(([, w]) => w), timestamp: new Date().toISOString() });
    if (state.r !== undefined) {
      const lastSeq = state.r;
      delete state.r;
      this.states.set(ws, state);
      await this.resume(ws, state, lastSeq);
    }
  }

  private unsubscribe(ws: WebSocket, state: SocketState, symbols: string[]): void {
    const drop = new Set(symbols.map((s) => s.toUpperCase()));
    const removed: string[] = [];
    state.subs = state.subs.filter(([id, written]) => {
      const gone = drop.has(written.toUpperCase()) || drop.has(id.toUpperCase());
      if (gone) removed.push(written);
      return !gone;
    });
    this.states.set(ws, state);
    send(ws, { type: 'unsubscribed', symbols: removed, timestamp: new Date().toISOString() });
  }

  /**
   * The text one socket gets for a message, or null when it did not subscribe to its asset.
   * On market-data the `symbol` is the spelling the client subscribed with; bodies are
   * re-serialized once per spelling per message (`relabeled`), not once per socket.
   */
  private bodyFor(
    state: SocketState,
    m: StoredMessage,
    catalog: Catalog | null,
    relabeled: Map<string, string>,
  ): string | null {
    if (state.t !== MARKET_DATA || !m.assetId) return m.body;
    let written: string | null = null;
    let any = false;
    for (const [id, w] of state.subs) {
      if (id === m.assetId) written = w;
      else if (id === '*') any = true;
    }
    if (written === null) return any ? m.body : null;
    const canonical = catalog?.byId.get(m.assetId)?.symbol;
    if (written === canonical) return m.body;
    let body = relabeled.get(written);
    if (!body) {
      body = JSON.stringify({ ...(JSON.parse(m.body) as Record<string, unknown>), symbol: written });
      relabeled.set(written, body);
    }
    return body;
  }

  /**
   * Whether a socket gets every message of the topic exactly as stored: any topic but
   * market-data, or a market-data socket on `"*"` whose other subscriptions (if any) are
   * spelled canonically. Those sockets take the stored strings with no per-message work.
   */
  private takesAll(state: SocketState, catalog: Catalog | null): boolean {
    if (state.t !== MARKET_DATA) return true;
    let any = false;
    for (const [id, written] of state.subs) {
      if (id === '*') any = true;
      else if (catalog?.byId.get(id)?.symbol !== written) return false;
    }
    return any;
  }

  /**
   * Sends a publish to this shard's sockets. Per socket the work is its state (cached) and
   * `send`s of strings encoded before the loop: each stored body once for every socket that
   * takes all (`"*"`), and for batched sockets one frame built once for all of those. Only
   * sockets with a subset or their own spelling take the per-message path (`bodyFor`). Each
   * socket gets its messages in seq order.
   */
  private fanOut(topic: string, messages: StoredMessage[]): number {
    const sockets = this.ctx.getWebSockets();
    if (!sockets.length || !messages.length) return 0;
    const catalog = topic === MARKET_DATA ? this.catalog : null;
    const first = messages[0]?.seq ?? 0;
    const last = messages.at(-1)?.seq ?? 0;
    let whole: string | undefined;
    // Relabeled bodies, per message, per spelling: encoded once however many sockets share them.
    const relabeled = messages.map(() => new Map<string, string>());
    let reached = 0;
    for (const ws of sockets) {
      const state = this.states.get(ws);
      if (!state) continue;
      if (this.takesAll(state, catalog)) {
        if (state.b) {
          whole ??= batchFrame(
            messages.map((m) => m.body),
            first,
            last,
          );
          send(ws, whole);
        } else for (const m of messages) send(ws, m.body);
        reached++;
        continue;
      }
      const bodies: string[] = [];
      for (const [i, m] of messages.entries()) {
        const body = this.bodyFor(state, m, catalog, relabeled[i] ?? new Map());
        if (body !== null) bodies.push(body);
      }
      if (!bodies.length) continue;
      if (state.b) send(ws, batchFrame(bodies, first, last));
      else for (const body of bodies) send(ws, body);
      reached++;
    }
    return reached;
  }
}
