import { correlation } from '../../../quant';
import { type Bucket, breakdown, concentrationOf } from './summary';
import { dailyCloses, dateOf, type PortfolioValue, type PositionValue } from './valuation';

const DAY = 86_400_000;
/** Calendar days of daily closes the average pairwise correlation looks back over. */
export const CORRELATION_LOOKBACK_DAYS = 90;
/** Fewer common daily returns than this and a pair's correlation is not estimated. */
const MIN_COMMON_RETURNS = 20;
/** Positions within this many percentage points of their target count as on target. */
export const DRIFT_TOLERANCE_PCT = 1;

export interface RebalanceTrade {
  /** buy or sell, in the position's own direction (a SHORT grows with a sell). */
  action: 'buy' | 'sell' | 'hold';
  /** Units to trade at the current price to reach the target weight. */
  quantity: number;
  /** Money value of that trade (quantity × price × multiplier), always ≥ 0. */
  value: number;
  price: number;
}

export interface AllocationRow {
  value: PositionValue;
  /** Exposure (|market value|) over the portfolio's total value, percent. */
  weight: number;
  /** The position's allocation_target, percent; null when none is set. */
  target: number | null;
  /** weight − target, percentage points; null without a target. */
  drift: number | null;
  targetValue: number | null;
  rebalance: RebalanceTrade | null;
}

export interface Diversification {
  /** 0 (one position, one sector, perfectly correlated) .. 100. */
  score: number;
  method: string;
  positions: number;
  herfindahl_index: number | null;
  effective_positions: number | null;
  largest_position_weight: number | null;
  top_5_positions_weight: number | null;
  sectors: number;
  sector_herfindahl_index: number | null;
  effective_sectors: number | null;
  average_pairwise_correlation: number | null;
  correlation_pairs: number;
  correlation_lookback_days: number;
  components: {
    position_spread: number | null;
    sector_spread: number | null;
    correlation: number | null;
  };
}

export interface AllocationAnalysis {
  rows: AllocationRow[];
  targetsSet: number;
  /** Sum of the targets, percent (100 means every unit of value is assigned). */
  targetTotal: number;
  /** Weight of positions without a target plus cash, percent. */
  unassignedWeight: number;
  cashWeight: number;
  onTarget: number;
  /** Sum of |drift| / 2 over targeted positions: the share of value that would move, percent. */
  turnoverToRebalance: number;
  bySector: Record<string, Bucket>;
  byAssetType: Record<string, Bucket>;
  byPositionType: Record<string, Bucket>;
  diversification: Diversification;
}

const pct = (part: number, whole: number) => (whole !== 0 ? (part / whole) * 100 : 0);

/**
 * The trade that takes a position from its exposure to `target`% of the portfolio's total
 * value at the current price. Exposure is |market value|, so a SHORT's target is a short
 * exposure: growing it is a sell, shrinking it a buy (a cover).
 */
export function rebalanceTrade(v: PositionValue, totalValue: number, target: number): RebalanceTrade {
  const targetExposure = (target / 100) * totalValue;
  const delta = targetExposure - Math.abs(v.marketValue);
  const unit = v.price * v.multiplier;
  if (!(unit > 0) || Math.abs(delta) < 1e-9) return { action: 'hold', quantity: 0, value: 0, price: v.price };
  const grow = delta > 0;
  const action = v.sign === -1 ? (grow ? 'sell' : 'buy') : grow ? 'buy' : 'sell';
  // A sale can never exceed what is held, even when the target is 0 and prices moved.
  const quantity = grow ? delta / unit : Math.min(v.quantity, -delta / unit);
  return { action, quantity, value: quantity * unit, price: v.price };
}

/**
 * Average pairwise Pearson correlation of simple daily returns of the priced open positions,
 * over the last `CORRELATION_LOOKBACK_DAYS` calendar days of daily closes ending at `asOfDay`.
 * Each pair uses the days both assets have closes on consecutive available days (crypto trades
 * every day, equities five); pairs with fewer than `MIN_COMMON_RETURNS` returns are skipped.
 */
export async function averagePairwiseCorrelation(
  env: Env,
  assetIds: string[],
  asOfDay: string,
): Promise<{ average: number | null; pairs: number }> {
  const ids = [...new Set(assetIds)];
  if (ids.length < 2) return { average: null, pairs: 0 };
  const from = dateOf(Date.parse(`${asOfDay}T00:00:00Z`) - CORRELATION_LOOKBACK_DAYS * DAY);
  const closes = await dailyCloses(env, ids, from, asOfDay);
  // Per asset: day → return from its previous close in the window.
  const returns = new Map<string, Map<string, number>>();
  for (const id of ids) {
    const series = closes.get(id);
    if (!series) continue;
    const days = [...series.keys()].filter((d) => d >= from).sort();
    const r = new Map<string, number>();
    for (let i = 1; i < days.length; i++) {
      const prev = series.get(days[i - 1] as string) as number;
      const cur = series.get(days[i] as string) as number;
      if (prev > 0) r.set(days[i] as string, cur / prev - 1);
    }
    returns.set(id, r);
  }
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = returns.get(ids[i] as string);
      const b = returns.get(ids[j] as string);
      if (!a || !b) continue;
      const x: number[] = [];
      const y: number[] = [];
      for (const [day, ra] of a) {
        const rb = b.get(day);
        if (rb !== undefined) {
          x.push(ra);
          y.push(rb);
        }
      }
      if (x.length < MIN_COMMON_RETURNS) continue;
      const rho = correlation(x, y);
      if (rho === null) continue;
      sum += rho;
      pairs++;
    }
  }
  return { average: pairs > 0 ? sum / pairs : null, pairs };
}

function herfindahl(exposures: number[]): number | null {
  const total = exposures.reduce((s, x) => s + Math.abs(x), 0);
  if (!(total > 0)) return null;
  return exposures.reduce((s, x) => s + (Math.abs(x) / total) ** 2, 0);
}

export const DIVERSIFICATION_METHOD =
  'score = 100 × weighted mean of: position spread 1 − HHI of position exposures (weight 0.5), ' +
  'sector spread 1 − HHI of sector exposures (0.25), and 1 − max(0, average pairwise correlation of ' +
  `simple daily returns over ${CORRELATION_LOOKBACK_DAYS} days) (0.25); a component that cannot be ` +
  'computed is left out and the weights of the others rescaled. A statistical measure from holdings ' +
  'and price history, not a model prediction.';

/**
 * How spread out the portfolio is, from its holdings and their price history. The position
 * component is the Gini-Simpson index 1 − HHI (0 for one position, 1 − 1/N for N equal ones);
 * the sector component likewise over sectors; the correlation component rewards assets that
 * do not move together (uncorrelated or negatively correlated pairs count fully).
 */
export async function diversificationOf(env: Env, value: PortfolioValue): Promise<Diversification> {
  const open = value.positions.filter((v) => v.isOpen);
  const conc = concentrationOf(value);
  const hhi = herfindahl(open.map((v) => v.marketValue));
  const sectorExposure = new Map<string, number>();
  for (const v of open)
    sectorExposure.set(v.sector, (sectorExposure.get(v.sector) ?? 0) + Math.abs(v.marketValue));
  const sectorHhi = herfindahl([...sectorExposure.values()]);
  const priced = open.filter((v) => v.priceSource === 'quote' || v.priceSource === 'daily_close');
  const corr = await averagePairwiseCorrelation(
    env,
    priced.flatMap((v) => (v.position.assetId ? [v.position.assetId] : [])),
    value.asOf.slice(0, 10),
  );
  const components = {
    position_spread: hhi === null ? null : 1 - hhi,
    sector_spread: sectorHhi === null ? null : 1 - sectorHhi,
    correlation: corr.average === null ? null : 1 - Math.max(0, corr.average),
  };
  const weights = { position_spread: 0.5, sector_spread: 0.25, correlation: 0.25 };
  let num = 0;
  let den = 0;
  for (const k of Object.keys(weights) as (keyof typeof weights)[]) {
    const c = components[k];
    if (c === null) continue;
    num += weights[k] * c;
    den += weights[k];
  }
  return {
    score: den > 0 ? (num / den) * 100 : 0,
    method: DIVERSIFICATION_METHOD,
    positions: open.length,
    herfindahl_index: conc?.herfindahl_index ?? null,
    effective_positions: conc?.effective_positions ?? null,
    largest_position_weight: conc ? conc.largest_position_weight * 100 : null,
    top_5_positions_weight: conc ? conc.top_5_positions_weight * 100 : null,
    sectors: sectorExposure.size,
    sector_herfindahl_index: sectorHhi,
    effective_sectors: sectorHhi ? 1 / sectorHhi : null,
    average_pairwise_correlation: corr.average,
    correlation_pairs: corr.pairs,
    correlation_lookback_days: CORRELATION_LOOKBACK_DAYS,
    components,
  };
}

/**
 * Allocation against targets: each open position's weight (exposure over total value, cash
 * included in the total), its allocation_target, the drift between them and the trade that
 * would bring it back to target at the current price; plus breakdowns and diversification.
 */
export async function allocationOf(env: Env, value: PortfolioValue): Promise<AllocationAnalysis> {
  const total = value.totalValue;
  const rows: AllocationRow[] = value.positions
    .filter((v) => v.isOpen)
    .map((v) => {
      const weight = pct(Math.abs(v.marketValue), total);
      const target = v.position.allocationTarget;
      if (target === null || !(total > 0)) {
        return { value: v, weight, target, drift: null, targetValue: null, rebalance: null };
      }
      return {
        value: v,
        weight,
        target,
        drift: weight - target,
        targetValue: (target / 100) * total,
        rebalance: rebalanceTrade(v, total, target),
      };
    });
  const targeted = rows.filter((r) => r.drift !== null);
  const diversification = await diversificationOf(env, value);
  return {
    rows,
    targetsSet: targeted.length,
    targetTotal: targeted.reduce((s, r) => s + (r.target ?? 0), 0),
    unassignedWeight:
      rows.filter((r) => r.drift === null).reduce((s, r) => s + r.weight, 0) + pct(value.cash, total),
    cashWeight: pct(value.cash, total),
    onTarget: targeted.filter((r) => Math.abs(r.drift ?? 0) <= DRIFT_TOLERANCE_PCT).length,
    turnoverToRebalance: targeted.reduce((s, r) => s + Math.abs(r.drift ?? 0), 0) / 2,
    bySector: breakdown(value, (v) => v.sector),
    byAssetType: breakdown(value, (v) => v.position.assetType),
    byPositionType: breakdown(value, (v) => v.position.positionType),
    diversification,
  };
}
