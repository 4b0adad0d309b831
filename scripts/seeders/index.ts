import { TIERS } from '../../src/core/tiers';
import { upsertStatements } from '../lib/sql';

/**
 * A set of reference or market data the local database is filled with. `statements` must be
 * idempotent (upserts): a seeder whose content changed is simply run again.
 */
export interface Seeder {
  name: string;
  statements(): string[];
  rows(): number;
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

/** In load order. The market-data issue adds the price history from ../shared/data here. */
export const SEEDERS: Seeder[] = [tiers];
