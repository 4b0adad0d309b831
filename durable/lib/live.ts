import { z } from 'zod';

// The live WebSocket protocol as both socket owners speak it: the public TopicHub and the
// per-user UserObject (personal topics). Pure helpers over the hibernation API and SQLite,
// so neither object repeats the framing, the abuse limits or the resume buffer.

/** Per-connection limits; the Worker reads them from the vars and hands them to the object. */
export interface LiveLimits {
  maxSubscriptions: number;
  maxMessageBytes: number;
  messagesPerMinute: number;
  maxStrikes: number;
}

/**
 * What the Worker tells an object when it forwards an upgrade, in the `X-Live-Init` header
 * (the objects are reachable only through the Worker, so the header is trusted).
 */
export interface LiveInit {
  topic: string;
  limits: LiveLimits;
  /** A resume requested on the connect URL (`?last_seq=N`). */
  lastSeq?: number;
  /** Hub: which shard of the topic this object is (0 is the root). */
  shard?: number;
  /** Hub: the topic's latest seq when the root placed the connection (non-root shards). */
  seq?: number;
  /** Personal topics: the session behind the token, or the API key used. */
  sessionId?: string;
  apiKeyId?: string;
  /** Whether the client offered `meridian.v1` in Sec-WebSocket-Protocol (echoed back). */
  protocol?: boolean;
  /** The slot this connection holds in its client address's object, released when it closes. */
  lease?: Lease;
}

/** A connection's slot in the per-address connection cap: the address key and a lease id. */
export interface Lease {
  address: string;
  id: string;
}

export const LIVE_INIT_HEADER = 'X-Live-Init';

/**
 * Per-socket state, kept in `serializeAttachment` so it survives hibernation. Short keys:
 * the runtime caps an attachment at 2,048 bytes, and `subs` holds up to 50 pairs.
 */
export interface SocketState {
  /** Topic. */
  t: string;
  /** Subscriptions: [asset id or "*", the symbol as the client wrote it]. */
  subs: [string, string][];
  /** Start of the current one-minute message window (epoch ms) and messages in it. */
  w: number;
  n: number;
  /** Strikes: invalid messages so far. */
  k: number;
  /** Limits: [max subscriptions, max message bytes, messages per minute, max strikes]. */
  l: [number, number, number, number];
  /** A `?last_seq` resume waiting for the first subscribe (market-data only). */
  r?: number;
  /** Session id (personal topics), for revocation. */
  sid?: string;
  /** The per-address lease: [address key, lease id]. */
  a?: [string, string];
  /** 1: one `price_updates` frame per publish instead of a message per symbol (market-data). */
  b?: 1;
}

/**
 * One frame holding a publish's messages for a socket that asked for batches: the messages
 * exactly as a per-symbol socket gets them, in order, inside `updates`; `first_seq`..`last_seq`
 * is the whole publish's range (a resume from `last_seq` misses nothing).
 */
export function batchFrame(bodies: string[], firstSeq: number, lastSeq: number): string {
  return `{"type":"price_updates","first_seq":${firstSeq},"last_seq":${lastSeq},"count":${bodies.length},"updates":[${bodies.join(',')}]}`;
}

export function newSocketState(init: LiveInit): SocketState {
  const l = init.limits;
  return {
    t: init.topic,
    subs: [],
    w: Date.now(),
    n: 0,
    k: 0,
    l: [l.maxSubscriptions, l.maxMessageBytes, l.messagesPerMinute, l.maxStrikes],
    ...(init.sessionId ? { sid: init.sessionId } : {}),
    ...(init.lease ? { a: [init.lease.address, init.lease.id] as [string, string] } : {}),
  };
}

/**
 * Gives back a closed socket's slot in its address's connection cap. Idempotent (a close
 * and an error for one socket release once); failures are logged by the caller's catch.
 */
export async function releaseLease(env: Env, lease: Lease | undefined): Promise<void> {
  if (!lease) return;
  await env.CLIENT_ADDRESS.getByName(lease.address).closeSocket(lease.id);
}

/** The lease a socket's state holds, if any. */
export function leaseOf(s: SocketState | null): Lease | undefined {
  return s?.a ? { address: s.a[0], id: s.a[1] } : undefined;
}

export function limitsOf(s: SocketState): LiveLimits {
  const [maxSubscriptions, maxMessageBytes, messagesPerMinute, maxStrikes] = s.l;
  return { maxSubscriptions, maxMessageBytes, messagesPerMinute, maxStrikes };
}

/**
 * Reads the state of a socket through a per-instance cache: deserializing an attachment
 * on every fan-out would cost more than the send, and after a hibernation wake-up the
 * cache is empty and refills from the attachments.
 */
export class SocketStates {
  private readonly cache = new WeakMap<WebSocket, SocketState>();

  get(ws: WebSocket): SocketState | null {
    let s = this.cache.get(ws);
    if (!s) {
      s = (ws.deserializeAttachment() as SocketState | null) ?? undefined;
      if (s) this.cache.set(ws, s);
    }
    return s ?? null;
  }

  set(ws: WebSocket, s: SocketState): void {
    ws.serializeAttachment(s);
    this.cache.set(ws, s);
  }
}

const Symbols = z.array(z.string().trim().min(1).max(24)).min(1).max(50);

/** What a client may send; anything else is answered with an `error` (and a strike). */
export const ClientMessage = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('subscribe'),
      symbols: Symbols,
      // Opt in to one `price_updates` frame per publish (a replay tick) instead of one
      // `price_update` per symbol; leaving it out keeps what the socket had (default: per symbol).
      batch: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal('unsubscribe'), symbols: Symbols }).strict(),
  z.object({ type: z.literal('resume'), last_seq: z.number().int().min(0) }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export type LiveErrorCode =
  | 'INVALID_MESSAGE'
  | 'RATE_LIMITED'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'UNKNOWN_SYMBOL'
  | 'SESSION_REVOKED'
  | 'API_KEY_REVOKED';

/** The exact heartbeat text the runtime answers without waking the object. */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

export const now = () => new Date().toISOString();

/** Sends without ever throwing: a socket that closed meanwhile is not the sender's problem. */
export function send(ws: WebSocket, data: string | Record<string, unknown>): void {
  try {
    ws.send(typeof data === 'string' ? data : JSON.stringify(data));
  } catch {
    // closed or closing: its webSocketClose cleans up
  }
}

export function sendError(ws: WebSocket, code: LiveErrorCode, message: string): void {
  send(ws, { type: 'error', code, message, timestamp: now() });
}

export function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

/**
 * The abuse screen every client message passes first: size (1009), the per-minute budget
 * (RATE_LIMITED, then 1008) and the zod check (INVALID_MESSAGE; at the strike limit, 1008).
 * Returns the parsed message, or null when it was handled here. Saves the state it changed.
 */
export function screen(
  ws: WebSocket,
  states: SocketStates,
  s: SocketState,
  raw: string | ArrayBuffer,
): ClientMessage | null {
  const [, maxBytes, perMinute, maxStrikes] = s.l;
  const size = typeof raw === 'string' ? new TextEncoder().encode(raw).byteLength : raw.byteLength;
  if (size > maxBytes) {
    close(ws, 1009, `Message larger than ${maxBytes} bytes`);
    return null;
  }
  const t = Date.now();
  if (t - s.w >= 60_000) {
    s.w = t;
    s.n = 0;
  }
  s.n++;
  if (s.n > perMinute) {
    sendError(ws, 'RATE_LIMITED', `More than ${perMinute} messages a minute`);
    close(ws, 1008, 'Rate limit exceeded');
    return null;
  }
  let parsed: ClientMessage | null = null;
  if (typeof raw === 'string') {
    try {
      const result = ClientMessage.safeParse(JSON.parse(raw));
      if (result.success) parsed = result.data;
    } catch {
      // not JSON: counted as invalid below
    }
  }
  if (!parsed) {
    s.k++;
    states.set(ws, s);
    if (s.k >= maxStrikes) {
      sendError(ws, 'INVALID_MESSAGE', 'Too many invalid messages');
      close(ws, 1008, 'Too many invalid messages');
    } else {
      sendError(
        ws,
        'INVALID_MESSAGE',
        'Expected JSON: {"type":"subscribe"|"unsubscribe","symbols":[...]}, {"type":"resume","last_seq":N} or {"type":"ping"}',
      );
    }
    return null;
  }
  states.set(ws, s);
  return parsed;
}

/** One stored topic message: its seq, the asset it is about (for filtering) and its JSON. */
export interface StoredMessage {
  seq: number;
  assetId: string | null;
  body: string;
}

/** What a resume finds: the missed messages, or that the buffer no longer reaches back. */
/**
 * A client message, screened: the socket's state and the parsed message, or null when the
 * screen handled it (or the socket has lost its state, which closes it with 1011).
 */
export function receive(
  ws: WebSocket,
  states: SocketStates,
  raw: string | ArrayBuffer,
): { state: SocketState; msg: ClientMessage } | null {
  const state = states.get(ws);
  if (!state) {
    close(ws, 1011, 'Lost connection state');
    return null;
  }
  const msg = screen(ws, states, state, raw);
  return msg ? { state, msg } : null;
}

export type ResumeLookup =
  | { status: 'ok'; messages: StoredMessage[]; latest: number }
  | { status: 'reset'; reason: string; latest: number };

/**
 * Per-topic sequence numbers and a bounded buffer of recent messages in the object's
 * SQLite, so a seq never repeats and a resume works across hibernation and eviction.
 */
export class TopicLog {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS live_topics (topic TEXT PRIMARY KEY, seq INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS live_messages (
      topic TEXT NOT NULL, seq INTEGER NOT NULL, asset_id TEXT, body TEXT NOT NULL,
      PRIMARY KEY (topic, seq))`);
  }

  latest(topic: string): number {
    const row = this.sql
      .exec<{ seq: number }>('SELECT seq FROM live_topics WHERE topic = ?', topic)
      .toArray()[0];
    return row?.seq ?? 0;
  }

  /**
   * Stamps each message with the next seq and the publish time, stores it, and drops what
   * falls out of the last `keep`. Synchronous: the object's input gate makes it atomic.
   */
  append(topic: string, messages: Record<string, unknown>[], keep: number): StoredMessage[] {
    let seq = this.latest(topic);
    const timestamp = now();
    const out: StoredMessage[] = [];
    for (const m of messages) {
      seq++;
      const body = JSON.stringify({ ...m, timestamp, seq });
      const assetId = typeof m.asset_id === 'string' ? m.asset_id : null;
      this.sql.exec(
        'INSERT OR REPLACE INTO live_messages (topic, seq, asset_id, body) VALUES (?, ?, ?, ?)',
        topic,
        seq,
        assetId,
        body,
      );
      out.push({ seq, assetId, body });
    }
    this.sql.exec(
      `INSERT INTO live_topics (topic, seq) VALUES (?1, ?2)
       ON CONFLICT (topic) DO UPDATE SET seq = ?2`,
      topic,
      seq,
    );
    this.sql.exec('DELETE FROM live_messages WHERE topic = ? AND seq <= ?', topic, seq - keep);
    return out;
  }

  /** The messages after `lastSeq`, or a reset when some of them are gone or it is ahead. */
  since(topic: string, lastSeq: number): ResumeLookup {
    const latest = this.latest(topic);
    if (lastSeq > latest) return { status: 'reset', reason: 'last_seq is ahead of the topic', latest };
    if (lastSeq === latest) return { status: 'ok', messages: [], latest };
    const messages = this.sql
      .exec<{ seq: number; asset_id: string | null; body: string }>(
        'SELECT seq, asset_id, body FROM live_messages WHERE topic = ? AND seq > ? ORDER BY seq',
        topic,
        lastSeq,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, assetId: r.asset_id, body: r.body }));
    if (messages[0]?.seq !== lastSeq + 1) {
      return { status: 'reset', reason: 'last_seq is older than the resume buffer', latest };
    }
    return { status: 'ok', messages, latest };
  }
}

/**
 * Sends a resume's outcome: each missed message exactly as first published (through
 * `deliver`, which may filter or re-label per socket and says whether it sent), then
 * `resumed` with the first and last seq sent; or `reset`.
 */
export function sendResume(
  ws: WebSocket,
  lastSeq: number,
  lookup: ResumeLookup,
  deliver: (m: StoredMessage) => boolean,
): void {
  if (lookup.status === 'reset') {
    send(ws, { type: 'reset', reason: lookup.reason, seq: lookup.latest, timestamp: now() });
    return;
  }
  let from: number | null = null;
  let to: number | null = null;
  for (const m of lookup.messages) {
    if (!deliver(m)) continue;
    from ??= m.seq;
    to = m.seq;
  }
  // Nothing missed is an empty range: from is one past to.
  send(ws, {
    type: 'resumed',
    from: from ?? lastSeq + 1,
    to: to ?? lastSeq,
    timestamp: now(),
  });
}

/** The `welcome` every socket gets first. */
export function welcome(topic: string, seq: number, limits: LiveLimits): string {
  return JSON.stringify({
    type: 'welcome',
    topic,
    seq,
    timestamp: now(),
    limits: {
      max_subscriptions: limits.maxSubscriptions,
      max_message_bytes: limits.maxMessageBytes,
      messages_per_minute: limits.messagesPerMinute,
    },
  });
}

/** Reads the Worker's `X-Live-Init` header. */
export function readInit(request: Request): LiveInit | null {
  const raw = request.headers.get(LIVE_INIT_HEADER);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as LiveInit;
  } catch {
    return null;
  }
}

/**
 * Accepts and at once closes with `code` and `reason`: a browser cannot read the status of
 * a refused upgrade, but it can read a close code. The server end is accepted the standard
 * way, not with the hibernation API: measured under `wrangler dev`, a hibernatable socket
 * closed before its 101 went out sent its close frame but kept the connection open, so the
 * client never saw `close` and a revoked token seemed to connect; this way it closes at once.
 */
export function refuse(code: number, reason: string, protocol: boolean): Response {
  const pair = new WebSocketPair();
  const server = pair[1];
  server.accept();
  server.close(code, reason);
  return new Response(null, {
    status: 101,
    webSocket: pair[0],
    ...(protocol ? { headers: { 'Sec-WebSocket-Protocol': 'meridian.v1' } } : {}),
  });
}

/**
 * What the 101 of a live socket says in `Sec-WebSocket-Extensions`: no extension, so no
 * permessage-deflate. Left unset, workerd agrees to the deflate that Node's WebSocket and
 * every browser offer, and then compresses each frame once per socket: the one string a
 * publish encodes for all sockets becomes a deflate per socket per message, which tripled
 * the runtime's CPU for a fan-out (bench/ws.ts; README "Benchmarks"). The runtime reads
 * the response's header as the extensions the Worker accepts and, finding no deflate in
 * it, agrees to none (the header does not reach the client). Frames are small JSON, a
 * price tick ~250 bytes, so compression would save little bandwidth for that CPU.
 */
export const NO_EXTENSIONS = 'none';

/**
 * Creates the pair, accepts the server end with the hibernation API and returns the 101
 * response, echoing `meridian.v1` when the client offered it (browsers fail the handshake
 * if a requested subprotocol is not selected), and declining compression (NO_EXTENSIONS).
 */
export function acceptPair(
  ctx: DurableObjectState,
  tags: string[],
  state: SocketState,
  states: SocketStates,
  protocol: boolean,
): { server: WebSocket; response: Response } {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  ctx.acceptWebSocket(server, tags);
  states.set(server, state);
  const headers: Record<string, string> = { 'Sec-WebSocket-Extensions': NO_EXTENSIONS };
  if (protocol) headers['Sec-WebSocket-Protocol'] = 'meridian.v1';
  return { server, response: new Response(null, { status: 101, webSocket: client, headers }) };
}
