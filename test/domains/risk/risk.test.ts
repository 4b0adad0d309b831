// biome-ignore-all lint/style/noNonNullAssertion: lookups of rows the test itself created

import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { historicalVar } from '../../../src/quant';
import { callJson } from '../../helpers/api';
import { seedFactors } from '../../helpers/factors';
import { seedMarket, setMarketClock } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

/** Issue 16: VaR/ES, component VaR, risk metrics, scenarios and greeks on 004's paths. */
type Json = Record<string, unknown>;
let owner: TestUser;
let other: TestUser;
let pf: string;
const ids: Record<string, string> = {};

async function addPosition(portfolioId: string, body: Json): Promise<string> {
  const { res, body: out } = await callJson<{ position: { id: string } }>(
    `/api/v1/management/portfolios/${portfolioId}/positions`,
    { method: 'POST', as: owner.as, body },
  );
  expect(res.status, JSON.stringify(out)).toBe(201);
  return out.position.id;
}

beforeAll(async () => {
  await seedMarket(['SPY', 'BTC']);
  await seedFactors(['AAPL', 'TLT'], { from: Date.UTC(2007, 0, 1) });
  owner = await signUp();
  other = await signUp();
  const created = await callJson<{ id: string }>('/api/v1/management/portfolios', {
    method: 'POST',
    as: owner.as,
    body: { name: 'Risk', type: 'HNW' },
  });
  pf = created.body.id;
  ids.SPY = await addPosition(pf, {
    symbol: 'SPY',
    quantity: 100,
    entry_price: 400,
    entry_date: '2023-06-01',
  });
  ids.AAPL = await addPosition(pf, {
    symbol: 'AAPL',
    quantity: 100,
    entry_price: 150,
    entry_date: '2023-06-01',
  });
  ids.BTC = await addPosition(pf, {
    symbol: 'BTC',
    quantity: 0.5,
    entry_price: 27000,
    entry_date: '2023-06-01',
  });
  ids.CALL = await addPosition(pf, {
    symbol: 'SPY_240315C00450000',
    position_type: 'CALL',
    underlying: 'SPY',
    strike: 450,
    expiry: '2024-03-15',
    multiplier: 100,
    quantity: 2,
    entry_price: 12,
    entry_date: '2023-12-01',
    implied_volatility: 0.2,
  });
  ids.PUT = await addPosition(pf, {
    symbol: 'SPY_240315P00400000',
    position_type: 'PUT',
    underlying: 'SPY',
    strike: 400,
    expiry: '2024-03-15',
    multiplier: 100,
    quantity: 1,
    entry_price: 3,
    entry_date: '2023-12-01',
  });
}, 120_000);

interface Summary {
  risk_summary: {
    portfolio_value: number;
    confidence_level: number;
    observations: number;
    lookback_period: number;
  };
  value_at_risk: Record<string, { absolute: number; percentage: number } | null>;
  expected_shortfall: Record<string, { absolute: number; percentage: number } | null>;
  var_by_method: Record<string, Record<string, { var_absolute: number; es_absolute: number } | null>>;
  risk_metrics: { portfolio_beta: number | null; volatility_30d: number | null; observations: number };
  component_var: {
    position_id: string;
    component_var: number;
    marginal_var: number;
    position_weight: number;
  }[];
  component_var_method: { total_var: number } | null;
  stress_scenarios: Record<string, { scenario_return: number; portfolio_impact: number }>;
  greeks_risk: { delta_equivalent: number; gamma_risk: Record<string, number> };
  risk_warnings: string[];
}

describe('GET /api/v1/data/portfolios/{portfolio_id}/risk-summary', () => {
  it('answers VaR and ES at 1/5/10 days, losses negative, with components summing to the total', async () => {
    const { res, body } = await callJson<Summary>(`/api/v1/data/portfolios/${pf}/risk-summary`, {
      as: owner.as,
    });
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.risk_summary.confidence_level).toBe(95);
    expect(body.risk_summary.observations).toBe(252);
    for (const h of ['1_day', '5_day', '10_day']) {
      const v = body.value_at_risk[h]!;
      const es = body.expected_shortfall[h]!;
      expect(v.absolute).toBeLessThan(0);
      expect(es.absolute).toBeLessThanOrEqual(v.absolute);
      expect(v.percentage).toBeCloseTo((v.absolute / body.risk_summary.portfolio_value) * 100, 9);
    }
    expect(Math.abs(body.value_at_risk['10_day']!.absolute)).toBeGreaterThan(
      Math.abs(body.value_at_risk['1_day']!.absolute),
    );
    for (const m of ['historical', 'parametric', 'cornish_fisher'])
      expect(body.var_by_method[m]!['1_day']).not.toBeNull();
    // Components (Euler) add up to the parametric total; the option without IV is excluded.
    const sum = body.component_var.reduce((s, c) => s + c.component_var, 0);
    expect(sum).toBeCloseTo(body.component_var_method!.total_var, 6);
    expect(body.component_var_method!.total_var).toBeCloseTo(
      body.var_by_method.parametric!['1_day']!.var_absolute,
      6,
    );
    expect(body.component_var.map((c) => c.position_id)).not.toContain(ids.PUT);
    for (const c of body.component_var)
      expect(c.component_var).toBeCloseTo(c.position_weight * c.marginal_var, 6);
    expect(body.risk_metrics.portfolio_beta).not.toBeNull();
    expect(body.greeks_risk.gamma_risk['2_percent_move']).toBeCloseTo(
      4 * body.greeks_risk.gamma_risk['1_percent_move']!,
      9,
    );
    expect(body.risk_warnings.some((w) => w.includes('no implied volatility'))).toBe(true);
    expect(Object.keys(body.stress_scenarios)).toHaveLength(15);
  });

  it('moves with the confidence level and validates it (90-99.9)', { timeout: 60_000 }, async () => {
    const at = async (c: string) =>
      callJson<Summary>(`/api/v1/data/portfolios/${pf}/risk-summary?confidence_level=${c}`, { as: owner.as });
    const v95 = await at('95');
    const v99 = await at('99');
    expect(v99.body.value_at_risk['1_day']!.absolute).toBeLessThan(v95.body.value_at_risk['1_day']!.absolute);
    expect((await at('89.9')).res.status).toBe(422);
    expect((await at('99.95')).res.status).toBe(422);
    expect((await at('abc')).res.status).toBe(422);
    const beyond = await callJson(`/api/v1/data/portfolios/${pf}/risk-summary?lookback=1200`, {
      as: owner.as,
    });
    expect(beyond.res.status).toBe(422);
  });

  it('historical 1-day VaR equals the quant library on the revalued return series', async () => {
    // A one-asset portfolio: the revalued returns are SPY's daily returns scaled by its weight in value.
    const created = await callJson<{ id: string }>('/api/v1/management/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'SPY only', type: 'HNW' },
    });
    const one = created.body.id;
    await addPosition(one, { symbol: 'SPY', quantity: 10, entry_price: 400, entry_date: '2023-06-01' });
    const { body } = await callJson<Summary>(`/api/v1/data/portfolios/${one}/risk-summary`, { as: owner.as });
    const { results } = await env.DB.prepare(
      `SELECT close FROM price_data WHERE asset_id = 'ast_spy' AND timeframe = '1d' ORDER BY open_time DESC LIMIT 253`,
    ).all<{ close: number }>();
    const c = results.map((x) => x.close).reverse();
    const r = c.slice(1).map((x, i) => x / c[i]! - 1);
    const nav = body.risk_summary.portfolio_value;
    const mv = 10 * c.at(-1)!;
    const port = r.map((x) => (x * mv) / nav);
    const ref = historicalVar(port, { confidence: 0.95, horizon: 1 })!;
    expect(-body.value_at_risk['1_day']!.absolute).toBeCloseTo(ref.overlapping.var * nav, 6);
    const ref10 = historicalVar(port, { confidence: 0.95, horizon: 10 })!;
    expect(-body.value_at_risk['10_day']!.absolute).toBeCloseTo(ref10.overlapping.var * nav, 6);
    // Component VaR of a single holding is the whole parametric VaR.
    expect(body.component_var).toHaveLength(1);
    expect(body.component_var[0]!.component_var).toBeCloseTo(body.component_var_method!.total_var, 9);
  });
});

describe('risk summary storage', () => {
  it('serves the stored summary until the holdings change, per confidence level; other lookbacks are computed', {
    timeout: 60_000,
  }, async () => {
    const created = await callJson<{ id: string }>('/api/v1/management/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Stored summary', type: 'HNW' },
    });
    const id = created.body.id;
    await addPosition(id, { symbol: 'SPY', quantity: 10, entry_price: 400, entry_date: '2023-06-01' });
    type Stored = Summary & {
      risk_summary: { calculated_at: string; served_from_storage: boolean; storage_rule: string };
    };
    const get = async (query = '') => {
      const r = await callJson<Stored>(`/api/v1/data/portfolios/${id}/risk-summary${query}`, {
        as: owner.as,
      });
      expect(r.res.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    };
    const first = await get();
    expect(first.risk_summary.served_from_storage).toBe(false);
    const second = await get();
    expect(second.risk_summary.served_from_storage).toBe(true);
    expect(second.risk_summary.calculated_at).toBe(first.risk_summary.calculated_at);
    expect(second.risk_summary.storage_rule).toContain('holdings');
    // The stored body is the computed one: same figures, only the serving metadata differs.
    const strip = (b: Stored) => ({ ...b, risk_summary: { ...b.risk_summary, served_from_storage: null } });
    expect(strip(second)).toEqual(strip(first));
    // An explicit lookback (even the default's 252) is computed, so it is checked against the data; 99% is stored on its own.
    expect((await get('?lookback=252')).risk_summary.served_from_storage).toBe(false);
    expect((await get('?confidence_level=99')).risk_summary.served_from_storage).toBe(false);
    const at99 = await get('?confidence_level=99');
    expect(at99.risk_summary.served_from_storage).toBe(true);
    expect(at99.value_at_risk['1_day']!.absolute).toBeLessThan(second.value_at_risk['1_day']!.absolute);
    // refresh=true recomputes and stores at once; the next read is served from storage again.
    expect((await get('?refresh=true')).risk_summary.served_from_storage).toBe(false);
    expect((await get()).risk_summary.served_from_storage).toBe(true);
    // A custom lookback is computed on every request, never stored.
    expect((await get('?lookback=100')).risk_summary.served_from_storage).toBe(false);
    expect((await get('?lookback=100')).risk_summary.served_from_storage).toBe(false);
    // A change of holdings makes the stored summary stale: recomputed with the new position.
    await addPosition(id, { symbol: 'AAPL', quantity: 10, entry_price: 150, entry_date: '2023-06-01' });
    const after = await get();
    expect(after.risk_summary.served_from_storage).toBe(false);
    expect(after.risk_summary.portfolio_value).toBeGreaterThan(first.risk_summary.portfolio_value);
    expect(after.component_var).toHaveLength(2);
    // The stored metrics view reads the snapshot the summary stored in the same batch.
    const metrics = await callJson<{ calculation_metadata: { served_from_storage: boolean } }>(
      `/api/v1/analytics/risk/${id}/metrics`,
      { as: owner.as },
    );
    expect(metrics.body.calculation_metadata.served_from_storage).toBe(true);
  });
});

describe('GET /api/v1/analytics/risk/{portfolio_id}/metrics', () => {
  it('computes once and then serves from storage', async () => {
    const a = await callJson<{
      calculation_metadata: { calculated_at: string; served_from_storage: boolean };
      risk_metrics: {
        value_at_risk: Record<string, { confidence_95: number | null; confidence_99: number | null }>;
      };
    }>(`/api/v1/analytics/risk/${pf}/metrics`, { as: owner.as });
    expect(a.res.status).toBe(200);
    const b = await callJson<typeof a.body>(`/api/v1/analytics/risk/${pf}/metrics`, { as: owner.as });
    expect(b.body.calculation_metadata.served_from_storage).toBe(true);
    expect(b.body.calculation_metadata.calculated_at).toBe(a.body.calculation_metadata.calculated_at);
    const v = b.body.risk_metrics.value_at_risk['1_day']!;
    expect(v.confidence_99!).toBeLessThan(v.confidence_95!);
  });
});

interface Scenarios {
  portfolio_value: number;
  scenarios: {
    id: string;
    portfolio_impact: number;
    scenario_return: number;
    systematic_impact: number;
    idiosyncratic_impact: number;
    positions: {
      position_id: string;
      market_value: number;
      asset_return: number | null;
      pnl: number;
      method: string;
      systematic_pnl: number;
      idiosyncratic_pnl: number;
    }[];
  }[];
}

describe('GET /api/v1/analytics/risk/{portfolio_id}/scenarios', () => {
  it('runs 15 scenarios; P&L is holdings × the scenario’s returns and splits into systematic + idiosyncratic', async () => {
    const { res, body } = await callJson<Scenarios>(`/api/v1/analytics/risk/${pf}/scenarios`, {
      as: owner.as,
    });
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.scenarios).toHaveLength(15);
    const covid = body.scenarios.find((s) => s.id === 'covid_march_2020')!;
    const spy = covid.positions.find((p) => p.position_id === ids.SPY)!;
    expect(spy.method).toBe('replay');
    expect(spy.asset_return!).toBeLessThan(-0.3);
    expect(spy.pnl).toBeCloseTo(spy.market_value * spy.asset_return!, 6);
    // AAPL's shipped history starts in 2021: its 2020 move is the beta proxy.
    expect(covid.positions.find((p) => p.position_id === ids.AAPL)!.method).toBe('beta_proxy');
    for (const s of body.scenarios) {
      const total = s.positions.reduce((a, p) => a + p.pnl, 0);
      expect(s.portfolio_impact).toBeCloseTo(total, 6);
      expect(s.systematic_impact + s.idiosyncratic_impact).toBeCloseTo(s.portfolio_impact, 6);
      expect(s.scenario_return).toBeCloseTo(s.portfolio_impact / body.portfolio_value, 9);
    }
    const ftx = body.scenarios.find((s) => s.id === 'ftx_nov_2022')!;
    expect(ftx.positions.find((p) => p.position_id === ids.BTC)!.asset_return!).toBeLessThan(-0.15);
    const eq = body.scenarios.find((s) => s.id === 'equity_down_20')!;
    expect(eq.positions.find((p) => p.position_id === ids.SPY)!.asset_return).toBeCloseTo(-0.2, 6);
  });

  it('filters by id and refuses an unknown scenario', async () => {
    const one = await callJson<Scenarios>(`/api/v1/analytics/risk/${pf}/scenarios?scenario=ftx_nov_2022`, {
      as: owner.as,
    });
    expect(one.body.scenarios.map((s) => s.id)).toEqual(['ftx_nov_2022']);
    const bad = await callJson(`/api/v1/analytics/risk/${pf}/scenarios?scenario=mars_invasion`, {
      as: owner.as,
    });
    expect(bad.res.status).toBe(422);
  });
});

describe('GET /api/v1/data/greeks/{portfolio_id}', () => {
  it('gives greeks for options with IV and says which have none', async () => {
    const { res, body } = await callJson<{
      greeks_data: { position_id: string; status: string; greeks: { delta: number } | null }[];
      summary: { options_positions: number; positions_with_greeks: number; coverage_percentage: number };
    }>(`/api/v1/data/greeks/${pf}`, { as: owner.as });
    expect(res.status).toBe(200);
    expect(body.summary).toMatchObject({
      options_positions: 2,
      positions_with_greeks: 1,
      coverage_percentage: 50,
    });
    const call = body.greeks_data.find((g) => g.position_id === ids.CALL)!;
    expect(call.status).toBe('ok');
    expect(call.greeks!.delta).toBeGreaterThan(0);
    expect(body.greeks_data.find((g) => g.position_id === ids.PUT)).toMatchObject({
      status: 'missing_implied_volatility',
      greeks: null,
    });
  });
});

describe('ownership', () => {
  it('answers 404 to another user on every risk route', async () => {
    for (const path of [
      `/api/v1/data/portfolios/${pf}/risk-summary`,
      `/api/v1/analytics/risk/${pf}/metrics`,
      `/api/v1/analytics/risk/${pf}/scenarios`,
      `/api/v1/data/greeks/${pf}`,
    ]) {
      expect((await callJson(path, { as: other.as })).res.status, path).toBe(404);
      expect((await callJson(path)).res.status, path).toBe(401);
    }
  });
});

describe('the one market clock', () => {
  it('never reads a close after the clock, and a new market day recomputes the stored summary', {
    timeout: 60_000,
  }, async () => {
    const created = await callJson<{ id: string }>('/api/v1/management/portfolios', {
      method: 'POST',
      as: owner.as,
      body: { name: 'Clock', type: 'HNW' },
    });
    const id = created.body.id;
    await addPosition(id, { symbol: 'SPY', quantity: 10, entry_price: 400, entry_date: '2023-06-01' });
    type Clocked = Summary & {
      risk_summary: { window_end: string | null; served_from_storage: boolean; as_of: string };
    };
    const get = async (query = '') =>
      (await callJson<Clocked>(`/api/v1/data/portfolios/${id}/risk-summary${query}`, { as: owner.as })).body;
    await setMarketClock('2024-01-01T12:00:00Z');
    const before = await get('?lookback=100');
    const stored = await get();
    expect(before.risk_summary.window_end! <= '2024-01-01').toBe(true);
    // A close dated after the clock (a crash no one has seen yet) changes nothing.
    const last = await env.DB.prepare(
      `SELECT close FROM price_data WHERE asset_id = 'ast_spy' AND timeframe = '1d' ORDER BY open_time DESC LIMIT 1`,
    ).first<{ close: number }>();
    const future = Date.parse('2024-01-05T00:00:00Z');
    await env.DB.prepare(
      `INSERT INTO price_data (asset_id, timeframe, open_time, open, high, low, close, volume, source, updated_at)
       VALUES ('ast_spy', '1d', ?, ?, ?, ?, ?, 0, 'test', 0)`,
    )
      .bind(future, last!.close, last!.close, last!.close / 2, last!.close / 2)
      .run();
    try {
      const after = await get('?lookback=100');
      expect(after.value_at_risk).toEqual(before.value_at_risk);
      expect(after.risk_summary.portfolio_value).toBe(before.risk_summary.portfolio_value);
      expect(after.risk_summary.window_end).toBe(before.risk_summary.window_end);
      expect((await get()).risk_summary.served_from_storage).toBe(true);
      // The next market day: the stored summary is stale and recomputed.
      await setMarketClock('2024-01-02T12:00:00Z');
      const nextDay = await get();
      expect(nextDay.risk_summary.served_from_storage).toBe(false);
      expect(nextDay.risk_summary.as_of > stored.risk_summary.as_of).toBe(true);
    } finally {
      await env.DB.prepare(`DELETE FROM price_data WHERE asset_id = 'ast_spy' AND open_time = ?`)
        .bind(future)
        .run();
    }
  });
});
