// One live topic over WebSocket, speaking the wire protocol in README "Live": reconnects
// with backoff, resumes from the last `seq` it saw, and reports `reset` so the caller
// refetches over HTTP.

export interface ServerMessage {
  type: string;
  seq?: number;
  timestamp?: string;
  [key: string]: unknown;
}

export type LinkState = 'connecting' | 'live' | 'offline' | 'closed';

export interface TopicOptions {
  path: string;
  token?: () => string | undefined;
  onOpen?: (send: (message: object) => void) => void;
  onMessage: (message: ServerMessage) => void;
  onReset?: () => void;
  onState?: (state: LinkState, detail?: string) => void;
  onAuthFailure?: (reason: string) => Promise<boolean>;
}

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;

export class LiveTopic {
  /** The newest seq received; sent back on reconnect to resume. */
  lastSeq: number | undefined;
  private attempt = 0;
  private stopped = false;
  private ws: WebSocket | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;

  constructor(private readonly options: TopicOptions) {
    this.connect();
  }

  private connect(): void {
    const { path, token } = this.options;
    const url = new URL(path, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.lastSeq !== undefined) url.searchParams.set('last_seq', String(this.lastSeq));
    // The token rides in Sec-WebSocket-Protocol rather than the URL, so it stays out of logs.
    const bearer = token?.();
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, bearer ? ['meridian.v1', `bearer.${bearer}`] : ['meridian.v1']);
    } catch (err) {
      // The constructor throws for a refused URL (CSP, mixed content): retry later like a drop.
      this.ws = undefined;
      this.backoff(String(err));
      return;
    }
    this.ws = ws;
    this.options.onState?.('connecting');
    ws.addEventListener('open', () => {
      if (this.stopped) return; // stop() closes it now (see there)
      this.lastHeard = Date.now();
      this.options.onOpen?.((message) => ws.send(JSON.stringify(message)));
      this.heartbeat = setInterval(() => this.beat(ws), PING_MS);
    });
    ws.addEventListener('message', (event) => {
      this.lastHeard = Date.now();
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      this.receive(message);
    });
    ws.addEventListener('close', (event) => void this.closed(ws, event.code, event.reason));
  }

  private receive(message: ServerMessage): void {
    if (message.type === 'pong') return;
    // Protocol errors (unknown symbol, rate limited...) are the page's bugs, not the user's news.
    if (message.type === 'error') console.warn(`live ${this.options.path}:`, message.code, message.message);
    if (message.type === 'welcome') {
      this.attempt = 0;
      this.options.onState?.('live');
      // First connection: start from the topic's current seq (the page just loaded over HTTP).
      if (this.lastSeq === undefined && typeof message.seq === 'number') this.lastSeq = message.seq;
      return;
    }
    if (message.type === 'reset') {
      if (typeof message.seq === 'number') this.lastSeq = message.seq;
      this.options.onReset?.();
      return;
    }
    if (typeof message.seq === 'number' && (this.lastSeq === undefined || message.seq > this.lastSeq))
      this.lastSeq = message.seq;
    this.options.onMessage(message);
  }

  /** A socket that went quiet for two heartbeats is dead even if the close never came. */
  private beat(ws: WebSocket): void {
    if (Date.now() - this.lastHeard > 2 * PING_MS + 5000) ws.close(4000, 'heartbeat lost');
    else ws.send('{"type":"ping"}');
  }

  private async closed(ws: WebSocket, code: number, reason: string): Promise<void> {
    clearInterval(this.heartbeat);
    if (ws !== this.ws || this.stopped) return;
    if (code === 1008 && /token|revoked/i.test(reason)) {
      // An expired access token can be refreshed; a revoked session cannot.
      const again = (await this.options.onAuthFailure?.(reason)) ?? false;
      if (!again || this.stopped) {
        this.options.onState?.('closed', reason);
        return;
      }
    }
    this.backoff(reason || `code ${code}`);
  }

  private backoff(why: string): void {
    this.options.onState?.('offline', why);
    // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.retry = setTimeout(() => this.connect(), delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    const ws = this.ws;
    // A socket still connecting is closed once it opens: closing it mid-handshake makes the
    // browser log "closed before the connection is established" (pages leave quickly).
    if (ws?.readyState === WebSocket.CONNECTING) ws.addEventListener('open', () => ws.close(1000, 'bye'));
    else ws?.close(1000, 'bye');
  }
}
