import { type LoadResult, runLoad, type Scenario } from './lib/load';
import { startServer } from './lib/server';

/**
 * The telemetry's cost per request: the same scenarios against the Worker with request
 * telemetry on and with TELEMETRY_DISABLED, one server after the other on the same port, in
 * one run (on, off, on, off: each figure is the better of its two rounds, which halves the
 * drift of a shared machine). Then the sink's ingest: every request of the "on" rounds must
 * be in the sink (none lost), and the records stored per second of load.
 */
const SCENARIOS: Scenario[] = [
  { name: 'GET /api/health, guest', path: '/api/health' },
  { name: 'GET /api/v1/users/me, signed in (+ D1 read)', path: '/api/v1/users/me', auth: true },
];

export async function runTelemetryBench(options: {
  seconds: number;
  concurrency: number;
  warmupSeconds: number;
}) {
  const rounds: { telemetry: 'on' | 'off'; results: LoadResult[]; recorded: number | null; sent: number }[] =
    [];
  for (const telemetry of ['on', 'off', 'on', 'off'] as const) {
    const server = await startServer({
      seed: false,
      // A session's own port (BENCH_PORT) when several benches share a machine.
      port: Number(process.env.BENCH_PORT ?? 8804),
      persistTo: `.wrangler/bench-telemetry-${telemetry}`,
      vars: { TELEMETRY_DISABLED: telemetry === 'off' ? 'true' : 'false' },
      sql: await adminSql(),
    });
    try {
      const admin = await adminToken(server.origin);
      const results: LoadResult[] = [];
      const before = await recordedRequests(server.origin, admin);
      for (const s of SCENARIOS) results.push(await runLoad(server.origin, s, options, server.token));
      const sent = results.reduce((n, r) => n + r.requests, 0);
      // Let the last batches land (the buffer flushes within a second).
      await new Promise((r) => setTimeout(r, 2500));
      const after = await recordedRequests(server.origin, admin);
      rounds.push({
        telemetry,
        results,
        recorded: after === null || before === null ? null : after - before,
        sent,
      });
    } finally {
      await server.stop();
    }
  }
  const best = (telemetry: 'on' | 'off', i: number) =>
    rounds
      .filter((r) => r.telemetry === telemetry)
      .map((r) => r.results[i])
      .filter((r): r is LoadResult => r !== undefined)
      .sort((a, b) => a.p50 - b.p50)[0];
  const rows = SCENARIOS.map((s, i) => {
    const on = best('on', i);
    const off = best('off', i);
    return {
      scenario: s.name,
      'off p50 ms': off?.p50.toFixed(2),
      'on p50 ms': on?.p50.toFixed(2),
      'Δ p50 ms': on && off ? (on.p50 - off.p50).toFixed(2) : null,
      'off p99 ms': off?.p99.toFixed(2),
      'on p99 ms': on?.p99.toFixed(2),
      'Δ p99 ms': on && off ? (on.p99 - off.p99).toFixed(2) : null,
      'off req/s': off?.rps.toFixed(0),
      'on req/s': on?.rps.toFixed(0),
    };
  });
  const ingest = rounds
    .filter((r) => r.telemetry === 'on')
    .map((r) => {
      const seconds = r.results.reduce((s, x) => s + x.seconds, 0);
      return {
        'requests sent (measured)': r.sent,
        'records in the sink (incl. warm-up)': r.recorded,
        'records/s stored': r.recorded === null ? null : (r.recorded / seconds).toFixed(0),
      };
    });
  return { rows, ingest };
}

/** Requests the sink holds, read through the ops API as the run's admin. */
async function recordedRequests(origin: string, token: string): Promise<number | null> {
  const res = await fetch(`${origin}/api/performance-profiling/summary`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!res.ok) return null;
  const body = (await res.json()) as { requests: { count: number } };
  return body.requests.count;
}

const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password-1' };

async function adminToken(origin: string): Promise<string> {
  const res = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '198.51.100.7' },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`bench admin login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function adminSql(): Promise<string> {
  const { hashPassword } = await import('../src/core/passwords');
  const hash = await hashPassword(ADMIN.password);
  return `INSERT INTO users (id, email, password_hash, role, is_verified, created_at, updated_at) VALUES ('usr_benchadmin', '${ADMIN.email}', '${hash}', 'admin', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`;
}
