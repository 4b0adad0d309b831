import { eq } from 'drizzle-orm';
import { marketNow } from '../../../core/market-clock';
import { db } from '../../../db/client';
import { riskSnapshots } from '../../../db/schema';
import type { PortfolioValue } from '../../portfolios/services/valuation';
import { holdingsKey } from './factors';
import { dayOf } from './market';
import { type RiskReport, riskReport } from './summary';
import type { ComponentRow, RiskMetrics, VarFigure } from './var';

/** What the risk batch stores per portfolio. */
export interface RiskSnapshot {
  nav: number;
  lookback: number;
  observations: number;
  window_start: string | null;
  window_end: string | null;
  /** horizon → confidence → historical VaR/ES. */
  var: Record<string, Record<string, VarFigure | null>>;
  metrics: RiskMetrics;
  component_total: number | null;
  /** Parametric 1-day 95% component and marginal VaR per position (positive losses, money). */
  components: ComponentRow[];
}

export function snapshotOf(report: RiskReport): RiskSnapshot {
  const i = report.inputs;
  return {
    nav: i.nav,
    lookback: i.lookback,
    observations: i.days.length,
    window_start: report.metrics.window_start,
    window_end: report.metrics.window_end,
    var: report.grid.historical,
    metrics: report.metrics,
    component_total: report.components?.total ?? null,
    components: report.confidence === 0.95 ? (report.components?.rows ?? []) : [],
  };
}

/** Runs the risk batch for one portfolio and stores it (one upsert). Idempotent. */
export async function storeRiskSnapshot(env: Env, value: PortfolioValue, report?: RiskReport) {
  const r = report ?? (await riskReport(env, value));
  const payload = snapshotOf(r);
  const calculatedAt = new Date(await marketNow(env)).toISOString();
  const row = {
    portfolioId: value.portfolio.id,
    holdingsKey: holdingsKey(value),
    payload: payload as unknown as Record<string, unknown>,
    calculatedAt,
    asOf: value.asOf,
  };
  await db(env)
    .insert(riskSnapshots)
    .values(row)
    .onConflictDoUpdate({ target: riskSnapshots.portfolioId, set: row });
  return { payload, calculatedAt, asOf: value.asOf };
}

/** The stored snapshot, recomputed first when the market day or the holdings changed. */
export async function storedRiskSnapshot(env: Env, value: PortfolioValue) {
  const row = await db(env)
    .select()
    .from(riskSnapshots)
    .where(eq(riskSnapshots.portfolioId, value.portfolio.id))
    .get();
  if (
    row &&
    row.holdingsKey === holdingsKey(value) &&
    dayOf(Date.parse(row.asOf)) === dayOf(Date.parse(value.asOf))
  )
    return {
      payload: row.payload as unknown as RiskSnapshot,
      calculatedAt: row.calculatedAt,
      asOf: row.asOf,
      stored: true,
    };
  return { ...(await storeRiskSnapshot(env, value)), stored: false };
}
