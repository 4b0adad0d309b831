// @ts-check
// One live topic over WebSocket, speaking the wire protocol in README "Live": reconnects
// with backoff, resumes from the last `seq` it saw, and reports `reset` so the caller
// refetches over HTTP.

/**
 * @typedef {{ type: string, seq?: number, timestamp?: string, [key: string]: unknown }} ServerMessage
 * @typedef {'connecting' | 'live' | 'offline' | 'closed'} LinkState
 * @typedef {{
 *   path: string,
 *   token?: () => string | undefined,
 *   onOpen?: (send: (message: object) => void) => void,
 *   onMessage: (message: ServerMessage) => void,
 *   onReset?: () => void,
 *   onState?: (state: LinkState, detail?: string) => void,
 *   onAuthFailure?: (reason: string) => Promise<boolean>,
 * }} TopicOptions
 */

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;

export class LiveTopic {
  /** @param {TopicOptions} options */
  constructor(options) {
    this.options = options;
    /** @type {number | undefined} the newest seq received; sent back on reconnect to resume */
    this.lastSeq = undefined;
    this.attempt = 0;
    this.stopped = false;
    /** @type {WebSocket | undefined} */
    this.ws = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retry = undefined;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.heartbeat = undefined;
    this.lastHeard = 0;
    this.connect();
  }

  connect() {
    const { path, token } = this.options;
    const url = new URL(path, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.lastSeq !== undefined) url.searchParams.set('last_seq', String(this.lastSeq));
    // The token rides in Sec-WebSocket-Protocol rather than the URL, so it stays out of logs.
    const bearer = token?.();
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new WebSocket(url, bearer ? ['meridian.v1', `bearer.${bearer}`] : ['meridian.v1']);
    } catch (err) {
      // The constructor throws for a refused URL (a CSP or mixed-content block): retry later like a drop.
      this.ws = undefined;
      this.backoff(String(err));
      return;
    }
    this.ws = ws;
    this.options.onState?.('connecting');
    ws.addEventListener('open', () => {
      this.lastHeard = Date.now();
      this.options.onOpen?.((message) => ws.send(JSON.stringify(message)));
      this.heartbeat = setInterval(() => this.beat(ws), PING_MS);
    });
    ws.addEventListener('message', (event) => {
      this.lastHeard = Date.now();
      /** @type {ServerMessage} */
      let message;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      this.receive(message);
    });
    ws.addEventListener('close', (event) => this.closed(ws, event.code, event.reason));
  }

  /** @param {ServerMessage} message */
  receive(message) {
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

  /** A socket that went quiet for two heartbeats is dead even if the close never came. @param {WebSocket} ws */
  beat(ws) {
    if (Date.now() - this.lastHeard > 2 * PING_MS + 5000) return ws.close(4000, 'heartbeat lost');
    ws.send('{"type":"ping"}');
  }

  /** @param {WebSocket} ws @param {number} code @param {string} reason */
  async closed(ws, code, reason) {
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

  /** @param {string} why */
  backoff(why) {
    this.options.onState?.('offline', why);
    // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.retry = setTimeout(() => this.connect(), delay);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.ws?.close(1000, 'bye');
  }
}
