import type { Scenario } from './lib/load';

/** The baseline every other HTTP scenario is compared with, in the same run. */
export const BASELINE: Scenario = { name: 'GET /health (baseline)', path: '/health' };

/**
 * HTTP scenarios measured against the baseline. Each issue adds its own: an authenticated
 * rate-limited GET, a 5-year history query, a 50-symbol batch price request...
 */
export const SCENARIOS: Scenario[] = [
  { name: 'GET /api/health/detailed (D1 + 3 DOs + R2)', path: '/api/health/detailed' },
  { name: 'GET /unknown (404 error path)', path: '/api/v1/nothing-here', expectStatus: 404 },
];
