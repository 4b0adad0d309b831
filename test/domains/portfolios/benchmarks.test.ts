import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp, type TestUser } from '../../helpers/users';

/**
 * Benchmark statistics against an independent computation here, on hand-made assets with a
 * close every day of 2021-01-01..2021-03-31: PFA (held), BMA and BMB (benchmarks, crypto with
 * market caps for the total-crypto index).
 */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
type Json = Record<string, any>;

const DAYS = Array.from({ length: 90 }, (_, i) =>
  new Date(Date.UTC(2021, 0, 1 + i)).toISOString().slice(0, 10),
);
const PFA = DAYS.map((_, i) => 100 * (1 + 0.02 * Math.sin(i * 0.9) + 0.001 * i));
const BMA = DAYS.map((_, i) => 50 * (1 + 0.015 * Math.cos(i * 0.7) + 0.0005 * i));
const BMB = DAYS.map((_, i) => 20 * (1 + 0.01 * Math.sin(i * 0.3)));

async function asset(symbol: string, type: string, closes: number[]) {
  const id = `ast_${symbol.toLowerCase()}`;
  await env.DB.prepare('INSERT INTO assets (id, symbol, name, asset_type) VALUES (?, ?, ?, ?)')
    .bind(id, symbol, symbol, type)
    .run();
  const stmts = DAYS.map((d, i) =>
    env.DB.prepare(
      `INSERT INTO price_data (asset_id, timeframe, open_time, open, high, low, close, volume, source, updated_at) VALUES (?, '1d', ?, ?, ?, ?, ?, 0, 'test', 0)`,
    ).bind(id, Date.parse(`${d}T00:00:00Z`), closes[i], closes[i], closes[i], closes[i]),
  );
  await env.DB.batch(stmts);
}

async function cap(symbol: string, day: string, value: number) {
  await env.DB.prepare(
    `INSERT INTO asset_metrics (asset_id, metric, time, value, source) VALUES (?, 'market_cap', ?, ?, 'test')`,
  )
    .bind(`ast_${symbol.toLowerCase()}`, Date.parse(`${day}T00:00:00Z`), value)
    .run();
}

let user: TestUser;
let id: string;
beforeAll(async () => {
  await asset('PFA', 'us-equity', PFA);
  await asset('BMA', 'crypto', BMA);
  await asset('BMB', 'crypto', BMB);
  await cap('BMA', '2020-12-01', 3e9);
  await cap('BMB', '2020-12-01', 1e9);
  await cap('BMA', '2021-02-01', 1e9);
  await cap('BMB', '2021-02-01', 3e9);
  user = await signUp();
  const created = await callJson<{ data: Json }>('/api/v1/portfolios', {
    method: 'POST',
    as: user.as,
    body: { name: 'Bench' },
  });
  id = created.body.data.id;
  for (const t of [
    { trade_type: 'add', quantity: 10000, trade_date: '2021-01-01' },
    {
      trade_type: 'buy',
      symbol: 'PFA',
      quantity: 50,
      price: PFA[0],
      trade_date: '2021-01-01',
      asset_type: 'us-equity',
    },
  ]) {
    const r = await callJson(`/api/v1/portfolios/${id}/trades`, { method: 'POST', as: user.as, body: t });
    expect(r.res.status, JSON.stringify(r.body)).toBe(201);
  }
});

const returns = (v: number[]) => v.slice(1).map((x, i) => x / (v[i] as number) - 1);
const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
const sd = (x: number[]) => {
  const m = mean(x);
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
};
function maxDd(v: number[]) {
  let peak = v[0] as number;
  let worst = 0;
  for (const x of v) {
    peak = Math.max(peak, x);
    worst = Math.max(worst, 1 - x / peak);
  }
  return worst;
}
function upDown(p: number[], b: number[], up: boolean) {
  const idx = b.map((r, i) => ((up ? r > 0 : r < 0) ? i : -1)).filter((i) => i >= 0);
  const g = (r: number[]) =>
    Math.exp(idx.reduce((s, i) => s + Math.log(1 + (r[i] as number)), 0) / idx.length) - 1;
  return g(p) / g(b);
}

async function perf(query: string, who: TestUser = user) {
  return callJson<{ data: Json }>(
    `/api/v1/portfolios/${id}/performance?from=2021-01-01&to=2021-03-31&${query}`,
    { as: who.as },
  );
}

describe('000 performance against a benchmark', () => {
  it('equals an independent computation for an asset benchmark', async () => {
    const { res, body } = await perf('benchmark=BMA');
    expect(res.status, JSON.stringify(body)).toBe(200);
    const b = body.data.benchmark;
    const V = PFA.map((p) => 5000 + 50 * p);
    const rp = returns(V);
    const rb = returns(BMA);
    const mp = mean(rp);
    const mb = mean(rb);
    const cov = rp.reduce((s, v, i) => s + (v - mp) * ((rb[i] as number) - mb), 0) / (rp.length - 1);
    const beta = cov / sd(rb) ** 2;
    const active = rp.map((v, i) => v - (rb[i] as number));
    expect(b).toMatchObject({ benchmark: 'BMA', source: 'query', data_points: 90, components: ['BMA'] });
    expect(b.beta).toBeCloseTo(beta, 10);
    expect(b.alpha_annualized).toBeCloseTo((mp - beta * mb) * 365, 10);
    expect(b.correlation).toBeCloseTo(cov / (sd(rp) * sd(rb)), 10);
    expect(b.tracking_error).toBeCloseTo(sd(active) * Math.sqrt(365), 10);
    expect(b.information_ratio).toBeCloseTo((mean(active) / sd(active)) * Math.sqrt(365), 8);
    expect(b.up_capture).toBeCloseTo(upDown(rp, rb, true), 10);
    expect(b.down_capture).toBeCloseTo(upDown(rp, rb, false), 10);
    expect(b.portfolio_return).toBeCloseTo((V.at(-1) as number) / (V[0] as number) - 1, 10);
    expect(b.benchmark_return).toBeCloseTo((BMA.at(-1) as number) / (BMA[0] as number) - 1, 10);
    expect(b.excess_return).toBeCloseTo(b.portfolio_return - b.benchmark_return, 12);
    expect(b.excess_return_annualized).toBeNull(); // 89 days: not annualized
    expect(b.max_drawdown_portfolio).toBeCloseTo(maxDd(V), 10);
    expect(b.max_drawdown_benchmark).toBeCloseTo(maxDd(BMA), 10);
    expect(b.series[0]).toEqual({ date: '2021-01-01', portfolio: 100, benchmark: 100 });
    expect(b.series[89].benchmark).toBeCloseTo(((BMA[89] as number) / (BMA[0] as number)) * 100, 5);
  });

  it('rebalances a 60/40 mix monthly, and builds a cap-weighted total-crypto index', async () => {
    const mix = (await perf('benchmark=BMA:60,BMB:40')).body.data.benchmark;
    // By hand: units reset to 60/40 of the value at the first close of each month.
    let ua = (0.6 * 100) / (BMA[0] as number);
    let ub = (0.4 * 100) / (BMB[0] as number);
    const expected: number[] = [];
    DAYS.forEach((d, i) => {
      let v = ua * (BMA[i] as number) + ub * (BMB[i] as number);
      if (i > 0 && d.slice(5, 7) !== (DAYS[i - 1] as string).slice(5, 7)) {
        ua = (0.6 * v) / (BMA[i] as number);
        ub = (0.4 * v) / (BMB[i] as number);
        v = ua * (BMA[i] as number) + ub * (BMB[i] as number);
      }
      expected.push(v);
    });
    expect(mix.benchmark).toBe('BMA 60% / BMB 40%');
    expect(mix.benchmark_return).toBeCloseTo((expected.at(-1) as number) / 100 - 1, 10);
    expect(mix.method.benchmark).toContain('rebalanced at the first close of each month');
    const hold = (await perf('benchmark=BMA:60,BMB:40&rebalance=none')).body.data.benchmark;
    const buyHold =
      0.6 * ((BMA[89] as number) / (BMA[0] as number)) + 0.4 * ((BMB[89] as number) / (BMB[0] as number)) - 1;
    expect(hold.benchmark_return).toBeCloseTo(buyHold, 10);
    expect(hold.benchmark_return).not.toBeCloseTo(mix.benchmark_return, 6);

    const total = (await perf('benchmark=TOTAL_CRYPTO')).body.data.benchmark;
    // Weights from the latest cap before each day: 3:1 through 2021-02-01's close, then 1:3.
    let index = 100;
    for (let i = 1; i < DAYS.length; i++) {
      const [wa, wb] = (DAYS[i - 1] as string) >= '2021-02-01' ? [1, 3] : [3, 1];
      const ra = (BMA[i] as number) / (BMA[i - 1] as number) - 1;
      const rbb = (BMB[i] as number) / (BMB[i - 1] as number) - 1;
      index *= 1 + (wa * ra + wb * rbb) / (wa + wb);
    }
    expect(total.components).toEqual(['ast_bma', 'ast_bmb']);
    expect(total.benchmark_return).toBeCloseTo(index / 100 - 1, 10);
  });

  it('uses the default benchmark preference and saved mixes; refuses unknown ones', async () => {
    const none = (await perf('')).body.data;
    expect(none.benchmark).toBeNull();
    const prefs = await callJson('/api/preferences', {
      method: 'PUT',
      as: user.as,
      body: {
        default_benchmark: '@balanced',
        benchmarks: { balanced: { weights: { BMA: 60, BMB: 40 }, rebalance: 'monthly' } },
      },
    });
    expect(prefs.res.status).toBe(200);
    const dflt = (await perf('')).body.data.benchmark;
    const asked = (await perf('benchmark=BMA:60,BMB:40')).body.data.benchmark;
    expect(dflt).toMatchObject({ benchmark: 'balanced', source: 'default_benchmark' });
    expect(dflt.benchmark_return).toBeCloseTo(asked.benchmark_return, 12);
    const unknown = await perf('benchmark=NOPE');
    expectError(unknown.res, unknown.body, 400, 'VALIDATION_ERROR');
    const badMix = await perf('benchmark=BMA:-1,BMB:2');
    expectError(badMix.res, badMix.body, 400, 'VALIDATION_ERROR');
    const unsaved = await perf('benchmark=@nosuch');
    expectError(unsaved.res, unsaved.body, 400, 'VALIDATION_ERROR');
    const early = await callJson<{ data: Json }>(
      `/api/v1/portfolios/${id}/performance?from=2020-06-01&to=2021-01-10&benchmark=BMA`,
      { as: user.as },
    );
    expect(early.res.status).toBe(200); // the window starts at the first trade, where BMA has a close
    const other = await signUp();
    const foreign = await perf('benchmark=BMA', other);
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
  });
});
