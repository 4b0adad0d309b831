import { exports } from 'cloudflare:workers';
import { freshIp } from '../helpers/users';

export interface LiveMsg {
  type: string;
  seq?: number;
  timestamp?: string;
  [field: string]: unknown;
}

/** A test WebSocket client: every message kept in order, with waits on what comes next. */
export interface TestSocket {
  ws: WebSocket;
  status: number;
  protocol: string | null;
  messages: LiveMsg[];
  /** Resolves with the close code and reason once the server closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** The next message (after those already taken) matching `match`, within `ms`. */
  next(match?: (m: LiveMsg) => boolean, ms?: number): Promise<LiveMsg>;
  send(data: unknown): void;
  close(): void;
}

/** Opens `path` as a WebSocket through the Worker, from its own client address. */
export async function connect(
  path: string,
  options: { headers?: Record<string, string>; fetcher?: (req: Request) => Promise<Response> } = {},
): Promise<TestSocket> {
  const req = new Request(`http://meridian.test${path}`, {
    headers: { Upgrade: 'websocket', 'CF-Connecting-IP': freshIp(), ...options.headers },
  });
  const res = await (options.fetcher ?? ((r: Request) => exports.default.fetch(r)))(req);
  const ws = res.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  const messages: LiveMsg[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  let closeInfo: { code: number; reason: string } | null = null;
  let resolveClosed: (v: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((r) => {
    resolveClosed = r;
  });
  ws.addEventListener('message', (e) => {
    messages.push(JSON.parse(typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data)));
    for (const w of waiters.splice(0)) w();
  });
  ws.addEventListener('close', (e) => {
    closeInfo = { code: e.code, reason: e.reason };
    resolveClosed(closeInfo);
    for (const w of waiters.splice(0)) w();
  });
  ws.accept();
  const next = async (match: (m: LiveMsg) => boolean = () => true, ms = 3000): Promise<LiveMsg> => {
    const deadline = Date.now() + ms;
    for (;;) {
      while (taken < messages.length) {
        const m = messages[taken++] as LiveMsg;
        if (match(m)) return m;
      }
      if (closeInfo)
        throw new Error(`closed (${closeInfo.code} ${closeInfo.reason}) before a matching message`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${ms} ms; got ${JSON.stringify(messages)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  };
  return {
    ws,
    status: res.status,
    protocol: res.headers.get('Sec-WebSocket-Protocol'),
    messages,
    closed,
    next,
    send: (data) => ws.send(typeof data === 'string' ? data : JSON.stringify(data)),
    close: () => {
      try {
        ws.close(1000, 'done');
      } catch {
        // already closed
      }
    },
  };
}

export const ofType = (type: string) => (m: LiveMsg) => m.type === type;
