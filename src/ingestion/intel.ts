import { sql } from 'drizzle-orm';
import { chunkForParams, db } from '../db/client';
import { assetMetrics, intelReplayStore, marketIndicators } from '../db/schema';
import type { IntelRow } from './intel-files';
import { bumpDataVersion } from './state';

/** Statements per D1 batch. */
const BATCH = 100;

async function runBatches(env: Env, statements: D1PreparedStatement[]): Promise<void> {
  for (let i = 0; i < statements.length; i += BATCH) await env.DB.batch(statements.slice(i, i + BATCH));
}

/**
 * Upserts intel rows into the served tables (`asset_metrics`, `market_indicators`), or with
 * `place: 'store'` into the replay store the API never reads. Idempotent: the same rows twice
 * change nothing.
 */
export async function writeIntel(env: Env, rows: IntelRow[], place: 'served' | 'store'): Promise<number> {
  const d = db(env);
  const statements: D1PreparedStatement[] = [];
  if (place === 'store') {
    for (const chunk of chunkForParams(rows, 7)) {
      const q = d
        .insert(intelReplayStore)
        .values(chunk)
        .onConflictDoUpdate({
          target: [
            intelReplayStore.target,
            intelReplayStore.series,
            intelReplayStore.assetId,
            intelReplayStore.time,
          ],
          set: { value: sql`excluded.value`, label: sql`excluded.label`, source: sql`excluded.source` },
        });
      const { sql: text, params } = q.toSQL();
      statements.push(env.DB.prepare(text).bind(...params));
    }
  } else {
    const metrics = rows.filter((r) => r.target === 'asset_metrics');
    const indicators = rows.filter((r) => r.target === 'market_indicators');
    for (const chunk of chunkForParams(metrics, 5)) {
      const metricRows = chunk.map((r) => ({
        assetId: r.assetId,
        metric: r.series as (typeof assetMetrics.$inferInsert)['metric'],
        time: r.time,
        value: r.value,
        source: r.source,
      }));
      const { sql: text, params } = d
        .insert(assetMetrics)
        .values(metricRows)
        .onConflictDoUpdate({
          target: [assetMetrics.assetId, assetMetrics.metric, assetMetrics.time],
          set: { value: sql`excluded.value`, source: sql`excluded.source` },
        })
        .toSQL();
      statements.push(env.DB.prepare(text).bind(...params));
    }
    for (const chunk of chunkForParams(indicators, 5)) {
      const { sql: text, params } = d
        .insert(marketIndicators)
        .values(
          chunk.map((r) => ({
            series: r.series,
            time: r.time,
            value: r.value,
            label: r.label,
            source: r.source,
          })),
        )
        .onConflictDoUpdate({
          target: [marketIndicators.series, marketIndicators.time],
          set: { value: sql`excluded.value`, label: sql`excluded.label`, source: sql`excluded.source` },
        })
        .toSQL();
      statements.push(env.DB.prepare(text).bind(...params));
    }
  }
  await runBatches(env, statements);
  return rows.length;
}

export interface IntelIngested {
  asset_metrics: number;
  market_indicators: number;
}

/**
 * Replay: moves every stored intel row with time <= `t` (epoch ms, market time) into the served
 * tables through the same upserts live ingestion uses, and removes it from the store, in one
 * atomic D1 batch. Idempotent: a second call with the same `t` moves nothing and changes
 * nothing. The replay tick calls it with the market clock, so the served tables always hold
 * exactly the rows the clock has reached. Bumps the data version when anything moved, so
 * cached responses refresh. Returns the rows moved per table.
 */
export async function ingestIntelUntil(env: Env, t: number): Promise<IntelIngested> {
  const [metrics, indicators] = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO asset_metrics (asset_id, metric, time, value, source)
       SELECT asset_id, series, time, value, source FROM intel_replay_store
       WHERE target = 'asset_metrics' AND time <= ?1
       ON CONFLICT (asset_id, metric, time) DO UPDATE SET value = excluded.value, source = excluded.source`,
    ).bind(t),
    env.DB.prepare(
      `INSERT INTO market_indicators (series, time, value, label, source)
       SELECT series, time, value, label, source FROM intel_replay_store
       WHERE target = 'market_indicators' AND time <= ?1
       ON CONFLICT (series, time) DO UPDATE SET value = excluded.value, label = excluded.label, source = excluded.source`,
    ).bind(t),
    env.DB.prepare('DELETE FROM intel_replay_store WHERE time <= ?1').bind(t),
  ]);
  const moved = {
    asset_metrics: metrics?.meta.changes ?? 0,
    market_indicators: indicators?.meta.changes ?? 0,
  };
  // New figures (market caps, index levels) must not hide behind cached responses.
  if (moved.asset_metrics + moved.market_indicators > 0) await bumpDataVersion(env);
  return moved;
}
