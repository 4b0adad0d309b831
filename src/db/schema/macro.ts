import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const SNAPSHOT_KINDS = ['daily', 'macro', 'sectors'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

/**
 * 000's `metrics_snapshot`: what the macro and sector layers serve, computed by the
 * `macro.snapshot` job from stored data up to `snapshot_time` (market time) and never from
 * anything later. `daily` rows hold one market day's headline metrics (the history pages
 * them); `macro` and `sectors` rows hold the full analysis at one market hour. Written by
 * upsert on (kind, snapshot_time), so recomputing is idempotent.
 */
export const metricsSnapshots = sqliteTable(
  'metrics_snapshot',
  {
    kind: text('kind', { enum: SNAPSHOT_KINDS }).notNull(),
    /** Market time the snapshot describes, epoch ms: it uses data at or before it only. */
    snapshotTime: integer('snapshot_time').notNull(),
    /** The data version it was computed at (a newer one means new data landed since). */
    dataVersion: text('data_version').notNull(),
    /** Wall time of the computation, epoch ms. */
    computedAt: integer('computed_at').notNull(),
    payload: text('payload', { mode: 'json' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.snapshotTime] }),
    index('metrics_snapshot_time_idx').on(t.snapshotTime),
  ],
);

/**
 * The curated crypto sectors (001's eleven), editable by admins (PUT /api/v1/admin/sectors/{id},
 * audited). Rows are created from the classification in domains/assets/sectors.ts on first use;
 * membership stays in code with its evidence.
 */
export const sectors = sqliteTable('sectors', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  category: text('category').notNull(),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by'),
});
