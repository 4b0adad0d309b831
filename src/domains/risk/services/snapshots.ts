import { and, eq } from 'drizzle-orm';
import { marketNow } from '../../../core/market-clock';
import { db } from '../../../db/client';
import { riskSnapshots, riskSummaries } from '../../../db/schema';
import type { PortfolioValue } from '../../portfolios/services/valuation';
import type { RiskSummaryBody } from '../schemas';
import { holdingsKey } from './factors';
import { dayOf } from './market';
import { type RiskReport, riskReport } from './summary';
import { assertLookback, type RiskSummaryFigures, riskSummaryFigures } from './summary-body';
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

/**
 * When a stored figure is served: the rule every stored risk view follows, stated in the
 * responses that serve one.
 */
export const STORAGE_RULE =
  'Stored by the nightly risk batch (and on first request) per portfolio and confidence level at the default 252-day lookback; served while its market day equals the clock’s and the holdings (open positions, quantities, option implied volatilities, cash) are unchanged, otherwise recomputed and stored. Other lookbacks are computed on every request.';

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

/** Whether a row stored for `value`'s holdings on `asOf` may be served now. */
export const isFresh = (
  row: { holdingsKey: string; asOf: string },
  value: PortfolioValue,
  key = holdingsKey(value),
) => row.holdingsKey === key && dayOf(Date.parse(row.asOf)) === dayOf(Date.parse(value.asOf));

/**
 * Stores a computed report: the risk snapshot (when it is the default 95% / 252-day report the
 * metrics view reads) and the risk-summary body at its confidence, in one batch (upserts:
 * running it twice stores the same rows).
 */
async function storeReport(
  env: Env,
  value: PortfolioValue,
  report: RiskReport,
  figures: RiskSummaryFigures,
  calculatedAt: string,
) {
  const d = db(env);
  const key = holdingsKey(value);
  const base = { portfolioId: value.portfolio.id, holdingsKey: key, calculatedAt, asOf: value.asOf };
  const summary = {
    ...base,
    confidence: String(report.confidence),
    body: figures as unknown as Record<string, unknown>,
  };
  const summaryUpsert = d
    .insert(riskSummaries)
    .values(summary)
    .onConflictDoUpdate({ target: [riskSummaries.portfolioId, riskSummaries.confidence], set: summary });
  if (report.confidence !== 0.95) {
    await summaryUpsert;
    return;
  }
  const snapshot = { ...base, payload: snapshotOf(report) as unknown as Record<string, unknown> };
  await d.batch([
    d
      .insert(riskSnapshots)
      .values(snapshot)
      .onConflictDoUpdate({ target: riskSnapshots.portfolioId, set: snapshot }),
    summaryUpsert,
  ]);
}

/** Runs the risk batch for one portfolio and stores it (snapshot and 95% summary). Idempotent. */
export async function storeRiskSnapshot(env: Env, value: PortfolioValue, report?: RiskReport) {
  const r = report ?? (await riskReport(env, value));
  const calculatedAt = new Date(await marketNow(env)).toISOString();
  await storeReport(env, value, r, riskSummaryFigures(value, r, r.confidence * 100), calculatedAt);
  return { payload: snapshotOf(r), calculatedAt, asOf: value.asOf };
}

/** The stored snapshot, recomputed first when the market day or the holdings changed. */
export async function storedRiskSnapshot(env: Env, value: PortfolioValue) {
  const row = await db(env)
    .select()
    .from(riskSnapshots)
    .where(eq(riskSnapshots.portfolioId, value.portfolio.id))
    .get();
  if (row && isFresh(row, value))
    return {
      payload: row.payload as unknown as RiskSnapshot,
      calculatedAt: row.calculatedAt,
      asOf: row.asOf,
      stored: true,
    };
  return { ...(await storeRiskSnapshot(env, value)), stored: false };
}

/**
 * 004's risk summary at a confidence (percent, 90-99.9) and lookback: served from storage under
 * STORAGE_RULE, else computed (and stored when no lookback was asked for).
 */
export async function servedRiskSummary(
  env: Env,
  value: PortfolioValue,
  options: { confidencePercent: number; lookback?: number | undefined; refresh?: boolean },
): Promise<RiskSummaryBody> {
  const confidence = Math.round(options.confidencePercent * 10) / 1000;
  // An explicit lookback is always computed, so it is always checked against the holdings' data.
  const storable = options.lookback === undefined;
  const meta = (calculatedAt: string, stored: boolean) => ({
    calculated_at: calculatedAt,
    served_from_storage: stored,
    storage_rule: STORAGE_RULE,
  });
  if (storable && !options.refresh) {
    const row = await db(env)
      .select()
      .from(riskSummaries)
      .where(
        and(
          eq(riskSummaries.portfolioId, value.portfolio.id),
          eq(riskSummaries.confidence, String(confidence)),
        ),
      )
      .get();
    if (row && isFresh(row, value)) {
      const body = row.body as unknown as RiskSummaryFigures;
      return {
        ...body,
        risk_summary: {
          ...body.risk_summary,
          confidence_level: options.confidencePercent,
          ...meta(row.calculatedAt, true),
        },
      };
    }
  }
  const report = await riskReport(env, value, { confidence, lookback: options.lookback });
  assertLookback(report, options.lookback);
  const figures = riskSummaryFigures(value, report, options.confidencePercent);
  const calculatedAt = new Date(await marketNow(env)).toISOString();
  if (storable) await storeReport(env, value, report, figures, calculatedAt);
  return { ...figures, risk_summary: { ...figures.risk_summary, ...meta(calculatedAt, false) } };
}
