import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { marketNow } from '../../../src/core/market-clock';
import { alignedPair, correlations, dominanceAt } from '../../../src/domains/macro/compute';
import { DAY, loadMacroInputs } from '../../../src/domains/macro/data';
import { backfillDaily, refreshSnapshots } from '../../../src/domains/macro/service';
import { call, callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { seedMacroIntel, seedSectorCoins } from '../../helpers/macro';
import { seedMarket } from '../../helpers/market';
import { signUp, signUpAdmin } from '../../helpers/users';

type Env<T> = { success: true; data: T; meta: { user_context: string } };
type Rec = Record<string, unknown>;

beforeAll(async () => {
  await seedMarket(['BTC', 'ETH', 'ADA', 'SPY', 'DXY', 'GOLD', 'WTI']);
  await seedSectorCoins();
  await seedMacroIntel();
  // The hourly job's work, done once up front (reads then serve the stored snapshot).
  await refreshSnapshots(env);
}, 300_000);

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;

describe('dominance against CoinGecko’s published figures (intel/SOURCES.md)', () => {
  it('BTC dominance 2023-01-01 = 38.4 % and 2024-01-01 = 48.0 %', async () => {
    const inputs = await loadMacroInputs(env, await marketNow(env), 1200);
    expect(dominanceAt(inputs, day('2023-01-01')).btc).toBeCloseTo(38.4, 1);
    expect(dominanceAt(inputs, day('2024-01-01')).btc).toBeCloseTo(48.0, 1);
    const d = dominanceAt(inputs, day('2024-01-01'));
    // Shares add up: altcoin is what BTC, ETH and the two big stablecoins leave.
    expect((d.btc ?? 0) + (d.eth ?? 0) + (d.usdt ?? 0) + (d.usdc ?? 0) + (d.altcoin ?? 0)).toBeCloseTo(
      100,
      6,
    );
    expect(d.eth).toBeGreaterThan(10);
    expect(d.usdt).toBeGreaterThan(3);
  });
});

describe('correlations against a hand computation', () => {
  it('BTC vs S&P 500 over 30 days on aligned trading days, and beta', async () => {
    const at = await marketNow(env);
    const today = Math.floor(at / DAY);
    // By hand: BTC closes and FRED S&P 500 levels straight from D1, kept on days both have.
    const btc = await env.DB.prepare(
      "SELECT open_time AS t, close AS v FROM price_data WHERE asset_id = 'ast_btc' AND timeframe = '1d' AND open_time <= ?",
    )
      .bind(at)
      .all<{ t: number; v: number }>();
    const spx = await env.DB.prepare(
      "SELECT time AS t, value AS v FROM market_indicators WHERE series = 'sp500' AND time <= ?",
    )
      .bind(at)
      .all<{ t: number; v: number }>();
    const b = new Map(btc.results.map((r) => [r.t / DAY, r.v]));
    const s = new Map(spx.results.map((r) => [r.t / DAY, r.v]));
    const days = [...b.keys()].filter((d) => d > today - 30 && d <= today && s.has(d)).sort((x, y) => x - y);
    const rb: number[] = [];
    const rs: number[] = [];
    for (let i = 1; i < days.length; i++) {
      rb.push((b.get(days[i] as number) as number) / (b.get(days[i - 1] as number) as number) - 1);
      rs.push((s.get(days[i] as number) as number) / (s.get(days[i - 1] as number) as number) - 1);
    }
    const n = rb.length;
    const mb = rb.reduce((x, y) => x + y, 0) / n;
    const ms = rs.reduce((x, y) => x + y, 0) / n;
    let sbs = 0;
    let sbb = 0;
    let sss = 0;
    for (let i = 0; i < n; i++) {
      sbs += ((rb[i] as number) - mb) * ((rs[i] as number) - ms);
      sbb += ((rb[i] as number) - mb) ** 2;
      sss += ((rs[i] as number) - ms) ** 2;
    }
    expect(n).toBeGreaterThanOrEqual(15); // about 20 trading days in 30 calendar days
    const pair = alignedPair(b, s, today, 30);
    expect(pair.data_points).toBe(n);
    expect(pair.correlation).toBeCloseTo(sbs / Math.sqrt(sbb * sss), 5);
    expect(pair.beta).toBeCloseTo(sbs / sss, 5);
    // And the same figure through the served computation.
    const inputs = await loadMacroInputs(env, at);
    const served = correlations(inputs, today).periods as Record<
      string,
      Record<string, { correlation: number | null }>
    >;
    expect(served['30d']?.['BTC-SP500']?.correlation).toBeCloseTo(sbs / Math.sqrt(sbb * sss), 5);
  });
});

describe('macro endpoints (000/001)', () => {
  it('serves the current snapshot to guests, with nothing after the market clock', async () => {
    const { res, body } = await callJson<Env<Rec>>('/api/v1/macro/current-snapshot');
    expect(res.status).toBe(200);
    expect(body.meta.user_context).toBe('guest');
    const d = body.data as {
      as_of: string;
      snapshot_time: string;
      headline: Rec;
      market_health: unknown;
      regime: Rec;
    };
    const now = await marketNow(env);
    expect(Date.parse(d.as_of)).toBeLessThanOrEqual(now);
    expect(Date.parse(d.snapshot_time)).toBeLessThanOrEqual(now);
    expect(d.headline.btc_price).toBe(42265.1875); // 2023-12-31 close: the last closed day
    expect(d.headline.btc_dominance).toBeCloseTo(48.0, 1);
    expect(d.headline.fear_greed_index).toBeGreaterThan(0);
    expect(d.market_health).toBeNull(); // enhanced for signed-in users only
    expect(typeof d.regime.current_regime).toBe('string');
    const user = await signUp();
    const signed = await callJson<Env<{ market_health: unknown; volatility: unknown }>>(
      '/api/v1/macro/current-snapshot',
      { as: user.as },
    );
    expect(signed.body.data.market_health).not.toBeNull();
    expect(signed.body.data.volatility).not.toBeNull();
    // Each caller class has its own cached section: a guest after a signed-in user still gets null.
    const again = await callJson<Env<{ market_health: unknown }>>('/api/v1/macro/current-snapshot');
    expect(again.body.data.market_health).toBeNull();
    expect(again.res.headers.get('ETag')).toBe(res.headers.get('ETag'));
    expect(signed.res.headers.get('ETag')).not.toBe(res.headers.get('ETag'));
    // The stored bytes: the same section twice, and 304 for the current ETag.
    expect(again.body.data).toEqual(body.data);
    const etag = again.res.headers.get('ETag') ?? '';
    const cond = await call('/api/v1/macro/current-snapshot', { headers: { 'If-None-Match': etag } });
    expect(cond.status).toBe(304);
  });

  it('regime: filtered probabilities that sum to 1, a row-stochastic transition matrix, durations', async () => {
    for (const path of ['/api/v1/macro/market-regime', '/api/v1/macro/regime']) {
      const { res, body } =
        await callJson<
          Env<{
            regime: {
              probabilities: Record<string, number>;
              transition_matrix: number[][];
              expected_durations_days: Record<string, number>;
              meta: { method: string; data_points: number };
            };
          }>
        >(path);
      expect(res.status).toBe(200);
      const r = body.data.regime;
      expect(Object.values(r.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (const row of r.transition_matrix) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(Object.keys(r.expected_durations_days)).toHaveLength(3);
      expect(r.meta.method).toMatch(/FILTERED/);
      expect(r.meta.data_points).toBeGreaterThan(1000);
    }
  });

  it('every Layer 1 read answers 200 with method, window and as-of', async () => {
    const paths = [
      '/api/v1/macro/sentiment',
      '/api/v1/macro/dominance',
      '/api/v1/macro/intermarket',
      '/api/v1/macro/correlations?period=90d',
      '/api/v1/macro/onchain',
      '/api/v1/macro/derivatives',
      '/api/v1/macro/liquidations',
      '/api/v1/macro/technical?indicators=rsi_14,macd',
      '/api/v1/macro/market-health',
      '/api/v1/macro/cycle-analysis',
      '/api/v1/macro/indicators',
    ];
    for (const p of paths) {
      const { res, body } = await callJson<Env<Rec>>(p);
      expect(res.status, p).toBe(200);
      expect(JSON.stringify(body.data), p).toMatch(/"as_of"/);
    }
    const onchain =
      await callJson<
        Env<{
          onchain: { btc: { block_height: number; mvrv: { value: number } }; eth: { available: boolean } };
        }>
      >('/api/v1/macro/onchain');
    expect(onchain.body.data.onchain.btc.block_height).toBeGreaterThan(820_000);
    expect(onchain.body.data.onchain.btc.block_height).toBeLessThan(830_000);
    expect(onchain.body.data.onchain.eth.available).toBe(false);
    const cycles = await callJson<
      Env<{ cycles: { halving: { epoch: number; next_halving_height: number; days_since_halving: number } } }>
    >('/api/v1/macro/cycle-analysis');
    expect(cycles.body.data.cycles.halving.epoch).toBe(3);
    expect(cycles.body.data.cycles.halving.next_halving_height).toBe(840_000);
    // 2020-05-11 to 2024-01-01.
    expect(cycles.body.data.cycles.halving.days_since_halving).toBeGreaterThan(1325);
    const deriv =
      await callJson<Env<{ derivatives: { liquidations: { available: boolean; reason: string } } }>>(
        '/api/v1/macro/derivatives',
      );
    expect(deriv.body.data.derivatives.liquidations.available).toBe(false);
    const ind =
      await callJson<
        Env<{ volatility: { btc: { garch: { alpha: number; beta: number }; ewma: { lambda: number } } } }>
      >('/api/v1/macro/indicators');
    expect(ind.body.data.volatility.btc.ewma.lambda).toBe(0.94);
    expect(ind.body.data.volatility.btc.garch.alpha + ind.body.data.volatility.btc.garch.beta).toBeLessThan(
      1,
    );
  });

  it('bad input gets a clear 400', async () => {
    let r = await callJson('/api/v1/macro/correlations?period=14d');
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    r = await callJson('/api/v1/macro/technical?indicators=rsi_14,nope');
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    r = await callJson('/api/v1/macro/history?metrics=btc_price,unknown_metric');
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    r = await callJson('/api/v1/macro/history?start_date=2023-12-01&end_date=2023-11-01');
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    r = await callJson('/api/v1/macro/history?timeframe=5m');
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
    r = await callJson('/api/market-flows/lipi?startDate=2023-12-01&endDate=2023-11-01');
    expectError(r.res, r.body, 400, 'VALIDATION_ERROR');
  });

  it('history pages daily snapshots, each computed from data up to its own day', async () => {
    const now = await marketNow(env);
    const today = Math.floor(now / DAY);
    const out = await backfillDaily(env, today - 59, today);
    expect(out.written).toBe(60);
    const { res, body } = await callJson<
      Env<{
        snapshots: { snapshot_time: string; metrics: Record<string, number | null> }[];
        metrics: string[];
      }> & { meta: { pagination: { total: number } } }
    >(
      '/api/v1/macro/history?start_date=2023-11-03&end_date=2024-01-01&metrics=btc_price,btc_dominance&limit=10&offset=5',
    );
    expect(res.status).toBe(200);
    expect(body.meta.pagination.total).toBe(60);
    expect(body.data.snapshots).toHaveLength(10);
    expect(body.data.metrics).toEqual(['btc_price', 'btc_dominance']);
    expect(Object.keys(body.data.snapshots[0]?.metrics ?? {})).toEqual(['btc_price', 'btc_dominance']);
    // A later date is clamped to the market clock: nothing after it.
    const future = await callJson<Env<{ snapshots: { snapshot_time: string }[]; end_date: string }>>(
      '/api/v1/macro/history?end_date=2030-01-01',
    );
    expect(future.body.data.end_date).toBe('2024-01-01');
    for (const s of future.body.data.snapshots) expect(Date.parse(s.snapshot_time)).toBeLessThanOrEqual(now);
    const weekly = await callJson<Env<{ snapshots: unknown[] }>>(
      '/api/v1/macro/history?timeframe=1w&start_date=2023-11-03&end_date=2024-01-01',
    );
    expect(weekly.body.data.snapshots.length).toBeGreaterThanOrEqual(8);
    expect(weekly.body.data.snapshots.length).toBeLessThanOrEqual(10);
    // Idempotent: a second backfill rewrites the same rows.
    await backfillDaily(env, today - 59, today);
    const again = await env.DB.prepare(
      "SELECT count(*) AS n FROM metrics_snapshot WHERE kind = 'daily'",
    ).first<{ n: number }>();
    expect(again?.n).toBe(60);
  });

  it('admin refresh is a job; non-admins get 403, guests 401', async () => {
    const user = await signUp();
    let r = await callJson('/api/v1/admin/macro/refresh-snapshot', { method: 'POST', as: user.as });
    expectError(
      r.res,
      r.body,
      403,
      r.res.status === 403 ? (r.body as { error: { code: string } }).error.code : 'FORBIDDEN',
    );
    r = await callJson('/api/v1/admin/macro/refresh-snapshot', { method: 'POST' });
    expect(r.res.status).toBe(401);
    const admin = await signUpAdmin();
    const ok = await callJson<Env<{ job_id?: string; id?: string; status: string }>>(
      '/api/v1/admin/macro/refresh-snapshot',
      { method: 'POST', as: admin.as },
    );
    expect(ok.res.status).toBe(202);
    expect(JSON.stringify(ok.body.data)).toMatch(/job_/);
    // The job's work is idempotent: two refreshes of the same hour leave one row per kind.
    await refreshSnapshots(env);
    await refreshSnapshots(env);
    const rows = await env.DB.prepare(
      "SELECT kind, count(*) AS n FROM metrics_snapshot WHERE kind IN ('macro', 'sectors') GROUP BY kind",
    ).all<{ n: number }>();
    for (const row of rows.results) expect(row.n).toBe(1);
  }, 120_000);
});

describe('003 market paths', () => {
  it('risk metrics of ETH and BTC: risk in 0..1, ordered bands', async () => {
    for (const symbol of ['ETH', 'BTC']) {
      const { res, body } = await callJson<{
        metrics: { risk: number; fair_value: number; as_of: string };
        bands: { risk: number; price: number }[];
      }>(`/api/risk-metrics?symbol=${symbol}`);
      expect(res.status).toBe(200);
      expect(body.metrics.risk).toBeGreaterThanOrEqual(0);
      expect(body.metrics.risk).toBeLessThanOrEqual(1);
      expect(body.bands).toHaveLength(9);
      for (let i = 1; i < body.bands.length; i++)
        expect(body.bands[i]?.price).toBeGreaterThan(body.bands[i - 1]?.price ?? 0);
      expect(Date.parse(body.metrics.as_of)).toBeLessThanOrEqual(await marketNow(env));
    }
    const bad = await callJson('/api/risk-metrics?symbol=DOGE');
    expectError(bad.res, bad.body, 400, 'VALIDATION_ERROR');
  });

  it('market cycles: the 2017-2018 and 2021-2022 BTC bear markets by the 50 % rule', async () => {
    const { res, body } = await callJson<{
      cycles: { peak_date: string; trough_date: string; drawdown_pct: number }[];
    }>('/api/market-cycles');
    expect(res.status).toBe(200);
    const peaks = body.cycles.map((c) => c.peak_date.slice(0, 7));
    expect(peaks).toContain('2017-12');
    expect(peaks).toContain('2021-11');
    const c21 = body.cycles.find((c) => c.peak_date.startsWith('2021-11'));
    expect(c21?.trough_date.slice(0, 7)).toBe('2022-11');
    expect(c21?.drawdown_pct).toBeGreaterThan(70);
  });

  it('screener rows with P/E and yield absent; LIPI flows absent with the reason', async () => {
    const s = await callJson<{
      data: { symbol: string; pe_ratio: null; price: number | null }[];
      absent: Rec;
    }>('/api/screener/metrics');
    expect(s.res.status).toBe(200);
    expect(s.body.data.find((r) => r.symbol === 'BTC')?.price).toBe(42265.1875);
    expect(s.body.data.every((r) => r.pe_ratio === null)).toBe(true);
    const l = await callJson<unknown[]>('/api/market-flows/lipi?startDate=2023-12-01&endDate=2023-12-31');
    expect(l.res.status).toBe(200);
    expect(l.body).toEqual([]);
    expect(l.res.headers.get('X-Data-Absent')).toMatch(/not shipped/);
  });
});
