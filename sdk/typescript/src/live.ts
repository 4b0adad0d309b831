import type { HttpTransport } from './transport';

/** A server message: `type` and `timestamp` always, `seq` on topic data. */
export interface LiveMessage {
  type: string;
  seq?: number;
  timestamp?: string;
  [key: string]: unknown;
}

export interface LiveOptions {
  /** market-data: the symbols to subscribe to, again after every reconnect. */
  symbols?: string[];
  /** Resume from this seq on the first connect (e.g. kept from an earlier session). */
  lastSeq?: number;
  onMessage?: (message: LiveMessage) => void;
  /** Reconnected after a drop; `resumedFrom` is the seq asked for. */
  onReconnect?: (resumedFrom: number | null) => void;
  /** The connection ended for good (closed, revoked, credentials refused). */
  onClose?: (reason: string) => void;
  maxReconnectDelayMs?: number;
  /** Another WebSocket implementation (default: the global one, Node 22 and browsers). */
  WebSocket?: typeof WebSocket;
}

const TERMINAL_ERRORS = new Set(['SESSION_REVOKED', 'API_KEY_REVOKED']);

/**
 * One live topic (`/ws/market-data`, `/ws/assets/BTC`, `/ws/notifications`...): subscribes,
 * keeps the last `seq`, and after a drop reconnects with `?last_seq=` so the server replays
 * what was missed (or sends `reset`); a refused token is refreshed once before giving up.
 */
export class LiveConnection {
  lastSeq: number | null;
  private socket: WebSocket | null = null;
  private symbols: Set<string>;
  private closed = false;
  private attempts = 0;
  private queue: LiveMessage[] = [];
  private waiters: ((r: IteratorResult<LiveMessage>) => void)[] = [];
  private opened: Promise<void>;
  private resolveOpened!: () => void;

  constructor(
    private readonly transport: HttpTransport,
    private readonly path: string,
    private readonly options: LiveOptions = {},
  ) {
    this.lastSeq = options.lastSeq ?? null;
    this.symbols = new Set(options.symbols ?? []);
    this.opened = new Promise((resolve) => {
      this.resolveOpened = resolve;
    });
    this.connect(false);
  }

  /** Resolves at the server's `welcome` on the first connection. */
  ready(): Promise<void> {
    return this.opened;
  }

  private url(): string {
    const url = new URL(this.path, this.transport.origin.replace(/^http/, 'ws'));
    if (this.lastSeq !== null) url.searchParams.set('last_seq', String(this.lastSeq));
    return url.toString();
  }

  private connect(isReconnect: boolean): void {
    const Impl = this.options.WebSocket ?? globalThis.WebSocket;
    const credential = this.transport.credential();
    const protocols = credential ? ['meridian.v1', `bearer.${credential}`] : ['meridian.v1'];
    const socket = new Impl(this.url(), protocols);
    this.socket = socket;
    const resumedFrom = this.lastSeq;
    socket.addEventListener('open', () => {
      if (this.symbols.size) socket.send(JSON.stringify({ type: 'subscribe', symbols: [...this.symbols] }));
    });
    socket.addEventListener('message', (event) => {
      let message: LiveMessage;
      try {
        message = JSON.parse(String(event.data)) as LiveMessage;
      } catch {
        return;
      }
      if (typeof message.seq === 'number' && message.type !== 'welcome' && message.type !== 'reset')
        this.lastSeq = Math.max(this.lastSeq ?? 0, message.seq);
      if (message.type === 'reset' && typeof message.seq === 'number') this.lastSeq = message.seq;
      if (message.type === 'welcome') {
        this.attempts = 0;
        this.resolveOpened();
        if (isReconnect) this.options.onReconnect?.(resumedFrom);
      }
      if (message.type === 'error' && TERMINAL_ERRORS.has(String(message.code))) {
        this.deliver(message);
        this.finish(String(message.code));
        return;
      }
      this.deliver(message);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket || this.closed) return;
      if (event.code === 1008 && /token/i.test(event.reason)) {
        void this.transport.refreshTokens().then((ok) => {
          if (ok && this.attempts++ === 0) this.connect(true);
          else this.finish(event.reason || 'credentials refused');
        });
        return;
      }
      if (event.code === 1008) {
        this.finish(event.reason || 'closed by the server');
        return;
      }
      const delay = Math.min(this.options.maxReconnectDelayMs ?? 10_000, 250 * 2 ** this.attempts++);
      setTimeout(() => {
        if (!this.closed) this.connect(true);
      }, delay);
    });
  }

  private deliver(message: LiveMessage): void {
    this.options.onMessage?.(message);
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: message, done: false });
    else this.queue.push(message);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.close(1000);
    this.options.onClose?.(reason);
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  /** market-data: adds symbols (kept for reconnects). */
  subscribe(symbols: string[]): void {
    for (const s of symbols) this.symbols.add(s);
    this.send({ type: 'subscribe', symbols });
  }

  unsubscribe(symbols: string[]): void {
    for (const s of symbols) this.symbols.delete(s);
    this.send({ type: 'unsubscribe', symbols });
  }

  send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(message));
  }

  /** Drops the connection but keeps `lastSeq`: `resume()` later gets what was published meanwhile. */
  disconnect(): void {
    const old = this.socket;
    this.socket = null;
    old?.close(4000, 'disconnect');
  }

  /** Connects again after `disconnect()`, asking the server for everything after `lastSeq`. */
  resume(): void {
    if (!this.closed && !this.socket) this.connect(true);
  }

  /** Drops the connection and reconnects at once, resuming from `lastSeq` (as after a network drop). */
  reconnect(): void {
    this.disconnect();
    this.resume();
  }

  close(): void {
    this.finish('closed by the client');
  }

  /** The messages as an async iterable; ends when the connection ends for good. */
  [Symbol.asyncIterator](): AsyncIterator<LiveMessage> {
    return {
      next: () => {
        const message = this.queue.shift();
        if (message) return Promise.resolve({ value: message, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
