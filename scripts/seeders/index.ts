import { TIERS } from '../../src/core/tiers';
import { catalogAssetId } from '../../src/domains/assets/catalog';
import { upsertStatements } from '../lib/sql';
import { dividendSeeders } from './dividends';
import { factorSeeders } from './factors';
import { intelSeeders } from './intel';
import { assetsSeeder, priceSeeders } from './prices';

/**
 * A set of reference or market data the local database is filled with. `statements` must be
 * idempotent (upserts): a seeder whose content changed is simply run again.
 */
export interface Seeder {
  name: string;
  statements(): string[];
  rows(): number;
  /** A cheap fingerprint of the content; without one, the statements themselves are hashed. */
  version?(): string;
}

const tiers: Seeder = {
  name: 'subscription_tiers',
  rows: () => TIERS.length,
  statements: () =>
    upsertStatements(
      'subscription_tiers',
      TIERS.map((t, i) => ({
        code: t.code,
        name: t.name,
        rate_limit_multiplier: t.rateLimitMultiplier,
        sort_order: i,
        description: t.description,
      })),
      ['code'],
    ),
};

/** The 15 assets guests see until an admin curates the list (001's default watchlist). */
export const DEFAULT_WATCHLIST = [
  'BTC',
  'ETH',
  'SOL',
  'BNB',
  'XRP',
  'ADA',
  'DOGE',
  'AVAX',
  'LINK',
  'DOT',
  'LTC',
  'TRX',
  'NEAR',
  'TON',
  'SUI',
];

const defaultWatchlist: Seeder = {
  name: 'default_watchlist',
  rows: () => DEFAULT_WATCHLIST.length,
  statements: () => [
    // Only if absent: once an admin has curated it, the seed leaves it alone.
    `INSERT INTO watchlists (id, user_id, name, description, is_public, is_default) VALUES ('wl_default', NULL, 'Default watchlist', 'Curated by Meridian', 1, 1) ON CONFLICT (id) DO NOTHING;`,
    ...DEFAULT_WATCHLIST.map(
      (symbol, i) =>
        `INSERT INTO watchlist_assets (watchlist_id, asset_id, sort_order) SELECT 'wl_default', '${catalogAssetId(symbol)}', ${i} WHERE NOT EXISTS (SELECT 1 FROM watchlist_history WHERE watchlist_id = 'wl_default') ON CONFLICT DO NOTHING;`,
    ),
  ],
};

/** In load order: reference data, then the real price history and intel read from ../shared/data. */
export const SEEDERS: Seeder[] = [
  tiers,
  assetsSeeder,
  ...priceSeeders,
  ...intelSeeders,
  ...factorSeeders,
  ...dividendSeeders,
  defaultWatchlist,
];
