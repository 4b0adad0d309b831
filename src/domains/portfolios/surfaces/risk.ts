import { createRouter } from '../../../core/openapi';
import { riskFactorRoutes } from './risk-factors';
import { riskGreeksRoutes } from './risk-greeks';
import { riskScenarioRoutes } from './risk-scenarios';
import { riskSummaryRoutes } from './risk-summary';

export { exposuresView } from './risk-factors';

/**
 * 004's risk surfaces (issue 16), one module per concern: factor exposures, risk summary and
 * stored metrics, scenarios, greeks. The logic is in src/domains/risk.
 */
export const riskSurfaceRoutes = createRouter()
  .route('/', riskFactorRoutes)
  .route('/', riskSummaryRoutes)
  .route('/', riskScenarioRoutes)
  .route('/', riskGreeksRoutes);
