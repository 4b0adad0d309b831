import { ASSET_CATALOG } from '../src/domains/assets/catalog';
import type { Scenario } from './lib/load';

/**
 * The platform's floor: a bare Hono Worker's `/health` on the same wrangler/workerd
 * (bench/bare/), which every HTTP scenario is compared with in the same round.
 */
export const BARE: Scenario = {
  name: 'bare Hono Worker GET /health (platform floor)',
  path: '/health',
  bare: true,
};

/** Our own floor: exempt from limits, no I/O. */
export const BASELINE: Scenario = { name: 'GET /health (baseline)', path: '/health' };

// Guests arrive from many addresses; most of a guest's traffic is an address's first requests.
// Each request gets an address never used before in this process (10.0.0.0/8, then 11/8...).
let addresses = Math.floor(Math.random() * 1_000_000);
const newAddress = () => {
  const n = addresses++;
  return { 'CF-Connecting-IP': `${10 + (n >>> 24)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}` };
};

/**
 * What a route cannot avoid, each alone on the bare Worker: one Durable Object call counting
 * in SQLite (what an exact rate limit or a session check costs), one D1 read, a ~270 KB body.
 * Read beside the hot paths that must do the same (README "Benchmarks").
 */
export const FLOORS: Scenario[] = [
  {
    name: 'bare Worker + one Durable Object call (SQLite counter), new address each request',
    path: '/do',
    bare: true,
    headers: newAddress,
  },
  { name: 'bare Worker + one D1 read (SELECT ?)', path: '/d1', bare: true },
  {
    name: 'bare Worker behind static assets, as Meridian is deployed: GET /health',
    path: '/health',
    bare: true,
    bareAssets: true,
  },
  {
    name: "bare Worker behind static assets sending Meridian's /health answer (its body and 18 headers)",
    path: '/headers',
    bare: true,
    bareAssets: true,
  },
  {
    name: "bare Worker sending Meridian's /health answer (its body and 18 headers)",
    path: '/headers',
    bare: true,
  },
  { name: 'bare Worker sending ~270 KB of JSON', path: '/large', bare: true },
];

const FIVE_YEARS =
  '/api/v1/assets/BTC/price-history?timeframe=1d&start_date=2018-12-31&end_date=2023-12-31&limit=5000';
const fifty = Array.from({ length: 50 }, (_, i) => {
  const a = ASSET_CATALOG[i % ASSET_CATALOG.length];
  return { symbol: a?.symbol ?? 'BTC', type: a?.type ?? 'crypto' };
});

/** The issue-20 table: the hot paths and their goals (p50 x the bare Worker). */
export const HOT_PATHS: (Scenario & { goal: string })[] = [
  { ...BASELINE, goal: '<= 1.1' },
  {
    name: 'guest GET /api/markets/BTC-USD/price, new address each request',
    path: '/api/markets/BTC-USD/price',
    headers: newAddress,
    goal: '<= 1.5',
  },
  {
    name: 'guest GET /api/v1/assets?limit=20, new address each request',
    path: '/api/v1/assets?limit=20',
    headers: newAddress,
    goal: '<= 1.5',
  },
  { name: 'signed-in GET /api/v1/auth/me', path: '/api/v1/auth/me', auth: true, goal: '<= 2' },
  { name: 'signed-in BTC 5-year daily history (cached)', path: FIVE_YEARS, auth: true, goal: '<= 1.5' },
  {
    name: 'signed-in BTC 5-year daily history (uncached)',
    path: (i) => `${FIVE_YEARS}&_=${Date.now()}-${i}`,
    auth: true,
    goal: '<= 3',
  },
  { name: 'signed-in GET /api/v1/portfolios', path: '/api/v1/portfolios', auth: true, goal: '<= 2' },
];

/** More HTTP scenarios, each reported as a ratio to the bare Worker and to our /health. */
export const SCENARIOS: Scenario[] = [
  { name: 'GET /api/health, guest (address DO limiter)', path: '/api/health' },
  { name: 'GET /api/health, signed in (JWT + user DO: session + limits)', path: '/api/health', auth: true },
  { name: 'GET /api/v1/users/me, signed in (+ D1 read)', path: '/api/v1/users/me', auth: true },
  { name: 'GET /api/health/detailed (D1 + 3 DOs + R2)', path: '/api/health/detailed' },
  { name: 'GET BTC 5-year daily history (edge cache hit)', path: FIVE_YEARS },
  {
    name: 'GET BTC 5-year daily history (uncached: 1,827 candles from D1)',
    path: (i) => `${FIVE_YEARS}&_=${i}`,
  },
  {
    name: 'POST /api/prices/batch, 50 symbols',
    method: 'POST',
    path: '/api/prices/batch',
    body: { tokens: fifty },
  },
  { name: 'GET unknown path (404 error path)', path: '/api/v1/nothing-here', expectStatus: 404 },
  // Guest reads of the macro and sector layers: stored metrics_snapshot through the edge cache
  // (issue 18's bar: within 2x /health).
  { name: 'GET /api/v1/macro/dominance, guest (snapshot, edge cache)', path: '/api/v1/macro/dominance' },
  { name: 'GET /api/v1/sectors, guest (snapshot, edge cache)', path: '/api/v1/sectors' },
  { name: 'GET /api/v1/macro/regime, guest (snapshot, edge cache)', path: '/api/v1/macro/regime' },
  { name: 'GET /api/v1/macro/sentiment, guest (snapshot, edge cache)', path: '/api/v1/macro/sentiment' },
  {
    name: 'GET /api/v1/sectors/performance, guest (snapshot, edge cache)',
    path: '/api/v1/sectors/performance',
  },
  {
    name: 'GET /api/risk-metrics?symbol=BTC, guest (snapshot, edge cache)',
    path: '/api/risk-metrics?symbol=BTC',
  },
];
