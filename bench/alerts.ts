import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPlatformProxy } from 'wrangler';
import { type AlertType, decide, type EvaluableAlert } from '../src/domains/alerts/evaluate';

// The alerts suite of `npm run bench -- --suite alerts` (and `all`): the pure decision
// function of alert evaluation over 100,000 price alerts across 50 assets, one event moving
// every asset, as evaluateAlerts runs it between its one D1 read and its batched writes.

export interface AlertsBenchRow {
  case: string;
  alerts: number;
  assets: number;
  'median ms': string;
  'alerts/s': string;
  fired: number;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES: AlertType[] = ['price_above', 'price_below', 'price_crosses'];

export async function runAlertsBench(options: { alerts?: number; assets?: number; runs?: number } = {}) {
  const n = options.alerts ?? 100_000;
  const assetCount = options.assets ?? 50;
  const runs = options.runs ?? 9;
  const rand = prng(42);
  const base = Array.from({ length: assetCount }, () => 10 + rand() * 1000);
  const alerts: { asset: number; alert: EvaluableAlert }[] = Array.from({ length: n }, (_, i) => ({
    asset: i % assetCount,
    alert: {
      alertType: TYPES[i % TYPES.length] ?? 'price_above',
      params: { threshold: (base[i % assetCount] ?? 1) * (0.95 + rand() * 0.1) },
      lastState: rand() < 0.5 ? 'above' : 'below',
      lastTriggeredAt: null,
      cooldownSeconds: 0,
      repeat: true,
      triggerCount: 0,
    },
  }));
  const prices = base.map((p) => p * (0.97 + rand() * 0.06));
  const at = Date.now();
  let fired = 0;
  const pass = () => {
    fired = 0;
    for (const { asset, alert } of alerts) {
      if (decide(alert, { price: prices[asset] ?? 0 }, at).fire) fired++;
    }
  };
  for (let i = 0; i < 3; i++) pass();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    pass();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const row: AlertsBenchRow = {
    case: 'price alerts: decide() per event',
    alerts: n,
    assets: assetCount,
    'median ms': median.toFixed(2),
    'alerts/s': ((n / median) * 1000).toFixed(0),
    fired,
  };
  return [row];
}

// --- issue 20: statements written per event through the real evaluateAlerts path -----------

export interface AlertsWriteRow {
  case: string;
  alerts: number;
  events: number;
  'statements/event': number;
  'D1 write ms (median)': string;
  'statements × baseline': string;
  'write ms × baseline': string;
}

const BENCH_DIR = '.wrangler/bench-alerts';

// The node project (tsconfig.node.json) has no Workers types, and the service's imports need
// them: the bench names the few D1 methods it calls, and loads the service by a computed path
// so the node typecheck does not follow it into src/ (tsc -p tsconfig.json checks the service).
interface Statement {
  bind(...values: unknown[]): Statement;
  run(): Promise<unknown>;
}
interface Database {
  prepare(sql: string): Statement;
  batch(statements: Statement[]): Promise<unknown[]>;
}
type EvaluateAlerts = (
  env: { DB: Database },
  event: {
    type: 'prices.updated';
    source: string;
    at: number;
    assets: { assetId: string; symbol: string; price: number; changePct24h: number | null }[];
  },
) => Promise<{ evaluated: number; fired: string[] }>;
const SERVICE = '../src/domains/alerts/service';
const AT = Date.parse('2031-03-01T00:00:00Z');

/** Every migration in journal order, one batch per file. */
async function migrate(DB: Database): Promise<void> {
  const journal = JSON.parse(readFileSync('migrations/meta/_journal.json', 'utf8')) as {
    entries: { tag: string }[];
  };
  for (const { tag } of journal.entries) {
    const sql = readFileSync(`migrations/${tag}.sql`, 'utf8');
    const statements = sql
      .split('--> statement-breakpoint')
      .map((s) => s.trim())
      .filter(Boolean);
    await DB.batch(statements.map((s) => DB.prepare(s)));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * `n` repeating price_above alerts on one asset, evaluated by `evaluateAlerts` against a local
 * D1 (workerd through wrangler's platform proxy, in-process SQLite: no network, so the write
 * time is the statements' own cost plus one round trip per batch). Rounds interleave the
 * baseline, which writes every evaluated alert as the code before issue 20 did (the asset's
 * span is deleted before each of its events, so every alert is written; one statement more
 * than before, the span), with the state-changes-only path, on the same database.
 */
export async function runAlertsWriteBench(options: { alerts?: number; rounds?: number } = {}) {
  const n = options.alerts ?? 100_000;
  const rounds = options.rounds ?? 3;
  const { evaluateAlerts } = (await import(SERVICE)) as { evaluateAlerts: EvaluateAlerts };
  rmSync(BENCH_DIR, { recursive: true, force: true });
  mkdirSync(BENCH_DIR, { recursive: true });
  writeFileSync(
    `${BENCH_DIR}/wrangler.toml`,
    'name = "bench-alerts"\ncompatibility_date = "2026-11-01"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "bench-alerts"\ndatabase_id = "bench-alerts"\n',
  );
  const proxy = await getPlatformProxy<{ DB: Database }>({
    configPath: `${BENCH_DIR}/wrangler.toml`,
    persist: { path: `${BENCH_DIR}/state` },
  });
  const DB = proxy.env.DB;
  const info = console.log;
  try {
    await migrate(DB);
    const asset = { id: 'ast_benchalerts', symbol: 'BENCHALERTS' };
    await DB.batch([
      DB.prepare("INSERT INTO assets (id, symbol, name, asset_type) VALUES (?, ?, 'Bench', 'crypto')").bind(
        asset.id,
        asset.symbol,
      ),
      DB.prepare("INSERT INTO quotes (asset_id, price, source, as_of) VALUES (?, 150.05, 'bench', ?)").bind(
        asset.id,
        AT,
      ),
      DB.prepare(
        "INSERT INTO users (id, email, password_hash) VALUES ('usr_benchalerts', 'b@example.com', 'x')",
      ),
    ]);
    // Thresholds 100.0..199.9 in steps of 0.1; states as at 150.05; 151.05 crosses 1% of them.
    // Every alert is in a long cooldown, so a crossing changes its state without firing: the
    // bench measures D1 writes, not notifications (a firing alert adds one trigger row).
    await DB.prepare(
      `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?1)
       INSERT INTO alerts (id, user_id, asset_id, alert_type, params, repeat, cooldown_seconds,
                           last_triggered_at, trigger_count, last_state)
       SELECT 'alr_bench_' || i, 'usr_benchalerts', ?2, 'price_above',
              json_object('threshold', 100 + (i % 1000) / 10.0), 1, 31536000, ?3, 1,
              CASE WHEN 150.05 > 100 + (i % 1000) / 10.0 THEN 'above' ELSE 'below' END
       FROM k`,
    )
      .bind(n, asset.id, AT)
      .run();

    const counter = { statements: 0, ms: 0 };
    const counting = new Proxy(DB, {
      get(target, prop) {
        if (prop === 'batch') {
          return async (statements: Statement[]) => {
            const t0 = performance.now();
            const out = await target.batch(statements);
            counter.ms += performance.now() - t0;
            counter.statements += statements.length;
            return out;
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const env = { DB: counting };
    let at = AT;
    const samples = new Map<string, { statements: number[]; write: number[] }>();
    const evaluate = async (label: string, price: number, baseline: boolean) => {
      at += 60_000;
      if (baseline)
        await DB.prepare('DELETE FROM alert_asset_watermarks WHERE asset_id = ?').bind(asset.id).run();
      counter.statements = 0;
      counter.ms = 0;
      console.log = () => {};
      await evaluateAlerts(env, {
        type: 'prices.updated',
        source: 'bench',
        at,
        assets: [{ assetId: asset.id, symbol: asset.symbol, price, changePct24h: null }],
      });
      console.log = info;
      const s = samples.get(label) ?? { statements: [], write: [] };
      s.statements.push(counter.statements);
      s.write.push(counter.ms);
      samples.set(label, s);
    };
    await evaluate('first evaluation (every alert marked once)', 150.05, false);
    for (let r = 0; r < rounds; r++) {
      await evaluate('baseline: no change, every alert written', 150.06 + r / 1000, true);
      await evaluate('no change, state changes only', 150.07 + r / 1000, false);
    }
    // 1% of the alerts change state each event, up then down.
    for (let r = 0; r < rounds; r++) {
      await evaluate('baseline: 1% change state, every alert written', 151.05, true);
      await evaluate('1% change state, state changes only', 150.05, false);
    }
    const rows: AlertsWriteRow[] = [];
    const summary = (label: string) => {
      const s = samples.get(label);
      return s
        ? {
            events: s.statements.length,
            st: median(s.statements),
            write: median(s.write),
          }
        : null;
    };
    const pairs: [string, string | null][] = [
      ['first evaluation (every alert marked once)', null],
      ['baseline: no change, every alert written', null],
      ['no change, state changes only', 'baseline: no change, every alert written'],
      ['baseline: 1% change state, every alert written', null],
      ['1% change state, state changes only', 'baseline: 1% change state, every alert written'],
    ];
    for (const [label, base] of pairs) {
      const s = summary(label);
      if (!s) continue;
      const b = base ? summary(base) : null;
      rows.push({
        case: label,
        alerts: n,
        events: s.events,
        'statements/event': s.st,
        'D1 write ms (median)': s.write.toFixed(1),
        'statements × baseline': b ? (s.st / b.st).toFixed(4) : '',
        'write ms × baseline': b ? (s.write / b.write).toFixed(3) : '',
      });
    }
    return rows;
  } finally {
    console.log = info;
    await proxy.dispose();
  }
}
