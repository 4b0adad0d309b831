import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { processGroupCpuMs } from './lib/cpu';
import { type LoadResult, runLoad, type Scenario } from './lib/load';
import { startBareServer, startServer } from './lib/server';
import { median } from './lib/stats';
import { portfolioScenarios } from './portfolio';
import { returnsScenarios } from './returns';
import { BARE, BASELINE, FLOORS, HOT_PATHS, SCENARIOS } from './scenarios';

// `npm run bench [-- --seconds 10 --concurrency 16 --rounds 3 --hot-only --only health]`: starts
// wrangler dev on loopback beside a bare Hono Worker (the platform's floor), runs every scenario
// in interleaved rounds from this one process, and prints each as a ratio to the bare Worker. Absolute figures depend on the machine; the ratios travel.
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    suite: { type: 'string', default: 'all' },
    // A fixed port for the dev server and the suites that start their own (engineers sharing a machine each use their own).
    port: { type: 'string' },
    // Copy the seeded template database instead of seeding afresh (the seeding figure is then 0).
    template: { type: 'boolean', default: false },
    // Build only the returns scenarios' portfolios (the 5,000-trade portfolio takes a while).
    'returns-only': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    // --suite ws: sockets, replay ticks per case, and the client processes they are spread over
    'ws-clients': { type: 'string', default: '1000' },
    'ws-ticks': { type: 'string', default: '8' },
    'ws-procs': { type: 'string', default: '2' },
    // only the issue-20 hot paths (and the bare Worker): the table in README "Benchmarks"
    'hot-only': { type: 'boolean', default: false },
    // --suite http: also serve another checkout (a directory with its node_modules, e.g. a git
    // worktree of the last commit) and run each Meridian scenario against it in the same rounds.
    against: { type: 'string' },
  },
});

// --suite (default all): the in-process suites (quant, alerts, ledger, bots, models, dex) run before
// wrangler starts and print their own tables; naming one stops there.
const SUITES = [
  'regime',
  'quant',
  'alerts',
  'ledger',
  'bots',
  'models',
  'dex',
  'ws',
  'web',
  'telemetry',
  'risk',
  'http',
  'middleware',
  'all',
];
if (!SUITES.includes(values.suite)) throw new Error(`--suite must be one of ${SUITES.join(', ')}`);
if (values.suite === 'bots' || values.suite === 'all') {
  const { runBotsBench } = await import('./bots');
  console.log(
    '\nbots engine: backtests and one replay minute of 1,000 bots (pure engine, median of timed runs)\n',
  );
  console.table(await runBotsBench());
  // The real path: 100 bots' Durable Objects ticking at once on a seeded wrangler dev (bench/bots-live.ts).
  const { runBotsLiveBench } = await import('./bots-live');
  const live = await runBotsLiveBench(values.port ? Number(values.port) : undefined);
  console.log(
    '\nbots live: 100 bots ticking through Durable Object + D1 + ledger, baseline in the same run\n',
  );
  console.table(live);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/bots.json',
    JSON.stringify({ rows: live, at: new Date().toISOString() }, null, 2),
  );
  if (values.suite === 'bots') process.exit(0);
}
// --suite middleware: each cross-cutting middleware's CPU per request, in process (bench/middleware.ts).
if (values.suite === 'middleware' || values.suite === 'all') {
  const { runMiddlewareBench } = await import('./middleware');
  console.log('\nmiddleware: GET /health through the app, without each middleware, and a bare Hono app\n');
  console.table(await runMiddlewareBench());
  if (values.suite === 'middleware') process.exit(0);
}
// --suite regime: the served Markov-switching fit, cold vs warm-started (bench/regime.ts).
if (values.suite === 'regime' || values.suite === 'all') {
  const { runRegimeBench } = await import('./regime');
  console.log(
    '\nregime model: 3-state EM on 1,460 BTC daily returns, 30 consecutive days, cold vs warm start\n',
  );
  console.table(runRegimeBench());
  if (values.suite === 'regime') process.exit(0);
}
// --suite models: training time per architecture and watchlist inference (bench/models.ts).
if (values.suite === 'models' || values.suite === 'all') {
  const { runModelsBench } = await import('./models');
  console.log(
    '\nmodels: training per architecture on 10 years of daily BTC, inference for the default watchlist\n',
  );
  console.table(await runModelsBench());
  if (values.suite === 'models') process.exit(0);
}
// --suite dex: best-price quote latency with one aggregator hanging (bench/dex.ts).
if (values.suite === 'dex' || values.suite === 'all') {
  const { runDexBench } = await import('./dex');
  console.log('\nDEX quote fan-out: 0x, OKX and Rubic stubs, 0x hanging in the last two rows\n');
  console.table(await runDexBench());
  if (values.suite === 'dex') process.exit(0);
}
// --suite telemetry: request telemetry on and off (TELEMETRY_DISABLED) in one run, and the sink's ingest.
if (values.suite === 'telemetry' || values.suite === 'all') {
  const { runTelemetryBench } = await import('./telemetry');
  const { rows, ingest } = await runTelemetryBench({
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    warmupSeconds: Number(values.warmup),
  });
  console.log('\nrequest telemetry: cost per request (best of two rounds each, same port, same run)\n');
  console.table(rows);
  console.log('\ntelemetry sink ingest (each "on" round)\n');
  console.table(ingest);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/telemetry.json',
    JSON.stringify({ rows, ingest, at: new Date().toISOString() }, null, 2),
  );
  if (values.suite === 'telemetry') process.exit(0);
}
// --suite risk: issue 16's risk summary (stored vs recomputed, beside /health) and the nightly
// risk batch over 1,000 portfolios (CPU per portfolio), against its own server (bench/risk.ts).
if (values.suite === 'risk' || values.suite === 'all') {
  const { runRiskBench } = await import('./risk');
  const { load, batch } = await runRiskBench({
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    warmupSeconds: Number(values.warmup),
    port: Number(values.port ?? 8814),
    only: values.only,
  });
  console.log('\nrisk summary of a 50-position portfolio: stored vs recomputed, beside /health\n');
  console.table(load);
  if (batch) {
    console.log(
      '\nnightly factor and risk batch, 1,000 portfolios of 5 positions, fanned out over the queue\n',
    );
    console.table([batch]);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/risk.json',
    JSON.stringify({ load, batch, at: new Date().toISOString() }, null, 2),
  );
  if (values.suite === 'risk') process.exit(0);
}
if (values.suite === 'alerts' || values.suite === 'all') {
  const { runAlertsBench } = await import('./alerts');
  console.log('\nalert evaluation (pure decision, 100,000 alerts across 50 assets)\n');
  console.table(await runAlertsBench());
  // Issue 20: statements and D1 write time per event through evaluateAlerts on a local D1.
  const { runAlertsWriteBench } = await import('./alerts');
  const writes = await runAlertsWriteBench();
  console.log(
    '\nalert evaluation writes: 100,000 alerts on one asset, evaluateAlerts on a local D1, baseline in the same run\n',
  );
  console.table(writes);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/alerts.json',
    JSON.stringify({ rows: writes, at: new Date().toISOString() }, null, 2),
  );
  if (values.suite === 'alerts') process.exit(0);
}
// --suite ledger: one change to a 5,000-trade ledger, full replay vs checkpoint, same run (bench/ledger.ts).
if (values.suite === 'ledger' || values.suite === 'all') {
  const { runLedgerBench } = await import('./ledger');
  console.log(
    '\nledger change on 5,000 trades / 50 positions: full replay (before) vs from a checkpoint (after)\n',
  );
  console.table(runLedgerBench());
  if (values.suite === 'ledger') process.exit(0);
}
if (values.suite === 'quant' || values.suite === 'all') {
  const { runQuantBench } = await import('./quant');
  console.log('\nquant library: median of timed runs after warm-up, same data for every library\n');
  console.table(await runQuantBench());
  if (values.suite === 'quant') process.exit(0);
}
// --suite ws: 1,000 WebSocket clients on one hub against its own seeded wrangler dev
// (bench/ws.ts), clients in their own processes, with one-client baselines in the same run.
if (values.suite === 'ws' || values.suite === 'all') {
  const { runWsBench } = await import('./ws');
  const rows = await runWsBench({
    clients: Number(values['ws-clients']),
    ticks: Number(values['ws-ticks']),
    procs: Number(values['ws-procs']),
    ...(values.port ? { port: Number(values.port) } : {}),
  });
  console.log(
    '\nlive WebSocket fan-out: /ws/market-data subscribed to "*", publishes from the replay cron\n',
  );
  console.table(rows);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/ws.json', JSON.stringify({ rows, at: new Date().toISOString() }, null, 2));
  if (values.suite === 'ws') process.exit(0);
}
// --suite web: the web app's market page in headless Chromium (bench/web.ts): time to first
// price over loopback, cold and warm.
if (values.suite === 'web' || values.suite === 'all') {
  const { runWebBench } = await import('./web');
  const rows = await runWebBench();
  console.log('\nweb app: market page over loopback, time to first price in headless Chromium\n');
  console.table(rows);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/web.json', JSON.stringify({ rows, at: new Date().toISOString() }, null, 2));
  if (values.suite === 'web') process.exit(0);
}
const options = {
  seconds: Number(values.seconds),
  concurrency: Number(values.concurrency),
  warmupSeconds: Number(values.warmup),
};
const rounds = Math.max(1, Number(values.rounds));

// --port (or BENCH_PORT): a fixed port for the dev server (when several people bench on one machine).
const port = values.port ?? process.env.BENCH_PORT;
// Meridian and the bare Worker run side by side; every round runs every scenario once, bare
// first, so slow drift of the machine (other work, thermal) lands on all scenarios alike.
// Every server started is stopped at the end, or as soon as a later one fails to start.
const started: { stop(): Promise<void> }[] = [];
const stopAll = () => Promise.all(started.splice(0).map((s) => s.stop()));
async function start<T extends { stop(): Promise<void> }>(starting: () => Promise<T>): Promise<T> {
  try {
    const s = await starting();
    started.push(s);
    return s;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
const bare = await start(() => startBareServer());
// The same bare Worker with static assets in front (as Meridian's wrangler.toml has them).
const bareAssets = await start(() => startBareServer(undefined, 'bare-assets'));
const server = await start(() =>
  startServer({ fresh: !values.template, ...(port ? { port: Number(port) } : {}) }),
);
// The other checkout's server: started from its directory (its wrangler.toml and sources).
const here = process.cwd();
const against = values.against
  ? await start(async () => {
      process.chdir(values.against as string);
      try {
        return await startServer({ persistTo: '.wrangler/bench-against' });
      } finally {
        process.chdir(here);
      }
    })
  : null;
const perRound: LoadResult[][] = [];
let picked: Scenario[] = [];
try {
  // The portfolio scenarios need their portfolio made first (50 positions, 5,000 trades, over the API).
  const portfolio = values['returns-only'] ? [] : await portfolioScenarios(server.origin, server.token);
  const returns = await returnsScenarios(server.origin, server.token);
  if (against) {
    // The same portfolios for the other build's bench user.
    if (!values['returns-only']) await portfolioScenarios(against.origin, against.token);
    await returnsScenarios(against.origin, against.token);
  }
  const more = values['hot-only'] ? [] : [...SCENARIOS, ...portfolio, ...returns];
  picked = [
    BARE,
    BASELINE,
    ...[...FLOORS, ...HOT_PATHS.slice(1), ...more].filter(
      (s) => !values.only || s.name.includes(values.only),
    ),
  ];
  // Each Meridian scenario, then the same against the other build.
  if (against)
    picked = picked.flatMap((s) =>
      s.bare ? [s] : [s, { ...s, name: `${s.name} [${values.against}]`, against: true }],
    );
  for (let round = 0; round < rounds; round++) {
    const results: LoadResult[] = [];
    for (const scenario of picked) {
      process.stderr.write(`bench: round ${round + 1}/${rounds}: ${scenario.name}...\n`);
      const meridian = scenario.against && against ? against : server;
      const target = scenario.bare ? (scenario.bareAssets ? bareAssets : bare) : meridian;
      // Each dev server leads its own process group (wrangler, its workerd processes).
      const cpuOf = target.pid ? () => processGroupCpuMs(target.pid as number) : undefined;
      results.push(await runLoad(target.origin, scenario, options, meridian.token, cpuOf));
    }
    perRound.push(results);
  }
} finally {
  await stopAll();
}

const ms = (v: number) => v.toFixed(1);
const range = (values: number[]) => {
  const ok = values.filter((x) => Number.isFinite(x));
  return ok.length ? `${Math.min(...ok).toFixed(2)}-${Math.max(...ok).toFixed(2)}` : 'n/a';
};
const goals = new Map(HOT_PATHS.map((h) => [h.name, h.goal]));
// Per scenario: the median over rounds of each figure, and of its ratio to the bare Worker's
// p50 in the same round (the range over rounds beside it).
const rows = picked.map((scenario, i) => {
  const runs = perRound.map((r) => r[i]).filter((r): r is LoadResult => r !== undefined);
  const ratios = perRound.map((r) => (r[i]?.p50 ?? Number.NaN) / (r[0]?.p50 ?? Number.NaN));
  const ownRatios = perRound.map((r) => (r[i]?.p50 ?? Number.NaN) / (r[1]?.p50 ?? Number.NaN));
  const cpuRatios = perRound.map((r) => (r[i]?.cpuMs ?? Number.NaN) / (r[0]?.cpuMs ?? Number.NaN));
  // With --against: this build's p50 and CPU over the other build's, round by round (its twin is next).
  const twin = picked[i + 1]?.against && !scenario.against ? i + 1 : -1;
  const overOther = (pick: (r: LoadResult) => number) =>
    median(perRound.map((r) => pick(r[i] as LoadResult) / pick(r[twin] as LoadResult))).toFixed(2);
  return {
    scenario: scenario.name,
    requests: runs.reduce((a, r) => a + r.requests, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    'req/s': median(runs.map((r) => r.rps)).toFixed(0),
    'p50 ms': ms(median(runs.map((r) => r.p50))),
    'p99 ms': ms(median(runs.map((r) => r.p99))),
    'p50 x bare': `${median(ratios).toFixed(2)} (${range(ratios)})`,
    goal: goals.get(scenario.name) ?? '',
    'p50 x /health': median(ownRatios).toFixed(2),
    // Server CPU per request (its whole process group) and its ratio to the bare Worker's:
    // unlike latency, it does not move with whatever else the machine is running.
    'CPU ms/req': median(runs.map((r) => r.cpuMs)).toFixed(2),
    'CPU x bare': median(cpuRatios).toFixed(2),
    ...(against
      ? {
          'x other build (p50, CPU)':
            twin < 0 ? '' : `${overOther((r) => r.p50)}, ${overOther((r) => r.cpuMs ?? Number.NaN)}`,
        }
      : {}),
  };
});
console.log(
  `\nwrangler dev on 127.0.0.1 (Meridian and a bare Hono Worker side by side), ${options.concurrency} concurrent clients, ${options.seconds}s each after ${options.warmupSeconds}s warm-up, ${rounds} interleaved rounds (medians; ratio range over rounds)\n`,
);
console.table(rows);
console.log(
  `\nseeding a fresh local D1 with the shipped history: ${server.seeding.rows} rows in ${server.seeding.ms} ms`,
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/latest.json',
  JSON.stringify({ options, rounds, rows, perRound, at: new Date().toISOString() }, null, 2),
);
