import { betaAlpha, blackScholes } from '../../../quant';
import { catalogAssetId } from '../../assets/catalog';
import { isOptionValue } from '../../portfolios/services/insight';
import type { PositionValue } from '../../portfolios/services/valuation';
import type { RiskInputs } from './engine';
import { pricedAssetOf } from './factors';
import { DAY } from './market';

export interface ScenarioDef {
  id: string;
  name: string;
  kind: 'historical' | 'factor_shock';
  description: string;
  start?: string;
  end?: string;
}

/** Assumed modified duration of TLT (iShares 20+ Year Treasury) for the rates shock. */
export const TLT_DURATION = 16.5;

/** The 15 named scenarios: 11 historical replays on the shipped closes and 4 factor shocks. */
export const SCENARIOS: ScenarioDef[] = [
  {
    id: '2008_financial_crisis',
    name: '2008 financial crisis',
    kind: 'historical',
    start: '2008-09-12',
    end: '2009-03-09',
    description: 'Lehman weekend to the March 2009 low',
  },
  {
    id: '2011_us_downgrade',
    name: 'August 2011 US downgrade',
    kind: 'historical',
    start: '2011-07-22',
    end: '2011-08-10',
    description: 'Debt-ceiling standoff and the S&P downgrade of US debt',
  },
  {
    id: '2015_china_devaluation',
    name: 'August 2015 yuan devaluation',
    kind: 'historical',
    start: '2015-08-17',
    end: '2015-08-25',
    description: 'Yuan devaluation sell-off and the 24 August flash crash',
  },
  {
    id: '2018_volmageddon',
    name: 'February 2018 Volmageddon',
    kind: 'historical',
    start: '2018-01-26',
    end: '2018-02-08',
    description: 'Short-volatility unwind',
  },
  {
    id: '2018_crypto_winter',
    name: '2018 crypto winter',
    kind: 'historical',
    start: '2018-01-06',
    end: '2018-12-15',
    description: 'Crypto bear market after the 2017 peak',
  },
  {
    id: '2018_q4_selloff',
    name: 'Q4 2018 sell-off',
    kind: 'historical',
    start: '2018-09-20',
    end: '2018-12-24',
    description: 'Fed tightening and trade-war sell-off',
  },
  {
    id: 'covid_march_2020',
    name: 'COVID crash (March 2020)',
    kind: 'historical',
    start: '2020-02-19',
    end: '2020-03-23',
    description: 'Pandemic crash from the February peak to the March low',
  },
  {
    id: '2022_rate_shock',
    name: '2022 rate shock',
    kind: 'historical',
    start: '2022-01-03',
    end: '2022-10-12',
    description: 'Fed hiking cycle: equities and long bonds fell together',
  },
  {
    id: 'terra_luna_may_2022',
    name: 'Terra/LUNA collapse (May 2022)',
    kind: 'historical',
    start: '2022-05-05',
    end: '2022-05-12',
    description: 'UST de-peg and LUNA collapse',
  },
  {
    id: 'ftx_nov_2022',
    name: 'FTX collapse (November 2022)',
    kind: 'historical',
    start: '2022-11-06',
    end: '2022-11-21',
    description: 'FTX insolvency and contagion',
  },
  {
    id: 'svb_march_2023',
    name: 'SVB bank run (March 2023)',
    kind: 'historical',
    start: '2023-03-08',
    end: '2023-03-13',
    description: 'Silicon Valley Bank failure; USDC de-peg weekend',
  },
  {
    id: 'equity_down_20',
    name: 'Equity market −20%',
    kind: 'factor_shock',
    description:
      'SPY −20%; each position moves by its beta to SPY over the lookback (options repriced at the moved underlying)',
  },
  {
    id: 'crypto_down_50',
    name: 'Crypto market −50%',
    kind: 'factor_shock',
    description: 'BTC −50%; each position moves by its beta to BTC over the lookback (options repriced)',
  },
  {
    id: 'rates_up_100bp',
    name: 'Rates +100 bp',
    kind: 'factor_shock',
    description: `Long Treasuries (TLT) move −${TLT_DURATION}% (modified duration ${TLT_DURATION} assumed × 1 pp); each position moves by its beta to TLT over the lookback`,
  },
  {
    id: 'vol_spike',
    name: 'Volatility spike (+10 vol points)',
    kind: 'factor_shock',
    description:
      'Implied volatilities +10 points on every option (repriced by Black-Scholes); SPY −7% with positions moving by their beta to SPY',
  },
];

export const SCENARIO_IDS = SCENARIOS.map((s) => s.id) as [string, ...string[]];
const BTC = catalogAssetId('BTC');
const SPY = catalogAssetId('SPY');
const TLT = catalogAssetId('TLT');

/** Closes on or before each day (looking back at most 10 days) for the assets: day → asset → close. */
export async function boundaryCloses(env: Env, assetIds: string[], days: string[], now: number) {
  const ids = JSON.stringify([...new Set(assetIds)]);
  const out = new Map<string, Map<string, number>>();
  const usable = days.filter((d) => Date.parse(`${d}T00:00:00Z`) + DAY <= now);
  if (usable.length === 0 || assetIds.length === 0) return out;
  const results = await env.DB.batch(
    usable.map((d) => {
      const t = Date.parse(`${d}T00:00:00Z`);
      // A range scan of the primary key; the latest close per asset is picked below.
      return env.DB.prepare(
        `SELECT asset_id, open_time, close FROM price_data
         WHERE timeframe = '1d' AND asset_id IN (SELECT value FROM json_each(?1))
           AND open_time <= ?2 AND open_time >= ?3`,
      ).bind(ids, t, t - 10 * DAY);
    }),
  );
  usable.forEach((d, i) => {
    const latest = new Map<string, { t: number; close: number }>();
    for (const r of (results[i]?.results ?? []) as { asset_id: string; open_time: number; close: number }[]) {
      const seen = latest.get(r.asset_id);
      if (!seen || r.open_time > seen.t) latest.set(r.asset_id, { t: r.open_time, close: r.close });
    }
    out.set(d, new Map([...latest].map(([k, v]) => [k, v.close])));
  });
  return out;
}

export interface PositionImpact {
  position_id: string;
  symbol: string;
  market_value: number;
  /** The move of the position's priced asset in the scenario (the underlying for options). */
  asset_return: number | null;
  pnl: number;
  systematic_pnl: number;
  idiosyncratic_pnl: number;
  method: 'replay' | 'beta_proxy' | 'shock' | 'excluded';
  note: string | null;
}

export interface ScenarioResult {
  id: string;
  name: string;
  kind: ScenarioDef['kind'];
  description: string;
  window: { start: string; end: string } | null;
  market_return: number | null;
  scenario_return: number;
  portfolio_impact: number;
  systematic_impact: number;
  idiosyncratic_impact: number;
  positions: PositionImpact[];
  coverage: { positions: number; replayed: number; proxied: number; excluded: number };
}

/** Money P&L of a position when its priced asset moves by r (and option vols by dVol). */
function positionPnl(v: PositionValue, r: number, now: number, rate: number, dVol = 0): number | null {
  if (!isOptionValue(v)) return v.marketValue * r;
  const p = v.position;
  const spot = v.underlyingPrice;
  const strike = Number(p.strike);
  const expiry = p.expiry ? Date.parse(`${p.expiry}T21:00:00Z`) : Number.NaN;
  const time = (expiry - now) / (365 * DAY);
  if (spot === null || p.impliedVolatility === null || !(strike > 0) || !(time > 0)) return null;
  const type = p.positionType === 'CALL' ? 'call' : 'put';
  const price = (s: number, vol: number) =>
    blackScholes({ type, spot: s, strike, rate, volatility: vol, time }).price;
  const units = v.sign * v.quantity * v.multiplier;
  return units * (price(spot * (1 + r), p.impliedVolatility + dVol) - price(spot, p.impliedVolatility));
}

/** β of each position's asset moves to a benchmark series over the risk lookback (null without variance). */
function betasTo(inputs: RiskInputs, bench: number[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const p of inputs.positions) {
    const mv = p.marketValue;
    const moves = p.method === 'linear' && mv !== 0 ? p.pnl.map((x) => x / mv) : null;
    let beta: number | null = null;
    if (moves && moves.length >= 2) {
      try {
        beta = betaAlpha(moves, bench)?.beta ?? null;
      } catch {
        beta = null;
      }
    }
    out.set(p.position.position.id, beta);
  }
  return out;
}

/**
 * Runs the scenarios on today's holdings: historical replays move each position by its asset's
 * return over the window (P&L = market value × return; options repriced), systematic = its
 * beta to SPY × SPY's window return, idiosyncratic the rest; a position whose asset has no
 * closes in the window moves by its beta only (beta_proxy). Shocks move positions by their
 * beta to the shocked factor.
 */
export async function runScenarios(
  env: Env,
  inputs: RiskInputs,
  ids: string[] = SCENARIO_IDS,
): Promise<ScenarioResult[]> {
  const now = Date.parse(inputs.value.asOf);
  const nav = inputs.nav;
  const chosen = SCENARIOS.filter((s) => ids.includes(s.id));
  const assetIds = inputs.positions.map((p) => pricedAssetOf(p.position)).filter((x): x is string => !!x);
  const boundaries = [...new Set(chosen.flatMap((s) => (s.start && s.end ? [s.start, s.end] : [])))];
  const closes = await boundaryCloses(env, [...assetIds, SPY, BTC, TLT], boundaries, now);
  const betaSpy = betasTo(inputs, inputs.benchmarkReturns);
  const betaBtc = betasTo(inputs, inputs.shockReturns.btc);
  const betaTlt = betasTo(inputs, inputs.shockReturns.tlt);
  const ret = (id: string, s: ScenarioDef) => {
    const a = s.start ? closes.get(s.start)?.get(id) : undefined;
    const b = s.end ? closes.get(s.end)?.get(id) : undefined;
    return a && b ? b / a - 1 : null;
  };
  return chosen.map((s) => {
    const available =
      s.kind === 'factor_shock' || (s.end !== undefined && Date.parse(`${s.end}T00:00:00Z`) + DAY <= now);
    const spyR =
      s.kind === 'historical'
        ? ret(SPY, s)
        : s.id === 'equity_down_20'
          ? -0.2
          : s.id === 'vol_spike'
            ? -0.07
            : 0;
    const positions: PositionImpact[] = inputs.positions.map((p) => {
      const v = p.position;
      const id = v.position.id;
      const base = { position_id: id, symbol: v.position.symbol, market_value: v.marketValue };
      const excluded = (note: string): PositionImpact => ({
        ...base,
        asset_return: null,
        pnl: 0,
        systematic_pnl: 0,
        idiosyncratic_pnl: 0,
        method: 'excluded',
        note,
      });
      if (!available) return excluded('Scenario window ends after the market clock');
      const asset = pricedAssetOf(v);
      const bSpy = betaSpy.get(id) ?? null;
      const systematicMove = spyR !== null && bSpy !== null ? bSpy * spyR : null;
      if (s.kind === 'historical') {
        const own = asset ? ret(asset, s) : null;
        if (own !== null) {
          const pnl = positionPnl(v, own, now, inputs.rate);
          if (pnl === null) return excluded('Option without implied volatility: cannot be repriced');
          const sys = systematicMove !== null ? (positionPnl(v, systematicMove, now, inputs.rate) ?? 0) : 0;
          return {
            ...base,
            asset_return: own,
            pnl,
            systematic_pnl: sys,
            idiosyncratic_pnl: pnl - sys,
            method: 'replay',
            note: null,
          };
        }
        if (systematicMove === null) return excluded('No closes in the window and no beta to SPY');
        const pnl = positionPnl(v, systematicMove, now, inputs.rate);
        if (pnl === null) return excluded('Option without implied volatility: cannot be repriced');
        return {
          ...base,
          asset_return: systematicMove,
          pnl,
          systematic_pnl: pnl,
          idiosyncratic_pnl: 0,
          method: 'beta_proxy',
          note: 'No closes for this asset in the window: moved by beta to SPY × SPY’s return',
        };
      }
      let move: number | null;
      let dVol = 0;
      if (s.id === 'equity_down_20' || s.id === 'vol_spike') {
        move = systematicMove;
        if (s.id === 'vol_spike') dVol = 0.1;
      } else if (s.id === 'crypto_down_50') {
        const b = betaBtc.get(id) ?? null;
        move = asset === BTC ? -0.5 : b !== null ? b * -0.5 : null;
      } else {
        const b = betaTlt.get(id) ?? null;
        move = asset === TLT ? -TLT_DURATION / 100 : b !== null ? (b * -TLT_DURATION) / 100 : null;
      }
      if (move === null) move = 0;
      const pnl = positionPnl(v, move, now, inputs.rate, dVol);
      if (pnl === null) return excluded('Option without implied volatility: cannot be repriced');
      return {
        ...base,
        asset_return: move,
        pnl,
        systematic_pnl: pnl,
        idiosyncratic_pnl: 0,
        method: 'shock',
        note: null,
      };
    });
    const total = positions.reduce((a, p) => a + p.pnl, 0);
    const sys = positions.reduce((a, p) => a + p.systematic_pnl, 0);
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      description: s.description,
      window: s.start && s.end ? { start: s.start, end: s.end } : null,
      market_return: spyR,
      scenario_return: nav > 0 ? total / nav : 0,
      portfolio_impact: total,
      systematic_impact: sys,
      idiosyncratic_impact: total - sys,
      positions,
      coverage: {
        positions: positions.length,
        replayed: positions.filter((p) => p.method === 'replay' || p.method === 'shock').length,
        proxied: positions.filter((p) => p.method === 'beta_proxy').length,
        excluded: positions.filter((p) => p.method === 'excluded').length,
      },
    };
  });
}
