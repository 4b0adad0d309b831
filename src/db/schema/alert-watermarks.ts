import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Per asset, the span of market time whose `prices.updated` events have been evaluated for
 * its alerts, so an unchanged alert needs no write (issue 20). Every event at a market time in
 * [evaluated_from, evaluated_through] has been evaluated for every alert that was active then:
 * a repeated or out-of-order event inside the span is a no-op, and an alert that was evaluated
 * in the span (its own `last_evaluated_at` >= evaluated_from) counts as evaluated through
 * `evaluated_through`. The span only grows forward; `evaluated_from` is the first event's time.
 * Alerts that have not been evaluated in the span (new ones, `last_evaluated_at` null or older)
 * keep their own `last_evaluated_at`, written at their first evaluation.
 */
export const alertAssetWatermarks = sqliteTable('alert_asset_watermarks', {
  assetId: text('asset_id').primaryKey(),
  /** Market time (epoch ms) of the first event of the span. */
  evaluatedFrom: integer('evaluated_from').notNull(),
  /** Market time (epoch ms) of the newest event evaluated. */
  evaluatedThrough: integer('evaluated_through').notNull(),
});
