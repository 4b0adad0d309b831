import type { PortfolioValue } from '../../portfolios/services/valuation';
import { type FactorModel, storedExposures } from './factors';
import { storedRiskSnapshot } from './snapshots';

/** The factor block of one position (ETF 7-factor set, stored regression), null when it has none. */
export async function positionFactorBlock(env: Env, value: PortfolioValue, positionId: string) {
  const stored = await storedExposures(env, value, 'etf7');
  const row = stored.positions.find((p) => p.positionId === positionId);
  if (!row) return null;
  const model = row.status === 'ok' ? (row.model as unknown as FactorModel) : null;
  return {
    factor_set: 'etf7',
    status: row.status,
    exposures: model ? Object.fromEntries(model.coefficients.map((c) => [c.factor, c.beta])) : null,
    r_squared: model?.r_squared ?? null,
    residual_volatility_annualized: model?.residual_volatility_annualized ?? null,
    observations: model?.observations ?? 0,
    window_end: model?.window_end ?? null,
    last_updated: row.calculatedAt,
  };
}

/** Component and marginal VaR (parametric, 1 day, 95%, money, losses negative) of one position from the stored risk snapshot. */
export async function positionComponentVar(env: Env, value: PortfolioValue, positionId: string) {
  const snap = await storedRiskSnapshot(env, value);
  const row = snap.payload.components.find((c) => c.position_id === positionId);
  return row ? { component_var: -row.component_var, marginal_var: -row.marginal_var } : null;
}

/** 004's factor_aggregations: the portfolio's stored 7-factor loadings. */
export async function factorAggregation(env: Env, value: PortfolioValue) {
  const stored = await storedExposures(env, value, 'etf7');
  const s = stored.summary;
  return {
    portfolio_beta: s.exposures.market ?? 0,
    factor_loadings: s.exposures,
    r_squared: s.r_squared,
    factor_set: 'etf7',
    positions_with_exposures: s.positions_with_exposures,
    last_updated: stored.calculatedAt,
  };
}

/** Both risk blocks of a position detail. */
export async function positionRiskBlocks(env: Env, value: PortfolioValue, positionId: string) {
  // Only open positions count; the detail's valuation may include inactive ones.
  const open = { ...value, positions: value.positions.filter((v) => v.isOpen) };
  const [factors, component] = await Promise.all([
    positionFactorBlock(env, open, positionId),
    positionComponentVar(env, open, positionId),
  ]);
  return { factors, component };
}
