import { TIERS } from '../../src/core/tiers';
import { upsertStatements } from '../lib/sql';
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

/** In load order: reference data, then the real price history read from ../shared/data. */
export const SEEDERS: Seeder[] = [tiers, assetsSeeder, ...priceSeeders];
