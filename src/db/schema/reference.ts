import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Subscription tiers (002): filled from `TIERS` in src/core/tiers.ts by the seed, never by hand. */
export const subscriptionTiers = sqliteTable('subscription_tiers', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  rateLimitMultiplier: real('rate_limit_multiplier').notNull(),
  sortOrder: integer('sort_order').notNull(),
  description: text('description').notNull(),
});

/** Which seed sets have been loaded, and from what content, so `npm start` reloads only changes. */
export const seedRuns = sqliteTable('seed_runs', {
  name: text('name').primaryKey(),
  checksum: text('checksum').notNull(),
  rows: integer('rows').notNull(),
  appliedAt: text('applied_at').notNull(),
});
