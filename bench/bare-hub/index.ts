import { DurableObject } from 'cloudflare:workers';

/**
 * The platform's own floor for the WebSocket bench (bench/ws.ts): a Worker and one Durable
 * Object on the same wrangler/workerd as Meridian that accepts hibernatable sockets on
 * `/ws/market-data`, speaks just enough of the protocol for the bench's clients (`welcome`,
 * `subscribe` with `"batch"`, `subscribed`), and on `POST /publish?count=N` sends N
 * `price_update`s shaped like Meridian's to every socket: each body encoded once and the
 * same string sent to every per-symbol socket, one frame encoded once for every batched one.
 * No storage, no D1, no catalog, no compression: what is left is the runtime's cost of
 * `send` and the frames.
 */
interface BareEnv {
  HUB: DurableObjectNamespace<BareHub>;
}

export class BareHub extends DurableObject<BareEnv> {
  private seq = 0;
  private readonly batched = new WeakMap<WebSocket, boolean>();

  override async fetch(request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.send(
      JSON.stringify({
        type: 'welcome',
        topic: 'market-data',
        seq: this.seq,
        timestamp: new Date().toISOString(),
      }),
    );
    // Like Meridian's live sockets (NO_EXTENSIONS in durable/lib/live.ts): no per-socket
    // deflate, so what is measured is the send of one shared string. `?deflate=1` leaves the
    // header unset, so the runtime agrees to the deflate the client offers (the bench's
    // measure of what compression costs).
    if (new URL(request.url).searchParams.get('deflate') === '1')
      return new Response(null, { status: 101, webSocket: client });
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: { 'Sec-WebSocket-Extensions': 'none' },
    });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const msg = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw)) as {
      type?: string;
      batch?: boolean;
    };
    if (msg.type !== 'subscribe') return;
    ws.serializeAttachment({ b: msg.batch === true });
    this.batched.set(ws, msg.batch === true);
    ws.send(JSON.stringify({ type: 'subscribed', symbols: ['*'], timestamp: new Date().toISOString() }));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  /** Sends `count` messages to every socket; returns the sockets reached. */
  async publish(count: number): Promise<number> {
    const timestamp = new Date().toISOString();
    const first = this.seq + 1;
    const bodies = Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        type: 'price_update',
        symbol: `SYM${i}`,
        asset_id: `ast_sym${i}`,
        price: 100 + i * 1.2345,
        change_pct_24h: 1.2345678,
        source: 'replay',
        market_time: timestamp,
        timestamp,
        seq: first + i,
      }),
    );
    this.seq += count;
    const frame = `{"type":"price_updates","first_seq":${first},"last_seq":${this.seq},"count":${count},"updates":[${bodies.join(',')}]}`;
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) {
      let batch = this.batched.get(ws);
      if (batch === undefined) {
        batch = (ws.deserializeAttachment() as { b?: boolean } | null)?.b === true;
        this.batched.set(ws, batch);
      }
      if (batch) ws.send(frame);
      else for (const body of bodies) ws.send(body);
    }
    return sockets.length;
  }
}

export default {
  async fetch(request: Request, env: BareEnv): Promise<Response> {
    const url = new URL(request.url);
    const hub = env.HUB.getByName('market-data');
    if (url.pathname === '/ws/market-data' && request.headers.get('Upgrade') === 'websocket')
      return hub.fetch(request);
    if (url.pathname === '/publish' && request.method === 'POST')
      return Response.json({ sockets: await hub.publish(Number(url.searchParams.get('count') ?? 48)) });
    if (url.pathname === '/health') return Response.json({ status: 'ok' });
    return new Response('not found', { status: 404 });
  },
} satisfies ExportedHandler<BareEnv>;
