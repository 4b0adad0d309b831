// biome-ignore-all lint/style/noNonNullAssertion: index arithmetic over arrays whose lengths the test builds itself
import { beforeAll, describe, expect, it } from 'vitest';
import spyCsv from '../../../../shared/data/prices/etf-alphavantage/SPY.csv?raw';
import { ASSET_CATALOG } from '../../../src/domains/assets/catalog';
import { parseHistory } from '../../../src/domains/prices/history-csv';
import { callJson } from '../../helpers/api';
import { FACTOR_FILES, FRENCH_202604, seedFactors } from '../../helpers/factors';
import { REPLAY_START, seedMarket } from '../../helpers/market';
import { portfolioWithTrades } from '../../helpers/portfolios';
import { signUp, type TestUser } from '../../helpers/users';

/** Issue 16: factor data and factor exposures (004 2.7, 2.9, A2). */
let owner: TestUser;
let other: TestUser;
let portfolioId: string;

interface Coef {
  factor: string;
  beta: number;
  standard_error: number;
  t_stat: number;
}
interface FactorsBody {
  portfolio_id: string;
  factor_exposures: {
    position_id: string;
    symbol: string;
    weight: number;
    status: string;
    exposures: Record<string, number> | null;
    regression: {
      coefficients: Coef[];
      alpha: { daily: number };
      r_squared: number;
      observations: number;
      window_start: string;
      window_end: string;
      residual_volatility_daily: number;
    } | null;
    last_updated: string;
  }[];
  portfolio_exposures: Record<string, number>;
  risk_attribution: {
    systematic_risk: number;
    idiosyncratic_risk: number;
    factor_concentration: Record<string, number>;
  } | null;
  summary: { positions_with_exposures: number; total_positions: number; last_updated: string; as_of: string };
}

beforeAll(async () => {
  await seedMarket(['SPY', 'BTC']);
  await seedFactors();
  owner = await signUp();
  other = await signUp();
  ({ id: portfolioId } = await portfolioWithTrades(owner, { name: 'Factors' }, [
    { trade_type: 'buy', symbol: 'AAPL', quantity: 100, price: 150, trade_date: '2023-06-01' },
    { trade_type: 'buy', symbol: 'MTUM', quantity: 50, price: 140, trade_date: '2023-06-01' },
    { trade_type: 'buy', symbol: 'BTC', quantity: 0.5, price: 27000, trade_date: '2023-06-01' },
  ]));
}, 120_000);

const DAY = 86_400_000;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Closes by day, read independently from the shipped CSVs. */
function closes(symbol: string): Map<number, number> {
  const entry = ASSET_CATALOG.find((a) => a.symbol === symbol);
  const text = symbol === 'SPY' ? spyCsv : FACTOR_FILES[symbol];
  if (!entry?.history || !text) throw new Error(symbol);
  const m = new Map<number, number>();
  for (const c of parseHistory(text, entry.history.format, { until: entry.history.until }).candles)
    if (c.openTime + DAY <= REPLAY_START) m.set(c.openTime, c.close);
  return m;
}

/** OLS by the normal equations (XᵀX)β = Xᵀy, Gaussian elimination with partial pivoting. */
function normalEquations(y: number[], xs: number[][]): number[] {
  const n = y.length;
  const cols = [y.map(() => 1), ...xs];
  const p = cols.length;
  const a = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p + 1 }, (_, j) => {
      let s = 0;
      for (let t = 0; t < n; t++)
        s += (cols[i] as number[])[t]! * (j < p ? (cols[j] as number[])[t]! : y[t]!);
      return s;
    }),
  );
  for (let c = 0; c < p; c++) {
    let best = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[best]![c]!)) best = r;
    [a[c], a[best]] = [a[best]!, a[c]!];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= p; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[p]! / row[i]!);
}

describe('GET /api/v1/data/factors/etf-prices', () => {
  it('lists the factor ETFs with adjusted flags and history up to the market clock', async () => {
    const { res, body } = await callJson<{
      factor_etfs: {
        symbol: string;
        factor_type: string;
        adjusted: boolean;
        historical_prices: { date: string }[];
        current_price: number | null;
      }[];
      summary: { total_etfs: number };
    }>('/api/v1/data/factors/etf-prices?days=5', { as: owner.as });
    expect(res.status).toBe(200);
    const mtum = body.factor_etfs.find((e) => e.symbol === 'MTUM');
    expect(mtum).toMatchObject({ factor_type: 'momentum', adjusted: true });
    expect(mtum?.historical_prices).toHaveLength(5);
    expect(body.factor_etfs.find((e) => e.symbol === 'SPY')).toMatchObject({
      factor_type: 'market',
      adjusted: false,
    });
    expect(body.factor_etfs.map((e) => e.symbol)).toEqual(
      expect.arrayContaining(['VLUE', 'VTV', 'IWD', 'SCHD', 'VEA', 'VWO']),
    );
    for (const e of body.factor_etfs)
      for (const p of e.historical_prices)
        expect(Date.parse(p.date) + DAY).toBeLessThanOrEqual(REPLAY_START + 3 * DAY);
    const sub = await callJson<{ factor_etfs: { symbol: string }[] }>(
      '/api/v1/data/factors/etf-prices?symbols=QUAL,USMV',
      {
        as: owner.as,
      },
    );
    expect(sub.body.factor_etfs.map((e) => e.symbol).sort()).toEqual(['QUAL', 'USMV']);
    expect((await callJson('/api/v1/data/factors/etf-prices?days=0', { as: owner.as })).res.status).toBe(422);
    expect((await callJson('/api/v1/data/factors/etf-prices')).res.status).toBe(401);
  });
});

describe('004 position details and aggregations carry the risk blocks', () => {
  it('fills factor_exposures, component and marginal VaR, and factor_aggregations', async () => {
    const factors = await callJson<FactorsBody>(`/api/v1/data/factors/${portfolioId}`, { as: owner.as });
    const aapl = factors.body.factor_exposures.find((p) => p.symbol === 'AAPL');
    if (!aapl) throw new Error('no AAPL');
    const detail = await callJson<{
      factor_exposures: { exposures: Record<string, number> | null; factor_set: string } | null;
      risk_metrics: { component_var: number | null; marginal_var: number | null };
    }>(`/api/v1/data/positions/${aapl.position_id}/details`, { as: owner.as });
    expect(detail.res.status).toBe(200);
    expect(detail.body.factor_exposures?.exposures).toEqual(aapl.exposures);
    expect(detail.body.risk_metrics.component_var).toBeLessThan(0);
    expect(detail.body.risk_metrics.marginal_var).toBeLessThan(0);
    const summary = await callJson<{ component_var: { position_id: string; component_var: number }[] }>(
      `/api/v1/data/portfolios/${portfolioId}/risk-summary`,
      { as: owner.as },
    );
    const row = summary.body.component_var.find((c) => c.position_id === aapl.position_id);
    expect(detail.body.risk_metrics.component_var).toBeCloseTo(row?.component_var ?? 0, 6);
    const agg = await callJson<{
      factor_aggregations: { portfolio_beta: number; factor_loadings: Record<string, number> } | null;
    }>(`/api/v1/data/portfolios/${portfolioId}/aggregations?include_factors=true`, { as: owner.as });
    expect(agg.body.factor_aggregations?.factor_loadings).toEqual(factors.body.portfolio_exposures);
    expect(agg.body.factor_aggregations?.portfolio_beta).toBe(factors.body.portfolio_exposures.market);
  });
});

describe('GET /api/v1/data/factors/{portfolio_id}', () => {
  it('stores exposures that equal an independent OLS on the same aligned returns (1e-9)', async () => {
    const { res, body } = await callJson<FactorsBody>(`/api/v1/data/factors/${portfolioId}`, {
      as: owner.as,
    });
    expect(res.status, JSON.stringify(body)).toBe(200);
    const aapl = body.factor_exposures.find((p) => p.symbol === 'AAPL');
    expect(aapl?.status).toBe('ok');
    const reg = aapl?.regression;
    if (!reg) throw new Error('no regression');
    expect(reg.observations).toBe(252);
    // Independent rebuild: common days of AAPL, SPY and the 6 ETFs, rf from French on the later day.
    const etfs = ['SPY', 'IWM', 'VLUE', 'MTUM', 'QUAL', 'USMV', 'VYM'].map(closes);
    const asset = closes('AAPL');
    const rf = new Map(FRENCH_202604.map((r) => [r.time, r.rf]));
    const days = [...asset.keys()]
      .filter((t) => etfs.every((m) => m.has(t)) && rf.has(t))
      .sort((a, b) => a - b);
    const y: number[] = [];
    const xs: number[][] = Array.from({ length: 7 }, () => []);
    for (let i = 1; i < days.length; i++) {
      const [t0, t1] = [days[i - 1]!, days[i]!];
      const r = (m: Map<number, number>) => m.get(t1)! / m.get(t0)! - 1;
      const f = rf.get(t1)!;
      const spy = r(etfs[0]!);
      y.push(r(asset) - f);
      xs[0]!.push(spy - f);
      for (let k = 1; k < 7; k++) xs[k]!.push(r(etfs[k]!) - spy);
    }
    const n = 252;
    const beta = normalEquations(
      y.slice(-n),
      xs.map((s) => s.slice(-n)),
    );
    expect(reg.window_end).toBe(day(days.at(-1)!));
    expect(Math.abs(reg.alpha.daily - beta[0]!)).toBeLessThan(1e-9);
    reg.coefficients.forEach((c, k) => {
      expect(Math.abs(c.beta - beta[k + 1]!), c.factor).toBeLessThan(1e-9);
      expect(c.t_stat).toBeCloseTo(c.beta / c.standard_error, 9);
    });
    expect(reg.r_squared).toBeGreaterThan(0.3);
    expect(reg.r_squared).toBeLessThan(1);
    // BTC (crypto) adds nothing crypto-specific for itself, but regresses on the ETF set.
    expect(body.summary.total_positions).toBe(3);
    // Portfolio exposures are the weight-sum of position betas.
    const market = body.factor_exposures.reduce(
      (s, p) => s + (p.exposures ? p.weight * p.exposures.market! : 0),
      0,
    );
    expect(body.portfolio_exposures.market).toBeCloseTo(market, 12);
    const attr = body.risk_attribution;
    expect(attr).not.toBeNull();
    expect(attr!.systematic_risk + attr!.idiosyncratic_risk).toBeCloseTo(1, 12);
    const conc = Object.values(attr!.factor_concentration).reduce((s, v) => s + v, 0);
    expect(conc).toBeCloseTo(1, 9);
  });

  it('serves from storage: a second read has the same last_updated', async () => {
    const a = await callJson<FactorsBody>(`/api/v1/data/factors/${portfolioId}`, { as: owner.as });
    const b = await callJson<FactorsBody>(`/api/v1/analytics/factor/${portfolioId}/exposures`, {
      as: owner.as,
    });
    expect(b.res.status).toBe(200);
    expect(b.body.summary.last_updated).toBe(a.body.summary.last_updated);
    expect(b.body.portfolio_exposures).toEqual(a.body.portfolio_exposures);
  });

  it('runs the Fama-French 5 + momentum set from one French vintage', async () => {
    const { res, body } = await callJson<FactorsBody & { factor_set: string }>(
      `/api/v1/data/factors/${portfolioId}?factor_set=ff5mom`,
      { as: owner.as },
    );
    expect(res.status).toBe(200);
    const aapl = body.factor_exposures.find((p) => p.symbol === 'AAPL');
    expect(aapl?.regression?.coefficients.map((c) => c.factor)).toEqual([
      'market',
      'size',
      'value',
      'profitability',
      'investment',
      'momentum',
    ]);
    expect(aapl?.regression?.coefficients[0]?.beta).toBeGreaterThan(0.8);
  });

  it('answers 404 for another user, an unknown portfolio or position, 400 for a bad factor set', async () => {
    expect((await callJson(`/api/v1/data/factors/${portfolioId}`, { as: other.as })).res.status).toBe(404);
    expect(
      (await callJson(`/api/v1/analytics/factor/${portfolioId}/exposures`, { as: other.as })).res.status,
    ).toBe(404);
    expect((await callJson('/api/v1/data/factors/nope', { as: owner.as })).res.status).toBe(404);
    expect(
      (await callJson(`/api/v1/data/factors/${portfolioId}?position_id=x`, { as: owner.as })).res.status,
    ).toBe(404);
    expect(
      (await callJson(`/api/v1/data/factors/${portfolioId}?factor_set=capm`, { as: owner.as })).res.status,
    ).toBe(422);
  });
});
