import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLoad } from './lib/load';

// `npx tsx bench/profile.ts --origin http://127.0.0.1:8787 --inspector 9229 --path /health [--auth TOKEN]`
// (`{i}` in the path: a new value each request):
// samples the Worker's isolate (wrangler dev --inspector-port) through the DevTools protocol
// while closed-loop clients load one path, then prints where the isolate's time went: self
// time per source module (from the bundle's `// src/...` module comments) and per function.
// The isolate holds the Worker and its Durable Objects; local D1 and the Cache API run in
// miniflare's own isolates and show here only as time waiting.
const { values } = parseArgs({
  options: {
    origin: { type: 'string', default: 'http://127.0.0.1:8787' },
    inspector: { type: 'string', default: '9229' },
    path: { type: 'string', default: '/health' },
    auth: { type: 'string' },
    header: { type: 'string', multiple: true },
    'new-address': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '16' },
    top: { type: 'string', default: '40' },
    out: { type: 'string' },
  },
});

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    scriptId: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
  };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

// wrangler's inspector proxy wants an Origin header (undici's WebSocket takes headers as an option).
const ws = new WebSocket(`ws://127.0.0.1:${values.inspector}/ws`, {
  headers: { Origin: 'http://127.0.0.1' },
} as unknown as string[]);
await new Promise((resolve, reject) => {
  ws.addEventListener('open', resolve, { once: true });
  ws.addEventListener('error', reject, { once: true });
});
let nextId = 1;
const pending = new Map<number, (result: unknown) => void>();
const scripts = new Map<string, string>();
ws.addEventListener('message', (e) => {
  const msg = JSON.parse(String(e.data)) as {
    id?: number;
    result?: unknown;
    method?: string;
    params?: { scriptId: string; url: string };
  };
  if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  if (msg.method === 'Debugger.scriptParsed' && msg.params) scripts.set(msg.params.scriptId, msg.params.url);
});
const send = <T>(method: string, params: object = {}): Promise<T> => {
  const id = nextId++;
  ws.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve) => pending.set(id, resolve as (r: unknown) => void));
};

await send('Debugger.enable');
await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 200 });

let addresses = 1;
const fixed = Object.fromEntries((values.header ?? []).map((h) => h.split(/:\s*/, 2) as [string, string]));
// `{i}` in the path becomes a number new to each request (to defeat caches).
const pathOf = (i: number) => values.path.replaceAll('{i}', `${Date.now()}-${i}`);
const scenario = {
  name: values.path,
  path: pathOf,
  ...(values.auth ? { auth: true } : {}),
  headers: (i: number) => ({
    ...fixed,
    ...(values['new-address']
      ? {
          'CF-Connecting-IP': `10.${(addresses + i) >>> 16}.${((addresses + i) >>> 8) & 255}.${(addresses + i) & 255}`,
        }
      : {}),
  }),
};
const options = { seconds: 2, concurrency: Number(values.concurrency), warmupSeconds: 1 };
await runLoad(values.origin, scenario, options, values.auth);
addresses += 1_000_000;
await send('Profiler.start');
const load = await runLoad(
  values.origin,
  scenario,
  { ...options, seconds: Number(values.seconds), warmupSeconds: 0 },
  values.auth,
);
const { profile } = await send<{ profile: Profile }>('Profiler.stop');
if (values.out) writeFileSync(values.out, JSON.stringify(profile));

// Self time per node, from the samples and their time deltas.
const self = new Map<number, number>();
profile.samples.forEach((nodeId, i) => {
  self.set(nodeId, (self.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

// Module boundaries in each bundled script: esbuild's `// path` comments.
const boundaries = new Map<string, { line: number; module: string }[]>();
async function moduleOf(scriptId: string, line: number): Promise<string> {
  if (!boundaries.has(scriptId)) {
    const list: { line: number; module: string }[] = [];
    try {
      const { scriptSource } = await send<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId });
      scriptSource.split('\n').forEach((text, i) => {
        const m = /^\/\/ ((?:src|durable|node_modules|\.\.)\/\S+)$/.exec(text);
        if (m?.[1]) list.push({ line: i, module: m[1] });
      });
    } catch {
      // a script without source (native)
    }
    boundaries.set(scriptId, list);
  }
  const list = boundaries.get(scriptId) ?? [];
  let found = '';
  for (const b of list) {
    if (b.line > line) break;
    found = b.module;
  }
  return found || scripts.get(scriptId) || '(native)';
}

const byModule = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const node of profile.nodes) {
  const t = self.get(node.id) ?? 0;
  if (!t) continue;
  const f = node.callFrame;
  const special = f.functionName.startsWith('(') ? f.functionName : '';
  const module = special || (await moduleOf(f.scriptId, f.lineNumber));
  const short = module.replace(/^node_modules\/(?:\.pnpm\/)?/, '');
  byModule.set(short, (byModule.get(short) ?? 0) + t);
  const key = `${f.functionName || '(anonymous)'}  ${short}:${f.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + t);
}
const top = Number(values.top);
const table = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({
      name,
      'ms total': (us / 1000).toFixed(0),
      '% of samples': ((100 * us) / total).toFixed(1),
      'us per request': (us / Math.max(1, load.requests)).toFixed(1),
    }));
const wall = (profile.endTime - profile.startTime) / 1000;
const idle = [...profile.nodes]
  .filter((n) => n.callFrame.functionName === '(idle)')
  .reduce((a, n) => a + (self.get(n.id) ?? 0), 0);
console.log(
  `${values.path}: ${load.requests} requests, ${load.rps.toFixed(0)} req/s, p50 ${load.p50.toFixed(1)} ms; isolate busy ${(((total - idle) / 1000 / wall) * 100).toFixed(0)}% of ${wall.toFixed(0)} ms, ${((total - idle) / Math.max(1, load.requests)).toFixed(0)} us per request`,
);
console.table(table(byModule));
console.table(table(byFunction));
ws.close();
