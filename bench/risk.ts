import { ASSET_CATALOG } from '../src/domains/assets/catalog';
import { processGroupCpuMs } from './lib/cpu';
import { type LoadResult, runLoad } from './lib/load';
import { startServer } from './lib/server';
import { portfolioScenarios } from './portfolio';
import { BASELINE } from './scenarios';

/** The risk suite's own server: port 8814 unless --port says otherwise, its own local state. */
const PERSIST = '.wrangler/bench-risk';
const BATCH_PORTFOLIOS = 1000;
const POSITIONS_PER_PORTFOLIO = 5;
const ADMIN = { email: 'bench-risk-admin@example.com', password: 'bench-risk-admin-password-1' };

async function api<T>(origin: string, token: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** Runs `work` over `items` with `n` at a time. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function adminSql(): Promise<string> {
  const { hashPassword } = await import('../src/core/passwords');
  const hash = await hashPassword(ADMIN.password);
  return `INSERT INTO users (id, email, password_hash, role, is_verified, created_at, updated_at) VALUES ('usr_benchriskadmin', '${ADMIN.email}', '${hash}', 'admin', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`;
}

interface BatchJob {
  id: string;
  status: string;
  processed_items: number | null;
  failed_items: number | null;
  duration_seconds: number | null;
}

function loadRows(load: LoadResult[]) {
  const base = load[0];
  return load.map((r) => ({
    scenario: r.name,
    requests: r.requests,
    errors: r.errors,
    'req/s': r.rps.toFixed(1),
    'p50 ms': r.p50.toFixed(2),
    'p90 ms': r.p90.toFixed(2),
    'p99 ms': r.p99.toFixed(2),
    'p50 x base': base ? (r.p50 / base.p50).toFixed(2) : '',
  }));
}

/**
 * Fires the daily cron (the risk batch's fan-out among its tasks; the others are cheap on a
 * second run) and waits for a fan-out job newer than `after` to have processed at least
 * `minProcessed` portfolios with no chunk job open.
 */
async function batchRun(origin: string, admin: string, minProcessed: number, t0: number, after?: string) {
  const fired = await fetch(`${origin}/__scheduled?cron=${encodeURIComponent('17 3 * * *')}`);
  if (!fired.ok) throw new Error(`bench: cron ${fired.status}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const status = await api<{ jobs: BatchJob[] }>(
      origin,
      admin,
      '/api/v1/admin/batch/jobs/status?job_name=risk.nightly-batch',
    );
    const job = status.jobs.find((j) => j.id !== after);
    const chunks = await api<{ jobs: BatchJob[] }>(
      origin,
      admin,
      '/api/v1/admin/batch/jobs/status?job_name=risk.batch-chunk',
    );
    const open = chunks.jobs.filter((j) => j.status === 'pending' || j.status === 'running').length;
    process.stderr.write(
      `bench: batch ${job?.processed_items ?? 0} processed, ${open} chunk jobs open of ${chunks.jobs.length}\n`,
    );
    if (job && (job.processed_items ?? 0) >= minProcessed && open === 0) return job;
    if (performance.now() - t0 > 30 * 60_000) throw new Error('bench: batch did not finish in 30 minutes');
  }
}

/**
 * Issue 16's two benchmarks, in one run against one seeded `wrangler dev`:
 * - the risk summary of a 50-position, 5,000-trade portfolio, served from storage and
 *   recomputed (`refresh=true`: computed and stored on every request), beside `/health`;
 * - the nightly factor and risk batch over 1,000 portfolios of 5 positions, fanned out over
 *   the local Queue: wall time and the dev server's CPU time (workerd, its SQLite D1 and queue,
 *   from /proc) per portfolio.
 */
export async function runRiskBench(options: {
  seconds: number;
  concurrency: number;
  warmupSeconds: number;
  port: number;
  /** `summary` runs only the risk-summary loads, `batch` only the batch. */
  only?: string | undefined;
}) {
  const server = await startServer({
    persistTo: PERSIST,
    port: options.port,
    sql: await adminSql(),
    testScheduled: true,
  });
  try {
    const { origin, token } = server;
    const login = await fetch(`${origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '198.51.100.8' },
      body: JSON.stringify(ADMIN),
    });
    const admin = ((await login.json()) as { access_token: string }).access_token;

    // 1. The risk summary of the 50-position portfolio.
    const [complete] = await portfolioScenarios(origin, token);
    const id = /portfolio\/([^/]+)\/complete/.exec(complete?.path as string)?.[1];
    if (!id) throw new Error('bench: no portfolio id');
    const summary = `/api/v1/data/portfolios/${id}/risk-summary`;
    const first = await api<{ risk_summary: { observations: number }; component_var: unknown[] }>(
      origin,
      token,
      summary,
    );
    process.stderr.write(
      `bench: risk summary of ${first.component_var.length} components over ${first.risk_summary.observations} days\n`,
    );
    const load: LoadResult[] = [];
    for (const scenario of options.only === 'batch'
      ? []
      : [
          BASELINE,
          { name: 'GET risk-summary, 50 positions, stored', path: summary, auth: true },
          {
            name: 'GET risk-summary, 50 positions, recomputed (refresh=true)',
            path: `${summary}?refresh=true`,
            auth: true,
          },
        ]) {
      process.stderr.write(`bench: ${scenario.name}...\n`);
      const r = await runLoad(origin, scenario, options, token);
      process.stderr.write(
        `bench:   p50 ${r.p50.toFixed(2)} ms, ${r.rps.toFixed(1)} req/s, ${r.errors} errors\n`,
      );
      load.push(r);
    }

    if (options.only === 'summary') return { load: loadRows(load), batch: null };
    // 2. The nightly batch over 1,000 portfolios. A first run of the daily cron before they
    // exist does its once-only work (archiving old candles to R2, the 50-position portfolio's
    // figures), so the timed run measures the batch.
    const warm = await batchRun(origin, admin, 1, performance.now());
    const symbols = [
      'SPY',
      'AAPL',
      'MSFT',
      'NVDA',
      'JPM',
      'BTC',
      'ETH',
      'IWM',
      'TLT',
      'MTUM',
      'QUAL',
      'USMV',
      'VYM',
    ];
    const usable = ASSET_CATALOG.filter((a) => a.history && symbols.includes(a.symbol)).map((a) => a.symbol);
    const made = performance.now();
    // 100 portfolios per user at most: ten users of 100 each.
    const owners: string[] = [];
    for (let u = 0; u < BATCH_PORTFOLIOS / 100; u++) {
      const res = await fetch(`${origin}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': `198.51.100.${20 + u}` },
        body: JSON.stringify({
          email: `bench-risk-${u}-${Date.now()}@example.com`,
          password: 'bench-password-1',
        }),
      });
      if (res.status !== 201) throw new Error(`bench: register ${res.status} ${await res.text()}`);
      owners.push(((await res.json()) as { access_token: string }).access_token);
    }
    await pool(
      Array.from({ length: BATCH_PORTFOLIOS }, (_, i) => i),
      16,
      async (i) => {
        const owner = owners[Math.floor(i / 100)] as string;
        const p = await api<{ id: string }>(origin, owner, '/api/v1/management/portfolios', {
          name: `Batch ${i}`,
          type: 'HNW',
        });
        for (let k = 0; k < POSITIONS_PER_PORTFOLIO; k++) {
          const symbol = usable[(i + k * 3) % usable.length] as string;
          await api(origin, owner, `/api/v1/management/portfolios/${p.id}/positions`, {
            symbol,
            quantity: symbol === 'BTC' || symbol === 'ETH' ? 0.5 + (i % 7) / 10 : 5 + (i % 11),
            entry_price: 100,
            entry_date: '2023-06-01',
          });
        }
      },
    );
    process.stderr.write(
      `bench: ${BATCH_PORTFOLIOS} portfolios of ${POSITIONS_PER_PORTFOLIO} positions made in ${((performance.now() - made) / 1000).toFixed(0)} s\n`,
    );
    const pgid = server.pid;
    if (!pgid) throw new Error('bench: no server pid');
    const cpu0 = processGroupCpuMs(pgid) / 1000;
    const t0 = performance.now();
    const job = await batchRun(origin, admin, BATCH_PORTFOLIOS + 1, t0, warm.id);
    const wall = (performance.now() - t0) / 1000;
    const cpu = processGroupCpuMs(pgid) / 1000 - cpu0;
    const processed = job.processed_items ?? 0;
    return {
      load: loadRows(load),
      batch: {
        portfolios: processed,
        failed: job.failed_items,
        wall_seconds: Number(wall.toFixed(1)),
        cpu_seconds: Number(cpu.toFixed(2)),
        'cpu ms / portfolio': processed ? Number(((cpu * 1000) / processed).toFixed(1)) : null,
        'wall ms / portfolio': processed ? Number(((wall * 1000) / processed).toFixed(1)) : null,
      },
    };
  } finally {
    await server.stop();
  }
}
